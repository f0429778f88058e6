import type { ErrorCode, ValidationIssue } from '@tuneforge/contracts';

/** An error the API answers with its own `code` (and the HTTP status ERROR_CODES gives that code). */
export abstract class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  constructor(
    code: 'SWEEP_NOT_FOUND' | 'TRIAL_NOT_FOUND' | 'DATASET_NOT_FOUND' | 'CHECKPOINT_NOT_FOUND' | 'PROJECT_NOT_FOUND' | 'TOKEN_NOT_FOUND' | 'USER_NOT_FOUND' | 'MEMBER_NOT_FOUND' | 'WEBHOOK_NOT_FOUND',
    kind: string,
    id: string,
  ) {
    super(code, `${kind} '${id}' not found`);
    this.name = 'NotFoundError';
  }
}

/** Ids as a message lists them: 'a', 'b'. */
export function quotedIds(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(', ');
}

export class ConflictError extends DomainError {
  constructor(
    code:
      | 'SWEEP_ALREADY_ENDED'
      | 'SWEEP_NOT_RUNNING'
      | 'SWEEP_NOT_PAUSED'
      | 'SWEEP_BUDGET_FROZEN'
      | 'BUDGET_BELOW_CREATED'
      | 'IDEMPOTENCY_KEY_REUSED'
      | 'MODEL_NOT_READY'
      | 'SWEEP_ACTIVE'
      | 'SWEEP_IN_USE'
      | 'DATASET_IN_USE'
      | 'USER_EXISTS'
      | 'PROJECT_EXISTS'
      | 'LAST_PROJECT_ADMIN',
    message: string,
  ) {
    super(code, message);
    this.name = 'ConflictError';
  }
}

/** No credentials, or ones that do not hold (malformed, unknown, revoked, expired; a signed-in write without its CSRF token). */
export class UnauthenticatedError extends DomainError {
  constructor(message: string, code: 'UNAUTHENTICATED' | 'CSRF_TOKEN_INVALID' = 'UNAUTHENTICATED') {
    super(code, message);
    this.name = 'UnauthenticatedError';
  }
}

/** The caller is known and may see the resource, but their role does not allow this. */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
    this.name = 'ForbiddenError';
  }
}

/** Too many failed sign-ins for a name or from an address; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManySignInsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('TOO_MANY_SIGN_INS', message);
    this.name = 'TooManySignInsError';
  }
}

/** Single sign-on that is not configured, whose callback does not hold, or whose provider refused or is unreachable. */
export class SingleSignOnError extends DomainError {
  constructor(code: 'OIDC_NOT_CONFIGURED' | 'OIDC_STATE_INVALID' | 'OIDC_SIGN_IN_FAILED' | 'OIDC_PROVIDER_UNAVAILABLE', message: string) {
    super(code, message);
    this.name = 'SingleSignOnError';
  }
}

/** A create by a caller who may create in several projects, without naming one. */
export class ProjectRequiredError extends DomainError {
  constructor(choices: readonly string[]) {
    super('PROJECT_REQUIRED', `name the project to create in with ?project=<id or name> (you may create in ${choices.map((c) => `'${c}'`).join(', ')})`);
    this.name = 'ProjectRequiredError';
  }
}

/** A dependency (PostgreSQL, Redis) is down; the request can be retried later. */
export class ServiceUnavailableError extends DomainError {
  constructor(code: 'QUEUE_UNAVAILABLE' | 'DATABASE_UNAVAILABLE' | 'WEBHOOKS_NOT_CONFIGURED', message: string) {
    super(code, message);
    this.name = 'ServiceUnavailableError';
  }
}

/** A webhook URL the coordinator will not post to (webhooks/webhook-target.ts says why). */
export class WebhookTargetRefusedError extends DomainError {
  constructor(reason: string) {
    super('WEBHOOK_TARGET_REFUSED', `webhooks do not post to this URL: ${reason}; only public addresses, unless the coordinator runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true`);
    this.name = 'WebhookTargetRefusedError';
  }
}

/** A query string or header broke its rules; one issue per field (`CURSOR_INVALID`: a paging cursor that is not one, or not for this list). */
export class RequestValidationError extends DomainError {
  constructor(
    readonly issues: ValidationIssue[],
    code: 'VALIDATION_FAILED' | 'CURSOR_INVALID' = 'VALIDATION_FAILED',
  ) {
    super(code, `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'RequestValidationError';
  }
}

/** express's body parsers failed (too large, malformed JSON, bad charset); wraps their error with its `type`. */
export class RequestBodyError extends Error {
  readonly type: string;
  readonly status: number;
  readonly limit?: number;

  constructor(cause: { type: string; status: number; message: string; limit?: number }) {
    super(cause.message);
    this.name = 'RequestBodyError';
    this.type = cause.type;
    this.status = cause.status;
    this.limit = cause.limit;
  }

  static isBodyParserError(error: unknown): error is { type: string; status: number; message: string; limit?: number } {
    const e = error as { type?: unknown; status?: unknown };
    return typeof e?.type === 'string' && typeof e.status === 'number';
  }
}
