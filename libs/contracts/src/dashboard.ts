import { z } from 'zod';
import { curvePoints } from './api-query';
import { MetricObjectiveSchema, SweepStatusSchema, TrialStatusSchema } from './api';

const metricName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a metric name (letters, digits, _ . -)');
const uuidList = z
  .string()
  .regex(/^[0-9a-f-]{36}(,[0-9a-f-]{36}){0,49}$/i, 'a comma-separated list of at most 50 trial ids');

/** GET /api/v1/sweeps/:id/curves: one metric of the sweep's best trials (or the listed ones), downsampled. */
export const SweepCurvesQuerySchema = z.strictObject({
  metric: metricName.optional().describe("metric name; the sweep's objective metric when absent"),
  top: z.coerce.number().int().min(1).max(50).default(10),
  points: curvePoints.default(200).describe('at most this many points per curve; first and last epochs kept'),
  trials: uuidList.optional().describe('comma-separated trial ids (at most 50) instead of the top trials'),
});
export type SweepCurvesQuery = z.output<typeof SweepCurvesQuerySchema>;

export const CurveDtoSchema = z.object({
  trialId: z.string(),
  number: z.int(),
  status: TrialStatusSchema,
  bestMetric: z.number().nullable(),
  /** Points stored for this metric before downsampling. */
  storedPoints: z.int(),
  epochs: z.array(z.number()),
  values: z.array(z.number()),
});
export type CurveDto = z.infer<typeof CurveDtoSchema>;

export const SweepCurvesDtoSchema = z.object({ sweepId: z.string(), metric: z.string(), points: z.int(), curves: z.array(CurveDtoSchema) });
export type SweepCurvesDto = z.infer<typeof SweepCurvesDtoSchema>;

/** GET /api/v1/sweeps/:id/trial-points: how many trials at most (a plot of more says nothing more, and costs a lot to send). */
export const TrialPointsQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(20_000)
    .default(5_000)
    .describe('at most this many trials: every trial when the sweep has no more, else the best this many with a value'),
});
export type TrialPointsQuery = z.output<typeof TrialPointsQuerySchema>;

/**
 * GET /api/v1/sweeps/:id/trial-points: the trials' hyperparameters and objective in columns, by number,
 * for the parallel-coordinates and objective-vs-trial plots (thousands of trials in one small answer).
 */
export const TrialPointsDtoSchema = z.object({
  sweepId: z.string(),
  objective: MetricObjectiveSchema,
  /** The sweep's trials in all: `trials` holds every one when this is at most the query's `limit`, else the best `limit` with a value. */
  total: z.int(),
  /** Hyperparameter names; `values[i]` of a trial is the value of `parameters[i]` (per-layer lists joined by "/"). */
  parameters: z.array(z.string()),
  trials: z.array(
    z.object({
      id: z.string(),
      number: z.int(),
      status: TrialStatusSchema,
      objective: z.number().nullable(),
      /** Epochs trained (what the trial cost). */
      epochs: z.int().nullable(),
      values: z.array(z.union([z.number(), z.string(), z.boolean()]).nullable()),
    }),
  ),
});
export type TrialPointsDto = z.infer<typeof TrialPointsDtoSchema>;

/**
 * GET /api/v1/sweeps/:id/importance: how much the objective depends on each searched hyperparameter (`method` names
 * how it is measured), largest first; `note` says why there is nothing yet (too few finished trials).
 */
export const ImportanceDtoSchema = z.object({
  sweepId: z.string(),
  objective: MetricObjectiveSchema,
  method: z.string(),
  /** Finished trials with an objective, and of them those the model learned from and was measured on. */
  trials: z.int(),
  trained: z.int(),
  measured: z.int(),
  parameters: z.array(z.object({ name: z.string(), importance: z.number(), mseIncrease: z.number() })),
  note: z.string().nullable(),
});
export type ImportanceDto = z.infer<typeof ImportanceDtoSchema>;

/** GET /api/v1/events: the optional filter; without it every sweep's events are sent. */
export const EventsQuerySchema = z.strictObject({
  sweep: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a sweep id (uuid)')
    .optional()
    .describe("only this sweep's sweep, trial and metrics events"),
});
export type EventsQuery = z.output<typeof EventsQuerySchema>;

/** What the coordinator streams over Server-Sent Events; the SSE `event:` field is the `type`. */
export const DashboardEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), serverTime: z.string(), pollMs: z.number() }),
  z.object({ type: z.literal('heartbeat'), serverTime: z.string() }),
  z.object({ type: z.literal('sweep'), sweepId: z.string(), status: SweepStatusSchema, trialsCreated: z.int(), plannedTrials: z.int() }),
  z.object({
    type: z.literal('trial'),
    sweepId: z.string(),
    trialId: z.string(),
    number: z.int(),
    status: TrialStatusSchema,
    lastEpoch: z.int().nullable(),
    bestMetric: z.number().nullable(),
    prunedRung: z.int().nullable(),
  }),
  z.object({ type: z.literal('metrics'), sweepId: z.string(), trialId: z.string(), epoch: z.int() }),
  z.object({ type: z.literal('workers'), workerIds: z.array(z.string()), runningTrials: z.int() }),
]);
export type DashboardEvent = z.infer<typeof DashboardEventSchema>;
export type DashboardEventType = DashboardEvent['type'];
