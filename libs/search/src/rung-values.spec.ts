import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction, EarlyStoppingSpec as StoppingRule } from '@tuneforge/contracts';
import { peerNumbersOf, reductionFactorOf, summarizePeers } from './early-stopping';
import { RungValues } from './rung-values';
import { isPeerNumber } from './stopping-rule';

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const RULES: StoppingRule[] = [
  { type: 'median', warmupEpochs: 0, minTrials: 1 },
  { type: 'asha', minEpochs: 1, reductionFactor: 2 },
  { type: 'asha', minEpochs: 1, reductionFactor: 3 },
  { type: 'hyperband', minEpochs: 1, reductionFactor: 3, maxEpochs: 9 },
];

describe('RungValues', () => {
  for (const rule of RULES) {
    for (const direction of ['minimize', 'maximize'] as Direction[]) {
      it(`summarises as summarizePeers does for ${rule.type}${'reductionFactor' in rule ? ` eta ${rule.reductionFactor}` : ''}, ${direction}`, () => {
        const random = lcg(7);
        const groups = rule.type === 'hyperband' ? [0, 1, 2] : [undefined];
        for (let round = 0; round < 40; round++) {
          const rung = new RungValues();
          const values = new Map<number, number>();
          const trials = Math.floor(random() * 30);
          for (let i = 0; i < trials; i++) {
            // Few distinct values, so ties are common; some trials report twice (the later value stands).
            const number = Math.floor(random() * 25);
            const value = Math.floor(random() * 8) / 4;
            rung.set(number, value);
            values.set(number, value);
          }
          for (const group of groups) {
            const peers = peerNumbersOf(rule, 9, group);
            for (const own of [0, 3, 24, 99]) {
              for (const value of [values.get(own) ?? 0.5, -1, 0.75, 9]) {
                const expected = summarizePeers(
                  rule,
                  [...values].filter(([n]) => n !== own && isPeerNumber(peers, n)).map(([, v]) => v),
                  value,
                  direction,
                );
                assert.deepEqual(
                  rung.summary(own, value, peers, direction, reductionFactorOf(rule)),
                  expected,
                  `round ${round}, own ${own}, value ${value}, group ${group}`,
                );
              }
            }
          }
          assert.equal(rung.size, values.size);
        }
      });
    }
  }

  it('ignores values that are not finite', () => {
    const rung = new RungValues();
    rung.set(1, Number.NaN);
    rung.set(2, Number.POSITIVE_INFINITY);
    assert.equal(rung.size, 0);
    assert.deepEqual(rung.summary(0, 1, { modulus: 1, from: 0, to: 1 }, 'minimize', 2), { count: 0, median: null, cutoff: 1 });
  });
});
