import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { WEBHOOKS_QUEUE, type DeliveryOutcome, type JobName, type JobOf } from '@tuneforge/contracts';
import { withLogContext } from '@tuneforge/logging';
import { Stores, type NotificationToDeliver } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { WebhookSeals } from './webhook-seals.service';
import { bodyOf, payloadOf } from './webhook-payloads';
import { postSigned } from './webhook-request';
import { TargetRefusedError } from './webhook-target';

/** Posts in flight per coordinator (each waits at most WEBHOOK_TIMEOUT_MS). */
const CONCURRENT_POSTS = 8;
/** Receivers' answers worth another attempt besides 5xx: a timeout, and a rate limit. */
const RETRIED_CLIENT_ERRORS = new Set([408, 429]);

/** What an attempt's answer means: delivered, worth retrying, or refused for good. */
function verdictOf(statusCode: number): 'delivered' | 'retry' | 'permanent' {
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  return statusCode >= 500 || RETRIED_CLIENT_ERRORS.has(statusCode) ? 'retry' : 'permanent';
}

/**
 * Posts a notification (the webhooks queue's jobs; every coordinator replica processes them): signs it, posts it
 * with a timeout, and logs the attempt. A 2xx delivers it; a 5xx, 408, 429, timeout or network error is retried
 * with exponential backoff up to WEBHOOK_ATTEMPTS; any other answer, a refused target or a secret that does not open
 * is final. Delivery is at least once: a coordinator killed after posting and before logging posts again.
 */
@Processor(WEBHOOKS_QUEUE, { concurrency: CONCURRENT_POSTS })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private lastError = '';

  constructor(
    private readonly stores: Stores,
    private readonly seals: WebhookSeals,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {
    super();
  }

  async process(job: Job<JobOf<typeof JobName.DeliverWebhook>>): Promise<DeliveryOutcome | 'skipped'> {
    const notification = await this.stores.webhooks.toDeliver(job.data.notificationId);
    if (!notification) return 'skipped'; // delivered or given up on already, or its webhook or sweep was deleted
    const { sweep, trial } = notification.facts;
    return withLogContext({ sweepId: sweep.id, trialId: trial?.id }, () => this.attempt(job, notification));
  }

  private async attempt(job: Job<JobOf<typeof JobName.DeliverWebhook>>, notification: NotificationToDeliver): Promise<DeliveryOutcome> {
    const attempt = job.attemptsMade + 1;
    const last = attempt >= (job.opts.attempts ?? 1);
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let permanent = false;
    try {
      statusCode = await this.post(notification);
      const verdict = verdictOf(statusCode);
      if (verdict !== 'delivered') error = `answered ${statusCode}`;
      permanent = verdict === 'permanent';
    } catch (thrown) {
      error = (thrown as Error).message.slice(0, 1_000);
      permanent = thrown instanceof TargetRefusedError || thrown instanceof SealError;
    }
    const outcome: DeliveryOutcome = error === null ? 'delivered' : permanent || last ? 'failed' : 'retrying';
    await this.stores.webhooks.recordAttempt({ notificationId: notification.id, webhookId: notification.webhookId, attempt, statusCode, error, outcome, durationMs: Date.now() - started });
    if (outcome === 'delivered') return outcome;
    const message = `webhook ${notification.webhookId}: ${notification.event} attempt ${attempt}: ${error}`;
    if (outcome === 'failed') this.logger.warn(`${message}; giving up`);
    throw permanent ? new UnrecoverableError(message) : new Error(message);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    if (error.message !== this.lastError) this.logger.warn(`webhooks queue: ${error.message}`);
    this.lastError = error.message;
  }

  private async post(notification: NotificationToDeliver): Promise<number> {
    let opened: { url: string; secret: string };
    try {
      opened = this.seals.open(notification);
    } catch (thrown) {
      throw new SealError((thrown as Error).message);
    }
    return postSigned({
      url: opened.url,
      secret: opened.secret,
      body: bodyOf(notification.format, payloadOf(notification, this.config.webhooks.publicUrl)),
      event: notification.event,
      deliveryId: notification.id,
      timeoutMs: this.config.webhooks.timeoutMs,
      allowPrivateTargets: this.config.webhooks.allowPrivateTargets,
    });
  }
}

/** The webhook's URL or secret does not open: no WEBHOOK_SECRETS_KEY, or another one than it was sealed with. */
class SealError extends Error {}
