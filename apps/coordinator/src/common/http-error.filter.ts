import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { SpecValidationError, type ValidationIssue } from '@tuneforge/contracts';
import { isDatabaseUnavailable } from '@tuneforge/persistence';
import { SearchSpaceError } from '@tuneforge/search';
import { ConflictError, NotFoundError, RequestBodyError, RequestValidationError, ServiceUnavailableError } from './domain-errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  issues?: ValidationIssue[];
}

/** The one place where errors become HTTP answers; every answer is JSON. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) this.logger.warn(`${body.message} (${exception instanceof Error ? exception.message : String(exception)})`);
    else if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    else if (isUnstorableText(exception)) this.logger.warn(`a request reached PostgreSQL with text it cannot store: ${(exception as Error).message}`);
    if (!response.headersSent) response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof SpecValidationError || exception instanceof SearchSpaceError || exception instanceof RequestValidationError) {
      return { ...status(HttpStatus.BAD_REQUEST), message: 'the request is invalid: see issues', issues: exception.issues };
    }
    if (exception instanceof NotFoundError) return { ...status(HttpStatus.NOT_FOUND), message: exception.message };
    if (exception instanceof ConflictError) return { ...status(HttpStatus.CONFLICT), message: exception.message };
    if (exception instanceof ServiceUnavailableError) return { ...status(HttpStatus.SERVICE_UNAVAILABLE), message: exception.message };
    if (exception instanceof RequestBodyError) return fromBodyParser(exception);
    if (exception instanceof HttpException) {
      const answer = exception.getResponse();
      const message = typeof answer === 'string' ? answer : String((answer as { message?: unknown }).message ?? exception.message);
      return { ...status(exception.getStatus()), message };
    }
    if (isDatabaseUnavailable(exception)) return { ...status(HttpStatus.SERVICE_UNAVAILABLE), message: 'PostgreSQL is unavailable; retry later' };
    if (isUnstorableText(exception)) {
      // Requests are checked for these characters first (unstorableValueIssues); this catches a path that was missed.
      return { ...status(HttpStatus.BAD_REQUEST), message: 'the request holds a character PostgreSQL cannot store (NUL, or a lone UTF-16 surrogate)' };
    }
    return { ...status(HttpStatus.INTERNAL_SERVER_ERROR), message: 'internal error' };
  }
}

function status(code: number): { statusCode: number; error: string } {
  const name = HttpStatus[code] ?? 'ERROR';
  return { statusCode: code, error: name.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') };
}

function fromBodyParser(e: RequestBodyError): ErrorBody {
  switch (e.type) {
    case 'entity.too.large':
      return { ...status(HttpStatus.PAYLOAD_TOO_LARGE), message: `the request body is larger than the ${e.limit} byte limit` };
    case 'entity.parse.failed':
      return { ...status(HttpStatus.BAD_REQUEST), message: `the body is not valid JSON: ${e.message}` };
    case 'entity.too.deep':
    case 'encoding.corrupt':
      return { ...status(HttpStatus.BAD_REQUEST), message: e.message };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { ...status(HttpStatus.UNSUPPORTED_MEDIA_TYPE), message: e.message };
    default:
      return { ...status(e.status >= 400 && e.status < 500 ? e.status : HttpStatus.BAD_REQUEST), message: e.message };
  }
}

/** PostgreSQL refused a string: 22021 a NUL in text, 22P05 \u0000 or a lone surrogate escape in jsonb. */
function isUnstorableText(exception: unknown): boolean {
  const e = exception as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.code ?? e?.driverError?.code;
  return code === '22021' || code === '22P05';
}
