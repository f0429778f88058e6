import type { LrSchedule } from '@tuneforge/contracts';
import type { PlateauState } from '@tuneforge/formats';

export interface ScheduleSettings {
  schedule: LrSchedule;
  /** The configured learning rate: the rate after warm-up, before any decay. */
  peak: number;
  warmupEpochs: number;
  /** What step and plateau multiply the rate by. */
  decay: number;
  stepEpochs: number;
  patience: number;
  /** The trial's epochs: cosine reaches its low at the last one. */
  maxEpochs: number;
}

const FRESH_PLATEAU: PlateauState = { factor: 1, best: null, badEpochs: 0 };

/**
 * The learning rate of each epoch (constant within an epoch, so both engines and a resumed run use the
 * same one): linear warm-up to the peak over `warmupEpochs`, then constant, cosine annealing to near 0
 * at the last epoch, a step decay every `stepEpochs`, or a decay after `patience` epochs whose val_loss
 * did not beat the best (plateau: its state goes into checkpoints, `state`).
 */
export class LearningRateSchedule {
  private plateau: PlateauState;

  constructor(
    private readonly settings: ScheduleSettings,
    state?: PlateauState,
  ) {
    this.plateau = { ...(state ?? FRESH_PLATEAU) };
  }

  rateFor(epoch: number): number {
    const { schedule, peak, warmupEpochs, decay, stepEpochs, maxEpochs } = this.settings;
    if (epoch <= warmupEpochs) return (peak * epoch) / (warmupEpochs + 1);
    const after = epoch - warmupEpochs - 1; // 0 at the first epoch after warm-up
    switch (schedule) {
      case 'constant':
        return peak;
      case 'cosine':
        return peak * 0.5 * (1 + Math.cos((Math.PI * after) / Math.max(1, maxEpochs - warmupEpochs)));
      case 'step':
        return peak * decay ** Math.floor(after / stepEpochs);
      case 'plateau':
        return peak * this.plateau.factor;
    }
  }

  /** After an epoch: the plateau schedule counts an epoch without a better val_loss and decays after `patience` of them. */
  afterEpoch(epoch: number, valLoss: number | undefined): void {
    if (this.settings.schedule !== 'plateau' || epoch <= this.settings.warmupEpochs || valLoss === undefined || !Number.isFinite(valLoss)) return;
    if (this.plateau.best === null || valLoss < this.plateau.best) {
      this.plateau = { ...this.plateau, best: valLoss, badEpochs: 0 };
      return;
    }
    const badEpochs = this.plateau.badEpochs + 1;
    this.plateau = badEpochs >= this.settings.patience ? { ...this.plateau, factor: this.plateau.factor * this.settings.decay, badEpochs: 0 } : { ...this.plateau, badEpochs };
  }

  /** What a checkpoint keeps (only the plateau schedule has state). */
  get state(): PlateauState | undefined {
    return this.settings.schedule === 'plateau' ? { ...this.plateau } : undefined;
  }
}
