import { createHash } from 'node:crypto';

/**
 * The checkpoint container, readable without TensorFlow.js (the coordinator serves checkpoints as
 * tfjs models without loading tfjs): "TFCK", a 4-byte header length, a JSON header (tfjs model
 * topology, weight specs incl. Adam's `optimizer` group, training config, the training state, a
 * SHA-256 of the weights), then the weights.
 */
export const CHECKPOINT_FORMAT = 'tfjs-layers+adam/v1';
const MAGIC = Buffer.from('TFCK');

/** What a trial needs besides the weights to continue exactly where it stopped. */
export interface TrainingState {
  /** Last completed epoch (1-based). */
  epoch: number;
  /** The trial seed; epoch e's shuffle is seeded with (seed, e), so this and `epoch` are the whole RNG state. */
  seed: number;
  bestMetric: number | null;
  /** The plateau schedule's bookkeeping (absent: a constant-schedule run, or a checkpoint from before schedules). */
  plateau?: PlateauState;
}

/** Where a plateau learning-rate schedule stands after an epoch: its factor so far, the best val_loss and the epochs since. */
export interface PlateauState {
  factor: number;
  best: number | null;
  badEpochs: number;
}

/** One weight tensor in the weights buffer, as tfjs's weights manifest describes it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /** `optimizer` for Adam's moments and step count. */
  group?: 'model' | 'optimizer';
}

/** tfjs's ModelArtifacts as a checkpoint holds them (structurally what `tf.io.fromMemory` reads). */
export interface CheckpointArtifacts {
  modelTopology: object;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
  trainingConfig?: object;
}

export interface DecodedCheckpoint {
  artifacts: CheckpointArtifacts;
  state: TrainingState;
}

export class CorruptCheckpointError extends Error {
  override name = 'CorruptCheckpointError';
}

/** Serialises saved model artifacts and the training state into one buffer. */
export function encodeCheckpointContainer(artifacts: CheckpointArtifacts, state: TrainingState): Buffer {
  const weights = Buffer.from(artifacts.weightData);
  const header = Buffer.from(
    JSON.stringify({
      format: CHECKPOINT_FORMAT,
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
      trainingConfig: artifacts.trainingConfig,
      state,
      weightsSha256: createHash('sha256').update(weights).digest('hex'),
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([MAGIC, length, header, weights]);
}

export function decodeCheckpoint(bytes: Buffer): DecodedCheckpoint {
  if (bytes.length < 8 || !bytes.subarray(0, 4).equals(MAGIC)) throw new CorruptCheckpointError('not a Tuneforge checkpoint (bad magic)');
  const headerLength = bytes.readUInt32BE(4);
  if (8 + headerLength > bytes.length) throw new CorruptCheckpointError('truncated checkpoint header');
  let header: {
    format: string;
    modelTopology: object;
    weightSpecs: WeightSpec[];
    trainingConfig?: object;
    state: TrainingState;
    weightsSha256: string;
  };
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (error) {
    throw new CorruptCheckpointError(`unreadable checkpoint header: ${(error as Error).message}`);
  }
  if (header.format !== CHECKPOINT_FORMAT) throw new CorruptCheckpointError(`unknown checkpoint format '${header.format}'`);
  const weights = bytes.subarray(8 + headerLength);
  if (createHash('sha256').update(weights).digest('hex') !== header.weightsSha256) throw new CorruptCheckpointError('checkpoint weights fail their checksum');
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return {
    artifacts: { modelTopology: header.modelTopology, weightSpecs: header.weightSpecs, weightData, trainingConfig: header.trainingConfig },
    state: header.state,
  };
}

/**
 * The checkpoint as `tf.loadLayersModel` reads it over HTTP: a model.json naming one weights file,
 * and that file (model weights only; the optimizer's state is left out).
 */
export function toLayersModelFiles(checkpoint: DecodedCheckpoint, weightsPath = 'weights.bin'): { modelJson: object; weights: Buffer } {
  const kept = modelWeightSlices(checkpoint);
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'Tuneforge',
      convertedBy: null,
      modelTopology: checkpoint.artifacts.modelTopology,
      weightsManifest: [{ paths: [weightsPath], weights: kept.map(({ spec }) => ({ name: spec.name, shape: spec.shape, dtype: spec.dtype })) }],
    },
    weights: Buffer.concat(kept.map(({ bytes }) => bytes)),
  };
}

/** The model's weights of a checkpoint (the optimizer's state left out), in the order the model lists them, as float32 values. */
export function checkpointModelWeights(checkpoint: DecodedCheckpoint): { name: string; shape: number[]; values: Float32Array }[] {
  return modelWeightSlices(checkpoint).map(({ spec, bytes }) => {
    if (spec.dtype !== 'float32') throw new CorruptCheckpointError(`model weight '${spec.name}' is ${spec.dtype}, not float32`);
    // A copy: the slice of the container need not be 4-byte aligned.
    return { name: spec.name, shape: spec.shape, values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
  });
}

function modelWeightSlices(checkpoint: DecodedCheckpoint): { spec: WeightSpec; bytes: Buffer }[] {
  const data = Buffer.from(checkpoint.artifacts.weightData);
  const slices: { spec: WeightSpec; bytes: Buffer }[] = [];
  let offset = 0;
  for (const spec of checkpoint.artifacts.weightSpecs) {
    const length = spec.shape.reduce((n, d) => n * d, 1) * bytesPerElement(spec.dtype);
    if (offset + length > data.length) throw new CorruptCheckpointError(`the weights end before '${spec.name}'`);
    if (spec.group !== 'optimizer') slices.push({ spec, bytes: data.subarray(offset, offset + length) });
    offset += length;
  }
  return slices;
}

function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  throw new Error(`unsupported weight dtype ${dtype}`);
}
