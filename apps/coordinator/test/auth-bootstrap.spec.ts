import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createApiClient } from '@tuneforge/api-client';
import { createTestDatabase, TEST_ADMIN_TOKEN, type TestDatabase } from '@tuneforge/testing';
import { apiClient, startTestCoordinator } from './support/test-coordinator';

/** What the coordinator writes to stdout while `start` runs. */
async function stdoutOf<T>(start: () => Promise<T>): Promise<{ result: T; printed: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed += String(chunk);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { result: await start(), printed };
  } finally {
    process.stdout.write = write;
  }
}

describe('auth on a first start', () => {
  const databases: TestDatabase[] = [];
  after(() => Promise.all(databases.map((d) => d.drop())));

  it('without TUNEFORGE_ADMIN_TOKEN creates the administrator and prints its token once; the token works, a second start prints nothing', async () => {
    const database = await createTestDatabase('auth_bootstrap');
    databases.push(database);
    const noToken = { auth: { mode: 'on' as const, adminToken: undefined, sessionTtlMs: 60_000 } };
    const first = await stdoutOf(() => startTestCoordinator('auth_bootstrap_1', noToken, undefined, database));
    const [token] = /tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/.exec(first.printed) ?? [];
    assert.ok(token, `a token was printed:\n${first.printed}`);
    const me = await createApiClient({ baseUrl: `${first.result.baseUrl}/api/v1`, token }).me();
    assert.deepEqual([me.user.name, me.user.isAdmin, me.projects.map((p) => [p.name, p.role])], ['admin', true, [['default', 'admin']]]);
    assert.equal((await apiClient(first.result.baseUrl).get('/api/v1/sweeps')).status, 401, 'the test token is not this deployment’s');
    await first.result.close({ keepDatabase: true });

    const second = await stdoutOf(() => startTestCoordinator('auth_bootstrap_2', noToken, undefined, database));
    assert.doesNotMatch(second.printed, /tf_[a-z0-9]{10}_/, 'the token is printed on the first start only');
    assert.equal((await createApiClient({ baseUrl: `${second.result.baseUrl}/api/v1`, token }).me()).user.name, 'admin');
    await second.result.close({ keepDatabase: true });
  });

  it('registers a TUNEFORGE_ADMIN_TOKEN set later (a rotated Secret) for the same administrator', async () => {
    const database = databases[0];
    const later = await startTestCoordinator('auth_bootstrap_3', {}, undefined, database);
    try {
      const me = await createApiClient({ baseUrl: `${later.baseUrl}/api/v1`, token: TEST_ADMIN_TOKEN }).me();
      assert.equal(me.user.name, 'admin');
    } finally {
      await later.close({ keepDatabase: true });
    }
  });

  it('AUTH_MODE=off answers without credentials, as an administrator', async () => {
    const off = await startTestCoordinator('auth_off', { auth: { mode: 'off', adminToken: undefined, sessionTtlMs: 60_000 } });
    try {
      const answer = await apiClient(off.baseUrl).request('GET', '/api/v1/me', undefined, { authorization: '' });
      assert.equal(answer.status, 200);
      assert.deepEqual([answer.body.via, answer.body.user.isAdmin], ['auth-off', true]);
    } finally {
      await off.close();
    }
  });
});
