import { z } from 'zod';

/**
 * What the audit log records. A route names its action in API_ROUTES (`audit`); the coordinator records one
 * event per request of such a route, whatever it answered. The first word is the kind of what it acts on
 * (`sign` an account, `model` the trial or sweep of the route).
 */
export const AUDIT_ACTIONS = [
  'sign-in',
  'sign-in-failed',
  'sign-out',
  'token-created',
  'token-revoked',
  /** A person (POST /users), a service account (POST /projects/:id/service-accounts), or a first single sign-on. */
  'user-created',
  'project-created',
  /** A member's role set (added or changed: PUT /projects/:id/members/:userId). */
  'member-set',
  'member-removed',
  'sweep-submitted',
  'sweep-updated',
  'sweep-paused',
  'sweep-resumed',
  'sweep-cancelled',
  'sweep-deleted',
  'dataset-uploaded',
  'dataset-deleted',
  'model-downloaded',
  'webhook-created',
  'webhook-deleted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How the actor was authenticated: the credential of a sign-in, or what a signed-in request carried. */
export const AUDIT_VIA = ['password', 'token', 'session', 'oidc', 'auth-off'] as const;
export type AuditVia = (typeof AUDIT_VIA)[number];

/** `ok`: answered 1xx-3xx; `refused`: any 4xx or 5xx (`status` says which). */
export const AUDIT_OUTCOMES = ['ok', 'refused'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The actor of a request without valid credentials. */
export const ANONYMOUS_ACTOR = 'anonymous';

export const AuditEventDtoSchema = z.object({
  id: z.string(),
  at: z.string().describe('ISO 8601'),
  actor: z.object({ userId: z.string().nullable(), name: z.string().describe(`the user's name, or '${ANONYMOUS_ACTOR}'`) }),
  via: z.enum(AUDIT_VIA).nullable(),
  /** The API token's prefix (never its secret), when one was used. */
  tokenPrefix: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  /** What it acted on: `sweep`, `trial`, `dataset`, `token`, `user`, `project`, or `account` (a sign-in's name or token prefix). */
  target: z.object({ kind: z.string(), id: z.string().nullable() }).nullable(),
  projectId: z.string().nullable(),
  /** The client's address as the coordinator saw it (request.ip: behind a proxy, see TRUST_PROXY). */
  clientAddress: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  status: z.int(),
});
export type AuditEventDto = z.infer<typeof AuditEventDtoSchema>;

/** GET /api/v1/audit: newest first, one page, filtered by the actor's name, the action, a start time. */
export const ListAuditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  actor: z.string().min(1).max(100).optional().describe("the actor's user name (or 'anonymous')"),
  action: z.enum(AUDIT_ACTIONS).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('only events at or after this time (ISO 8601)'),
});
export type ListAuditQuery = z.output<typeof ListAuditQuerySchema>;
