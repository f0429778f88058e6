import type * as tf from '@tensorflow/tfjs';
import type { Objective, TrialConfig } from '@tuneforge/contracts';
import { CHECKPOINT_FORMAT, type DecodedCheckpoint, type Preprocessing } from '@tuneforge/formats';
import { encodeCheckpoint, restoreModel, scoreCheckpointOnTest } from './checkpoint';
import type { TrainingData } from './datasets/dataset';
import { buildSeededRecurrentModel } from './seeded-weights';
import { TrialTrainer, type EpochMetrics } from './trainer';
import { recurrentHyperparameters, stepSettings } from './trial-config';
import { TrialProgress } from './trial-progress';
import type { TestScores, TrainingSession } from './training-session';

/**
 * One trial's model and progress: built fresh from the config and seed, or restored from a
 * checkpoint (weights, Adam's state, last epoch, best value so far).
 */
export class TrialSession implements TrainingSession {
  readonly checkpointFormat = CHECKPOINT_FORMAT;
  private constructor(
    private readonly trainer: TrialTrainer,
    private readonly progress: TrialProgress,
    private readonly data: TrainingData,
  ) {}

  static async open(data: TrainingData, config: TrialConfig, seed: number, objective: Objective, checkpoint?: DecodedCheckpoint): Promise<TrialSession> {
    const model: tf.LayersModel = checkpoint ? await restoreModel(checkpoint) : await buildSeededRecurrentModel(data, recurrentHyperparameters(config), seed);
    const trainer = new TrialTrainer(model, data, Number(config.hyperparameters.batchSize), seed, stepSettings(config));
    return new TrialSession(trainer, TrialProgress.of(config, objective, seed, checkpoint), data);
  }

  get epoch(): number {
    return this.progress.epoch;
  }

  get bestMetric(): number | null {
    return this.progress.bestMetric;
  }

  /** Trains the next epoch and returns its metrics; the best objective value is kept up to date. */
  trainNextEpoch(): Promise<EpochMetrics> {
    return this.progress.next(async (epoch, learningRate) => {
      const metrics = await this.trainer.trainEpoch(epoch, learningRate);
      metrics.param_count = this.trainer.model.countParams();
      return metrics;
    });
  }

  get model(): tf.LayersModel {
    return this.trainer.model;
  }

  get samplesPerEpoch(): number {
    return this.data.trainX.shape[0];
  }

  get preprocessing(): Preprocessing {
    return this.data.preprocessing;
  }

  checkpoint(): Promise<Buffer> {
    return encodeCheckpoint(this.trainer.model, this.progress.state);
  }

  async scoreOnTest(bestCheckpoint: () => Promise<Buffer>): Promise<TestScores> {
    return scoreCheckpointOnTest(this.data, await bestCheckpoint());
  }

  dispose(): void {
    this.trainer.model.dispose();
  }
}
