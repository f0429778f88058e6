import type { ValidationIssue } from '@tuneforge/contracts';

export class NotFoundError extends Error {
  constructor(kind: string, id: string) {
    super(`${kind} '${id}' not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** A dependency (PostgreSQL, Redis) is down; the request can be retried later. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

/** A query string or header broke its rules; one issue per field. */
export class RequestValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
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
