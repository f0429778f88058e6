import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import type { Direction, EarlyStoppingSpec as StoppingRule } from '@tuneforge/contracts';
import { isPeerNumber, peerNumbersOf, reductionFactorOf, RungValues, summarizePeers } from '@tuneforge/search';
import { aParsedSweepSpec, claimTrials, seedMetricPoints, seedSweep } from '@tuneforge/testing';
import { databaseOptions, dropDatabase, migrate, newestMetricPointId, rungValuesAt, rungValuesSince, Stores } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const TRIALS = 40;
const EPOCH = 3;

describe('rung values read from PostgreSQL', () => {
  const url = `${SERVER_URL}/tf_test_rung_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let sweepId: string;
  const trials: { id: string; number: number; value: number }[] = [];
  let startId: string;

  before(async () => {
    await migrate(url);
    dataSource = await new DataSource(databaseOptions(url, 'rung-peers-test')).initialize();
    const stores = new Stores(dataSource.manager);
    const spec = aParsedSweepSpec({ name: 'rungs', budget: { maxTrials: TRIALS, maxConcurrent: TRIALS, maxEpochsPerTrial: 10 } });
    const seeded = await seedSweep(stores, { spec, trials: TRIALS });
    sweepId = seeded.sweep.id;
    startId = await newestMetricPointId(dataSource.manager);
    // Each trial runs and reports its points (the rung reads take them whatever the trial's status).
    for (const run of await claimTrials(stores, seeded.trials)) {
      // Ties on purpose (values repeat every 17 trials), and an unrelated metric and epoch around them.
      const value = ((run.number * 7) % 17) / 4;
      trials.push({ id: run.id, number: run.number, value });
      await seedMetricPoints(stores, run, [
        { epoch: EPOCH, name: 'val_loss', value },
        { epoch: EPOCH + 1, name: 'val_loss', value: -value },
        { epoch: EPOCH, name: 'loss', value: 100 + value },
      ]);
    }
    trials.sort((a, b) => a.number - b.number);
  });
  after(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  const rules: StoppingRule[] = [
    { type: 'median', warmupEpochs: 0, minTrials: 1 },
    { type: 'asha', minEpochs: 1, reductionFactor: 3 },
    { type: 'hyperband', minEpochs: 1, reductionFactor: 3, maxEpochs: 9 },
  ];

  it("give every trial's value at a rung, by trial number, and nothing of other epochs or metrics", async () => {
    const rows = await rungValuesAt(dataSource.manager, [{ sweepId, metric: 'val_loss', epoch: EPOCH }]);
    assert.deepEqual(
      rows.map((r) => [r.trialNumber, r.value]).sort((a, b) => a[0] - b[0]),
      trials.map((t) => [t.number, t.value]),
    );
    assert.ok(rows.every((r) => r.sweepId === sweepId && r.metric === 'val_loss' && r.epoch === EPOCH));
    assert.deepEqual(await rungValuesAt(dataSource.manager, [{ sweepId, metric: 'val_loss', epoch: 99 }]), []);
  });

  for (const rule of rules) {
    for (const direction of ['minimize', 'maximize'] as Direction[]) {
      it(`summarised by RungValues, equal summarizePeers for ${rule.type}, ${direction}`, async () => {
        const rung = new RungValues();
        for (const row of await rungValuesAt(dataSource.manager, [{ sweepId, metric: 'val_loss', epoch: EPOCH }])) rung.set(row.trialNumber, row.value);
        for (const group of rule.type === 'hyperband' ? [0, 1, 2] : [undefined]) {
          const peers = peerNumbersOf(rule, 9, group);
          for (const deciding of [trials[0], trials[5], trials[TRIALS - 1]]) {
            for (const value of [deciding.value, 0, 2.25, 10]) {
              const expected = summarizePeers(
                rule,
                trials.filter((t) => t.id !== deciding.id && isPeerNumber(peers, t.number)).map((t) => t.value),
                value,
                direction,
              );
              assert.deepEqual(
                rung.summary(deciding.number, value, peers, direction, reductionFactorOf(rule)),
                expected,
                `group ${group}, trial ${deciding.number}, value ${value}`,
              );
            }
          }
        }
      });
    }
  }

  it('read only the points stored after an id, of the asked metrics, in pages of at most the limit', async () => {
    const asked = [{ sweepId, metric: 'val_loss' }];
    const all = await rungValuesSince(dataSource.manager, startId, asked);
    assert.equal(all.complete, true);
    assert.equal(all.values.length, TRIALS * 2, 'both val_loss epochs of every trial, no loss');
    assert.ok(all.values.every((r) => r.metric === 'val_loss'));
    assert.deepEqual(await rungValuesSince(dataSource.manager, all.readTo, asked), { values: [], readTo: all.readTo, complete: true });
    assert.equal(
      all.readTo,
      all.values
        .map((r) => BigInt(r.id))
        .reduce((a, b) => (b > a ? b : a))
        .toString(),
      'up to the newest point read',
    );

    // Pages of at most 7 points of each asked metric, in id order: together, every point of both, once or more.
    const both = [...asked, { sweepId, metric: 'loss' }];
    const seen = new Set<string>();
    let from = startId;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 40, 'the pages end');
      const page = await rungValuesSince(dataSource.manager, from, both, 7);
      for (const r of page.values) seen.add(`${r.metric}/${r.id}`);
      if (page.complete) break;
      assert.ok(BigInt(page.readTo) > BigInt(from));
      from = page.readTo;
    }
    const everything = await rungValuesSince(dataSource.manager, startId, both);
    assert.equal(everything.values.length, TRIALS * 3);
    assert.deepEqual([...seen].sort(), everything.values.map((r) => `${r.metric}/${r.id}`).sort());
    assert.deepEqual((await rungValuesSince(dataSource.manager, startId, [{ sweepId, metric: 'accuracy' }])).values, []);
  });
});
