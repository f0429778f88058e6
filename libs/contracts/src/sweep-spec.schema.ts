import { z } from 'zod';
import { DATASET_HYPERPARAMETERS, MODEL_HYPERPARAMETERS, type ModelHyperparameterName } from './hyperparameters';
import { AlgorithmSchema, algorithmIssues } from './algorithm.schema';
import { EarlyStoppingSchema, earlyStoppingIssues, type SpecIssue } from './early-stopping.schema';
import { booleanParamSchema, categoricalParamSchema, paramSchema, perLayerParamSchema } from './search-space.schema';
import { conditionIssues, searchDimensionsOf } from './trial-config';

export const BUILTIN_FORECAST_DATASETS = ['us-births-1969-1988'] as const;
export const BUILTIN_TEXT_DATASETS = ['sotu'] as const;
/** Sequences with a class each: first names by sex (character level), e-mails spam or ham. */
export const BUILTIN_CLASSIFICATION_DATASETS = ['first-names', 'spam-assassin'] as const;

const validationSplit = z.number().min(0.05).max(0.5).default(0.2);
/** The last rows: scored once per trial, on the model it hands over; nothing selects on them. */
export const TEST_SPLIT_DEFAULT = 0.1;
const testSplit = z.number().min(0.05).max(0.4).default(TEST_SPLIT_DEFAULT);
/**
 * What a forecasting model outputs: the change from the seasonal-naive forecast (the value a season
 * earlier; a window shorter than the season forecasts the level), or the level itself.
 */
export const FORECAST_OUTPUTS = ['seasonal-difference', 'level'] as const;
const output = z.enum(FORECAST_OUTPUTS).default('seasonal-difference');
/** At least this share of the rows trains. */
const MIN_TRAIN_SHARE = 0.4;

export const ForecastDatasetSchema = z.strictObject({
  source: z.literal('builtin'),
  name: z.enum(BUILTIN_FORECAST_DATASETS),
  window: paramSchema(DATASET_HYPERPARAMETERS.window).default(DATASET_HYPERPARAMETERS.window.default),
  horizon: paramSchema(DATASET_HYPERPARAMETERS.horizon).default(DATASET_HYPERPARAMETERS.horizon.default),
  output,
  validationSplit,
  testSplit,
});

export const TextDatasetSchema = z.strictObject({
  source: z.literal('builtin'),
  name: z.enum(BUILTIN_TEXT_DATASETS),
  window: paramSchema(DATASET_HYPERPARAMETERS.window).default(64),
  maxChars: paramSchema(DATASET_HYPERPARAMETERS.maxChars).default(DATASET_HYPERPARAMETERS.maxChars.default),
  validationSplit,
  testSplit,
});

export const ClassificationDatasetSchema = z.strictObject({
  source: z.literal('builtin'),
  name: z.enum(BUILTIN_CLASSIFICATION_DATASETS),
  maxLength: paramSchema(DATASET_HYPERPARAMETERS.maxLength).default(DATASET_HYPERPARAMETERS.maxLength.default),
  validationSplit,
  testSplit,
});

const columnName = z.string().min(1).max(200);

/** A CSV time series uploaded with POST /api/v1/datasets: forecast `target` from itself and `features`. */
export const UploadDatasetSchema = z.strictObject({
  source: z.literal('upload'),
  task: z.literal('forecast').default('forecast'),
  id: z.uuid(),
  target: columnName,
  features: z.array(columnName).max(100).default([]),
  window: paramSchema(DATASET_HYPERPARAMETERS.window).default(DATASET_HYPERPARAMETERS.window.default),
  horizon: paramSchema(DATASET_HYPERPARAMETERS.horizon).default(DATASET_HYPERPARAMETERS.horizon.default),
  output,
  validationSplit,
  testSplit,
});

/**
 * A CSV with a class column uploaded with POST /api/v1/datasets. A sample is one row's `text` (read as characters),
 * the rows sharing a `sequence` id (their `features`, one step per row, in file order), or each `window` of rows of
 * one series (labelled with its last row's class). Longer samples than `maxLength` are refused, not cut.
 */
export const UploadClassificationDatasetSchema = z.strictObject({
  source: z.literal('upload'),
  task: z.literal('classify'),
  id: z.uuid(),
  label: columnName,
  text: columnName.optional(),
  features: z.array(columnName).max(100).default([]),
  sequence: columnName.optional(),
  window: z.int().min(1).max(DATASET_HYPERPARAMETERS.window.max).optional(),
  maxLength: z.int().min(1).max(DATASET_HYPERPARAMETERS.maxLength.max).default(DATASET_HYPERPARAMETERS.maxLength.default),
  validationSplit,
  testSplit,
});

