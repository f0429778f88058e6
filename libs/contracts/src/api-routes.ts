import { z } from 'zod';
import {
  CancelSweepResultDtoSchema,
  CheckpointDtoSchema,
  DatasetDtoSchema,
  DatasetListSchema,
  HealthDtoSchema,
  LayersModelJsonSchema,
  LivenessDtoSchema,
  MetricSeriesDtoSchema,
  ModelBundleJsonSchema,
  pageSchema,
  ParetoDtoSchema,
  SweepDtoSchema,
  TrialDtoSchema,
  WorkerListSchema,
} from './api';
import {
  BestModelWeightsQuerySchema,
  ListSweepsQuerySchema,
  ListTrialsQuerySchema,
  ListWorkersQuerySchema,
  TrialMetricsQuerySchema,
  UpdateSweepSchema,
  UploadDatasetQuerySchema,
} from './api-query';
import { DashboardEventSchema, EventsQuerySchema, SweepCurvesDtoSchema, SweepCurvesQuerySchema, TrialPointsDtoSchema } from './dashboard';
import { ErrorBodySchema } from './error-codes';
import { SweepSpecSchema } from './sweep-spec.schema';

/**
 * The named schemas of the API, as OpenAPI components (`#/components/schemas/<id>`). Every JSON answer
 * of API_ROUTES is one of them.
 */
export const API_SCHEMAS = z.registry<{ id: string }>();
function named<T extends z.ZodType>(id: string, schema: T): T {
  API_SCHEMAS.add(schema, { id });
  return schema;
}

export const SweepPageSchema = named('SweepPage', pageSchema(SweepDtoSchema));
export const TrialPageSchema = named('TrialPage', pageSchema(TrialDtoSchema));
export const CheckpointListSchema = named('CheckpointList', z.array(CheckpointDtoSchema));
named('SweepDto', SweepDtoSchema);
named('TrialDto', TrialDtoSchema);
named('CancelSweepResult', CancelSweepResultDtoSchema);
named('Pareto', ParetoDtoSchema);
named('SweepCurves', SweepCurvesDtoSchema);
named('TrialPoints', TrialPointsDtoSchema);
named('MetricSeries', MetricSeriesDtoSchema);
named('CheckpointDto', CheckpointDtoSchema);
named('LayersModelJson', LayersModelJsonSchema);
named('ModelBundleJson', ModelBundleJsonSchema);
named('DatasetDto', DatasetDtoSchema);
named('DatasetList', DatasetListSchema);
named('WorkerList', WorkerListSchema);
named('Health', HealthDtoSchema);
named('Liveness', LivenessDtoSchema);
named('DashboardEvent', DashboardEventSchema);
named('ErrorBody', ErrorBodySchema);

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below `/api/v1`; path parameters as `:name`. */
  path: `/${string}`;
  query?: z.ZodObject;
  /** A JSON body; `text` names the media type a string body is sent as instead (YAML, CSV). */
  body?: z.ZodType;
  text?: 'application/yaml' | 'text/csv';
  /**
   * The answer: a JSON schema of API_SCHEMAS, `binary` (application/octet-stream), `none` (no body: a 204), or, with
   * `stream`, the schema of each Server-Sent Event's data.
   */
  response: z.ZodType | 'binary' | 'none';
  stream?: true;
  /** Statuses that answer with `response` (default 200); any other status answers an ErrorBody. */
  statuses?: readonly number[];
}

