import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { createApiClient, type TuneforgeClient } from '@tuneforge/api-client';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp } from '../../src/coordinator.app';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../../src/config/coordinator.config';
import { ADMIN_AUTH, createTestDatabase, TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRETS_KEY, uniqueQueuePrefix, type TestDatabase } from '@tuneforge/testing';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestCoordinator {
  app: NestExpressApplication;
  baseUrl: string;
  /** The shared API client (the CLI's and the dashboard's), on `${baseUrl}/api/v1`, as the test administrator. */
  client: TuneforgeClient;
  config: CoordinatorConfig;
  database: TestDatabase;
  /** The real trial queue, read from the test's side. */
  queue: Queue;
  /** Stops it, and drops its database unless `keepDatabase`. */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** A real coordinator on a random port, with its own database and queue prefix, against real PostgreSQL and Redis. */
export async function startTestCoordinator(
  label: string,
  overrides: Partial<CoordinatorConfig> = {},
  databaseServerUrl?: string,
  /** A database of the caller's (it is not dropped by close unless the caller says so). */
  existing?: TestDatabase,
): Promise<TestCoordinator> {
  const database = existing ?? (await createTestDatabase(label, databaseServerUrl));
  const config: CoordinatorConfig = {
    ...loadCoordinatorConfig({ WEBHOOK_SECRETS_KEY: TEST_WEBHOOK_SECRETS_KEY }),
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    redisUrl: TEST_REDIS_URL,
    queuePrefix: uniqueQueuePrefix(label),
    maxBodyBytes: 1024 * 1024,
    dispatchIntervalMs: 60_000,
    eventsPollMs: 200,
    eventsHeartbeatMs: 1_000,
    log: { levels: ['error'], format: 'json', colors: false },
    ...overrides,
    auth: overrides.auth ?? { mode: 'on', adminToken: TEST_ADMIN_TOKEN, sessionTtlMs: 60 * 60_000 },
  };
  const app = await createCoordinatorApp(config);
  // Port 0 (any free port) unless the test chose one (an OpenID provider must know the callback's URL first).
  await app.listen(config.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const queue = new Queue(TRIALS_QUEUE, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
  // Some tests stop Redis on purpose: its reconnect errors are expected, not to be printed as unhandled.
  queue.on('error', () => undefined);
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    client: createApiClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, token: TEST_ADMIN_TOKEN }),
    config,
    database,
    queue,
    async close({ keepDatabase = existing !== undefined } = {}) {
      await app.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await deleteKeys(config.redisUrl, `${config.queuePrefix}:*`);
      if (!keepDatabase) await database.drop();
    },
  };
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new IORedis(redisUrl);
  try {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Raw HTTP against the coordinator (any status, any body), for tests of what it refuses; typed calls go through `client`.
 * As the test administrator unless the headers carry an `authorization` of their own (`''`: none at all).
 */
export function apiClient(baseUrl: string) {
  const request = async <T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const isText = typeof body === 'string';
    const headers = Object.fromEntries(Object.entries({ ...ADMIN_AUTH, ...extraHeaders }).filter(([name, value]) => !(name === 'authorization' && value === '')));
    const response = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': isText ? 'application/yaml' : 'application/json', ...headers },
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  return {
    request,
    get: <T = any>(path: string) => request<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body, headers),
  };
}
