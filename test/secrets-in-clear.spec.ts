import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '@tuneforge/contracts';
import { newApiToken, sha256 } from '@tuneforge/persistence';
import { createTestDatabase, startCoordinatorProcess, uniqueQueuePrefix, type AppProcess, type TestDatabase } from '@tuneforge/testing';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = /tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/g;
const run = promisify(execFile);

/** A password no other text could hold by chance. */
const aPassword = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/**
 * Secrets never in the clear: a coordinator (a process, LOG_LEVEL=debug) is given tokens, passwords,
 * sessions, a webhook (its URL and signing secret) and the key webhooks are sealed with, and refused wrong
 * ones; then its stdout and stderr, every error body it answered, and a pg_dump of its database are
 * searched for each secret. The one exception is the administrator's first token, printed to stdout once
 * when TUNEFORGE_ADMIN_TOKEN is unset (its stdout is not a terminal: as the `adminToken` of one JSON line).
 */
describe('secrets never in the clear: logs, error bodies, the database', () => {
  let database: TestDatabase;
  let coordinator: AppProcess;
  let api = '';
  let bootstrap = '';
  const queuePrefix = uniqueQueuePrefix('secrets');
  /** Every secret the test made or sent, by what it is. */
  const secrets = new Map<string, string>();
  const errorBodies: string[] = [];
  let firstOutput = '';
  const metricsToken = `metrics-${randomBytes(16).toString('hex')}`;
  let metricsText = '';
  /** The key webhooks' secrets and URLs are sealed with: given in the environment, never written anywhere. */
  const webhookSecretsKey = randomBytes(32).toString('base64');

  const keep = (what: string, secret: string): string => {
    secrets.set(what, secret);
    // A token's secret part is a secret on its own (the prefix is not).
    const parts = /^tf_[a-z0-9]{10}_(.+)$/.exec(secret);
    if (parts) secrets.set(`${what} (its secret part)`, parts[1]);
    return secret;
  };
  const call = async (method: string, path: string, { token, authorization, body, cookie, csrf }: { token?: string; authorization?: string; body?: unknown; cookie?: string; csrf?: string } = {}) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        ...(token || authorization ? { authorization: authorization ?? `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { [CSRF_HEADER]: csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) errorBodies.push(`${method} ${path} ${response.status} ${text}`);
    return { status: response.status, json: text ? JSON.parse(text) : undefined, cookies: response.headers.getSetCookie() };
  };
  const cookieValue = (cookies: string[], name: string): string => {
    const value = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);
    assert.ok(value, `a ${name} cookie`);
    return decodeURIComponent(value);
  };
  const start = async (): Promise<AppProcess> => {
    const started = await startCoordinatorProcess({
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'debug',
      TUNEFORGE_ADMIN_TOKEN: undefined,
      METRICS_TOKEN: metricsToken,
      WEBHOOK_SECRETS_KEY: webhookSecretsKey,
    });
    api = started.api;
    return started.process;
  };

  before(async () => {
    database = await createTestDatabase('secrets');
    coordinator = await start();
    const printed = coordinator.stdout.match(TOKEN) ?? [];
    assert.equal(printed.length, 1, `the first start prints one token:\n${coordinator.output}`);
    bootstrap = printed[0];
    assert.equal((await call('GET', '/me', { token: bootstrap })).json.user.name, 'admin');

    // People with passwords, tokens of every kind, a service account.
    const alicePassword = keep("alice's password", aPassword('alice'));
    assert.equal((await call('POST', '/users', { token: bootstrap, body: { name: 'sec-alice', password: alicePassword } })).status, 201);
    assert.equal((await call('POST', '/users', { token: bootstrap, body: { name: 'sec-bob', password: keep("bob's password", aPassword('bob')), isAdmin: true } })).status, 201);
    const aliceToken = keep("alice's token", (await call('POST', '/tokens', { token: bootstrap, body: { name: 'alice', user: 'sec-alice' } })).json.token);
    const expiring = keep("the admin's expiring token", (await call('POST', '/tokens', { token: bootstrap, body: { name: 'expiring', expiresInDays: 1 } })).json.token);
    const bot = await call('POST', '/projects/00000000-0000-4000-8000-000000000001/service-accounts', { token: bootstrap, body: { name: 'sec-bot', role: 'editor' } });
    const botToken = keep("the service account's token", bot.json.token.token);
    await call('PUT', '/projects/00000000-0000-4000-8000-000000000001/members/sec-alice', { token: bootstrap, body: { role: 'editor' } });

    // Used: as bearer tokens, and as dashboard sessions (password and token sign-in) with their CSRF tokens.
    for (const token of [aliceToken, expiring, botToken]) assert.equal((await call('GET', '/me', { token })).status, 200);
    const byPassword = await call('POST', '/auth/session', { body: { name: 'sec-alice', password: alicePassword } });
    assert.equal(byPassword.status, 200);
    const session = keep("alice's session", cookieValue(byPassword.cookies, SESSION_COOKIE));
    const csrf = keep("alice's CSRF token", cookieValue(byPassword.cookies, CSRF_COOKIE));
    const cookie = `${SESSION_COOKIE}=${session}; ${CSRF_COOKIE}=${csrf}`;
    assert.equal((await call('GET', '/me', { cookie })).status, 200);
    const viaSession = await call('POST', '/tokens', { cookie, csrf, body: { name: 'made on the dashboard' } });
    assert.equal(viaSession.status, 201);
    keep('a token made in a session', viaSession.json.token);
    const byToken = await call('POST', '/auth/session', { body: { token: botToken } });
    const botSession = keep("the service account's session", cookieValue(byToken.cookies, SESSION_COOKIE));
    const botCsrf = keep("the service account's CSRF token", cookieValue(byToken.cookies, CSRF_COOKIE));
    assert.equal((await call('DELETE', '/auth/session', { cookie: `${SESSION_COOKIE}=${botSession}`, csrf: botCsrf })).status, 204);

    // Refused: wrong passwords, unknown and forged tokens, revoked and signed-out credentials, a wrong CSRF token, bad bodies holding secrets.
    const refusals: [number, Promise<{ status: number }>][] = [
      [401, call('POST', '/auth/session', { body: { name: 'sec-alice', password: keep('a wrong password', aPassword('wrong')) } })],
      [401, call('POST', '/auth/session', { body: { name: 'nobody', password: keep("a stranger's password", aPassword('stranger')) } })],
      [401, call('POST', '/auth/session', { body: { token: keep('an unknown token', newApiToken().token) } })],
      [401, call('GET', '/me', { token: keep('another unknown token', newApiToken().token) })],
      [401, call('GET', '/me', { token: keep("alice's prefix with a forged secret", `${aliceToken.slice(0, 14)}${randomBytes(32).toString('base64url')}`) })],
      [401, call('GET', '/me', { authorization: `Bearer ${aliceToken} and more` })],
      [401, call('GET', '/me', { authorization: `Basic ${keep('a basic credential', Buffer.from(`sec-alice:${alicePassword}`).toString('base64'))}` })],
      [401, call('GET', '/me', { cookie: `${SESSION_COOKIE}=${keep('a forged session', randomBytes(32).toString('base64url'))}` })],
      [401, call('GET', '/me', { cookie: `${SESSION_COOKIE}=${botSession}` })],
      [403, call('POST', '/tokens', { cookie, csrf: keep('a wrong CSRF token', randomBytes(32).toString('base64url')), body: { name: 'x' } })],
      [400, call('POST', '/users', { token: bootstrap, body: { name: 'bad name', password: keep('a password in a bad body', aPassword('bad-body')) } })],
      [400, call('POST', '/users', { token: bootstrap, body: { name: 'short', password: keep('a short password', 'short-pw-1') } })],
      [400, call('POST', '/users', { token: bootstrap, body: { name: 'wrong-type', password: 123456789012, extra: keep('a secret in an unknown field', aPassword('extra')) } })],
    ];
    for (const [status, answer] of refusals) assert.equal((await answer).status, status);
    // The metrics scrape: refused with a wrong token (its body kept with the others), answered with the right one.
    keep('the metrics token', metricsToken);
    const scrape = (authorization: string) => fetch(new URL('/metrics', api), { headers: { authorization } });
    const wrongScrape = await scrape(`Bearer ${keep('a wrong metrics token', `metrics-${randomBytes(16).toString('hex')}`)}`);
    assert.equal(wrongScrape.status, 401);
    errorBodies.push(`GET /metrics 401 ${await wrongScrape.text()}`);
    const scraped = await scrape(`Bearer ${metricsToken}`);
    assert.equal(scraped.status, 200);
    metricsText = await scraped.text();
    const expiringId = (await call('GET', '/tokens', { token: bootstrap })).json.items.find((t: { name: string }) => t.name === 'expiring').id;
    assert.equal((await call('DELETE', `/tokens/${expiringId}`, { token: bootstrap })).status, 204);
    assert.equal((await call('GET', '/me', { token: expiring })).status, 401);

    // A webhook: its URL's path may be a credential (a Slack webhook's is), its signing secret is shown once.
    keep('the webhook secrets key', webhookSecretsKey);
    const urlCredential = keep("a webhook URL's credential", randomBytes(18).toString('base64url'));
    const webhook = await call('POST', '/projects/00000000-0000-4000-8000-000000000001/webhooks', {
      token: bootstrap,
      body: { url: `https://hooks.example.com/services/T0/B0/${urlCredential}`, events: ['sweep.completed'], format: 'slack' },
    });
    assert.equal(webhook.status, 201);
    keep("a webhook's signing secret", webhook.json.secret);
    assert.equal((await call('GET', '/projects/00000000-0000-4000-8000-000000000001/webhooks', { token: bootstrap })).status, 200);
    const refusedWebhook = { url: `https://hooks.example.com/services/T0/B0/${urlCredential}`, events: ['sweep.exploded'] };
    assert.equal((await call('POST', '/projects/00000000-0000-4000-8000-000000000001/webhooks', { token: bootstrap, body: refusedWebhook })).status, 400);

    await coordinator.stop('SIGTERM');
    firstOutput = coordinator.output;
  });
  after(async () => {
    await coordinator?.stop('SIGKILL');
    await database?.drop();
  });

  const found = (text: string, except: string[] = []) => [...secrets].filter(([what, secret]) => !except.includes(what) && text.includes(secret)).map(([what]) => what);

  it('logs no secret, and prints the first token once, on stdout', () => {
    const lines = firstOutput.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; message: string; adminToken?: string });
    assert.ok(lines.some((l) => l.level === 'debug' && /^refused GET \/api\/v1\/me/.test(l.message)), 'the coordinator logged at debug level, refusals too');
    assert.deepEqual(lines.flatMap((l) => l.adminToken ?? []), [bootstrap], 'the first token is the adminToken of one JSON line');
    assert.deepEqual(found(firstOutput), []);
    assert.equal(firstOutput.split(bootstrap).length - 1, 1, 'the first token appears once in the output');
    assert.equal(coordinator.stdout.split(bootstrap).length - 1, 1, 'on stdout');
  });

  it('answers no secret, user name or id in its metrics', () => {
    assert.match(metricsText, /tuneforge_http_requests_total\{/);
    assert.deepEqual(found(metricsText), []);
    for (const name of ['sec-alice', 'sec-bob', 'sec-bot', '00000000-0000-4000-8000-000000000001']) assert.ok(!metricsText.includes(name), name);
  });

  it('answers no secret in any error body', () => {
    assert.ok(errorBodies.length >= 14, `${errorBodies.length} error bodies`);
    assert.deepEqual(found(errorBodies.join('\n')), []);
    assert.ok(!errorBodies.join('\n').includes(bootstrap));
  });

  it('stores no secret in any column: tokens, sessions and CSRF tokens as SHA-256, passwords as scrypt, webhook URLs and secrets sealed', async () => {
    const { stdout: dump } = await run('pg_dump', ['--data-only', '--no-owner', `--dbname=${database.url}`], { maxBuffer: 256 * 1024 * 1024 });
    assert.match(dump, /sec-alice/, 'the dump holds the accounts');
    assert.deepEqual(found(dump), []);
    assert.ok(!dump.includes(bootstrap) && !dump.includes(bootstrap.slice(14)), 'nor the first token');
    assert.ok(dump.includes(sha256(secrets.get("alice's session") ?? '')), 'sessions are stored as SHA-256');
    assert.ok(dump.includes(sha256(secrets.get("alice's token (its secret part)") ?? '')), "tokens' secrets are stored as SHA-256");
    assert.equal((dump.match(/scrypt\$/g) ?? []).length, 2, 'two passwords, as scrypt hashes');
    assert.equal((dump.match(/\tv1\.[A-Za-z0-9+/=]+(?=\t)/g) ?? []).length, 2, "the webhook's URL and secret, sealed");
  });

  it('never prints the first token again: a later start prints no token', async () => {
    coordinator = await start();
    assert.equal((await call('GET', '/me', { token: bootstrap })).status, 200, 'the first token still works');
    await coordinator.stop('SIGTERM');
    assert.deepEqual(coordinator.output.match(TOKEN) ?? [], []);
    assert.deepEqual(found(coordinator.output), []);
  });
});
