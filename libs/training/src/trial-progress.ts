import type { Objective, TrialConfig } from '@tuneforge/contracts';
import type { DecodedCheckpoint, TrainingState } from '@tuneforge/formats';
import type { LearningRateSchedule } from './learning-rate-schedule';
import type { EpochMetrics } from './trainer';
import { scheduleOf } from './trial-config';

/**
 * Where a trial stands in its epochs, kept alike by the tfjs and native sessions: the last epoch done, the best
 * objective value so far and the learning-rate schedule, fresh or as a checkpoint left them.
 */
export class TrialProgress {
  private constructor(
    private readonly schedule: LearningRateSchedule,
    private readonly objective: Objective,
    private readonly seed: number,
    /** Last completed epoch. */
    public epoch: number,
    public bestMetric: number | null,
  ) {}

  static of(config: TrialConfig, objective: Objective, seed: number, checkpoint?: DecodedCheckpoint): TrialProgress {
    return new TrialProgress(scheduleOf(config, checkpoint), objective, seed, checkpoint?.state.epoch ?? 0, checkpoint?.state.bestMetric ?? null);
  }

  /**
   * Trains the next epoch at the schedule's rate with `train`, then moves the schedule, the epoch and the best
   * value on by its metrics (learning_rate added).
   */
  async next(train: (epoch: number, learningRate: number) => Promise<EpochMetrics>): Promise<EpochMetrics> {
    const epoch = this.epoch + 1;
    const learningRate = this.schedule.rateFor(epoch);
    const metrics = await train(epoch, learningRate);
    metrics.learning_rate = learningRate;
    this.schedule.afterEpoch(epoch, metrics.val_loss);
    this.epoch = epoch;
    this.bestMetric = bestSoFar(this.objective, this.bestMetric, metrics);
    return metrics;
  }

  /** What a checkpoint keeps of it. */
  get state(): TrainingState {
    return { epoch: this.epoch, seed: this.seed, bestMetric: this.bestMetric, plateau: this.schedule.state };
  }
}

/** The best objective value after an epoch with these metrics. */
export function bestSoFar(objective: Objective, best: number | null, metrics: EpochMetrics): number | null {
  const value = metrics[objective.metric];
  if (value === undefined || !Number.isFinite(value)) return best;
  const better = objective.direction === 'minimize' ? value < (best ?? Infinity) : value > (best ?? -Infinity);
  return best === null || better ? value : best;
}
