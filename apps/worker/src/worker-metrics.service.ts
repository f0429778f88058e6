import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TrialConfig } from '@tuneforge/contracts';
import type { TrainingEngine } from '@tuneforge/training';
import { COMPUTE_BACKEND } from './compute-backend';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/** Buckets (seconds) of the epoch-time histogram: a simulated epoch (milliseconds) to a large LSTM's (10 minutes). */
const EPOCH_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * A worker's Prometheus registry, served at GET /metrics on its health port: the trials it runs, the epochs and
 * samples it trains (counters: `rate()` gives them per second), how long epochs take, its engine, and Node's
 * process metrics (event-loop delay included: a blocked loop stops renewing job locks).
 */
@Injectable()
export class WorkerMetrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly runningTrials = new Gauge({ name: 'tuneforge_worker_running_trials', help: 'Trials this worker is running now', registers: this.registers });
  readonly rungValues = new Gauge({
    name: 'tuneforge_worker_rung_values',
    help: 'Trial values at the rungs this worker follows, kept for its rung decisions (at most WORKER_RUNG_VALUES_KEPT, plus the newest rung)',
    registers: this.registers,
  });
  private readonly slots = new Gauge({ name: 'tuneforge_worker_slots', help: 'Trials this worker runs at once at most (WORKER_CONCURRENCY)', registers: this.registers });
  private readonly epochs = new Counter({ name: 'tuneforge_worker_epochs_total', help: 'Epochs trained, by model family', labelNames: ['model'] as const, registers: this.registers });
  private readonly samples = new Counter({
    name: 'tuneforge_worker_samples_total',
    help: 'Training samples stepped through, by model family (the simulated family trains on none)',
    labelNames: ['model'] as const,
    registers: this.registers,
  });
  private readonly epochDuration = new Histogram({
    name: 'tuneforge_worker_epoch_duration_seconds',
    help: 'Wall time of one epoch (training and validation), by model family',
    labelNames: ['model'] as const,
    buckets: EPOCH_BUCKETS,
    registers: this.registers,
  });
  private readonly engineInfo = new Gauge({
    name: 'tuneforge_worker_engine_info',
    help: "The worker's training engine (native or tfjs) and backend (native-cpu, tensorflow, wasm, ...); always 1",
    labelNames: ['engine', 'backend'] as const,
    registers: this.registers,
  });

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly engine: TrainingEngine,
  ) {}

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    this.slots.set(this.config.concurrency);
    this.engineInfo.set({ engine: this.engine.kind, backend: this.engine.name }, 1);
  }

  epochTrained(model: TrialConfig['model'], seconds: number, samples: number): void {
    this.epochs.inc({ model });
    this.samples.inc({ model }, samples);
    this.epochDuration.observe({ model }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
