import type { ConfusionMatrix } from '@tuneforge/contracts';
import type { Preprocessing } from '@tuneforge/formats';
import type { EpochMetrics } from './trainer';

/** A model's scores on the test split, and for a classifier how it classified those rows. */
export interface TestScores {
  metrics: EpochMetrics;
  confusion: ConfusionMatrix | null;
}

/** What a worker drives, whether a real LSTM (TrialSession) or the `simulated` family. */
export interface TrainingSession {
  /** Last completed epoch. */
  readonly epoch: number;
  readonly bestMetric: number | null;
  /** How the model's inputs are made from raw data (null: the simulated family reads none). */
  readonly preprocessing: Preprocessing | null;
  /** Training samples (windows) one epoch steps through; 0 for the simulated family, which trains on none. */
  readonly samplesPerEpoch: number;
  /** The `format` its checkpoints are stored under. */
  readonly checkpointFormat: string;
  trainNextEpoch(): Promise<EpochMetrics>;
  checkpoint(): Promise<Buffer>;
  /**
   * The test split's scores of the model the trial hands over (its best epoch), from that epoch's
   * checkpoint, which it reads only if it needs it: test_loss and test_mae with seasonal_naive_test_mae, test_bpc,
   * or test_accuracy and test_macro_f1 with the baselines' (and the confusion matrix).
   */
  scoreOnTest(bestCheckpoint: () => Promise<Buffer>): Promise<TestScores>;
  dispose(): void;
}
