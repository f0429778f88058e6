import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { bearerMatches, sha256 } from '@tuneforge/persistence';

/** One dependency's answer, as the readiness endpoint reports it. */
export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

export interface WorkerHealthChecks {
  /** Round trip to PostgreSQL. */
  postgres(): Promise<unknown>;
  /** Round trip to Redis on the processor's own connection. */
  redis(): Promise<unknown>;
  /** Whether the BullMQ processor is taking jobs (running and not paused). */
  processorRunning(): boolean;
}

/** The worker's Prometheus series, and the bearer token a scrape must send (none: GET /metrics is open). */
export interface MetricsEndpoint {
  text(): Promise<string>;
  contentType: string;
  token?: string;
}

interface Answer {
  status: number;
  /** JSON, or the metrics' text. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * The worker's probe endpoints for Kubernetes, on a port of their own (the worker serves no API):
 * GET /livez is 200 while the process answers, also during a graceful stop (a restart would lose
 * the hand-back); GET /readyz is 200 only when PostgreSQL and Redis answer and the processor takes
 * jobs, 503 otherwise and from the moment the worker starts stopping. GET /metrics is the worker's
 * Prometheus text (401 without `Authorization: Bearer <METRICS_TOKEN>` when that is set).
 */
export class WorkerHealthServer {
  private readonly server: Server;
  private readonly metricsTokenSha256?: string;
  private stopping = false;

  private constructor(
    private readonly checks: WorkerHealthChecks,
    private readonly metrics?: MetricsEndpoint,
  ) {
    this.metricsTokenSha256 = metrics?.token === undefined ? undefined : sha256(metrics.token);
    this.server = createServer((request, response) => {
      void this.respond(request).then(({ status, body, contentType = 'application/json', headers = {} }) => {
        response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
  }

  static async start(checks: WorkerHealthChecks, port: number, host = '0.0.0.0', metrics?: MetricsEndpoint): Promise<WorkerHealthServer> {
    const health = new WorkerHealthServer(checks, metrics);
    health.server.listen(port, host);
    await once(health.server, 'listening');
    return health;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** From now on readiness is 503, so no new work is routed here while trials are handed back. */
  markStopping(): void {
    this.stopping = true;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async respond(request: IncomingMessage): Promise<Answer> {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0];
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { message: `${method} is not allowed; use GET` } };
    if (path === '/livez') return { status: 200, body: { status: 'ok' } };
    if (path === '/readyz') return this.readiness();
    if (path === '/metrics' && this.metrics) return this.scrape(this.metrics, request.headers.authorization);
    return { status: 404, body: { message: `no route ${path}; the worker serves GET /livez, GET /readyz${this.metrics ? ' and GET /metrics' : ''}` } };
  }

  private async scrape(metrics: MetricsEndpoint, authorization: string | undefined): Promise<Answer> {
    if (this.metricsTokenSha256 !== undefined && !bearerMatches(authorization, this.metricsTokenSha256)) {
      const why = authorization ? "the bearer token is not this deployment's METRICS_TOKEN" : 'no Authorization header';
      return { status: 401, body: { message: `${why}: GET /metrics needs Authorization: Bearer <METRICS_TOKEN>` }, headers: { 'www-authenticate': 'Bearer realm="tuneforge"' } };
    }
    try {
      return { status: 200, body: await metrics.text(), contentType: metrics.contentType };
    } catch (error) {
      return { status: 500, body: { message: `could not collect the metrics: ${error instanceof Error ? error.message : String(error)}` } };
    }
  }

  private async readiness(): Promise<Answer> {
    const [postgres, redis] = await Promise.all([settle(this.checks.postgres), settle(this.checks.redis)]);
    const processor: CheckResult = this.checks.processorRunning() ? { status: 'up' } : { status: 'down', error: 'the trial processor is not taking jobs' };
    const ready = !this.stopping && [postgres, redis, processor].every((check) => check.status === 'up');
    const status = this.stopping ? 'stopping' : ready ? 'ok' : 'unavailable';
    return { status: ready ? 200 : 503, body: { status, checks: { postgres, redis, processor } } };
  }
}

async function settle(check: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
