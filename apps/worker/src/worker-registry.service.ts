import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Stores } from '@tuneforge/persistence';
import type { TrainingEngine } from '@tuneforge/training';
import { COMPUTE_BACKEND } from './compute-backend';
import { TrialRunner } from './trial-runner.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/** Registers the worker in PostgreSQL and heartbeats its running trials, so the API can list live workers. */
@Injectable()
export class WorkerRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkerRegistry.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stores: Stores,
    private readonly runner: TrialRunner,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly backend: TrainingEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.stores.workers.register({ id: this.config.id, host: hostname(), pid: process.pid, backend: this.backend.name, concurrency: this.config.concurrency });
    this.timer = setInterval(() => void this.heartbeat(), this.config.heartbeatMs);
    this.timer.unref();
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.stores.workers.heartbeat(this.config.id, [...this.runner.running]);
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }

  async markStopped(): Promise<void> {
    clearInterval(this.timer);
    await this.stores.workers.markStopped(this.config.id).catch(() => undefined);
  }
}
