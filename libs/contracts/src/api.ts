import { z } from 'zod';
import { AlgorithmSchema, type AlgorithmSpec } from './algorithm.schema';
import { ObjectiveSchema, SweepSpecSchema } from './sweep-spec.schema';
import { SWEEP_STATUSES, TRIAL_STATUSES } from './lifecycle';

/**
 * What the API answers, as zod schemas: the coordinator documents them (OpenAPI), the shared client
 * parses every answer with them, and the types below are inferred from them.
 */

const isoTime = z.string().describe('ISO 8601 time');
const paramValue = z.union([z.number(), z.string(), z.boolean()]);

/** A metric and which way is better; unlike a spec's objective, any stored metric (`param_count`, say). */
export const MetricObjectiveSchema = z.object({ metric: z.string(), direction: ObjectiveSchema.shape.direction });

export const SweepStatusSchema = z.enum(SWEEP_STATUSES);
export const TrialStatusSchema = z.enum(TRIAL_STATUSES);

/** What a trial trains: the resolved dataset settings and model hyperparameters. */
export const TrialConfigSchema = z.object({
  model: z.enum(['lstm', 'simulated']),
  dataset: z.object({ source: z.string() }).catchall(z.union([paramValue, z.array(z.string())])),
  /** Per-layer hyperparameters (`hiddenUnits` or `cell` with `type: perLayer`) hold one value per layer. */
  hyperparameters: z.record(z.string(), z.union([paramValue, z.array(z.union([z.number(), z.string()]))])),
  maxEpochs: z.number(),
  checkpointEvery: z.number(),
});
export type TrialConfig = z.infer<typeof TrialConfigSchema>;

/** `requeued`: the reconciler found the trial's job lost (or its worker gone) and queued it again; `superseded`: a run stopped because a later claim took the trial over. */
export const TRIAL_EVENT_TYPES = ['started', 'resumed', 'checkpoint-fallback', 'handed-back', 'requeued', 'superseded', 'completed', 'pruned', 'failed', 'cancelled'] as const;
export type TrialEventType = (typeof TRIAL_EVENT_TYPES)[number];

export const TrialEventSchema = z.object({ at: isoTime, type: z.enum(TRIAL_EVENT_TYPES), message: z.string() });
export type TrialEvent = z.infer<typeof TrialEventSchema>;

/** One page of a list: `total` items in all, `limit` from `offset`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.int(), limit: z.int(), offset: z.int() });
}
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const TrialCountsSchema = z.object({ total: z.int(), ...Object.fromEntries(TRIAL_STATUSES.map((s) => [s, z.int()])) } as {
  total: z.ZodInt;
} & Record<(typeof TRIAL_STATUSES)[number], z.ZodInt>);
export type TrialCounts = z.infer<typeof TrialCountsSchema>;

/** How a classifier's test split was classified: counts[actual][predicted], the classes in the model's order. */
export const ConfusionMatrixSchema = z.object({ classes: z.array(z.string()), counts: z.array(z.array(z.int())) });
export type ConfusionMatrix = z.infer<typeof ConfusionMatrixSchema>;

/** A trial's scores on its test split: test_loss with test_mae and seasonal_naive_test_mae (forecasting), or test_bpc (text). */
export const TestMetricsSchema = z.record(z.string(), z.number());

export const SweepDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The project the sweep belongs to (the caller's role there decides what they may do to it). */
  projectId: z.string(),
  status: SweepStatusSchema,
  /** Why it ended so: a failed sweep's reason (what its first failed trial said); null otherwise. */
  statusReason: z.string().nullable(),
  spec: SweepSpecSchema,
  seed: z.number(),
  objective: ObjectiveSchema,
  algorithm: z.enum(AlgorithmSchema.options.map((option) => option.shape.type.value) as [AlgorithmSpec['type'], ...AlgorithmSpec['type'][]]),
  /** Trials the sweep will run in all: maxTrials, or the grid's size when it is smaller. */
  plannedTrials: z.int(),
  trialsCreated: z.int(),
  trialCounts: TrialCountsSchema,
  /** The best trial by the objective, with its test split's scores once it has ended (test_mae beside seasonal_naive_test_mae, or test_bpc). */
  best: z.object({ trialId: z.string(), value: z.number(), testMetrics: TestMetricsSchema.nullable() }).nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  finishedAt: isoTime.nullable(),
});
export type SweepDto = z.infer<typeof SweepDtoSchema>;

