import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkerEntity } from '@tuneforge/persistence';
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
    private readonly dataSource: DataSource,
    private readonly runner: TrialRunner,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly backend: TrainingEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date();
    await this.dataSource.manager.upsert(
      WorkerEntity,
      {
        id: this.config.id,
        host: hostname(),
        pid: process.pid,
        backend: this.backend.name,
        concurrency: this.config.concurrency,
        runningTrialIds: [],
        startedAt: now,
        lastHeartbeatAt: now,
        stoppedAt: null,
      },
      ['id'],
    );
    this.timer = setInterval(() => void this.heartbeat(), this.config.heartbeatMs);
    this.timer.unref();
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.dataSource.manager.update(WorkerEntity, { id: this.config.id }, { lastHeartbeatAt: new Date(), runningTrialIds: [...this.runner.running] });
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }

  async markStopped(): Promise<void> {
    clearInterval(this.timer);
    await this.dataSource.manager.update(WorkerEntity, { id: this.config.id }, { stoppedAt: new Date(), runningTrialIds: [] }).catch(() => undefined);
  }
}
