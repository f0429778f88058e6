import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EarlyStoppingSpec as StoppingRule } from '@tuneforge/contracts';
import { decideAtRung, peerNumbersOf, rungAt, summarizePeers } from './early-stopping';
import { hyperbandBracketOf, hyperbandBrackets } from './hyperband.rule';
import { isPeerNumber } from './stopping-rule';
import { successiveHalvingRungs } from './successive-halving';

const ASHA: StoppingRule = { type: 'asha', minEpochs: 1, reductionFactor: 3 };

describe('successive halving rungs', () => {
  it('are minEpochs x eta^k below maxEpochs', () => {
    assert.deepEqual(successiveHalvingRungs(1, 3, 27), [1, 3, 9]);
    assert.deepEqual(successiveHalvingRungs(2, 2, 20), [2, 4, 8, 16]);
    assert.deepEqual(successiveHalvingRungs(5, 3, 5), []);
  });
});

describe('ASHA decisions (hand-worked)', () => {
  const check = { rung: 0 };
  it('keeps the first trial at a rung: it is the best of one', () => {
    assert.equal(decideAtRung(ASHA, check, 1, 'val_loss', 0.9, [], 'minimize').stop, false);
  });
  it('with 6 trials at a rung and eta 3 keeps the best 2', () => {
    // values 0.1 0.2 0.3 0.4 0.5 + this one; keep floor(6/3) = 2: cutoff is the 2nd best
    const peers = [0.1, 0.2, 0.3, 0.4, 0.5];
    assert.equal(decideAtRung(ASHA, check, 1, 'val_loss', 0.15, peers, 'minimize').stop, false); // 2nd best
    assert.equal(decideAtRung(ASHA, check, 1, 'val_loss', 0.25, peers, 'minimize').stop, true); // 3rd best
    const decision = decideAtRung(ASHA, check, 1, 'val_loss', 0.25, peers, 'minimize');
    assert.match(decision.reason, /stopped at rung 0 \(epoch 1\): val_loss 0.25 is outside the best 2 of 6 \(cutoff 0.2\)/);
  });
  it('turns the order round when maximizing', () => {
    assert.equal(decideAtRung(ASHA, check, 1, 'acc', 0.95, [0.1, 0.2, 0.9], 'maximize').stop, false);
    assert.equal(decideAtRung(ASHA, check, 1, 'acc', 0.5, [0.1, 0.2, 0.9], 'maximize').stop, true);
  });
  it('decides only at rung epochs before the last epoch', () => {
    assert.deepEqual([1, 2, 3, 9, 27].map((e) => rungAt(ASHA, 27, 0, e)?.rung), [0, undefined, 1, 2, undefined]);
  });
});

describe('Hyperband brackets', () => {
  it('match Li et al. for R = 81 epochs, eta = 3 (s_max = 4)', () => {
    const brackets = hyperbandBrackets(1, 3, 81);
    assert.deepEqual(
      brackets.map((b) => [b.index, b.trials, b.minEpochs]),
      [
        [4, 81, 1],
        [3, 34, 3],
        [2, 15, 9],
        [1, 8, 27],
        [0, 5, 81],
      ],
    );
    assert.deepEqual(brackets[0].rungs, [1, 3, 9, 27]);
    assert.deepEqual(brackets[4].rungs, []);
  });
  it('assign trials to brackets in proportion to their sizes', () => {
    const brackets = hyperbandBrackets(1, 3, 9); // s_max 2: sizes 9, 5, 3
    assert.deepEqual(brackets.map((b) => b.trials), [9, 5, 3]);
    const counts = [0, 0, 0];
    for (let n = 0; n < 17 * 3; n++) counts[2 - hyperbandBracketOf(n, brackets).index]++;
    assert.deepEqual(counts, [27, 15, 9]);
  });
  it('compare a trial only with its bracket', () => {
    const rule: StoppingRule = { type: 'hyperband', minEpochs: 1, reductionFactor: 3 };
    assert.deepEqual(rungAt(rule, 9, 0, 1), { rung: 0, group: 2 });
    assert.equal(rungAt(rule, 9, 9, 1), undefined, 'trial 9 is in bracket 1, whose first rung is epoch 3');
    assert.deepEqual(rungAt(rule, 9, 9, 3), { rung: 0, group: 1 });
  });
});

describe('median stopping', () => {
  const rule: StoppingRule = { type: 'median', warmupEpochs: 2, minTrials: 3 };
  it('waits for the warm-up epochs and for enough other trials', () => {
    assert.equal(rungAt(rule, 20, 0, 2), undefined);
    assert.deepEqual(rungAt(rule, 20, 0, 3), { rung: 2 });
    assert.equal(decideAtRung(rule, { rung: 2 }, 3, 'val_loss', 9, [1, 2], 'minimize').stop, false);
  });
  it('stops a trial worse than the median of the others at the same epoch', () => {
    assert.equal(decideAtRung(rule, { rung: 2 }, 3, 'val_loss', 2.6, [1, 2, 3, 4], 'minimize').stop, true); // median 2.5
    assert.equal(decideAtRung(rule, { rung: 2 }, 3, 'val_loss', 2.5, [1, 2, 3, 4], 'minimize').stop, false);
  });
});

describe('peer numbers', () => {
  it('are the trial numbers of the same Hyperband bracket', () => {
    const rule: StoppingRule = { type: 'hyperband', minEpochs: 1, reductionFactor: 3, maxEpochs: 27 };
    const brackets = hyperbandBrackets(1, 3, 27);
    for (const bracket of brackets) {
      const peers = peerNumbersOf(rule, 27, bracket.index);
      for (let number = 0; number < 200; number++) {
        assert.equal(isPeerNumber(peers, number), hyperbandBracketOf(number, brackets).index === bracket.index, `trial ${number}, bracket ${bracket.index}`);
      }
    }
  });

  it('are every trial without groups', () => {
    const peers = peerNumbersOf({ type: 'median', warmupEpochs: 0, minTrials: 1 }, 20, undefined);
    assert.ok([0, 1, 7, 1999].every((number) => isPeerNumber(peers, number)));
  });
});

describe('peer summaries', () => {
  it('hold the median of the peers and the ASHA cutoff among peers and the trial', () => {
    const asha: StoppingRule = { type: 'asha', minEpochs: 1, reductionFactor: 3 };
    assert.deepEqual(summarizePeers(asha, [5, 1, 3, 2, 4], 2.5, 'minimize'), { count: 5, median: 3, cutoff: 2 });
    assert.deepEqual(summarizePeers(asha, [5, 1, 3, 2, 4], 2.5, 'maximize'), { count: 5, median: 3, cutoff: 4 });
    assert.deepEqual(summarizePeers({ type: 'median', warmupEpochs: 0, minTrials: 1 }, [], 7, 'minimize'), { count: 0, median: null, cutoff: 7 });
  });
});
