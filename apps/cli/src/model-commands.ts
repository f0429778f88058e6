import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { describeTestScore, type ModelBundleMetadataDto } from '@tuneforge/contracts';
import type { Classification, Forecast } from '@tuneforge/predict';
import type { TuneforgeClient } from '@tuneforge/api-client';
import { ApiError } from './api-client';
import { formatValue, table } from './render';

/** The input was wrong (a file, a CSV, a prompt, a folder that is not a model): exit code 2 with this message. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

type Predict = typeof import('@tuneforge/predict');

/** Loads TensorFlow.js and @tuneforge/predict only for the commands that run a model (the others start fast), without tfjs's console advice. */
async function predictLib(): Promise<Predict> {
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
  return import('@tuneforge/predict');
}

interface ResolvedModel {
  /** The URL of the model.json (a trial's, or a sweep's best). */
  url: string;
  metadata: ModelBundleMetadataDto;
  modelJson: object;
}

/** The model of a trial id, or else of a sweep id (its best trial's); refusals (not ready, unknown) are the API's. */
async function resolveModel(api: TuneforgeClient, id: string): Promise<ResolvedModel> {
  try {
    const modelJson = await api.trialModel({ id });
    return { url: api.url('trialModel', { id }), metadata: modelJson.userDefinedMetadata.tuneforge, modelJson };
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'TRIAL_NOT_FOUND')) throw error;
  }
  try {
    const modelJson = await api.sweepBestModel({ id });
    return { url: api.url('sweepBestModel', { id }), metadata: modelJson.userDefinedMetadata.tuneforge, modelJson };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'SWEEP_NOT_FOUND') throw new BadInputError(`no trial or sweep has the id '${id}', and it is not a folder holding model.json`);
    throw error;
  }
}

/** A folder (or model.json file) on disk, else the model URL of a trial or sweep id. */
async function modelSource(api: () => TuneforgeClient, idOrDir: string): Promise<string> {
  if (existsSync(idOrDir)) return idOrDir;
  return (await resolveModel(api(), idOrDir)).url;
}

/** Runs `load` and turns the library's input and bundle errors into bad input (exit 2). */
async function asBadInput<T>(what: string, load: () => Promise<T>): Promise<T> {
  const { ModelBundleError, PredictInputError } = await predictLib();
  try {
    return await load();
  } catch (error) {
    if (error instanceof PredictInputError || error instanceof ModelBundleError) throw new BadInputError(`${what}: ${error.message}`);
    throw error;
  }
}

/** Writes to stdout and waits until it is handed to the OS: main exits the process right after a command, which would cut a long piped output short. */
function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(`${text}\n`, (error) => (error ? reject(error) : resolve())));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BadInputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** What a bundle's metadata says about where it came from (the API's and the predict library's types both have it). */
interface ModelOrigin {
  trial: { id: string; sweepId: string; number: number; bestEpoch: number };
  objective: { metric: string };
  scores: { validation: number | null; test: Record<string, number> | null };
}

function describeModel(metadata: ModelOrigin): string {
  const { trial, objective, scores } = metadata;
  const test = scores.test ? `; ${describeTestScore(scores.test)}` : '';
  return `trial ${trial.id} (#${trial.number} of sweep ${trial.sweepId}, epoch ${trial.bestEpoch}): ${objective.metric} ${formatValue(scores.validation)}${test}`;
}

/** Epoch ms as a date (midnight UTC) or a full ISO time. */
function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function forecastsTable(forecasts: readonly Forecast[], target: string, timeColumn: string | null, all: boolean): string {
  const when = (f: Forecast, k: number) => (f.times ? formatTime(f.times[k]) : `row ${f.index + k + 1}`);
  if (!all) return table([timeColumn ?? 'row', target], forecasts[0].values.map((v, k) => [when(forecasts[0], k), formatValue(v)]));
  const horizon = forecasts[0]?.values.length ?? 0;
  const steps = Array.from({ length: horizon }, (_, k) => (horizon === 1 ? target : `${target} +${k + 1}`));
  return table(['first forecast', ...steps], forecasts.map((f) => [when(f, 0), ...f.values.map(formatValue)]));
}

