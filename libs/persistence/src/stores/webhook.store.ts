import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import {
  bestFirst,
  DELIVERY_OUTCOMES,
  NotificationFactsSchema,
  SCORED_TRIAL_STATUSES,
  WEBHOOK_EVENTS,
  WEBHOOK_FORMATS,
  type DeliveryOutcome,
  type Direction,
  type NotificationFacts,
  type SweepEnd,
  type WebhookEvent,
  type WebhookFormat,
} from '@tuneforge/contracts';
import { WebhookDeliveryEntity, WebhookEntity } from '../entities';
import { lockedInIdOrder } from '../row-locks';
import { preparedQuery } from '../prepared-query';
import { column, queryRows, rowsChanged } from '../rows';

export type NewWebhook = Pick<WebhookEntity, 'id' | 'projectId' | 'sweepId' | 'urlShown' | 'urlSealed' | 'secretSealed' | 'events' | 'format'>;

/** What a top-up knows of the sweep it holds locked. */
export interface NoticedSweep {
  id: string;
  projectId: string;
  direction: Direction;
  plannedTrials: number;
}

/** A notification still to deliver, with its webhook's sealed target and secret. */
export interface NotificationToDeliver {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  facts: NotificationFacts;
  createdAt: Date;
  format: WebhookFormat;
  urlSealed: string;
  secretSealed: string;
}

export interface DeliveryAttempt {
  notificationId: string;
  webhookId: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  outcome: DeliveryOutcome;
  durationMs: number;
}

/** An attempt as the delivery log lists it, with its notification's event and subject. */
export interface DeliveryLogRow extends Omit<WebhookDeliveryEntity, 'notification' | 'webhook' | 'webhookId'> {
  event: WebhookEvent;
  sweepId: string;
  trialId: string | null;
}

const DeliveryLogRowSchema = z.object({
  id: column.id,
  notificationId: column.id,
  event: z.enum(WEBHOOK_EVENTS),
  sweepId: column.id,
  trialId: column.id.nullable(),
  attempt: column.int,
  statusCode: column.int.nullable(),
  error: column.text.nullable(),
  outcome: z.enum(DELIVERY_OUTCOMES),
  durationMs: column.int,
  at: column.time,
});

/**
 * Webhooks, their notifications (the outbox the coordinator's dispatcher drains to the webhooks queue) and the
 * delivery log. Notifications are written in the transaction of the top-up that saw what they announce.
 */
export class WebhookStore {
  constructor(private readonly manager: EntityManager) {}

  async insert(webhook: NewWebhook): Promise<WebhookEntity> {
    await this.manager.insert(WebhookEntity, webhook);
    return this.manager.findOneOrFail(WebhookEntity, { where: { id: webhook.id } });
  }

