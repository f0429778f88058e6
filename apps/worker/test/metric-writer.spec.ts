import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ClaimedTrial } from '@tuneforge/persistence';
import { claimTrials, freePort, PrivatePostgres, seedSweep, TestStores, waitFor } from '@tuneforge/testing';
import { MetricWriter } from '../src/metric-writer.service';
import { WorkerServices } from './support/worker-services';

/** A writer whose timer never fires during a test (flushes are the test's), or one that flushes every 20 ms. */
const NO_TIMER = { METRICS_FLUSH_MS: '600000' };
const FAST_TIMER = { METRICS_FLUSH_MS: '20' };

/** A trial of a new sweep, claimed: points of its attempt are written. */
async function aRunningTrial(db: TestStores): Promise<ClaimedTrial> {
  const { trials } = await seedSweep(db.stores, { trials: 1 });
  return (await claimTrials(db.stores, trials))[0];
}

/** The trial's stored points once there are `count` of them (else undefined, for waitFor). */
async function storedPoints(db: TestStores, trial: ClaimedTrial, count: number) {
  const points = await db.stores.trialReads.metricPoints(trial.id);
  return points.length === count ? points : undefined;
}

describe(MetricWriter.name, () => {
  let db: TestStores;
  const services: WorkerServices[] = [];
  const aWriter = async (env: Record<string, string>) => {
    const worker = await WorkerServices.create(db.stores, env);
    services.push(worker);
    return worker.metrics;
  };
  const stored = (trial: ClaimedTrial) => db.stores.trialReads.metricPoints(trial.id);

  before(async () => {
    db = await TestStores.open('worker_metrics');
  });
  afterEach(() => Promise.all(services.splice(0).map((s) => s.close())));
  after(() => db?.close());

  it('buffers the finite values of an epoch and writes them on flush', async () => {
    const sut = await aWriter(NO_TIMER);
    const trial = await aRunningTrial(db);
    sut.add(trial.sweepId, trial.id, trial.attempts, 1, { loss: 0.9, val_loss: Number.NaN, val_mae: Number.POSITIVE_INFINITY });
    sut.add(trial.sweepId, trial.id, trial.attempts, 2, { loss: 0.7 });
    assert.deepEqual(await stored(trial), [], 'nothing is written before a flush');
    await sut.flush();
    assert.deepEqual(await stored(trial), [
      { name: 'loss', epoch: 1, value: 0.9 },
      { name: 'loss', epoch: 2, value: 0.7 },
    ]);
  });

  it('writes what it buffered on its timer, with no flush asked', async () => {
    const sut = await aWriter(FAST_TIMER);
    const trial = await aRunningTrial(db);
    sut.add(trial.sweepId, trial.id, trial.attempts, 1, { loss: 0.5 });
    assert.deepEqual(await waitFor('the timer wrote the point', () => storedPoints(db, trial, 1), 5_000, 20), [{ name: 'loss', epoch: 1, value: 0.5 }]);
  });

  it("drops a superseded attempt's points and lets the current one replace an epoch it replays", async () => {
    const sut = await aWriter(NO_TIMER);
    const first = await aRunningTrial(db);
    sut.add(first.sweepId, first.id, first.attempts, 1, { loss: 0.5 });
    await sut.flush();
    const [second] = await claimTrials(db.stores, [first], 'taking-over-worker');
    assert.equal(second.attempts, first.attempts + 1);

    sut.add(first.sweepId, first.id, first.attempts, 2, { loss: 0.45 }); // the old run goes on for an epoch
    sut.add(second.sweepId, second.id, second.attempts, 1, { loss: 0.4 }); // the new one resumed before epoch 1
    sut.add(second.sweepId, second.id, second.attempts, 2, { loss: 0.3 });
    await sut.flush();
    assert.deepEqual(await stored(first), [
      { name: 'loss', epoch: 1, value: 0.4 },
      { name: 'loss', epoch: 2, value: 0.3 },
    ]);
  });
});

describe(`${MetricWriter.name} and the ledger while PostgreSQL is away`, () => {
  let postgres: PrivatePostgres;
  let db: TestStores;
  let worker: WorkerServices;
  let down = false;
  const stopPostgres = () => {
    postgres.stop();
    down = true;
  };
  const startPostgres = () => {
    postgres.start();
    down = false;
  };

  before(async () => {
    // A PostgreSQL of the test's own, to stop and start.
    postgres = new PrivatePostgres(await freePort());
    postgres.init();
    postgres.start();
    db = await TestStores.open('worker_outage', postgres.serverUrl);
  });
  afterEach(() => worker?.close());
  after(async () => {
    if (down) startPostgres();
    await db?.close();
    postgres?.destroy();
  });

  it('keeps the points of a failed write in its buffer and writes them, with later ones, once PostgreSQL answers', async () => {
    worker = await WorkerServices.create(db.stores, FAST_TIMER);
    const sut = worker.metrics;
    const trial = await aRunningTrial(db);
    stopPostgres();
    sut.add(trial.sweepId, trial.id, trial.attempts, 1, { loss: 0.9 });
    await assert.rejects(sut.flush(), 'the write fails while PostgreSQL is down');
    sut.add(trial.sweepId, trial.id, trial.attempts, 2, { loss: 0.8 });
    startPostgres();
    const points = await waitFor('the timer wrote the points back', () => storedPoints(db, trial, 2), 10_000, 20);
    assert.deepEqual(points, [
      { name: 'loss', epoch: 1, value: 0.9 },
      { name: 'loss', epoch: 2, value: 0.8 },
    ]);
  });

  it('waits out the outage in a claim and in an end, which still writes the metrics first', async () => {
    worker = await WorkerServices.create(db.stores, NO_TIMER);
    const { trials } = await seedSweep(db.stores, { trials: 2 });
    const running = (await claimTrials(db.stores, [trials[1]]))[0];
    worker.metrics.add(running.sweepId, running.id, running.attempts, 1, { val_loss: 0.25 });

    stopPostgres();
    const claim = worker.ledger.claim(trials[0].id, trials[0].sweepId);
    const end = worker.ledger.end({ trialId: running.id, attempt: running.attempts, status: 'completed', reason: 'done', bestMetric: 0.25, lastEpoch: 1 });
    await assert.rejects(worker.metrics.flush(), 'PostgreSQL is down (the claim and the end have found it so too)');
    startPostgres();

    const claimed = await claim;
    assert.equal(claimed?.id, trials[0].id);
    assert.equal(await end, true);
    assert.equal((await db.stores.trialReads.find(trials[0].id))?.status, 'running');
    const ended = await db.stores.trialReads.find(running.id);
    assert.deepEqual([ended?.status, ended?.bestMetric], ['completed', 0.25]);
    assert.deepEqual(await db.stores.trialReads.metricPoints(running.id), [{ name: 'val_loss', epoch: 1, value: 0.25 }]);
  });
});