export const DatasetSpecSchema = z.discriminatedUnion('source', [
  z.discriminatedUnion('name', [ForecastDatasetSchema, TextDatasetSchema, ClassificationDatasetSchema]),
  z.discriminatedUnion('task', [UploadDatasetSchema, UploadClassificationDatasetSchema]),
]);

export const FORECAST_METRICS = ['loss', 'val_loss', 'val_mae'] as const;
export const TEXT_METRICS = ['loss', 'val_loss', 'val_bpc'] as const;
export const CLASSIFICATION_METRICS = ['loss', 'val_loss', 'val_accuracy', 'val_macro_f1'] as const;

/** The task a dataset trains (uploads stored before classification lack `task`: they forecast). */
export function datasetTask(dataset: { source: string; name?: unknown; task?: unknown }): 'forecast' | 'text' | 'classify' {
  if (dataset.source !== 'builtin') return dataset.task === 'classify' ? 'classify' : 'forecast';
  if ((BUILTIN_TEXT_DATASETS as readonly unknown[]).includes(dataset.name)) return 'text';
  return (BUILTIN_CLASSIFICATION_DATASETS as readonly unknown[]).includes(dataset.name) ? 'classify' : 'forecast';
}

/** The epoch metrics a dataset's trials report, which objectives can name. */
export function metricsOfDataset(dataset: { source: string; name?: unknown; task?: unknown }): readonly string[] {
  return { forecast: FORECAST_METRICS, text: TEXT_METRICS, classify: CLASSIFICATION_METRICS }[datasetTask(dataset)];
}

export const ObjectiveSchema = z.strictObject({
  metric: z.enum([...new Set([...FORECAST_METRICS, ...TEXT_METRICS, ...CLASSIFICATION_METRICS])] as [string, ...string[]]),
  direction: z.enum(['minimize', 'maximize']),
});

const { hiddenUnits, cell, optimizer, lrSchedule, bidirectional, ...numericHyperparameters } = MODEL_HYPERPARAMETERS;
const searchSpaceShape = {
  cell: categoricalParamSchema(cell, true).optional(),
  bidirectional: booleanParamSchema(bidirectional).optional(),
  hiddenUnits: perLayerParamSchema(hiddenUnits).optional(),
  optimizer: categoricalParamSchema(optimizer).optional(),
  lrSchedule: categoricalParamSchema(lrSchedule).optional(),
  ...(Object.fromEntries(Object.entries(numericHyperparameters).map(([name, domain]) => [name, paramSchema(domain).optional()])) as Record<
    Exclude<ModelHyperparameterName, 'hiddenUnits' | 'cell' | 'optimizer' | 'lrSchedule' | 'bidirectional'>,
    z.ZodOptional<ReturnType<typeof paramSchema>>
  >),
};

export const SearchSpaceSchema = z.strictObject(searchSpaceShape);

export const MODEL_FAMILIES = ['lstm', 'simulated'] as const;

export const BudgetSchema = z.strictObject({
  maxTrials: z.int().min(1).max(100_000),
  maxConcurrent: z.int().min(1).max(100_000),
  maxEpochsPerTrial: z.int().min(1).max(10_000),
});

export const MAX_SEED = 2 ** 32 - 1;

