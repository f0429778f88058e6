import { z } from 'zod';
import { SweepStatusSchema, TrialStatusSchema } from './api';
import { ObjectiveSchema } from './sweep-spec.schema';

/**
 * Webhooks: a project's (or one sweep's) subscriptions to what happens to its sweeps, the payloads the
 * coordinator posts, and how they are signed. The signing secret is in the answer that creates a webhook, once.
 */

const isoTime = z.string().describe('ISO 8601 time');

/**
 * - `sweep.completed`: every planned trial ended and at least one completed or was pruned;
 * - `sweep.failed`: every planned trial ended and none completed or was pruned (the sweep's statusReason says why);
 * - `trial.failed`: a trial ended `failed` (an error in its run, its job failed for good, its worker died too often);
 * - `best.improved`: a finished trial scored better than every trial of the sweep that finished before it (the first scored trial too).
 */
export const WEBHOOK_EVENTS = ['sweep.completed', 'sweep.failed', 'trial.failed', 'best.improved'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** `json`: the WebhookPayloadSchema document; `slack`: a Slack incoming webhook's message (`text` and `blocks`). */
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** `sha256=<hex>`: HMAC-SHA256, keyed with the webhook's secret, of `<timestamp>.<raw body>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-tuneforge-signature';
/** Unix seconds when the attempt was signed: receivers refuse old ones (replays). */
export const WEBHOOK_TIMESTAMP_HEADER = 'x-tuneforge-timestamp';
export const WEBHOOK_EVENT_HEADER = 'x-tuneforge-event';
/** The notification's id, the same on every attempt: receivers drop a repeat (delivery is at least once). */
export const WEBHOOK_DELIVERY_HEADER = 'x-tuneforge-delivery';

/** POST /projects/:id/webhooks. */
export const CreateWebhookSchema = z.strictObject({
  /** Where to post: http or https, to a public address (private and loopback ones only with WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  url: z.url({ protocol: /^https?$/, error: 'an http or https URL' }).max(2_000, 'at most 2000 characters'),
  events: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1)
    .max(WEBHOOK_EVENTS.length)
    .refine((events) => new Set(events).size === events.length, 'each event once'),
  /** Only this sweep's events (a sweep of the project); every sweep of the project when absent. */
  sweepId: z.uuid().optional(),
  format: z.enum(WEBHOOK_FORMATS).default('json'),
});
export type CreateWebhook = z.output<typeof CreateWebhookSchema>;

export const WebhookDtoSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  sweepId: z.string().nullable(),
  /**
   * The target's scheme, host and first path segment (`https://hooks.slack.com/services/…`): the rest of a URL may be a
   * credential (a Slack webhook's is), so it is stored encrypted and never shown again.
   */
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  format: z.enum(WEBHOOK_FORMATS),
  createdAt: isoTime,
});
export type WebhookDto = z.infer<typeof WebhookDtoSchema>;

/** The answer that creates a webhook: the only one that carries its signing secret. */
export const CreatedWebhookDtoSchema = WebhookDtoSchema.extend({
  /** `whsec_...`: the key of each attempt's HMAC (its whole text, as UTF-8). Shown here once; stored encrypted. */
  secret: z.string(),
});
export type CreatedWebhookDto = z.infer<typeof CreatedWebhookDtoSchema>;

export const WebhookListSchema = z.object({ items: z.array(WebhookDtoSchema) });

/** What became of one attempt: `delivered` (2xx), `retrying` (another attempt follows, with backoff), `failed` (the last one). */
export const DELIVERY_OUTCOMES = ['delivered', 'retrying', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** One attempt to post a notification. */
export const WebhookDeliveryDtoSchema = z.object({
  id: z.string(),
  /** The notification (the X-Tuneforge-Delivery header), the same on each of its attempts. */
  notificationId: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  sweepId: z.string(),
  trialId: z.string().nullable(),
  /** 1 for the first attempt. */
  attempt: z.int(),
  /** The receiver's status, or null when there was no answer (`error` says why). */
  statusCode: z.int().nullable(),
  error: z.string().nullable(),
  outcome: z.enum(DELIVERY_OUTCOMES),
  durationMs: z.int(),
  at: isoTime,
});
export type WebhookDeliveryDto = z.infer<typeof WebhookDeliveryDtoSchema>;

/** GET /webhooks/:id/deliveries: newest first. */
export const ListWebhookDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListWebhookDeliveriesQuery = z.output<typeof ListWebhookDeliveriesQuerySchema>;

/** The facts of a notification, recorded when it happened (a retry posts the same ones). */
export const NotificationFactsSchema = z.object({
  sweep: z.object({
    id: z.string(),
    name: z.string(),
    projectId: z.string(),
    status: SweepStatusSchema,
    /** Why it ended so (a failed sweep's reason). */
    statusReason: z.string().nullable(),
    objective: ObjectiveSchema,
    plannedTrials: z.int(),
    trialsCreated: z.int(),
  }),
  /** The trial of a `trial.failed` or `best.improved`. */
  trial: z.object({ id: z.string(), number: z.int(), status: TrialStatusSchema, statusReason: z.string().nullable(), value: z.number().nullable() }).nullable(),
  /** The sweep's best trial then. */
  best: z.object({ trialId: z.string(), number: z.int(), value: z.number() }).nullable(),
  /** `best.improved`: the best value before this trial (null for the first scored trial). */
  previousBest: z.number().nullable(),
});
export type NotificationFacts = z.infer<typeof NotificationFactsSchema>;

/** The body of a `json` webhook's post. */
export const WebhookPayloadSchema = NotificationFactsSchema.extend({
  /** The notification's id (also X-Tuneforge-Delivery). */
  id: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  /** When it happened. */
  occurredAt: isoTime,
  /** The sweep's page on the dashboard (PUBLIC_URL). */
  url: z.string(),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
