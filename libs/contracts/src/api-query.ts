import { z } from 'zod';
import { SWEEP_STATUSES, TRIAL_STATUSES } from './lifecycle';

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

export const ListTrialsQuerySchema = z.strictObject({
  ...paging,
  /** `objective` puts the best trials first (per the sweep's direction) unless `order` says otherwise. */
  sort: z.enum(TRIAL_SORT_KEYS).default('objective'),
  order: z.enum(['asc', 'desc']).optional(),
  status: z.enum(TRIAL_STATUSES).optional(),
});
export type ListTrialsQuery = z.output<typeof ListTrialsQuerySchema>;

export const TrialMetricsQuerySchema = z.strictObject({
  /** Comma-separated metric names; all metrics when absent. */
  names: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, 'a comma-separated list of metric names')
    .optional(),
  /** Downsample each series to at most this many points (first and last kept); every point when absent. */
  points: curvePoints.optional(),
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
