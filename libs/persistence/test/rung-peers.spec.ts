import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import type { Direction, EarlyStoppingSpec as StoppingRule } from '@tuneforge/contracts';
import { isPeerNumber, peerNumbersOf, reductionFactorOf, summarizePeers } from '@tuneforge/search';
import { aParsedSweepSpec, claimTrials, seedMetricPoints, seedSweep } from '@tuneforge/testing';
import { databaseOptions, dropDatabase, migrate, rungPeerSummaries, Stores } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const TRIALS = 40;
const EPOCH = 3;

describe('rung peer summaries computed by PostgreSQL', () => {
  const url = `${SERVER_URL}/tf_test_rung_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let sweepId: string;
  const trials: { id: string; number: number; value: number }[] = [];

  before(async () => {
    await migrate(url);
    dataSource = await new DataSource(databaseOptions(url, 'rung-peers-test')).initialize();
    const stores = new Stores(dataSource.manager);
    const spec = aParsedSweepSpec({ name: 'rungs', budget: { maxTrials: TRIALS, maxConcurrent: TRIALS, maxEpochsPerTrial: 10 } });
    const seeded = await seedSweep(stores, { spec, trials: TRIALS });
    sweepId = seeded.sweep.id;
    // Each trial runs and reports its points (the rung SQL reads them whatever the trial's status).
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
    { type: 'asha', minEpochs: 1, reductionFactor: 2 },
    { type: 'hyperband', minEpochs: 1, reductionFactor: 3, maxEpochs: 9 },
  ];
  for (const rule of rules) {
    for (const direction of ['minimize', 'maximize'] as Direction[]) {
      it(`equal summarizePeers for ${rule.type}${'reductionFactor' in rule ? ` eta ${rule.reductionFactor}` : ''}, ${direction}`, async () => {
        const groups = rule.type === 'hyperband' ? [0, 1, 2] : [undefined];
        for (const group of groups) {
          const peerNumbers = peerNumbersOf(rule, 9, group);
          for (const deciding of [trials[0], trials[5], trials[TRIALS - 1]]) {
            for (const value of [deciding.value, 0, 2.25, 10]) {
              const expectedPeers = trials.filter((t) => t.id !== deciding.id && isPeerNumber(peerNumbers, t.number));
              const [fromSql] = await rungPeerSummaries(dataSource.manager, [{
                sweepId,
                trialId: deciding.id,
                trialNumber: deciding.number,
                metric: 'val_loss',
                epoch: EPOCH,
                value,
                direction,
                peers: peerNumbers,
                reductionFactor: reductionFactorOf(rule),
              }]);
              const expected = summarizePeers(rule, expectedPeers.map((t) => t.value), value, direction);
              assert.equal(fromSql.count, expected.count, `count (group ${group}, trial ${deciding.number}, value ${value})`);
              assert.ok(Math.abs((fromSql.median ?? NaN) - (expected.median ?? NaN)) < 1e-12 || fromSql.median === expected.median, `median ${fromSql.median} vs ${expected.median}`);
              assert.equal(fromSql.cutoff, expected.cutoff, `cutoff (group ${group}, trial ${deciding.number}, value ${value})`);
            }
          }
        }
      });
    }
  }

  it('answer a batch of decisions that share rungs, each for itself', async () => {
    const asked = rules.flatMap((rule) =>
      (['minimize', 'maximize'] as Direction[]).flatMap((direction) =>
        trials.slice(0, 12).map((deciding, k) => {
          const peers = peerNumbersOf(rule, 9, rule.type === 'hyperband' ? k % 3 : undefined);
          return { rule, query: { sweepId, trialId: deciding.id, trialNumber: deciding.number, metric: 'val_loss', epoch: EPOCH, value: deciding.value + (k % 4) * 0.3, direction, peers, reductionFactor: reductionFactorOf(rule) } };
        }),
      ),
    );
    const summaries = await rungPeerSummaries(dataSource.manager, asked.map((a) => a.query));
    asked.forEach(({ rule, query }, k) => {
      const peerValues = trials.filter((t) => t.id !== query.trialId && isPeerNumber(query.peers, t.number)).map((t) => t.value);
      const expected = summarizePeers(rule, peerValues, query.value, query.direction);
      assert.equal(summaries[k].count, expected.count, `count of decision ${k}`);
      assert.ok(Math.abs((summaries[k].median ?? NaN) - (expected.median ?? NaN)) < 1e-12 || summaries[k].median === expected.median, `median of decision ${k}`);
      assert.equal(summaries[k].cutoff, expected.cutoff, `cutoff of decision ${k}`);
    });
  });

  it('has no peers at an epoch nobody reached', async () => {
    const summaries = await rungPeerSummaries(dataSource.manager, [
      { sweepId, trialId: trials[0].id, trialNumber: trials[0].number, metric: 'val_loss', epoch: 99, value: 1, direction: 'minimize', peers: { modulus: 1, from: 0, to: 1 }, reductionFactor: 3 },
      { sweepId, trialId: trials[0].id, trialNumber: trials[0].number, metric: 'val_loss', epoch: EPOCH, value: 1, direction: 'minimize', peers: { modulus: 1, from: 0, to: 1 } },
    ]);
    assert.deepEqual(summaries[0], { count: 0, median: null, cutoff: 1 });
    assert.equal(summaries[1].count, TRIALS - 1, 'several decisions answer in one statement, each for itself');
  });
});
