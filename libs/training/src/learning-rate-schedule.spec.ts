import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LearningRateSchedule, type ScheduleSettings } from './learning-rate-schedule';

const BASE: ScheduleSettings = { schedule: 'constant', peak: 0.01, warmupEpochs: 0, decay: 0.5, stepEpochs: 2, patience: 2, maxEpochs: 10 };
const rates = (schedule: LearningRateSchedule, epochs: number) => Array.from({ length: epochs }, (_, e) => schedule.rateFor(e + 1));
const close = (actual: number[], expected: number[]) => actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-12, `epoch ${i + 1}: ${a} vs ${expected[i]}`));

describe(LearningRateSchedule.name, () => {
  it('warms up linearly to the peak, then keeps it (constant)', () => {
    close(rates(new LearningRateSchedule({ ...BASE, warmupEpochs: 3 }), 5), [0.0025, 0.005, 0.0075, 0.01, 0.01]);
  });

  it('anneals by cosine from the peak towards 0 at the last epoch, after the warm-up', () => {
    const cosine = rates(new LearningRateSchedule({ ...BASE, schedule: 'cosine', warmupEpochs: 2 }), 10);
    close(cosine.slice(0, 3), [0.01 / 3, 0.02 / 3, 0.01]);
    close([cosine[6]], [0.01 * 0.5 * (1 + Math.cos((Math.PI * 4) / 8))]);
    assert.ok(cosine.slice(2).every((rate, i, all) => i === 0 || rate < all[i - 1]), 'falls every epoch');
    assert.ok(cosine[9] > 0 && cosine[9] < 0.001);
  });

  it('halves every stepEpochs (step)', () => {
    close(rates(new LearningRateSchedule({ ...BASE, schedule: 'step' }), 6), [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]);
  });

  it('decays after patience epochs without a better val_loss (plateau), and a checkpoint of its state resumes it', () => {
    const schedule = new LearningRateSchedule({ ...BASE, schedule: 'plateau' });
    const seen: number[] = [];
    [1.0, 0.9, 0.95, 0.91, 0.92].forEach((valLoss, i) => {
      seen.push(schedule.rateFor(i + 1));
      schedule.afterEpoch(i + 1, valLoss);
    });
    close(seen, [0.01, 0.01, 0.01, 0.01, 0.005]);
    assert.deepEqual(schedule.state, { factor: 0.5, best: 0.9, badEpochs: 1 });
    const resumed = new LearningRateSchedule({ ...BASE, schedule: 'plateau' }, schedule.state);
    schedule.afterEpoch(6, 0.93);
    resumed.afterEpoch(6, 0.93);
    assert.equal(resumed.rateFor(7), schedule.rateFor(7));
    assert.equal(resumed.rateFor(7), 0.0025);
    assert.equal(new LearningRateSchedule(BASE).state, undefined, 'only the plateau schedule has state to keep');
  });
});
