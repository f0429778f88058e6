import type { z } from 'zod';
import { API_ROUTES, CSRF_HEADER, ErrorBodySchema, type ApiRoute, type ApiRoutes, type ErrorCode, type ValidationIssue } from '@tuneforge/contracts';

/** The coordinator answered, but refused or failed the request; `code` is one of ERROR_CODES when the body is an error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The coordinator's own message (or the status text); `message` adds the method and path. */
    readonly reason: string,
    readonly request: string,
    readonly code: ErrorCode | undefined,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(`${request} failed with ${status}: ${reason}`);
    this.name = 'ApiError';
  }
}

/** No answer at all: wrong URL, coordinator down, network, or no answer within the timeout. */
export class UnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the coordinator at ${baseUrl} (${reason})`);
    this.name = 'UnreachableError';
  }
}

/** A 2xx answer whose body does not match the route's schema: the client and the coordinator disagree. */
export class UnexpectedAnswerError extends Error {
  constructor(request: string, readonly issues: readonly z.core.$ZodIssue[]) {
    super(`${request} answered a body that does not match its schema: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'UnexpectedAnswerError';
  }
}

export interface ClientOptions {
  /** Where `/api/v1` is served: `http://host:3000/api/v1`, or `/api/v1` in the browser. */
  baseUrl: string;
  /** Abort a request that has not answered after this long (default 30 s). */
  timeoutMs?: number;
  /** An API token, sent as `Authorization: Bearer` (the CLI's; the dashboard signs in with a cookie instead). */
  token?: string;
  /** The session's CSRF token, sent on writes (the dashboard reads it from its cookie). */
  csrfToken?: () => string | undefined;
}

type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | PathParams<`/${Rest}`> : P extends `${string}:${infer Name}` ? Name : never;
type QueryArgs<R> = R extends { query: infer Q extends z.ZodType } ? { query?: z.input<Q> } : unknown;
type BodyArgs<R> = R extends { body: infer B extends z.ZodType } ? { body: z.input<B> | (R extends { text: string } ? string : never) } : R extends { text: string } ? { body: string } : unknown;

/** What one call takes: its path parameters by name, its query (as the schema takes it), its body, extra headers. */
export type RouteArgs<R extends ApiRoute> = { [Name in PathParams<R['path']>]: string } & QueryArgs<R> & BodyArgs<R> & { headers?: Record<string, string> };
/** What one call resolves to: the parsed answer, the bytes of a binary one, nothing for one without a body. */
export type RouteAnswer<R extends ApiRoute> = R['response'] extends z.ZodType ? z.output<R['response']> : R['response'] extends 'none' ? void : ArrayBuffer;
type CallArgs<R extends ApiRoute> = object extends RouteArgs<R> ? [args?: RouteArgs<R>] : [args: RouteArgs<R>];

type CallableRouteName = { [N in keyof ApiRoutes]: ApiRoutes[N] extends { stream: true } ? never : N }[keyof ApiRoutes];

/** One method per route of API_ROUTES (streams aside), and `url` for links and EventSource. */
export type TuneforgeClient = { [N in CallableRouteName]: (...args: CallArgs<ApiRoutes[N]>) => Promise<RouteAnswer<ApiRoutes[N]>> } & {
  readonly baseUrl: string;
  url<N extends keyof ApiRoutes>(name: N, ...args: CallArgs<ApiRoutes[N]>): string;
};

interface LooseArgs {
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  [param: string]: unknown;
}

/**
 * The client of the coordinator's API, derived from API_ROUTES: fetch only (browser and Node), every
 * answer parsed with its route's schema, every refusal an ApiError with the body's `code`.
 */
export function createApiClient(options: ClientOptions): TuneforgeClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const routes = Object.entries(API_ROUTES) as [keyof ApiRoutes, ApiRoute][];
  const calls = Object.fromEntries(routes.filter(([, route]) => !route.stream).map(([name, route]) => [name, (args: LooseArgs = {}) => call(baseUrl, route, args, options)]));
  const url = (name: keyof ApiRoutes, args: LooseArgs = {}) => baseUrl + pathOf(API_ROUTES[name], args);
  return { ...calls, baseUrl, url } as unknown as TuneforgeClient;
}

/** The credentials of a call: the bearer token, and on writes the session's CSRF token. */
function credentialHeaders(route: ApiRoute, options: ClientOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const csrf = route.method === 'GET' ? undefined : options.csrfToken?.();
  if (csrf) headers[CSRF_HEADER] = csrf;
  return headers;
}

async function call(baseUrl: string, route: ApiRoute, args: LooseArgs, options: ClientOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const path = pathOf(route, args);
  const request = `${route.method} ${path}`;
  const { body, contentType } = encodeBody(route, args.body);
  let response: Response;
  try {
    response = await fetch(baseUrl + path, {
      method: route.method,
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...credentialHeaders(route, options), ...args.headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UnreachableError(baseUrl, cause?.code ?? cause?.message ?? (error as Error).message);
  }
  const answers = route.statuses ?? [200];
  if (answers.includes(response.status) && route.response === 'binary') return response.arrayBuffer();
  const text = await response.text();
  const json = parseJson(text);
  if (!answers.includes(response.status)) throw refusal(request, response, text, json);
  if (route.response === 'none') return undefined;
  const parsed = (route.response as z.ZodType).safeParse(json);
  if (!parsed.success) throw new UnexpectedAnswerError(request, parsed.error.issues);
  return parsed.data;
}

/** `/sweeps/:id/trials` with `{ id, query: { limit: 5 } }` is `/sweeps/<id>/trials?limit=5`. */
function pathOf(route: ApiRoute, args: LooseArgs): string {
  const path = route.path.replace(/:(\w+)/g, (_match, name: string) => encodeURIComponent(String(args[name])));
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(args.query ?? {})) if (value !== undefined) query.set(key, String(value));
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

function encodeBody(route: ApiRoute, body: unknown): { body?: string; contentType?: string } {
  if (body === undefined) return {};
  if (typeof body === 'string' && route.text) return { body, contentType: route.text };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function refusal(request: string, response: Response, text: string, json: unknown): ApiError {
  const error = ErrorBodySchema.safeParse(json);
  if (error.success) return new ApiError(response.status, error.data.message, request, error.data.code, error.data.issues ?? []);
  return new ApiError(response.status, text || response.statusText, request, undefined);
}
