import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable, retryWhileDatabaseUnavailable } from './availability';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const syntax = Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' });

describe('isDatabaseUnavailable', () => {
  it('tells an unreachable or restarting server from a statement PostgreSQL refused', () => {
    assert.equal(isDatabaseUnavailable(refused), true);
    assert.equal(isDatabaseUnavailable({ driverError: { code: '57P01' } }), true, 'admin shutdown, wrapped by TypeORM');
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isDatabaseUnavailable(new Error('the database system is starting up')), true);
    assert.equal(isDatabaseUnavailable(syntax), false);
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
    assert.equal(isDatabaseUnavailable(undefined), false);
  });
});

describe('retryWhileDatabaseUnavailable', () => {
  it('tries again while PostgreSQL is unreachable and returns the first answer', async () => {
    let calls = 0;
    const retries: number[] = [];
    const answer = await retryWhileDatabaseUnavailable(
      async () => {
        calls += 1;
        if (calls < 4) throw refused;
        return 'stored';
      },
      { firstDelayMs: 1, maxDelayMs: 4, onRetry: (_error, attempt) => retries.push(attempt) },
    );
    assert.equal(answer, 'stored');
    assert.deepEqual(retries, [1, 2, 3]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    await assert.rejects(
      retryWhileDatabaseUnavailable(async () => {
        calls += 1;
        throw syntax;
      }),
      /syntax error/,
    );
    assert.equal(calls, 1);
  });

  it('gives up with the last error once its signal is aborted', async () => {
    const stop = new AbortController();
    let calls = 0;
    const attempt = retryWhileDatabaseUnavailable(
      async () => {
        calls += 1;
        if (calls === 2) stop.abort();
        throw refused;
      },
      { firstDelayMs: 60_000, signal: stop.signal },
    );
    setTimeout(() => stop.abort(), 20);
    await assert.rejects(attempt, /ECONNREFUSED/);
    assert.equal(calls, 2, 'the abort ended the long wait and the next failure was thrown');
  });
});