export const TrialDtoSchema = z.object({
  id: z.string(),
  sweepId: z.string(),
  number: z.int(),
  status: TrialStatusSchema,
  statusReason: z.string().nullable(),
  config: TrialConfigSchema,
  seed: z.number(),
  attempts: z.int(),
  bestMetric: z.number().nullable(),
  lastEpoch: z.int().nullable(),
  /** The epoch whose stored checkpoint scored `bestMetric`: the model the trial hands over. */
  bestEpoch: z.int().nullable(),
  /** The best epoch's scores on the test split, measured once as the trial ended; nothing selects on them. */
  testMetrics: TestMetricsSchema.nullable(),
  /** A classifier's confusion matrix on the test split (the same model and rows as testMetrics); null for other tasks. */
  testConfusion: ConfusionMatrixSchema.nullable(),
  prunedRung: z.int().nullable(),
  workerId: z.string().nullable(),
  backend: z.string().nullable(),
  events: z.array(TrialEventSchema),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
});
export type TrialDto = z.infer<typeof TrialDtoSchema>;

export const WorkerDtoSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.int(),
  backend: z.string(),
  concurrency: z.int(),
  runningTrialIds: z.array(z.string()),
  startedAt: isoTime,
  lastHeartbeatAt: isoTime,
  heartbeatAgeSeconds: z.number(),
});
export type WorkerDto = z.infer<typeof WorkerDtoSchema>;

export const WorkerListSchema = z.object({ items: z.array(WorkerDtoSchema) });

export const MetricSeriesDtoSchema = z.object({
  trialId: z.string(),
  metrics: z.record(z.string(), z.object({ epochs: z.array(z.number()), values: z.array(z.number()) })),
});
export type MetricSeriesDto = z.infer<typeof MetricSeriesDtoSchema>;

export const CancelSweepResultDtoSchema = z.object({ sweep: SweepDtoSchema, cancelledTrials: z.int(), removedJobs: z.int() });
export type CancelSweepResultDto = z.infer<typeof CancelSweepResultDtoSchema>;

/** GET /sweeps/:id/pareto: each compared trial's best value of two objectives, and the trials no other beats on both. */
export const ParetoDtoSchema = z.object({
  sweepId: z.string(),
  objectives: z.array(MetricObjectiveSchema),
  front: z.array(z.object({ trialId: z.string(), number: z.int(), values: z.record(z.string(), z.number()) })),
  trialsCompared: z.int(),
});
export type ParetoDto = z.infer<typeof ParetoDtoSchema>;

export const CheckpointDtoSchema = z.object({ epoch: z.int(), format: z.string(), sizeBytes: z.int(), createdAt: isoTime });
export type CheckpointDto = z.infer<typeof CheckpointDtoSchema>;

/** A TensorFlow.js model.json: `tf.loadLayersModel(url)` reads it and fetches the weights it names. */
export const LayersModelJsonSchema = z.looseObject({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.looseObject({ paths: z.array(z.string()), weights: z.array(z.looseObject({ name: z.string() })) })),
});

/**
 * What an exported model's `userDefinedMetadata.tuneforge` holds (`ModelBundleMetadata` of @tuneforge/formats,
 * format `tuneforge-model/v1`): how its inputs are made from raw data, the trial it came from, its scores.
 */
