import { z } from 'zod';
import { bestFirst, SWEEP_STATUSES, TRIAL_STATUSES, type Direction } from './lifecycle';

const paging = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

export const ListSweepsQuerySchema = z.strictObject({
  ...paging,
  status: z.enum(SWEEP_STATUSES).optional(),
});
export type ListSweepsQuery = z.output<typeof ListSweepsQuerySchema>;

/** How many points a downsampled curve may have. */
export const curvePoints = z.coerce.number().int().min(2).max(10_000);

export const TRIAL_SORT_KEYS = ['objective', 'number', 'createdAt'] as const;
export type TrialSortKey = (typeof TRIAL_SORT_KEYS)[number];

/** The longest `after` cursor the API gives out is far shorter; anything longer is not one. */
export const TRIAL_CURSOR_MAX_LENGTH = 400;

export const ListTrialsQuerySchema = z
  .strictObject({
    ...paging,
    /** `objective` puts the best trials first (per the sweep's direction) unless `order` says otherwise. */
    sort: z.enum(TRIAL_SORT_KEYS).default('objective'),
    order: z.enum(['asc', 'desc']).optional(),
    status: z.enum(TRIAL_STATUSES).optional(),
    after: z
      .string()
      .min(1)
      .max(TRIAL_CURSOR_MAX_LENGTH)
      .optional()
      .describe("the page after the one whose `nextCursor` this is (same sort, order and status); read in index order however deep, where `offset` reads and skips every row before"),
  })
  .refine((query) => query.after === undefined || query.offset === 0, { path: ['after'], message: 'give offset or after, not both' });
export type ListTrialsQuery = z.output<typeof ListTrialsQuerySchema>;

/** The order a trial list is in: `order` when given; else best first for `objective` (by the sweep's direction), ascending otherwise. Ties by trial number, ascending. */
export function trialListOrder(sort: TrialSortKey, order: 'asc' | 'desc' | undefined, direction: Direction): 'asc' | 'desc' {
  return order ?? (sort === 'objective' ? (bestFirst(direction) === 'DESC' ? 'desc' : 'asc') : 'asc');
}

export const TrialMetricsQuerySchema = z.strictObject({
  names: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, 'a comma-separated list of metric names')
    .optional()
    .describe('comma-separated metric names, e.g. loss,val_loss; all metrics when absent'),
  points: curvePoints.optional().describe('downsample each series to at most this many points (LTTB, first and last kept); every point when absent'),
});
export type TrialMetricsQuery = z.output<typeof TrialMetricsQuerySchema>;

/** PATCH /api/v1/sweeps/:id: change the budget of a running, paused or finished sweep. */
export const UpdateSweepSchema = z
  .strictObject({
    maxTrials: z.int().min(1).max(100_000).optional(),
    maxConcurrent: z.int().min(1).max(100_000).optional(),
  })
  .refine((patch) => patch.maxTrials !== undefined || patch.maxConcurrent !== undefined, { message: 'give maxTrials and/or maxConcurrent' });
export type UpdateSweep = z.output<typeof UpdateSweepSchema>;

/** GET /api/v1/workers: `all=true` includes stopped and silent workers. */
export const ListWorkersQuerySchema = z.strictObject({ all: z.enum(['true', 'false']).optional().describe('include stopped and silent workers') });
export type ListWorkersQuery = z.output<typeof ListWorkersQuerySchema>;

/** POST /api/v1/datasets: the name to store the upload under (a timestamped one when absent). */
const PROJECT_QUERY = "the project's id or name (default: the caller's only project where they may create)";
export const UploadDatasetQuerySchema = z.object({ name: z.string().max(200).optional(), project: z.string().max(100).optional().describe(PROJECT_QUERY) });

/** POST /api/v1/sweeps: the project to create the sweep in. */
export const CreateSweepQuerySchema = z.object({ project: z.string().max(100).optional().describe(PROJECT_QUERY) });

/** GET /api/v1/sweeps/:id/best-model/weights.bin: the weights of this trial of the sweep (what the sweep's model.json names), else of its best now. */
export const BestModelWeightsQuerySchema = z.strictObject({
  trial: z.uuid().optional().describe("a trial of the sweep (its best-model model.json names it); the sweep's best exportable trial when absent"),
});
export type BestModelWeightsQuery = z.output<typeof BestModelWeightsQuerySchema>;
