import express from 'express';
import { findJsonNestingExcess, MAX_NESTING_DEPTH } from '@tuneforge/contracts';
import { RequestBodyError } from './domain-errors';

export const JSON_MEDIA_TYPES = ['application/json'];

type Middleware = (request: express.Request, response: express.Response, next: express.NextFunction) => void;

/**
 * JSON bodies: express.text reads them (size limit, charset, gzip/deflate/br), then the depth is
 * checked on the text before JSON.parse, so a deeply nested body never becomes a deeply nested
 * object that validators recurse into. Otherwise as express.json: an empty body is `{}`, and the
 * top level must be an object or an array.
 */
export function jsonBody(limit: number): Middleware[] {
  const readText = express.text({ type: JSON_MEDIA_TYPES, limit });
  const parse: Middleware = (request, _response, next) => {
    if (typeof request.body !== 'string' || !request.is(JSON_MEDIA_TYPES)) return next();
    try {
      request.body = parseJsonText(request.body);
      next();
    } catch (error) {
      next(error);
    }
  };
  return [readText, parse];
}

function parseJsonText(text: string): unknown {
  if (text.length === 0) return {};
  const tooDeep = findJsonNestingExcess(text, MAX_NESTING_DEPTH);
  if (tooDeep) throw new RequestBodyError({ type: 'entity.too.deep', status: 400, message: `the JSON body is ${tooDeep.message}` });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestBodyError({ type: 'entity.parse.failed', status: 400, message: (error as Error).message });
  }
  if (typeof value !== 'object' || value === null) {
    throw new RequestBodyError({ type: 'entity.parse.failed', status: 400, message: `the top level must be an object or an array, not ${value === null ? 'null' : typeof value}` });
  }
  return value;
}

/** zlib's codes for a compressed body that does not decompress (corrupt, truncated, not the named format). */
const DECOMPRESSION_ERROR = /^(Z_|ERR_BROTLI|ERR_ZSTD|ERR__ERROR_FORMAT|ERR_PADDING|ERR_.*DECOMPRESS)/;

/**
 * Hands body-reading failures to the error filter as RequestBodyError: body-parser's own (with a
 * `type`), and zlib's, which body-parser passes on with a status but no type.
 */
export const toRequestBodyError = (error: unknown, request: express.Request, _response: express.Response, next: express.NextFunction): void => {
  if (error instanceof RequestBodyError) return next(error);
  const e = error as { code?: unknown; status?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && DECOMPRESSION_ERROR.test(e.code) && typeof e.status === 'number') {
    const encoding = request.headers['content-encoding'] ?? 'identity';
    return next(new RequestBodyError({ type: 'encoding.corrupt', status: 400, message: `the request body is not valid ${encoding} data (content-encoding: ${encoding}): ${String(e.message)}` }));
  }
  next(RequestBodyError.isBodyParserError(error) ? new RequestBodyError(error) : error);
};