export const ModelBundleMetadataSchema = z.object({
  format: z.literal('tuneforge-model/v1'),
  /**
   * `forecast`: target, timeColumn, inputs (value columns with the training split's mean and std, calendar features), window, horizon, season;
   * `text`: window, vocabulary; `classify` of texts: maxLength, vocabulary (0 pads, 1 is unknown), classes; `classify` with
   * `input: 'series'`: steps, inputs (columns with the training split's mean and std), classes, sequence (the column grouping rows, or null).
   */
  preprocessing: z.union([
    z.looseObject({ task: z.enum(['forecast', 'text']), window: z.int() }),
    z.looseObject({ task: z.literal('classify'), maxLength: z.int(), vocabulary: z.array(z.string()), classes: z.array(z.string()) }),
    z.looseObject({
      task: z.literal('classify'),
      input: z.literal('series'),
      steps: z.int(),
      inputs: z.array(z.object({ column: z.string(), mean: z.number(), std: z.number() })),
      classes: z.array(z.string()),
      sequence: z.string().nullable(),
    }),
  ]),
  trial: z.object({ id: z.string(), sweepId: z.string(), number: z.int(), seed: z.number(), bestEpoch: z.int(), config: TrialConfigSchema }),
  objective: MetricObjectiveSchema,
  /** `validation`: the objective's best value (the exported epoch's); `test`: that epoch's test-split scores. */
  scores: z.object({ validation: z.number().nullable(), test: TestMetricsSchema.nullable() }),
});

export type ModelBundleMetadataDto = z.infer<typeof ModelBundleMetadataSchema>;

/** A model.json whose `userDefinedMetadata.tuneforge` says how to use the model: `tf.loadLayersModel(url)` loads it, @tuneforge/predict uses it. */
export const ModelBundleJsonSchema = LayersModelJsonSchema.extend({ userDefinedMetadata: z.looseObject({ tuneforge: ModelBundleMetadataSchema }) });

export const DatasetDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  format: z.string(),
  columns: z.array(z.object({ name: z.string(), type: z.enum(['number', 'time', 'text']) })),
  rowCount: z.int(),
  sizeBytes: z.int(),
  sha256: z.string(),
  createdAt: isoTime,
});
export type DatasetDto = z.infer<typeof DatasetDtoSchema>;

export const DatasetListSchema = z.object({ items: z.array(DatasetDtoSchema) });

const dependencyCheck = z.object({ status: z.enum(['up', 'down']), latencyMs: z.number().optional(), error: z.string().optional() });
/** GET /health: 200 when PostgreSQL and Redis answer (`degraded` while trials are stranded), 503 with the same body when one does not. */
export const HealthDtoSchema = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.object({
    postgres: dependencyCheck,
    redis: dependencyCheck,
    /** Trials queued without a job, or running with no live worker, for longer than STRANDED_AFTER_MS. */
    trials: z.object({ status: z.enum(['up', 'degraded', 'unknown']), stranded: z.int().optional(), strandedAfterMs: z.number() }),
  }),
  /** Whether this replica leads: runs the periodic reconcile pass (one replica of those sharing a database does). */
  leader: z.boolean(),
});
export type HealthDto = z.infer<typeof HealthDtoSchema>;
export type DependencyCheck = HealthDto['checks']['postgres'];
export type StrandedTrialsCheck = HealthDto['checks']['trials'];

export const LivenessDtoSchema = z.object({ status: z.literal('ok') });

/** The caller: who they are and their role in each project (deployment admins: admin of every project). */
export const MeDtoSchema = z.object({
  user: z.object({ id: z.string(), name: z.string(), kind: z.enum(['person', 'service']), isAdmin: z.boolean() }),
  projects: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['viewer', 'editor', 'admin']) })),
  via: z.enum(['token', 'session', 'auth-off']),
});
export type MeDto = z.infer<typeof MeDtoSchema>;

/** Signing in on the dashboard: a user's name and password, or an API token (the admin's first one, say). */
export const SignInSchema = z.union([
  z.strictObject({ name: z.string().min(1).max(100), password: z.string().min(1).max(1_000) }),
  z.strictObject({ token: z.string().min(1).max(200) }),
]);
export type SignIn = z.infer<typeof SignInSchema>;
