import { Injectable } from '@nestjs/common';
import { isActiveTrial, isScoredTrial } from '@tuneforge/contracts';
import { Stores, type TrialEntity } from '@tuneforge/persistence';
import { CorruptCheckpointError, decodeCheckpoint, MODEL_BUNDLE_FORMAT, toModelBundle, type ModelBundleMetadata } from '@tuneforge/formats';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { TrialsService } from './trials.service';

/** An exported model: model.json (TensorFlow.js layers format with `userDefinedMetadata.tuneforge`) and its weights. */
export interface ModelBundleFiles {
  trialId: string;
  epoch: number;
  modelJson: object;
  weights: Buffer;
}

type Objective = ModelBundleMetadata['objective'];

/**
 * Model export: the weights of a trial's best epoch (no optimizer state) with everything needed to use
 * them on new raw data (its preprocessing, config, seed and scores), for a trial or a sweep's best trial.
 */
@Injectable()
export class ModelExportService {
  constructor(
    private readonly stores: Stores,
    private readonly trials: TrialsService,
  ) {}

  /** A trial's bundle; model.json names its weights `weightsPath` (relative to its own URL's folder, as tfjs resolves it). */
  async trialBundle(id: string, weightsPath: string): Promise<ModelBundleFiles> {
    const trial = await this.trials.find(id);
    const sweep = await this.findSweep(trial.sweepId);
    return this.bundleOf(trial, sweep.spec.objective, weightsPath);
  }

  /**
   * The bundle of a sweep's best trial that has one (by the objective's direction), or of `trialId`
   * when given (it must be one of the sweep's); `weightsPath` gets the trial's id.
   */
  async sweepBundle(sweepId: string, weightsPath: (trialId: string) => string, trialId?: string): Promise<ModelBundleFiles> {
    const sweep = await this.findSweep(sweepId);
    const objective = sweep.spec.objective;
    const trial = trialId ? await this.trials.find(trialId) : await this.stores.trialReads.bestExportable(sweepId, objective.direction);
    if (trial && trial.sweepId !== sweepId) throw new NotFoundError('TRIAL_NOT_FOUND', `trial of sweep ${sweepId}`, trial.id);
    if (!trial) throw new ConflictError('MODEL_NOT_READY', `sweep ${sweepId} has no model yet: none of its trials has ended completed or pruned with a stored best-epoch checkpoint`);
    return this.bundleOf(trial, objective, weightsPath(trial.id));
  }

  private async bundleOf(trial: TrialEntity, objective: Objective, weightsPath: string): Promise<ModelBundleFiles> {
    const refusal = notExportable(trial);
    if (refusal) throw new ConflictError('MODEL_NOT_READY', `trial ${trial.id} has no model to export: ${refusal}`);
    const stored = await this.trials.bestCheckpointOf(trial);
    const missing = () => new NotFoundError('CHECKPOINT_NOT_FOUND', 'best-epoch checkpoint of trial', trial.id);
    if (!stored || !trial.preprocessing) throw missing();
    const metadata: ModelBundleMetadata = {
      format: MODEL_BUNDLE_FORMAT,
      preprocessing: trial.preprocessing,
      trial: { id: trial.id, sweepId: trial.sweepId, number: trial.number, seed: trial.seed, bestEpoch: stored.epoch, config: trial.config },
      objective: { metric: objective.metric, direction: objective.direction },
      scores: { validation: trial.bestMetric, test: trial.testMetrics },
    };
    try {
      return { trialId: trial.id, epoch: stored.epoch, ...toModelBundle(decodeCheckpoint(stored.bytes), metadata, weightsPath) };
    } catch (error) {
      if (error instanceof CorruptCheckpointError) throw missing();
      throw error;
    }
  }

  private async findSweep(id: string) {
    const sweep = isUuid(id) ? await this.stores.sweeps.find(id, ['id', 'spec']) : undefined;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', id);
    return sweep;
  }
}

/** Why a trial has no model to export, if it has none (TrialReadModel.bestExportable selects on the same facts). */
function notExportable(trial: TrialEntity): string | undefined {
  if (isActiveTrial(trial.status)) return `it is ${trial.status}; a model is exported once the trial has ended (completed or pruned)`;
  if (!isScoredTrial(trial.status)) return `it ended ${trial.status}${trial.statusReason ? ` (${trial.statusReason})` : ''}; only completed or pruned trials have a model`;
  if (trial.config.model === 'simulated') return 'the simulated model family trains no model';
  if (!trial.preprocessing) return 'it has no record of how its inputs were made (it ended before models were exported)';
  return undefined;
}
