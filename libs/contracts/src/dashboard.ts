import { z } from 'zod';
import { curvePoints } from './api-query';
import type { TrialStatus, SweepStatus } from './lifecycle';

const metricName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a metric name (letters, digits, _ . -)');
const uuidList = z
  .string()
  .regex(/^[0-9a-f-]{36}(,[0-9a-f-]{36}){0,49}$/i, 'a comma-separated list of at most 50 trial ids');

/** GET /api/v1/sweeps/:id/curves: one metric of the sweep's best trials (or the listed ones), downsampled. */
export const SweepCurvesQuerySchema = z.strictObject({
  /** Defaults to the sweep's objective metric. */
  metric: metricName.optional(),
  top: z.coerce.number().int().min(1).max(50).default(10),
  points: curvePoints.default(200),
  /** Comma-separated trial ids; overrides `top`. */
  trials: uuidList.optional(),
});
export type SweepCurvesQuery = z.output<typeof SweepCurvesQuerySchema>;

export interface CurveDto {
  trialId: string;
  number: number;
  status: TrialStatus;
  bestMetric: number | null;
  /** Points stored for this metric before downsampling. */
  storedPoints: number;
  epochs: number[];
  values: number[];
}

export interface SweepCurvesDto {
  sweepId: string;
  metric: string;
  points: number;
  curves: CurveDto[];
}

/**
 * GET /api/v1/sweeps/:id/trial-points: every trial's hyperparameters and objective in columns,
 * for the parallel-coordinates and objective-vs-trial plots (thousands of trials in one small answer).
 */
export interface TrialPointsDto {
  sweepId: string;
  objective: { metric: string; direction: 'minimize' | 'maximize' };
  /** Hyperparameter names; `values[i]` of a trial is the value of `parameters[i]` (per-layer lists joined by "/"). */
  parameters: string[];
  trials: { id: string; number: number; status: TrialStatus; objective: number | null; values: (number | string | boolean | null)[] }[];
}

/** GET /api/v1/events: the optional filter; without it every sweep's events are sent. */
export const EventsQuerySchema = z.strictObject({
  sweep: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a sweep id (uuid)')
    .optional(),
});
export type EventsQuery = z.output<typeof EventsQuerySchema>;

/** What the coordinator streams over Server-Sent Events; the SSE `event:` field is the `type`. */
export type DashboardEvent =
  | { type: 'hello'; serverTime: string; pollMs: number }
  | { type: 'heartbeat'; serverTime: string }
  | { type: 'sweep'; sweepId: string; status: SweepStatus; trialsCreated: number; plannedTrials: number }
  | { type: 'trial'; sweepId: string; trialId: string; number: number; status: TrialStatus; lastEpoch: number | null; bestMetric: number | null; prunedRung: number | null }
  | { type: 'metrics'; sweepId: string; trialId: string; epoch: number }
  | { type: 'workers'; workerIds: string[]; runningTrials: number };
export type DashboardEventType = DashboardEvent['type'];