  ofProject(projectId: string): Promise<WebhookEntity[]> {
    return this.manager.find(WebhookEntity, { where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Deletes the webhook with its notifications and delivery log (cascades); false when there was none. */
  async delete(id: string): Promise<boolean> {
    return (await rowsChanged(this.manager, `DELETE FROM webhooks WHERE id = $1`, [id])) > 0;
  }

  /**
   * In the caller's transaction, with the sweep's row locked (a top-up): records what happened to the sweep since
   * its last top-up as one notification per subscribed webhook, and answers their ids. What is announced is marked
   * whether or not a webhook listens (a webhook created later hears of later things only):
   * - `trial.failed` for each failed trial not announced yet, whoever recorded its failure (a worker, the coordinator);
   * - `best.improved` when the best finished trial beats the value announced last (or is the first with a value);
   * - `end`'s event (`sweep.completed` or `sweep.failed`) when the top-up ended the sweep.
   * One statement; replicas racing on a sweep wait for its row lock, and the unique subject keeps one notification each.
   * Its cost when nothing happened: a probe of the unannounced failures' partial index and of the leaderboard index.
   */
  async recordNotices(sweep: NoticedSweep, end?: SweepEnd): Promise<string[]> {
    const better = sweep.direction === 'maximize' ? '>' : '<';
    const endEvent = end ? (end.status === 'completed' ? 'sweep.completed' : 'sweep.failed') : null;
    // A reopened sweep (a larger budget) completes again: its planned trials tell the completions apart.
    const endSubject = end ? `${sweep.id}@${sweep.plannedTrials}` : null;
    const trialFacts = (t: string) => `jsonb_build_object('id', ${t}.id, 'number', ${t}.number, 'status', ${t}.status, 'statusReason', ${t}.status_reason, 'value', ${t}.best_metric)`;
    // Prepared (one per direction: its text differs): it runs at every top-up, and planning it cost as much as running it.
    const rows = await preparedQuery<{ id: string }>(
      this.manager,
      `tuneforge-record-notices-${sweep.direction}`,
      `WITH hooks AS (
         SELECT w.id, w.events FROM webhooks w WHERE w.project_id = $2 AND (w.sweep_id IS NULL OR w.sweep_id = $1)
       ),
       unannounced AS (${lockedInIdOrder(`SELECT t.id FROM trials t WHERE t.sweep_id = $1 AND t.status = 'failed' AND NOT t.failure_announced`, 't')}),
       failures AS (
         UPDATE trials t SET failure_announced = true, updated_at = now() FROM unannounced u WHERE t.id = u.id
         RETURNING t.id, t.number, t.status, t.status_reason, t.best_metric
       ),
       best AS (
         SELECT t.id, t.number, t.status, t.status_reason, t.best_metric FROM trials t
         WHERE t.sweep_id = $1 AND t.status = ANY($3::trial_status[]) AND t.best_metric IS NOT NULL
         ORDER BY t.best_metric ${bestFirst(sweep.direction)}, t.number LIMIT 1
       ),
       announced AS (SELECT s.announced_best FROM sweeps s WHERE s.id = $1),
       improved AS (
         UPDATE sweeps s SET announced_best = b.best_metric FROM best b, announced a
         WHERE s.id = $1 AND (a.announced_best IS NULL OR b.best_metric ${better} a.announced_best)
         RETURNING b.id, b.number, b.status, b.status_reason, b.best_metric, a.announced_best AS previous
       ),
       happened AS (
         SELECT 'trial.failed' AS event, f.id::text AS subject, f.id AS trial_id, ${trialFacts('f')} AS trial, NULL::float8 AS previous FROM failures f
         UNION ALL
         SELECT 'best.improved', i.id::text, i.id, ${trialFacts('i')}, i.previous FROM improved i
         UNION ALL
         SELECT $4::text, $5::text, NULL::uuid, NULL::jsonb, NULL::float8 WHERE $4::text IS NOT NULL
       ),
       facts AS (
         SELECT jsonb_build_object('id', s.id, 'name', s.name, 'projectId', s.project_id, 'status', s.status, 'statusReason', s.status_reason,
                  'objective', s.spec->'objective', 'plannedTrials', s.planned_trials, 'trialsCreated', s.trials_created) AS sweep,
                (SELECT jsonb_build_object('trialId', b.id, 'number', b.number, 'value', b.best_metric) FROM best b) AS best
         FROM sweeps s WHERE s.id = $1
       )
       INSERT INTO webhook_notifications (webhook_id, event, subject, sweep_id, trial_id, facts)
       SELECT h.id, e.event, e.subject, $1, e.trial_id, jsonb_build_object('sweep', x.sweep, 'trial', e.trial, 'best', x.best, 'previousBest', e.previous)
       FROM hooks h JOIN happened e ON e.event = ANY(h.events) CROSS JOIN facts x
       ON CONFLICT ON CONSTRAINT uq_webhook_notifications_subject DO NOTHING
       RETURNING id`,
      [sweep.id, sweep.projectId, SCORED_TRIAL_STATUSES, endEvent, endSubject],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Notifications with no job yet (a top-up committed, then Redis or the coordinator failed before the enqueue), and open
   * ones enqueued longer than `staleAfterMs` ago (their job may be lost: adding it again is a no-op while it exists).
   */
  async toEnqueue(staleAfterMs: number, limit: number): Promise<string[]> {
    const rows = await queryRows(
      this.manager,
      z.object({ id: column.id }),
      `SELECT id FROM webhook_notifications
       WHERE delivered_at IS NULL AND failed_at IS NULL AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
       ORDER BY created_at LIMIT $2`,
      [staleAfterMs / 1000, limit],
    );
    return rows.map((r) => r.id);
  }

  async markEnqueued(ids: readonly string[]): Promise<void> {
    await this.manager.query(
      `UPDATE webhook_notifications SET enqueued_at = now() WHERE id IN (${lockedInIdOrder('SELECT n.id FROM webhook_notifications n WHERE n.id = ANY($1::uuid[])', 'n')})`,
      [ids],
    );
  }

  /** The notification with its webhook, while it is still to deliver (undefined once delivered, given up on, or deleted). */
  async toDeliver(notificationId: string): Promise<NotificationToDeliver | undefined> {
    const [row] = await queryRows(
      this.manager,
      z.object({
        id: column.id,
        webhookId: column.id,
        event: z.enum(WEBHOOK_EVENTS),
        facts: NotificationFactsSchema,
        createdAt: column.time,
        format: z.enum(WEBHOOK_FORMATS),
        urlSealed: column.text,
        secretSealed: column.text,
      }),
      `SELECT n.id, n.webhook_id AS "webhookId", n.event, n.facts, n.created_at AS "createdAt", w.format, w.url_sealed AS "urlSealed", w.secret_sealed AS "secretSealed"
       FROM webhook_notifications n JOIN webhooks w ON w.id = n.webhook_id
       WHERE n.id = $1 AND n.delivered_at IS NULL AND n.failed_at IS NULL`,
      [notificationId],
    );
    return row;
  }

  /** Logs one attempt; a delivered or last one closes its notification. */
  async recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    await this.manager.query(
      `WITH logged AS (
         INSERT INTO webhook_deliveries (notification_id, webhook_id, attempt, status_code, error, outcome, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING notification_id
       )
       UPDATE webhook_notifications n
       SET delivered_at = CASE WHEN $6 = 'delivered' THEN now() END, failed_at = CASE WHEN $6 = 'failed' THEN now() END
       FROM logged WHERE n.id = logged.notification_id AND $6 <> 'retrying'`,
      [attempt.notificationId, attempt.webhookId, attempt.attempt, attempt.statusCode, attempt.error, attempt.outcome, attempt.durationMs],
    );
  }

  /** The webhook's delivery log, newest first, and how many attempts it holds in all. */
  async deliveries(webhookId: string, { limit, offset }: { limit: number; offset: number }): Promise<[DeliveryLogRow[], number]> {
    const rows = await queryRows(
      this.manager,
      DeliveryLogRowSchema.extend({ total: column.int }),
      `SELECT d.id, d.notification_id AS "notificationId", n.event, n.sweep_id AS "sweepId", n.trial_id AS "trialId", d.attempt, d.status_code AS "statusCode",
              d.error, d.outcome, d.duration_ms AS "durationMs", d.at, count(*) OVER ()::int AS total
       FROM webhook_deliveries d JOIN webhook_notifications n ON n.id = d.notification_id
       WHERE d.webhook_id = $1
       ORDER BY d.at DESC, d.attempt DESC, d.id LIMIT $2 OFFSET $3`,
      [webhookId, limit, offset],
    );
    const total = rows[0]?.total ?? (offset > 0 ? await this.countDeliveries(webhookId) : 0);
    return [rows.map(({ total: _total, ...row }) => row), total];
  }

  private async countDeliveries(webhookId: string): Promise<number> {
    const [row] = await queryRows(this.manager, z.object({ n: column.int }), `SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1`, [webhookId]);
    return row?.n ?? 0;
  }
}
