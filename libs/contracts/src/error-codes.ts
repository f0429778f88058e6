import { z } from 'zod';
import type { ValidationIssue } from './validation-issue';

/**
 * Every `code` an error body of the API can carry, with its HTTP status and when it is answered.
 * The coordinator's error filter takes the status from here; clients switch on the code, never on
 * the message (messages are for people and may change).
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, when: 'a body field, query parameter, header or path parameter broke its rule; `issues` names each' },
  BODY_MALFORMED: { status: 400, when: 'the body is not valid JSON, or its top level is not an object or an array' },
  BODY_TOO_DEEP: { status: 400, when: 'the JSON body is nested deeper than 64 levels' },
  BODY_ENCODING_CORRUPT: { status: 400, when: 'a compressed body does not decompress as its content-encoding says' },
  BODY_UNREADABLE: { status: 400, when: 'the body could not be read otherwise (aborted, wrong length)' },
  UNSTORABLE_TEXT: { status: 400, when: 'the request holds a character PostgreSQL cannot store (NUL, a lone surrogate)' },
  WEBHOOK_TARGET_REFUSED: { status: 400, when: 'a webhook URL naming a loopback, private or link-local address (localhost, 10.0.0.0/8, 169.254.169.254...) while WEBHOOK_ALLOW_PRIVATE_TARGETS is off' },
  REQUEST_REJECTED: { status: 400, when: 'the framework refused the request (say, a multipart upload in a field other than `file`); the status is its own, mostly 400' },
  CURSOR_INVALID: { status: 400, when: "`after` is not a cursor the API gave out, or one given for another sweep, sort, order or status; `issues` names `query.after`: start again from the first page" },
  PROJECT_REQUIRED: { status: 400, when: 'a create (sweep, dataset) by a caller who may create in several projects, without `?project=`' },
  OIDC_STATE_INVALID: { status: 400, when: 'a single sign-on callback whose state is missing, forged, used already, expired (10 minutes) or from another browser; start again from the sign-in page' },
  UNAUTHENTICATED: { status: 401, when: 'no credentials, or a token that is malformed, unknown, revoked or expired, or an expired session; GET /metrics without its METRICS_TOKEN; the message says what to do' },
  OIDC_SIGN_IN_FAILED: { status: 401, when: "the OpenID provider refused the sign-in (its `error` is in the message), or its answer did not hold (code exchange, ID token signature, issuer, audience, nonce)" },
  CSRF_TOKEN_INVALID: { status: 403, when: "a signed-in (cookie) write without the session's CSRF token in X-CSRF-Token" },
  FORBIDDEN: { status: 403, when: "the caller's role in the project (or the deployment) does not allow this; the message names the role needed" },
  SWEEP_NOT_FOUND: { status: 404, when: 'no sweep has this id, or it belongs to a project the caller is not a member of' },
  TRIAL_NOT_FOUND: { status: 404, when: 'no trial has this id, or its sweep belongs to a project the caller is not a member of' },
  DATASET_NOT_FOUND: { status: 404, when: 'no uploaded dataset has this id, or it belongs to a project the caller is not a member of' },
  PROJECT_NOT_FOUND: { status: 404, when: 'no project has this id or name, or the caller is not a member of it' },
  TOKEN_NOT_FOUND: { status: 404, when: "no API token has this id, or it is another user's (only deployment admins see those)" },
  USER_NOT_FOUND: { status: 404, when: 'no user has this id or name' },
  MEMBER_NOT_FOUND: { status: 404, when: 'the user is not a member of the project' },
  CHECKPOINT_NOT_FOUND: { status: 404, when: 'the trial has no (readable) checkpoint, or none of this epoch' },
  ROUTE_NOT_FOUND: { status: 404, when: 'no endpoint answers this method and path' },
  WEBHOOK_NOT_FOUND: { status: 404, when: 'no webhook has this id, or it belongs to a project the caller is not a member of' },
  OIDC_NOT_CONFIGURED: { status: 404, when: 'single sign-on of a deployment without OIDC_ISSUER' },
  SWEEP_ALREADY_ENDED: { status: 409, when: 'cancel of a sweep that is already completed, cancelled or failed' },
  SWEEP_NOT_RUNNING: { status: 409, when: 'pause of a sweep that is not running' },
  SWEEP_NOT_PAUSED: { status: 409, when: 'resume of a sweep that is not paused' },
  SWEEP_BUDGET_FROZEN: { status: 409, when: 'PATCH of a cancelled or failed sweep' },
  BUDGET_BELOW_CREATED: { status: 409, when: 'PATCH with a maxTrials below the trials the sweep has already created' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, when: 'the Idempotency-Key was used before for a different spec' },
  MODEL_NOT_READY: {
    status: 409,
    when: 'model export of a trial that has not ended completed or pruned, trained no model (simulated) or has no record of its preprocessing, or of a sweep without such a trial yet',
  },
  SWEEP_ACTIVE: { status: 409, when: 'DELETE of a sweep that is running or paused (cancel it first)' },
  SWEEP_IN_USE: { status: 409, when: 'DELETE of a sweep that a running or paused sweep warm-starts from; the message names them' },
  DATASET_IN_USE: { status: 409, when: 'DELETE of a dataset that a running or paused sweep trains on; the message names them' },
  USER_EXISTS: { status: 409, when: 'a user or service account with this name exists already' },
  PROJECT_EXISTS: { status: 409, when: 'a project with this name exists already' },
  LAST_PROJECT_ADMIN: { status: 409, when: 'removing or demoting the last admin of a project (make another member admin first)' },
  BODY_TOO_LARGE: { status: 413, when: 'the body (or uploaded file) is over its size limit' },
  UNSUPPORTED_ENCODING: { status: 415, when: 'the body has a charset or content-encoding the API does not read' },
  TOO_MANY_SIGN_INS: { status: 429, when: 'POST /auth/session after too many failed sign-ins for this name or from this address within the window (SIGN_IN_*); `Retry-After` says when to try again' },
  INTERNAL_ERROR: { status: 500, when: 'a bug; the coordinator logs the stack' },
  QUEUE_UNAVAILABLE: { status: 503, when: 'Redis (the trial queue) is down; nothing was created, retry later' },
  DATABASE_UNAVAILABLE: { status: 503, when: 'PostgreSQL is down; retry later' },
  WEBHOOKS_NOT_CONFIGURED: { status: 503, when: 'a webhook created on a coordinator without WEBHOOK_SECRETS_KEY (the key that encrypts signing secrets); its operator sets one' },
  OIDC_PROVIDER_UNAVAILABLE: { status: 503, when: 'the OpenID provider (OIDC_ISSUER) does not answer its discovery document or token endpoint; retry later' },
} as const satisfies Record<string, { status: number; when: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const ValidationIssueSchema = z.object({ path: z.string(), message: z.string() }) satisfies z.ZodType<ValidationIssue>;

/** The body of every answer that is not 2xx (except the health check's 503, which is its usual report). */
export const ErrorBodySchema = z.object({
  statusCode: z.int(),
  /** The status's name, e.g. `Not Found`. */
  error: z.string(),
  code: z.enum(ERROR_CODE_NAMES),
  message: z.string(),
  issues: z.array(ValidationIssueSchema).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