export const SweepSpecSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).optional(),
    dataset: DatasetSpecSchema,
    /** `simulated` trains nothing: a deterministic learning curve from the config, for benchmarks and orchestration tests. */
    model: z.enum(MODEL_FAMILIES),
    objective: ObjectiveSchema,
    searchSpace: SearchSpaceSchema.default({}),
    algorithm: AlgorithmSchema,
    earlyStopping: EarlyStoppingSchema.default({ type: 'none' }),
    budget: BudgetSchema,
    seed: z.int().min(0).max(MAX_SEED).optional(),
    /** A checkpoint every this many epochs (and after the last); a killed worker loses at most this many. */
    checkpointEvery: z.int().min(1).max(1_000).default(1),
    /**
     * Checkpoints kept: finished trials outside the best `keepCheckpointsOfBest` by the objective lose theirs as the sweep
     * goes (at least 1, so the best model stays downloadable; a running trial's resume point is never touched).
     */
    retention: z.strictObject({ keepCheckpointsOfBest: z.int().min(1).max(100_000) }).default({ keepCheckpointsOfBest: 10 }),
    /** An earlier sweep whose finished trials TPE learns from before this sweep's own results exist. */
    warmStartFrom: z.uuid().optional(),
    /** Two objectives traded off on GET /api/v1/sweeps/:id/pareto (default: the objective and param_count, minimized). */
    paretoObjectives: z
      .array(z.strictObject({ metric: z.enum([...new Set([...FORECAST_METRICS, ...TEXT_METRICS, ...CLASSIFICATION_METRICS, 'param_count'])] as [string, ...string[]]), direction: z.enum(['minimize', 'maximize']) }))
      .length(2)
      .optional(),
  })
  .superRefine((spec, ctx) => {
    const metrics = metricsOfDataset(spec.dataset);
    if (!metrics.includes(spec.objective.metric)) {
      const dataset = spec.dataset.source === 'builtin' ? `dataset '${spec.dataset.name}'` : spec.dataset.task === 'classify' ? 'an uploaded classification dataset' : 'an uploaded time series';
      ctx.addIssue({
        code: 'custom',
        path: ['objective', 'metric'],
        message: `'${spec.objective.metric}' is not reported for ${dataset}; use one of ${metrics.join(', ')}`,
      });
    }
    spec.paretoObjectives?.forEach((o, i) => {
      if (o.metric !== 'param_count' && !metrics.includes(o.metric)) {
        ctx.addIssue({ code: 'custom', path: ['paretoObjectives', i, 'metric'], message: `'${o.metric}' is not reported for this dataset; use param_count or one of ${metrics.join(', ')}` });
      }
    });
    if (spec.paretoObjectives?.length === 2 && spec.paretoObjectives[0].metric === spec.paretoObjectives[1].metric) {
      ctx.addIssue({ code: 'custom', path: ['paretoObjectives', 1, 'metric'], message: 'the two objectives must differ' });
    }
    const addAll = (issues: SpecIssue[], prefix: (string | number)[] = []) =>
      issues.forEach((issue) => ctx.addIssue({ code: 'custom', path: [...prefix, ...issue.path], message: issue.message }));
    const conditionProblems = conditionIssues(spec);
    addAll(conditionProblems);
    addAll(algorithmIssues(spec, { dimensions: searchDimensionsOf(spec), conditionsHold: conditionProblems.length === 0 }));
    addAll(earlyStoppingIssues(spec.earlyStopping, spec.budget), ['earlyStopping']);
    if (spec.dataset.validationSplit + spec.dataset.testSplit > 1 - MIN_TRAIN_SHARE + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataset', 'testSplit'],
        message: `validationSplit ${spec.dataset.validationSplit} + testSplit ${spec.dataset.testSplit} leave under ${MIN_TRAIN_SHARE * 100}% of the rows to train on; together they may be at most ${1 - MIN_TRAIN_SHARE}`,
      });
    }
    if (spec.dataset.source === 'upload' && spec.dataset.task === 'forecast' && spec.dataset.features.includes(spec.dataset.target)) {
      ctx.addIssue({ code: 'custom', path: ['dataset', 'features'], message: `the target '${spec.dataset.target}' is always an input; do not list it as a feature` });
    }
    if (spec.dataset.source === 'upload' && spec.dataset.task === 'classify') addAll(uploadClassificationIssues(spec.dataset), ['dataset']);
  });

/** What a classification upload's sample is made of: a text column, or feature columns grouped by sequence id or window. */
function uploadClassificationIssues(dataset: z.output<typeof UploadClassificationDatasetSchema>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const { text, features, sequence, window, label } = dataset;
  if ((text === undefined) === (features.length === 0)) {
    issues.push({ path: ['features'], message: 'give either text (a column of texts, one sample per row) or features (numeric columns, one step per row), not both or neither' });
  } else if (text !== undefined && (sequence !== undefined || window !== undefined)) {
    issues.push({ path: [sequence !== undefined ? 'sequence' : 'window'], message: 'a text sample is one row; sequence and window group rows of features' });
  } else if (features.length > 0 && (sequence === undefined) === (window === undefined)) {
    issues.push({ path: ['window'], message: 'feature rows become samples by a sequence id column (sequence) or by windows of rows (window): give exactly one' });
  }
  const used: [string, string | undefined][] = [['text', text], ['sequence', sequence], ...features.map((f, i): [string, string] => [`features.${i}`, f])];
  for (const [field, column] of used) {
    if (column === label) issues.push({ path: field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: `'${label}' is the label column; a model cannot read its own answer` });
  }
  if (window !== undefined && window > dataset.maxLength) issues.push({ path: ['window'], message: `window ${window} is longer than maxLength ${dataset.maxLength}` });
  return issues;
}

export type SweepSpec = z.output<typeof SweepSpecSchema>;
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;
export type DatasetSpec = SweepSpec['dataset'];
export type Objective = SweepSpec['objective'];
export type Budget = SweepSpec['budget'];
