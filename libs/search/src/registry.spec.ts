import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALGORITHM_TERMS, AlgorithmSchema, EarlyStoppingSchema, type AlgorithmSpec, type EarlyStoppingSpec } from '@tuneforge/contracts';
import type { SearchSpace } from './dimension';
import { decideFromSummary, rungAt, STOPPING_RULES, stoppingRuleOf } from './early-stopping';
import { sampleRandom } from './random.sampler';
import { UnknownStrategyError } from './registry';
import { deriveTrialSeed } from './seeds';
import { SAMPLERS, samplerOf, SweepPlan } from './sweep-plan';
import { suggestTpe } from './tpe.sampler';

const SPACE: SearchSpace = { units: { type: 'choice', values: [16, 32, 64] }, dropout: { type: 'float', min: 0, max: 0.5, step: 0.1 } };

describe('strategy registries', () => {
  it('hold a stopping rule for every earlyStopping type of the schema, and no other', () => {
    assert.deepEqual(Object.keys(STOPPING_RULES).sort(), EarlyStoppingSchema.options.map((o) => o.shape.type.value).sort());
  });

  it('hold a sampler for every algorithm type of the schema, and no other', () => {
    assert.deepEqual(Object.keys(SAMPLERS).sort(), AlgorithmSchema.options.map((o) => o.shape.type.value).sort());
  });

  it('build samplers that read history exactly where the spec lets an algorithm learn from results', () => {
    for (const type of Object.keys(SAMPLERS) as AlgorithmSpec['type'][]) {
      const sut = samplerOf(AlgorithmSchema.parse({ type }), SPACE, 100);
      assert.equal(sut.historyWindow !== null, ALGORITHM_TERMS[type].learnsFromResults, type);
    }
  });

  it('refuse an unknown type by name, listing the known ones', () => {
    const unknownRule = { type: 'successive' } as unknown as EarlyStoppingSpec;
    assert.throws(
      () => stoppingRuleOf(unknownRule),
      (error: unknown) => error instanceof UnknownStrategyError && error.message === "no early-stopping rule 'successive' is registered (known: none, asha, hyperband, median)",
    );
    assert.throws(() => samplerOf({ type: 'bayes' } as unknown as AlgorithmSpec, SPACE, 10), /no search algorithm 'bayes' is registered \(known: grid, random, tpe\)/);
    assert.throws(() => samplerOf({ type: 'toString' } as unknown as AlgorithmSpec, SPACE, 10), UnknownStrategyError);
  });
});

describe('no early stopping', () => {
  it('never decides, so every trial runs all its epochs', () => {
    const rule: EarlyStoppingSpec = { type: 'none' };
    assert.deepEqual(Array.from({ length: 20 }, (_, epoch) => rungAt(rule, 20, 3, epoch)).filter(Boolean), []);
    assert.deepEqual(decideFromSummary(rule, { rung: 0 }, 1, 'val_loss', 9, { count: 3, median: 1, cutoff: 1 }, 'minimize'), { stop: false, reason: 'no early stopping' });
  });
});

describe('samplers through SweepPlan', () => {
  it('draw random trial n from the trial seed alone', () => {
    const sut = new SweepPlan({ type: 'random' }, SPACE, 42, 10);
    for (let n = 0; n < 10; n++) assert.deepEqual(sut.trial(n).assignment, sampleRandom(SPACE, deriveTrialSeed(42, n)));
  });

  it("give TPE the spec's options", () => {
    const history = Array.from({ length: 4 }, (_, n) => ({ assignment: sampleRandom(SPACE, n), value: n }));
    const sut = new SweepPlan({ type: 'tpe', startupTrials: 2, candidates: 5 }, SPACE, 7, 10);
    const planned = sut.suggest(3, history, [], 'maximize');
    assert.deepEqual(planned.assignment, suggestTpe(SPACE, history, [], 'maximize', deriveTrialSeed(7, 3), { startupTrials: 2, candidates: 5 }));
    assert.deepEqual(new SweepPlan('tpe', SPACE, 7, 10).suggest(3, history, [], 'maximize').assignment, sampleRandom(SPACE, deriveTrialSeed(7, 3)), 'the default 10 start-up trials are random');
  });
});
