import { mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@tuneforge/testing';
import type { FaultStack } from './fault-stack';

const ROOT = join(__dirname, '../../..');
export const FAULT_RECOVERY_FILE = join(ROOT, 'tmp', 'fault-recovery.json');

/** How long a fault held the sweep up: from the fault to the first epoch a trial it affected trained after it. */
export interface FaultTiming {
  scenario: string;
  fault: string;
  faultAt: string;
  /** When the fault was undone (the server started again, a worker came back), for faults that last. */
  restoredAt?: string;
  /** metric_points.recorded_at of the first epoch stored after the fault by a trial the fault affected. */
  firstEpochAt?: string;
  /** firstEpochAt - faultAt. */
  recoveryMs?: number;
  /** firstEpochAt - restoredAt. */
  afterRestoreMs?: number;
  /** Every measurement, when the scenario injects the fault more than once (recoveryMs is the worst). */
  samplesMs?: number[];
  /** Other durations the scenario measured (a shutdown's exit time). */
  durationsMs?: Record<string, number>;
  /** Which trials counted as affected, how interruptions were decided. */
  notes: string;
}

/** Which trials' epochs count as recovery: these ids, or those created after a time (OR-ed when both are given). */
export interface AffectedTrials {
  trialIds?: readonly string[];
  createdAfter?: number;
}

/**
 * Polls until a trial in `affected` stores an epoch after `since` (ms since the epoch) and returns
 * that epoch's recorded_at. Read as soon as it appears: a later upsert of the same row (an epoch
 * trained again) moves recorded_at.
 */
export async function firstEpochAfter(stack: FaultStack, sweepId: string, since: number, affected: AffectedTrials, timeoutMs = 120_000): Promise<number> {
  return waitFor(
    `a trial affected by the fault stores an epoch`,
    async () => {
      const { rows } = await stack.db.query<{ at: Date | null }>(
        `SELECT min(m.recorded_at) AS at FROM metric_points m JOIN trials t ON t.id = m.trial_id
         WHERE m.sweep_id = $1 AND m.recorded_at > to_timestamp($2::float8 / 1000)
           AND (t.id = ANY($3::uuid[]) OR t.created_at > to_timestamp($4::float8 / 1000))`,
        [sweepId, since, affected.trialIds ?? [], affected.createdAfter ?? Number.MAX_SAFE_INTEGER / 2],
      );
      return rows[0].at ? rows[0].at.getTime() : undefined;
    },
    timeoutMs,
  );
}

/** A timing from the fault's moments. */
export function faultTiming(scenario: string, fault: string, faultAt: number, firstEpochAt: number | undefined, notes: string, restoredAt?: number): FaultTiming {
  return {
    scenario,
    fault,
    faultAt: new Date(faultAt).toISOString(),
    restoredAt: restoredAt === undefined ? undefined : new Date(restoredAt).toISOString(),
    firstEpochAt: firstEpochAt === undefined ? undefined : new Date(firstEpochAt).toISOString(),
    recoveryMs: firstEpochAt === undefined ? undefined : firstEpochAt - faultAt,
    afterRestoreMs: firstEpochAt === undefined || restoredAt === undefined ? undefined : firstEpochAt - restoredAt,
    notes,
  };
}

/**
 * Adds a scenario's timing to tmp/fault-recovery.json (keyed by scenario). Test files run in parallel
 * processes, so the read-modify-write happens under a lock directory.
 */
export async function recordFaultTiming(timing: FaultTiming, file = FAULT_RECOVERY_FILE): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const lock = `${file}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A holder that died leaves the lock behind; take it over after the deadline.
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    let current: { updatedAt?: string; faults: Record<string, FaultTiming> } = { faults: {} };
    try {
      current = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // first record, or an unreadable file: start over
    }
    current.faults = { ...current.faults, [timing.scenario]: timing };
    current.updatedAt = new Date().toISOString();
    writeFileSync(`${file}.tmp`, `${JSON.stringify(current, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  } finally {
    try {
      rmdirSync(lock);
    } catch {
      // already gone
    }
  }
}
