import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Stores } from '@tuneforge/persistence';
import { seedAccount } from '@tuneforge/testing';
import { createCoordinatorApp } from '../src/coordinator.app';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../src/config/coordinator.config';
import { apiClient, startTestCoordinator, type ApiResponse, type TestCoordinator } from './support/test-coordinator';

const PASSWORD = 'the right password';
// Long enough that a loaded machine's slow password checks never outlast it; the window's end is tested on a replica with a short one.
const WINDOW_SECONDS = 120;
const SHORT_WINDOW_SECONDS = 8;

describe('limits on failed sign-ins (POST /auth/session)', () => {
  let coordinator: TestCoordinator;

  /** A sign-in from `address` (the test runs behind a trusted proxy on 127.0.0.1: X-Forwarded-For is the client). */
  const signIn = (baseUrl: string, body: unknown, address: string): Promise<ApiResponse> =>
    apiClient(baseUrl).post('/api/v1/auth/session', body, { authorization: '', 'x-forwarded-for': address });
  const asName = (name: string, password: string, address: string) => signIn(coordinator.baseUrl, { name, password }, address);
  const assertLimited = (answer: ApiResponse, what: RegExp, windowSeconds = WINDOW_SECONDS) => {
    assert.equal(answer.status, 429, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'TOO_MANY_SIGN_INS');
    assert.match(answer.body.message, what);
    const retryAfter = Number(answer.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${retryAfter}`);
    return retryAfter;
  };
  /** Another coordinator on the same database (a replica, or this one restarted), for the length of `use`. */
  const withReplica = async (config: CoordinatorConfig, use: (baseUrl: string) => Promise<void>) => {
    const replica = await createCoordinatorApp(config);
    await replica.listen(0, '127.0.0.1');
    try {
      await use(`http://127.0.0.1:${(replica.getHttpServer().address() as AddressInfo).port}`);
    } finally {
      await replica.close();
    }
  };

  before(async () => {
    coordinator = await startTestCoordinator('sign_in_limits', { trustProxy: ['loopback'], signInLimits: { perName: 5, perAddress: 20, windowSeconds: WINDOW_SECONDS } });
    const stores = coordinator.app.get(Stores);
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) await seedAccount(stores, { name, password: PASSWORD });
  });
  after(() => coordinator.close());

  it('answers the 6th sign-in of a name 429 with Retry-After, even with the right password, from any address and any replica', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await asName('alice', `wrong ${i}`, '192.0.2.1')).status, 401);
    assertLimited(await asName('alice', PASSWORD, '192.0.2.1'), /for this name/);
    assertLimited(await asName('alice', PASSWORD, '192.0.2.2'), /for this name/);
    // A replica counts the same failures.
    await withReplica(coordinator.config, async (baseUrl) => {
      assertLimited(await signIn(baseUrl, { name: 'alice', password: PASSWORD }, '192.0.2.3'), /for this name/);
    });
  });

  it('lets another name sign in from that address until the address limit, which a success does not clear', async () => {
    assert.equal((await asName('bob', PASSWORD, '192.0.2.1')).status, 200);
    const address = '192.0.2.50';
    for (let i = 0; i < 19; i++) assert.equal((await asName(`nobody-${i}`, 'guess', address)).status, 401);
    assert.equal((await asName('carol', PASSWORD, address)).status, 200, 'the 20th attempt, a right one');
    // The 20th failure, with a token this time: token sign-ins count against the address too.
    assert.equal((await signIn(coordinator.baseUrl, { token: `tf_abcdefghij_${'x'.repeat(43)}` }, address)).status, 401);
    assertLimited(await asName('carol', PASSWORD, address), /from this address/);
    assert.equal((await asName('carol', PASSWORD, '192.0.2.51')).status, 200, 'carol herself is not limited');
  });

  it("clears a name's failures with a successful sign-in", async () => {
    const address = '192.0.2.60';
    for (let i = 0; i < 4; i++) assert.equal((await asName('dave', 'wrong', address)).status, 401);
    assert.equal((await asName('dave', PASSWORD, address)).status, 200);
    for (let i = 0; i < 4; i++) assert.equal((await asName('dave', 'wrong', address)).status, 401);
    assert.equal((await asName('dave', PASSWORD, address)).status, 200, '4 failures since the last success');
  });

  it('checks at most the limit of guesses sent at once', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => asName('erin', `parallel ${i}`, `192.0.2.${100 + i}`)));
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.filter((s) => s !== 401 && s !== 429), []);
    const checked = statuses.filter((s) => s === 401).length;
    assert.ok(checked >= 1 && checked <= 5, `${checked} of 12 guesses were checked`);
  });

  it('lets the name sign in again once the window has passed', async () => {
    await withReplica({ ...coordinator.config, signInLimits: { perName: 5, perAddress: 20, windowSeconds: SHORT_WINDOW_SECONDS } }, async (baseUrl) => {
      const asFrank = (password: string) => signIn(baseUrl, { name: 'frank', password }, '192.0.2.70');
      // At once, so that all five fall in the short window however slow this machine is.
      const guesses = await Promise.all(Array.from({ length: 5 }, (_, i) => asFrank(`wrong ${i}`)));
      assert.deepEqual(guesses.map((g) => g.status), [401, 401, 401, 401, 401]);
      const retryAfter = assertLimited(await asFrank(PASSWORD), /for this name/, SHORT_WINDOW_SECONDS);
      await sleep(retryAfter * 1000 + 200);
      assert.equal((await asFrank(PASSWORD)).status, 200);
    });
  });

  it('refuses a bad configuration, naming the variable', () => {
    for (const [name, value] of [['SIGN_IN_MAX_FAILURES_PER_NAME', '0'], ['SIGN_IN_MAX_FAILURES_PER_ADDRESS', 'many'], ['SIGN_IN_WINDOW_SECONDS', '-1'], ['TRUST_PROXY', 'true'], ['TRUST_PROXY', '10.0.0.0/8;rm'], ['TRUST_PROXY', 'loopback,not-an-address'], ['TRUST_PROXY', '10.0.0.0/33'], ['TRUST_PROXY', '']]) {
      assert.throws(() => loadCoordinatorConfig({ [name]: value }), new RegExp(`invalid coordinator environment: ${name}`), `${name}=${value}`);
    }
    assert.deepEqual(loadCoordinatorConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.168.0.0/255.255.0.0, 203.0.113.9' }).trustProxy, ['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.0.0/255.255.0.0', '203.0.113.9']);
    assert.equal(loadCoordinatorConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadCoordinatorConfig({}).signInLimits, { perName: 5, perAddress: 20, windowSeconds: 900 });
  });
});
