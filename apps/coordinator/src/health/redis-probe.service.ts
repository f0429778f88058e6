import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import IORedis from 'ioredis';
import { once } from 'node:events';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';

/** A connection of its own for health checks: it fails fast instead of queueing commands while Redis is down. */
@Injectable()
export class RedisProbe implements OnModuleDestroy {
  private readonly logger = new Logger(RedisProbe.name);
  private readonly client: IORedis;
  private lastError = '';

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.client = new IORedis(config.redisUrl, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    this.client.on('error', (error: Error) => {
      if (error.message !== this.lastError) this.logger.warn(`redis: ${error.message}`);
      this.lastError = error.message;
    });
    this.client.on('ready', () => (this.lastError = ''));
  }

  /** Round-trip time of a PING in ms; throws when Redis cannot be reached within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<number> {
    const started = performance.now();
    if (this.client.status !== 'ready') {
      // Commands fail at once while disconnected (no offline queue): give a (re)connect in progress the time budget.
      await once(this.client, 'ready', { signal: AbortSignal.timeout(timeoutMs) }).catch(() => {
        throw new Error(`Redis is not reachable${this.lastError ? `: ${this.lastError}` : ''}`);
      });
    }
    await withTimeout(this.client.ping(), timeoutMs, 'Redis did not answer PING');
    return performance.now() - started;
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
