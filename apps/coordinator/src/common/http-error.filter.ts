import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ERROR_CODES, SpecValidationError, type ErrorBody, type ErrorCode, type ValidationIssue } from '@tuneforge/contracts';
import { isDatabaseUnavailable } from '@tuneforge/persistence';
import { SearchSpaceError } from '@tuneforge/search';
import { DomainError, RequestBodyError, RequestValidationError, TooManySignInsError } from './domain-errors';

/** The one place where errors become HTTP answers; every answer is JSON with a `code` from ERROR_CODES. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn(`${body.message} (${exception instanceof Error ? exception.message : String(exception)})`);
    else if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.message : String(exception), exception instanceof Error ? exception.stack : undefined);
    else if (isUnstorableText(exception)) this.logger.warn(`a request reached PostgreSQL with text it cannot store: ${(exception as Error).message}`);
    if (!response.headersSent) {
      if (body.statusCode === HttpStatus.UNAUTHORIZED) response.setHeader('WWW-Authenticate', 'Bearer realm="tuneforge"');
      if (exception instanceof TooManySignInsError) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
      response.status(body.statusCode).json(body);
    }
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof SpecValidationError || exception instanceof SearchSpaceError || exception instanceof RequestValidationError) {
      return answer(exception instanceof RequestValidationError ? exception.code : 'VALIDATION_FAILED', 'the request is invalid: see issues', exception.issues);
    }
    if (exception instanceof DomainError) return answer(exception.code, exception.message);
    if (exception instanceof RequestBodyError) return fromBodyParser(exception);
    if (exception instanceof HttpException) {
      const reply = exception.getResponse();
      const message = typeof reply === 'string' ? reply : String((reply as { message?: unknown }).message ?? exception.message);
      return withStatus(exception.getStatus(), HTTP_EXCEPTION_CODES[exception.getStatus()] ?? 'REQUEST_REJECTED', message);
    }
    if (isDatabaseUnavailable(exception)) return answer('DATABASE_UNAVAILABLE', 'PostgreSQL is unavailable; retry later');
    if (isUnstorableText(exception)) {
      // Requests are checked for these characters first (unstorableValueIssues); this catches a path that was missed.
      return answer('UNSTORABLE_TEXT', 'the request holds a character PostgreSQL cannot store (NUL, or a lone UTF-16 surrogate)');
    }
    return answer('INTERNAL_ERROR', 'internal error');
  }
}

/** Nest's own exceptions: an unknown route, multer's file-size limit; anything else it refuses is REQUEST_REJECTED. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.NOT_FOUND]: 'ROUTE_NOT_FOUND',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'BODY_TOO_LARGE',
};

function answer(code: ErrorCode, message: string, issues?: ValidationIssue[]): ErrorBody {
  return withStatus(ERROR_CODES[code].status, code, message, issues);
}

function withStatus(statusCode: number, code: ErrorCode, message: string, issues?: ValidationIssue[]): ErrorBody {
  const name = HttpStatus[statusCode] ?? 'ERROR';
  const error = name.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
  return issues ? { statusCode, error, code, message, issues } : { statusCode, error, code, message };
}

function fromBodyParser(e: RequestBodyError): ErrorBody {
  switch (e.type) {
    case 'entity.too.large':
      return answer('BODY_TOO_LARGE', `the request body is larger than the ${e.limit} byte limit`);
    case 'entity.parse.failed':
      return answer('BODY_MALFORMED', `the body is not valid JSON: ${e.message}`);
    case 'entity.too.deep':
      return answer('BODY_TOO_DEEP', e.message);
    case 'encoding.corrupt':
      return answer('BODY_ENCODING_CORRUPT', e.message);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return answer('UNSUPPORTED_ENCODING', e.message);
    default:
      return answer('BODY_UNREADABLE', e.message);
  }
}

/** PostgreSQL refused a string: 22021 a NUL in text, 22P05 \u0000 or a lone surrogate escape in jsonb. */
function isUnstorableText(exception: unknown): boolean {
  const e = exception as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.code ?? e?.driverError?.code;
  return code === '22021' || code === '22P05';
}
