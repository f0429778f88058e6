import { toLayersModelFiles, type DecodedCheckpoint } from './checkpoint-container';
import type { Preprocessing } from './series-encoding';

/** The version of what an exported model's `userDefinedMetadata.tuneforge` holds; a reader refuses others. */
export const MODEL_BUNDLE_FORMAT = 'tuneforge-model/v1';

/** Everything needed to use an exported model besides its weights, and where it came from. */
export interface ModelBundleMetadata {
  format: typeof MODEL_BUNDLE_FORMAT;
  preprocessing: Preprocessing;
  trial: { id: string; sweepId: string; number: number; seed: number; bestEpoch: number; config: object };
  objective: { metric: string; direction: 'minimize' | 'maximize' };
  /** `validation`: the objective's best value (the epoch exported); `test`: that epoch's scores on the test split, with the seasonal-naive baseline on the same rows. */
  scores: { validation: number | null; test: Record<string, number> | null };
}

/** A checkpoint as a TensorFlow.js model.json + weights whose userDefinedMetadata.tuneforge says how to use it. */
export function toModelBundle(checkpoint: DecodedCheckpoint, metadata: ModelBundleMetadata, weightsPath: string): { modelJson: object; weights: Buffer } {
  const files = toLayersModelFiles(checkpoint, weightsPath);
  return { modelJson: { ...files.modelJson, userDefinedMetadata: { tuneforge: metadata } }, weights: files.weights };
}
