import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { CHECKPOINTS_KEPT, checkpointsNewestFirst, databaseOptions, dropDatabase, migrate, saveCheckpoint, upsertMetricPoints } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

describe('fenced trial writes: saveCheckpoint and upsertMetricPoints', () => {
  const url = `${SERVER_URL}/tf_test_checkpoints_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let trialId: string;
  let sweepId: string;

  before(async () => {
    await migrate(url);
    dataSource = await new DataSource(databaseOptions(url, 'checkpoints-test')).initialize();
    [{ id: sweepId }] = await dataSource.query(`INSERT INTO sweeps (name, spec, seed, planned_trials) VALUES ('ckpt', '{}', 1, 1) RETURNING id`);
    [{ id: trialId }] = await dataSource.query(`INSERT INTO trials (sweep_id, number, config, seed, status, attempts) VALUES ($1, 0, '{}', 1, 'running', 1) RETURNING id`, [sweepId]);
  });
  after(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  const save = (epoch: number, text: string, bestMetric: number | null = epoch / 10, attempt = 1) =>
    saveCheckpoint(dataSource.manager, { trialId, epoch, format: 'test', bytes: Buffer.from(text), bestMetric, attempt });
  const kept = async () => (await checkpointsNewestFirst(dataSource.manager, trialId)).map((c) => [c.epoch, c.bytes.toString()]);
  const progress = async () => (await dataSource.query(`SELECT last_epoch, best_metric FROM trials WHERE id = $1`, [trialId]))[0];

  it(`keeps the ${CHECKPOINTS_KEPT} newest and records the trial's progress with them`, async () => {
    await save(1, 'one');
    await save(2, 'two');
    await save(3, 'three', 0.25);
    assert.deepEqual(await kept(), [[3, 'three'], [2, 'two']]);
    assert.deepEqual(await progress(), { last_epoch: 3, best_metric: 0.25 });
  });

  it('drops the checkpoints after the epoch a resumed run saves, then keeps the newest again', async () => {
    await save(2, 'two again');
    assert.deepEqual(await kept(), [[2, 'two again']], 'epoch 3 belonged to the run that was left');
    await save(3, 'three again');
    await save(4, 'four', null);
    assert.deepEqual(await kept(), [[4, 'four'], [3, 'three again']]);
    assert.deepEqual(await progress(), { last_epoch: 4, best_metric: null });
  });

  it('refuses a checkpoint of a superseded attempt and of a trial that is not running, and writes nothing', async () => {
    const before = { kept: await kept(), progress: await progress() };
    assert.equal(await save(5, 'stale', 0.01, 0), false, 'attempt 0 was superseded by attempt 1');
    await dataSource.query(`UPDATE trials SET status = 'completed' WHERE id = $1`, [trialId]);
    assert.equal(await save(5, 'after the end', 0.01, 1), false);
    assert.deepEqual({ kept: await kept(), progress: await progress() }, before);
    await dataSource.query(`UPDATE trials SET status = 'running' WHERE id = $1`, [trialId]);
    assert.equal(await save(5, 'five'), true);
  });

  it('stores the metric points of the current attempt only', async () => {
    const point = (epoch: number, attempt: number) => ({ sweepId, trialId, epoch, name: 'loss', value: epoch + attempt / 10, attempt });
    await upsertMetricPoints(dataSource.manager, [point(1, 1), point(2, 0), point(3, 1)]);
    const stored = await dataSource.query(`SELECT epoch, value FROM metric_points WHERE trial_id = $1 ORDER BY epoch`, [trialId]);
    assert.deepEqual(stored, [
      { epoch: 1, value: 1.1 },
      { epoch: 3, value: 3.1 },
    ]);
  });
});
