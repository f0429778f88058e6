import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRun } from '../src/next-run';

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