/** Every endpoint of the coordinator's API: the OpenAPI document and the shared client are both made from this. */
export const API_ROUTES = {
  createSweep: { method: 'POST', path: '/sweeps', body: SweepSpecSchema, text: 'application/yaml', response: SweepDtoSchema, statuses: [201, 200] },
  listSweeps: { method: 'GET', path: '/sweeps', query: ListSweepsQuerySchema, response: SweepPageSchema },
  getSweep: { method: 'GET', path: '/sweeps/:id', response: SweepDtoSchema },
  updateSweep: { method: 'PATCH', path: '/sweeps/:id', body: UpdateSweepSchema, response: SweepDtoSchema },
  listTrials: { method: 'GET', path: '/sweeps/:id/trials', query: ListTrialsQuerySchema, response: TrialPageSchema },
  pareto: { method: 'GET', path: '/sweeps/:id/pareto', response: ParetoDtoSchema },
  pauseSweep: { method: 'POST', path: '/sweeps/:id/pause', response: SweepDtoSchema },
  resumeSweep: { method: 'POST', path: '/sweeps/:id/resume', response: SweepDtoSchema },
  cancelSweep: { method: 'POST', path: '/sweeps/:id/cancel', response: CancelSweepResultDtoSchema },
  deleteSweep: { method: 'DELETE', path: '/sweeps/:id', response: 'none', statuses: [204] },
  sweepCurves: { method: 'GET', path: '/sweeps/:id/curves', query: SweepCurvesQuerySchema, response: SweepCurvesDtoSchema },
  trialPoints: { method: 'GET', path: '/sweeps/:id/trial-points', response: TrialPointsDtoSchema },
  getTrial: { method: 'GET', path: '/trials/:id', response: TrialDtoSchema },
  trialMetrics: { method: 'GET', path: '/trials/:id/metrics', query: TrialMetricsQuerySchema, response: MetricSeriesDtoSchema },
  listCheckpoints: { method: 'GET', path: '/trials/:id/checkpoints', response: CheckpointListSchema },
  latestModel: { method: 'GET', path: '/trials/:id/checkpoints/latest', response: LayersModelJsonSchema },
  latestModelJson: { method: 'GET', path: '/trials/:id/checkpoints/latest/model.json', response: LayersModelJsonSchema },
  latestWeights: { method: 'GET', path: '/trials/:id/checkpoints/latest/weights.bin', response: 'binary' },
  bestModel: { method: 'GET', path: '/trials/:id/checkpoints/best', response: LayersModelJsonSchema },
  bestModelJson: { method: 'GET', path: '/trials/:id/checkpoints/best/model.json', response: LayersModelJsonSchema },
  bestWeights: { method: 'GET', path: '/trials/:id/checkpoints/best/weights.bin', response: 'binary' },
  checkpointBytes: { method: 'GET', path: '/trials/:id/checkpoints/:epoch', response: 'binary' },
  trialModel: { method: 'GET', path: '/trials/:id/model', response: ModelBundleJsonSchema },
  trialModelWeights: { method: 'GET', path: '/trials/:id/model/weights.bin', response: 'binary' },
  sweepBestModel: { method: 'GET', path: '/sweeps/:id/best-model', response: ModelBundleJsonSchema },
  sweepBestModelWeights: { method: 'GET', path: '/sweeps/:id/best-model/weights.bin', query: BestModelWeightsQuerySchema, response: 'binary' },
  uploadDataset: { method: 'POST', path: '/datasets', query: UploadDatasetQuerySchema, text: 'text/csv', response: DatasetDtoSchema, statuses: [201] },
  listDatasets: { method: 'GET', path: '/datasets', response: DatasetListSchema },
  getDataset: { method: 'GET', path: '/datasets/:id', response: DatasetDtoSchema },
  deleteDataset: { method: 'DELETE', path: '/datasets/:id', response: 'none', statuses: [204] },
  listWorkers: { method: 'GET', path: '/workers', query: ListWorkersQuerySchema, response: WorkerListSchema },
  health: { method: 'GET', path: '/health', response: HealthDtoSchema, statuses: [200, 503] },
  liveness: { method: 'GET', path: '/health/live', response: LivenessDtoSchema },
  events: { method: 'GET', path: '/events', query: EventsQuerySchema, response: DashboardEventSchema, stream: true },
} as const satisfies Record<string, ApiRoute>;
export type ApiRoutes = typeof API_ROUTES;
export type ApiRouteName = keyof ApiRoutes;
