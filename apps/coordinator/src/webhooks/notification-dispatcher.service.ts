import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobName, webhookJobOptions, WEBHOOKS_QUEUE, type JobOf } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';

export type WebhookJobQueue = Queue<JobOf<typeof JobName.DeliverWebhook>>;

/** Notifications read per catch-up pass. */
const NOTIFICATIONS_PER_PASS = 1_000;
/** An open notification enqueued this long ago is added again (a no-op while its job exists; a new job if Redis lost it). */
const STALE_AFTER_MS = 60 * 60_000;

/**
 * Drains the outbox (webhook_notifications) to the webhooks queue: at once after the top-up that wrote them commits,
 * and on every reconcile interval for what that missed (Redis down, a coordinator killed between commit and enqueue).
 * Each job's id is its notification's id, so replicas adding the same one add one job.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private timer?: NodeJS.Timeout;
  private catchingUp?: Promise<void>;

  constructor(
    private readonly stores: Stores,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: WebhookJobQueue,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.on('error', (error) => this.logger.warn(`webhooks queue connection: ${error.message}`));
    void this.catchUp();
    this.timer = setInterval(() => void this.catchUp(), this.config.dispatchIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.catchingUp;
  }

  /** Enqueues these notifications now; when Redis is down they wait for the next catch-up. */
  async enqueueOrDefer(notificationIds: readonly string[]): Promise<void> {
    if (notificationIds.length === 0) return;
    try {
      await this.enqueue(notificationIds);
    } catch (error) {
      this.logger.warn(`could not enqueue ${notificationIds.length} webhook notifications now, will retry: ${(error as Error).message}`);
    }
  }

  /** One catch-up pass (also what tests call instead of waiting for the interval). */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.catchUpOnce().finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }

  private async catchUpOnce(): Promise<void> {
    try {
      for (;;) {
        const ids = await this.stores.webhooks.toEnqueue(STALE_AFTER_MS, NOTIFICATIONS_PER_PASS);
        if (ids.length > 0) await this.enqueue(ids);
        if (ids.length < NOTIFICATIONS_PER_PASS) return;
      }
    } catch (error) {
      this.logger.warn(`webhook notifications catch-up failed, will retry: ${(error as Error).message}`);
    }
  }

  private async enqueue(notificationIds: readonly string[]): Promise<void> {
    const { attempts, firstRetryMs } = this.config.webhooks;
    await this.queue.addBulk(notificationIds.map((notificationId) => ({ name: JobName.DeliverWebhook, data: { notificationId }, opts: webhookJobOptions(notificationId, { attempts, firstRetryMs }) })));
    await this.stores.webhooks.markEnqueued(notificationIds);
  }
}
