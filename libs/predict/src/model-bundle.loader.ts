import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODEL_BUNDLE_FORMAT, type ModelBundleMetadata, type Preprocessing } from '@tuneforge/formats';
import { ModelBundleError } from './predict-errors';

/** A model.json larger than this is not one of ours (a topology is kilobytes; the weights are separate files). */
const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;

/** An exported model: the tfjs model and what its `userDefinedMetadata.tuneforge` says about it. */
export interface LoadedBundle<P extends Preprocessing = Preprocessing> {
  model: tf.LayersModel;
  metadata: ModelBundleMetadata & { preprocessing: P };
}

/** Where a bundle's files are read from: an http(s) URL of its model.json, or a folder (or model.json file) on disk. */
interface BundleLocation {
  /** What error messages call it. */
  name: string;
  modelJson(): Promise<ArrayBuffer>;
  /** A weights file, by the path model.json gives it (relative to model.json's folder, as tfjs resolves it). */
  weights(path: string): Promise<ArrayBuffer>;
}

export interface LoadOptions {
  /** The API token a coordinator URL is read with (default: TUNEFORGE_TOKEN); a folder needs none. */
  token?: string;
}

/**
 * Loads an exported model (`GET /trials/:id/model`, `GET /sweeps/:id/best-model`, or a folder written by
 * `tuneforge download`) and checks it is a Tuneforge bundle of the task asked for before building it.
 */
export async function loadModelBundle<T extends Preprocessing['task']>(source: string, task: T, options: LoadOptions = {}): Promise<LoadedBundle<Extract<Preprocessing, { task: T }>>> {
  const { location, modelJson, metadata } = await readBundle(source, options);
  if (metadata.preprocessing.task !== task) {
    const use = { text: 'loadTextModel (tuneforge generate)', forecast: 'loadForecaster (tuneforge predict --csv)', classify: 'loadClassifier (tuneforge predict --text, or --csv for a series classifier)' }[metadata.preprocessing.task];
    throw new ModelBundleError(`${location.name} is a ${metadata.preprocessing.task} model, not a ${task} model; use ${use}`);
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const files = await Promise.all(manifest.flatMap((group) => group.paths).map((path) => location.weights(path)));
    return [manifest.flatMap((group) => group.weights), tf.io.concatenateArrayBuffers(files)];
  });
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new ModelBundleError(`${location.name} does not load as a TensorFlow.js layers model: ${(error as Error).message}`);
  }
  return { model, metadata: metadata as LoadedBundle<Extract<Preprocessing, { task: T }>>['metadata'] };
}

/** What an exported model says about itself (its task and preprocessing, its trial), without building it. */
export async function bundleMetadataOf(source: string, options: LoadOptions = {}): Promise<ModelBundleMetadata> {
  return (await readBundle(source, options)).metadata;
}

async function readBundle(source: string, options: LoadOptions): Promise<{ location: BundleLocation; modelJson: tf.io.ModelJSON; metadata: ModelBundleMetadata }> {
  const location = await locate(source, options.token ?? process.env.TUNEFORGE_TOKEN);
  const bytes = await location.modelJson();
  if (bytes.byteLength > MAX_MODEL_JSON_BYTES) throw new ModelBundleError(`${location.name} is ${bytes.byteLength} bytes; a model.json is at most ${MAX_MODEL_JSON_BYTES}`);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelBundleError(`${location.name} is not JSON: ${(error as Error).message}`);
  }
  return { location, modelJson, metadata: bundleMetadata(modelJson, location.name) };
}

/** The shape a layers model reads (without the batch dimension), for checking it against its preprocessing. */
export function inputShapeOf(model: tf.LayersModel): (number | null)[] {
  return model.inputs[0].shape.slice(1);
}

/** A character model must read [steps, vocabulary] one-hot rows, as its preprocessing makes them; else it is disposed and refused. */
export function checkOneHotInput(model: tf.LayersModel, source: string, steps: number, vocabularySize: number, stepsName: string): void {
  const input = inputShapeOf(model);
  if (input.length === 2 && input[0] === steps && input[1] === vocabularySize) return;
  model.dispose();
  throw new ModelBundleError(`${source} is inconsistent: the model reads [${input.join(', ')}] where its preprocessing makes [${steps}, ${vocabularySize}] (${stepsName}, one-hot characters)`);
}

function bundleMetadata(modelJson: tf.io.ModelJSON, name: string): ModelBundleMetadata {
  const metadata = (modelJson.userDefinedMetadata as { tuneforge?: Partial<ModelBundleMetadata> } | undefined)?.tuneforge;
  if (!metadata || typeof metadata !== 'object') {
    throw new ModelBundleError(`${name} is not a Tuneforge model bundle (no userDefinedMetadata.tuneforge); export one with GET /trials/:id/model or tuneforge download`);
  }
  if (metadata.format !== MODEL_BUNDLE_FORMAT) throw new ModelBundleError(`${name} has bundle format '${String(metadata.format)}'; this reader knows only '${MODEL_BUNDLE_FORMAT}'`);
  const task = metadata.preprocessing?.task;
  if (task !== 'forecast' && task !== 'text' && task !== 'classify') throw new ModelBundleError(`${name} has no preprocessing of a known task (forecast, text or classify)`);
  return metadata as ModelBundleMetadata;
}

async function locate(source: string, token: string | undefined): Promise<BundleLocation> {
  if (/^https?:\/\//i.test(source)) return urlLocation(new URL(source), token);
  const path = resolve(source);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ModelBundleError(`${source} does not exist (give a model URL or a folder with model.json)`);
  const file = info.isDirectory() ? join(path, 'model.json') : path;
  const folder = dirname(file);
  const read = async (at: string) => {
    try {
      const bytes = await readFile(at);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    } catch (error) {
      throw new ModelBundleError(`cannot read ${at}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  return {
    name: file,
    modelJson: () => read(file),
    weights: (weightsPath) => {
      const at = resolve(folder, weightsPath);
      const inside = relative(folder, at);
      if (inside.startsWith('..') || isAbsolute(inside)) throw new ModelBundleError(`${file} names a weights file outside its folder: ${weightsPath}`);
      return read(at);
    },
  };
}

function urlLocation(url: URL, token: string | undefined): BundleLocation {
  const read = async (at: URL) => {
    let response: Response;
    try {
      // The token goes to the model's own origin only (weights are relative to it).
      response = await fetch(at, { headers: token && at.origin === url.origin ? { authorization: `Bearer ${token}` } : {} });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ModelBundleError(`cannot reach ${at.origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
    if (!response.ok) {
      const text = await response.text();
      let reason = text.slice(0, 500) || response.statusText;
      try {
        const body = JSON.parse(text) as { code?: string; message?: string };
        if (body.message) reason = body.code ? `${body.code}: ${body.message}` : body.message;
      } catch {
        // not an error body of the API; the text says what it says
      }
      throw new ModelBundleError(`GET ${at} answered ${response.status}: ${reason}`);
    }
    return response.arrayBuffer();
  };
  return {
    name: url.toString(),
    modelJson: () => read(url),
    // As tfjs's http loader does: relative to the model URL's folder.
    weights: (path) => read(new URL(path, url)),
  };
}
