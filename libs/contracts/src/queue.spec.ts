import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrialJobResultSchema, trialJobOptions, webhookJobOptions } from './queue';

describe('TrialJobResultSchema', () => {
  it("reads a worker's result and refuses one without its sweep or with an unknown outcome", () => {
    assert.deepEqual(TrialJobResultSchema.parse({ outcome: 'pruned', sweepId: 's-1' }), { outcome: 'pruned', sweepId: 's-1' });
    assert.equal(TrialJobResultSchema.safeParse({ outcome: 'pruned' }).success, false);
    assert.equal(TrialJobResultSchema.safeParse({ outcome: 'exploded', sweepId: 's-1' }).success, false);
  });
});

describe(trialJobOptions.name, () => {
  it('keys the job by its trial and gives each job its own backoff object', () => {
    const first = trialJobOptions('t-1');
    assert.equal(first.jobId, 't-1');
    assert.notEqual(first.backoff, trialJobOptions('t-2').backoff);
  });
});

describe(webhookJobOptions.name, () => {
  it('keys the job by its notification, so every replica adding it adds one job, and backs off exponentially', () => {
    const options = webhookJobOptions('n-1', { attempts: 8, firstRetryMs: 10_000 });
    assert.deepEqual([options.jobId, options.attempts, options.backoff.type, options.backoff.delay], ['n-1', 8, 'exponential', 10_000]);
  });
});
