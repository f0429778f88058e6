import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from './datasets/dataset';
import { evaluateSplitWithConfusion } from './trainer';
import type { TestScores } from './training-session';
import { decodeCheckpoint, encodeCheckpointContainer, type CheckpointArtifacts, type DecodedCheckpoint, type TrainingState, type WeightSpec } from '@tuneforge/formats';

/** A tfjs model's topology, weights and Adam's state, with the training state, as a checkpoint (the container: @tuneforge/formats). */
export async function encodeCheckpoint(model: tf.LayersModel, state: TrainingState): Promise<Buffer> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs || !artifacts.modelTopology) throw new Error('the model produced no weights to save');
  const weightData = tf.io.concatenateArrayBuffers(([] as ArrayBuffer[]).concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[]));
  return encodeCheckpointContainer(
    { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs as WeightSpec[], weightData, trainingConfig: artifacts.trainingConfig },
    state,
  );
}

/** The model with its weights and Adam's state, compiled as it was trained. */
export async function restoreModel(checkpoint: DecodedCheckpoint): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(checkpoint.artifacts as CheckpointArtifacts as tf.io.ModelArtifacts));
}

/** A checkpoint's model scored on the data's test split (the same evaluation as validation's, on the test rows). */
export async function scoreCheckpointOnTest(data: TrainingData, bytes: Buffer): Promise<TestScores> {
  const model = await restoreModel(decodeCheckpoint(bytes));
  try {
    return await evaluateSplitWithConfusion(model, data, 'test');
  } finally {
    model.dispose();
  }
}
