import type { EpochMetrics } from './trainer';

/** What a worker drives, whether a real LSTM (TrialSession) or the `simulated` family. */
export interface TrainingSession {
  /** Last completed epoch. */
  readonly epoch: number;
  readonly bestMetric: number | null;
  /** The `format` its checkpoints are stored under. */
  readonly checkpointFormat: string;
  trainNextEpoch(): Promise<EpochMetrics>;
  checkpoint(): Promise<Buffer>;
  dispose(): void;
}
