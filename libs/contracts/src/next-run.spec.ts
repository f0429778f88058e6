import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyedNextRun, nextRun } from './next-run';

describe(nextRun.name, () => {
  it('runs once more after the run in flight, however many callers arrive meanwhile, and each caller gets a run that started after it called', async () => {
    const started: number[] = [];
    let release!: () => void;
    const run = nextRun(async () => {
      started.push(started.length);
      if (started.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return started.length;
    });
    const first = run();
    await new Promise((resolve) => setImmediate(resolve)); // the first run is in flight
    const later = [run(), run(), run()];
    assert.equal(later[0], later[2], 'the callers during the first run share the next one');
    release();
    assert.equal(await first, 1);
    assert.deepEqual(await Promise.all(later), [2, 2, 2]);
    assert.equal(await run(), 3, 'a caller after both have settled gets a run of its own');
  });

  it('runs the next one after a run that failed, and the failure reaches only its own callers', async () => {
    let calls = 0;
    const run = nextRun(async () => {
      calls += 1;
      if (calls === 1) throw new Error('PostgreSQL away');
      return calls;
    });
    const failing = assert.rejects(run(), /PostgreSQL away/);
    await new Promise((resolve) => setImmediate(resolve)); // the failing run has started
    const after = run();
    await failing;
    assert.equal(await after, 2);
  });
});

describe(keyedNextRun.name, () => {
  it("coalesces each key's callers on their own: a long run of one key does not hold up another's", async () => {
    const started: string[] = [];
    let release!: () => void;
    const run = keyedNextRun(async (key: string) => {
      started.push(key);
      if (key === 'a' && started.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return `${key}${started.filter((k) => k === key).length}`;
    });
    const firstA = run('a');
    await new Promise((resolve) => setImmediate(resolve)); // a's first run is in flight
    const laterA = [run('a'), run('a')];
    assert.equal(await run('b'), 'b1', "b runs while a's first run is in flight");
    assert.equal(laterA[0], laterA[1], "a's callers during its first run share the next one");
    release();
    assert.equal(await firstA, 'a1');
    assert.deepEqual(await Promise.all(laterA), ['a2', 'a2']);
    assert.equal(await run('a'), 'a3', 'a caller after every run of the key settled gets a run of its own');
    assert.deepEqual(started, ['a', 'b', 'a', 'a']);
  });

  it("keeps a key's failure to that key's callers, and runs the key again afterwards", async () => {
    let failures = 1;
    const run = keyedNextRun(async (key: string) => {
      if (key === 'a' && failures-- > 0) throw new Error('PostgreSQL away');
      return key;
    });
    await assert.rejects(run('a'), /PostgreSQL away/);
    assert.equal(await run('b'), 'b');
    assert.equal(await run('a'), 'a');
  });
});