function number(kind: 'int' | 'float', min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (kind === 'int' && !Number.isInteger(n))) throw new InvalidArgumentError(`expected ${kind === 'int' ? 'a whole number' : 'a number'} of at least ${min}`);
    return n;
  };
}

async function forecast(source: string, idOrDir: string, csv: string, all: boolean, json: boolean): Promise<void> {
  const text = readText(csv);
  const { loadForecaster } = await predictLib();
  const forecaster = await asBadInput(idOrDir, () => loadForecaster(source));
  try {
    const forecasts = await asBadInput(csv, async () => {
      const rows = forecaster.readCsv(text);
      return all ? forecaster.predictAll(rows) : [await forecaster.predict(rows)];
    });
    const { target, timeColumn } = forecaster.metadata.preprocessing;
    if (json) {
      const shown = forecasts.map((f) => ({ ...f, times: f.times?.map((t) => new Date(t).toISOString()) ?? null }));
      await print(JSON.stringify({ trialId: forecaster.metadata.trial.id, target, forecasts: shown }, null, 2));
    } else {
      console.error(describeModel(forecaster.metadata));
      await print(forecastsTable(forecasts, target, timeColumn, all));
    }
  } finally {
    forecaster.dispose();
  }
}

async function classify(source: string, idOrDir: string, texts: string[], json: boolean): Promise<void> {
  const { loadClassifier } = await predictLib();
  const classifier = await asBadInput(idOrDir, () => loadClassifier(source));
  try {
    if (classifier.kind !== 'text') throw new BadInputError(`${idOrDir} classifies sequences of ${describeInputs(classifier.metadata.preprocessing.inputs)}; give them with --csv <file>`);
    const classes = await asBadInput('--text', () => classifier.classify(texts));
    await printClasses(classifier.metadata, 'text', texts, classes, json);
  } finally {
    classifier.dispose();
  }
}

/** A series classifier's answer for each sequence of a CSV (grouped by the model's sequence column, or the file as one). */
async function classifyCsv(source: string, idOrDir: string, csv: string, json: boolean): Promise<void> {
  const { loadClassifier } = await predictLib();
  const classifier = await asBadInput(idOrDir, () => loadClassifier(source));
  try {
    if (classifier.kind !== 'series') throw new BadInputError(`${idOrDir} classifies texts; give them with --text or --lines`);
    const { ids, sequences } = await asBadInput(csv, async () => classifier.readCsv(readText(csv)));
    const classes = await asBadInput(csv, () => classifier.classify(sequences));
    await printClasses(classifier.metadata, classifier.metadata.preprocessing.sequence ?? 'rows', ids, classes, json);
  } finally {
    classifier.dispose();
  }
}

async function printClasses(metadata: ModelOrigin, what: string, items: readonly string[], classes: readonly Classification[], json: boolean): Promise<void> {
  if (json) {
    await print(JSON.stringify({ trialId: metadata.trial.id, classes: classes.map((c, i) => ({ [what]: items[i], ...c })) }, null, 2));
    return;
  }
  console.error(describeModel(metadata));
  const shown = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
  await print(table([what, 'class', 'probability'], classes.map((c, i) => [shown(items[i]), c.label, c.probability.toFixed(3)])));
}

function describeInputs(inputs: readonly { column: string }[]): string {
  return inputs.map((i) => `'${i.column}'`).join(', ');
}

