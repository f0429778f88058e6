import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Objective, TrialConfig } from '@tuneforge/contracts';
import { CorruptCheckpointError } from '@tuneforge/formats';
import type { EpochMetrics } from './trainer';
import type { TrainingSession, TestScores } from './training-session';
import { bestSoFar } from './trial-progress';

export const SIMULATED_CHECKPOINT_FORMAT = 'simulated/v1';
const STATE_FLOATS = 512; // a few KB, like a small model's checkpoint

/**
 * The `simulated` model family: trains nothing. Each epoch reports a learning curve that is a
 * deterministic function of the config and seed (better near learning rate 3e-3, 32 to 64 units,
 * little dropout), so search and early stopping have something real to find, at no compute cost.
 */
export class SimulatedSession implements TrainingSession {
  readonly checkpointFormat = SIMULATED_CHECKPOINT_FORMAT;
  readonly preprocessing = null;
  readonly samplesPerEpoch = 0;
  private readonly floor: number;
  private weightBytes: Buffer | undefined;

  constructor(
    private readonly config: TrialConfig,
    private readonly seed: number,
    private readonly objective: Objective,
    public epoch = 0,
    public bestMetric: number | null = null,
    private readonly epochDelayMs = 0,
  ) {
    const hp = config.hyperparameters;
    const lr = Number(hp.learningRate ?? 1e-3);
    const units = Array.isArray(hp.hiddenUnits) ? hp.hiddenUnits.reduce((a: number, b) => a + Number(b), 0) / hp.hiddenUnits.length : Number(hp.hiddenUnits ?? 64);
    const dropout = Number(hp.dropout ?? 0);
    this.floor = 0.2 + 0.08 * (Math.log10(lr) - Math.log10(3e-3)) ** 2 + 0.03 * Math.abs(Math.log2(units / 45)) + 0.15 * dropout * dropout;
  }

  /** Restores a simulated checkpoint; throws on anything it did not write. */
  static fromCheckpoint(bytes: Buffer, config: TrialConfig, objective: Objective, epochDelayMs = 0): SimulatedSession {
    const state = decodeSimulated(bytes);
    return new SimulatedSession(config, state.seed, objective, state.epoch, state.bestMetric, epochDelayMs);
  }

  async trainNextEpoch(): Promise<EpochMetrics> {
    const started = performance.now();
    if (this.epochDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.epochDelayMs));
    this.epoch += 1;
    const rng = xoroshiro128plus((this.seed ^ Math.imul(this.epoch, 0x9e3779b1)) >>> 0);
    const noise = 1 + 0.02 * (uniformFloat64(rng) - 0.5);
    const valLoss = this.floor * (1 + 2 * Math.exp(-this.epoch / 3)) * noise;
    const metrics: EpochMetrics = { loss: 0.9 * valLoss, val_loss: valLoss };
    if (this.config.dataset.name === 'sotu') metrics.val_bpc = valLoss / Math.LN2;
    else metrics.val_mae = 1000 * valLoss;
    this.bestMetric = bestSoFar(this.objective, this.bestMetric, metrics);
    metrics.param_count = this.paramCount();
    metrics.epoch_seconds = (performance.now() - started) / 1000;
    return metrics;
  }

  /** What an LSTM of this config would have: 4 (in h + h^2 + h) per layer, plus the head. */
  private paramCount(): number {
    const hp = this.config.hyperparameters;
    const layers = Number(hp.layers ?? 1);
    const units = Array.isArray(hp.hiddenUnits) ? hp.hiddenUnits.map(Number) : Array.from({ length: layers }, () => Number(hp.hiddenUnits ?? 64));
    let inputs = 5;
    let total = 0;
    for (const h of units) {
      total += 4 * (inputs * h + h * h + h);
      inputs = h;
    }
    return total + inputs + 1;
  }

  async checkpoint(): Promise<Buffer> {
    const state = Buffer.from(JSON.stringify({ format: SIMULATED_CHECKPOINT_FORMAT, epoch: this.epoch, seed: this.seed, bestMetric: this.bestMetric }));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(state.length);
    const body = Buffer.concat([header, state, this.weights()]);
    return Buffer.concat([body, createHash('sha256').update(body).digest()]);
  }

  /** The stand-in weights: a function of the seed alone, drawn once (a trial checkpoints at every new best epoch). */
  private weights(): Buffer {
    if (!this.weightBytes) {
      this.weightBytes = Buffer.alloc(STATE_FLOATS * 4);
      const rng = xoroshiro128plus(this.seed);
      for (let i = 0; i < STATE_FLOATS; i++) this.weightBytes.writeFloatLE(uniformFloat64(rng), i * 4);
    }
    return this.weightBytes;
  }

  /** A deterministic test score a little worse than the floor of the curve; no checkpoint is read. */
  async scoreOnTest(): Promise<TestScores> {
    const rng = xoroshiro128plus((this.seed ^ 0x7e57) >>> 0);
    const testLoss = this.floor * (1.05 + 0.1 * uniformFloat64(rng));
    if (this.config.dataset.name === 'sotu') return { metrics: { test_loss: testLoss, test_bpc: testLoss / Math.LN2 }, confusion: null };
    return { metrics: { test_loss: testLoss, test_mae: 1000 * testLoss, seasonal_naive_test_mae: 350 }, confusion: null };
  }

  dispose(): void {
    // nothing to free: no tensors
  }
}

function decodeSimulated(bytes: Buffer): { epoch: number; seed: number; bestMetric: number | null } {
  const body = bytes.subarray(0, bytes.length - 32);
  if (bytes.length < 40 || !createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - 32))) {
    throw new SimulatedCheckpointError('simulated checkpoint fails its checksum');
  }
  let state;
  try {
    state = JSON.parse(body.subarray(4, 4 + body.readUInt32BE(0)).toString('utf8'));
  } catch {
    throw new SimulatedCheckpointError('unreadable simulated checkpoint state');
  }
  if (state.format !== SIMULATED_CHECKPOINT_FORMAT) throw new SimulatedCheckpointError(`unknown format '${state.format}'`);
  return state;
}

export class SimulatedCheckpointError extends CorruptCheckpointError {}
