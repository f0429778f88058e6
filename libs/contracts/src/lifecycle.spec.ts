import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTIVE_TRIAL_STATUSES,
  bestFirst,
  canSweepBecome,
  canTrialBecome,
  FINISHED_TRIAL_STATUSES,
  isActiveSweep,
  isActiveTrial,
  isFinishedTrial,
  sweepEndOf,
  sweepRoom,
  sweepStatusesThatMayBecome,
  TRIAL_STATUSES,
  trialStatusesThatMayBecome,
} from './lifecycle';

describe('trial lifecycle', () => {
  it('splits every status into active or finished, never both', () => {
    for (const status of TRIAL_STATUSES) assert.notEqual(isActiveTrial(status), isFinishedTrial(status), status);
    assert.deepEqual([...ACTIVE_TRIAL_STATUSES, ...FINISHED_TRIAL_STATUSES].sort(), [...TRIAL_STATUSES].sort());
  });

  it('never changes a finished trial again', () => {
    for (const from of FINISHED_TRIAL_STATUSES) for (const to of TRIAL_STATUSES) assert.equal(canTrialBecome(from, to), false, `${from} -> ${to}`);
  });

  it('lets a running trial be taken over, handed back or ended, and a queued one start or end', () => {
    assert.ok(canTrialBecome('running', 'running'));
    assert.ok(canTrialBecome('running', 'queued'));
    assert.ok(canTrialBecome('queued', 'running'));
    assert.equal(canTrialBecome('queued', 'queued'), false);
    for (const end of FINISHED_TRIAL_STATUSES) assert.deepEqual(trialStatusesThatMayBecome(end), ['queued', 'running'], end);
    assert.deepEqual(trialStatusesThatMayBecome('queued'), ['running']);
  });
});

describe('sweep lifecycle', () => {
  it('pauses and resumes, reopens a completed sweep, and never leaves cancelled or failed', () => {
    assert.ok(canSweepBecome('running', 'paused') && canSweepBecome('paused', 'running'));
    assert.ok(canSweepBecome('completed', 'running'));
    assert.equal(canSweepBecome('paused', 'completed'), false, 'a paused sweep completes only after it resumes');
    assert.deepEqual(sweepStatusesThatMayBecome('cancelled'), ['running', 'paused']);
    assert.deepEqual(sweepStatusesThatMayBecome('running'), ['paused', 'completed']);
    assert.ok(isActiveSweep('paused') && !isActiveSweep('completed'));
  });

  it('gives a running sweep room up to its concurrency and its plan, and calls it done when everything created has ended', () => {
    assert.deepEqual(sweepRoom({ maxConcurrent: 4, plannedTrials: 10, trialsCreated: 3, activeTrials: 1 }), { room: 3, done: false });
    assert.deepEqual(sweepRoom({ maxConcurrent: 4, plannedTrials: 10, trialsCreated: 9, activeTrials: 1 }), { room: 1, done: false });
    assert.deepEqual(sweepRoom({ maxConcurrent: 4, plannedTrials: 10, trialsCreated: 10, activeTrials: 2 }), { room: 0, done: false });
    assert.deepEqual(sweepRoom({ maxConcurrent: 4, plannedTrials: 10, trialsCreated: 10, activeTrials: 0 }), { room: 0, done: true });
    assert.ok(sweepRoom({ maxConcurrent: 2, plannedTrials: 10, trialsCreated: 5, activeTrials: 3 }).room < 0, 'a lowered maxConcurrent leaves negative room');
  });
});

describe('best first', () => {
  it('orders by the objective direction', () => {
    assert.equal(bestFirst('minimize'), 'ASC');
    assert.equal(bestFirst('maximize'), 'DESC');
  });
});

describe(sweepEndOf.name, () => {
  it('completes a sweep with any result, and fails one with none, saying what its first failed trial said', () => {
    assert.deepEqual(sweepEndOf({ scored: 1, failed: 9, firstFailure: { number: 0, reason: 'non-finite loss' } }), { status: 'completed', reason: null });
    assert.deepEqual(sweepEndOf({ scored: 0, failed: 3, firstFailure: { number: 2, reason: 'dataset too short' } }), {
      status: 'failed',
      reason: 'all 3 trials failed; the first, trial 2: dataset too short',
    });
    assert.deepEqual(sweepEndOf({ scored: 0, failed: 1, firstFailure: { number: 0, reason: null } }), { status: 'failed', reason: 'its only trial failed (trial 0: no reason recorded)' });
  });
});