/** `download`, `predict` and `generate`: exported models, from the coordinator or a downloaded folder. */
export function registerModelCommands(cli: Command, api: () => TuneforgeClient): void {
  cli
    .command('download')
    .description("write a trial's model (or a sweep's best) as model.json + weights.bin, for tf.loadLayersModel and @tuneforge/predict")
    .argument('<id>', 'trial id, or sweep id for its best model')
    .requiredOption('-o, --out <dir>', 'folder to write model.json and weights.bin into')
    .action(async (id: string, options: { out: string }) => {
      const client = api();
      const model = await resolveModel(client, id);
      const weights = await client.trialModelWeights({ id: model.metadata.trial.id });
      const modelJson = model.modelJson as { weightsManifest: { paths: string[] }[] };
      const local = { ...modelJson, weightsManifest: [{ ...modelJson.weightsManifest[0], paths: ['weights.bin'] }] };
      mkdirSync(options.out, { recursive: true });
      writeFileSync(join(options.out, 'model.json'), JSON.stringify(local));
      writeFileSync(join(options.out, 'weights.bin'), Buffer.from(weights));
      console.log(`wrote ${join(options.out, 'model.json')} and weights.bin: ${describeModel(model.metadata)}`);
    });

  cli
    .command('predict')
    .description(
      'use an exported model: a forecaster forecasts the horizon after the CSV rows (or every window with --all); a classifier names the class of each text, or of each sequence of CSV rows',
    )
    .argument('<id-or-dir>', 'trial id, sweep id (its best model), or a folder written by download')
    .option('--csv <file>', "forecasters: raw rows, the model's time column (dates) and value columns, in time order; series classifiers: the model's columns, one row per step")
    .option('--all', 'forecasters: one forecast per window of rows (the last one is the horizon after the rows)')
    .option('--text <text...>', 'classifiers: the texts to classify')
    .option('--lines <file>', 'classifiers: a file with one text per line')
    .option('--json', 'print JSON instead of a table')
    .action(async (idOrDir: string, options: { csv?: string; all?: boolean; text?: string[]; lines?: string; json?: boolean }) => {
      const texts = [...(options.text ?? []), ...(options.lines ? readText(options.lines).split(/\r?\n/).filter((line) => line.length > 0) : [])];
      if (options.csv && texts.length > 0) throw new BadInputError('give --csv (rows: a forecaster or a series classifier) or --text / --lines (texts: a text classifier), not both');
      if (!options.csv && texts.length === 0) throw new BadInputError('give --csv <file> for a forecaster or a series classifier, or --text / --lines for a text classifier');
      const source = await modelSource(api, idOrDir);
      if (!options.csv) return classify(source, idOrDir, texts, Boolean(options.json));
      const { bundleMetadataOf } = await predictLib();
      const { preprocessing } = await asBadInput(idOrDir, () => bundleMetadataOf(source));
      if (preprocessing.task === 'classify') return classifyCsv(source, idOrDir, options.csv, Boolean(options.json));
      await forecast(source, idOrDir, options.csv, Boolean(options.all), Boolean(options.json));
    });

  cli
    .command('generate')
    .description('continue a prompt with an exported character model (seeded: the same seed, the same text)')
    .argument('<id-or-dir>', 'trial id, sweep id (its best model), or a folder written by download')
    .requiredOption('--prompt <text>', "text to continue (characters of the model's vocabulary; the last window of it is read)")
    .option('--chars <n>', 'characters to generate', number('int', 0), 200)
    .option('--temperature <t>', '0: the likeliest character each time; 1: as the model predicts; higher: more surprising', number('float', 0), 1)
    .option('--seed <n>', "the sampler's seed", number('int', 0), 0)
    .action(async (idOrDir: string, options: { prompt: string; chars: number; temperature: number; seed: number }) => {
      const source = await modelSource(api, idOrDir);
      const { loadTextModel } = await predictLib();
      const model = await asBadInput(idOrDir, () => loadTextModel(source));
      try {
        const text = await asBadInput('--prompt', () => model.generate(options.prompt, { chars: options.chars, temperature: options.temperature, seed: options.seed }));
        console.error(describeModel(model.metadata));
        await print(options.prompt + text);
      } finally {
        model.dispose();
      }
    });
}
