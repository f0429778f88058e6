import { z } from 'zod';
import {
  CancelSweepResultDtoSchema,
  CheckpointDtoSchema,
  DatasetDtoSchema,
  DatasetListSchema,
  HealthDtoSchema,
  LayersModelJsonSchema,
  LivenessDtoSchema,
  MeDtoSchema,
  MetricSeriesDtoSchema,
  ModelBundleJsonSchema,
  pageSchema,
  ParetoDtoSchema,
  SignInSchema,
  SweepDtoSchema,
  TrialDtoSchema,
  WorkerListSchema,
} from './api';
import {
  BestModelWeightsQuerySchema,
  CreateSweepQuerySchema,
  ListSweepsQuerySchema,
  ListTrialsQuerySchema,
  ListWorkersQuerySchema,
  TrialMetricsQuerySchema,
  UpdateSweepSchema,
  UploadDatasetQuerySchema,
} from './api-query';
import { DashboardEventSchema, EventsQuerySchema, ImportanceDtoSchema, SweepCurvesDtoSchema, SweepCurvesQuerySchema, TrialPointsDtoSchema, TrialPointsQuerySchema } from './dashboard';
import type { AccessRule } from './access';
import {
  CreatedTokenDtoSchema,
  CreateProjectSchema,
  CreateServiceAccountSchema,
  CreateTokenSchema,
  CreateUserSchema,
  ListTokensQuerySchema,
  MemberDtoSchema,
  MemberListSchema,
  ProjectDtoSchema,
  ProjectListSchema,
  ServiceAccountDtoSchema,
  SetMemberSchema,
  TokenListSchema,
  UserDtoSchema,
  UserListSchema,
} from './accounts';
import { AuditEventDtoSchema, ListAuditQuerySchema, type AuditAction } from './audit';
import { ErrorBodySchema } from './error-codes';
import { AuthProvidersDtoSchema, OidcCallbackQuerySchema, OidcLoginQuerySchema } from './sso';
import { SweepSpecSchema } from './sweep-spec.schema';
import { CreatedWebhookDtoSchema, CreateWebhookSchema, ListWebhookDeliveriesQuerySchema, WebhookDeliveryDtoSchema, WebhookDtoSchema, WebhookListSchema } from './webhooks';

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
export const TrialPageSchema = named(
  'TrialPage',
  pageSchema(TrialDtoSchema).extend({
    nextCursor: z.string().nullable().describe('pass as `after` (with the same sort, order and status) for the next page; null on the last page'),
  }),
);
export type TrialPageDto = z.infer<typeof TrialPageSchema>;
export const CheckpointListSchema = named('CheckpointList', z.array(CheckpointDtoSchema));
export const AuditPageSchema = named('AuditPage', pageSchema(AuditEventDtoSchema));
export const WebhookDeliveryPageSchema = named('WebhookDeliveryPage', pageSchema(WebhookDeliveryDtoSchema));
named('SweepDto', SweepDtoSchema);
named('TrialDto', TrialDtoSchema);
named('CancelSweepResult', CancelSweepResultDtoSchema);
named('Pareto', ParetoDtoSchema);
named('Importance', ImportanceDtoSchema);
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
named('Me', MeDtoSchema);
named('CreatedToken', CreatedTokenDtoSchema);
named('TokenList', TokenListSchema);
named('User', UserDtoSchema);
named('UserList', UserListSchema);
named('ServiceAccount', ServiceAccountDtoSchema);
named('Project', ProjectDtoSchema);
named('ProjectList', ProjectListSchema);
named('Member', MemberDtoSchema);
named('MemberList', MemberListSchema);
named('AuditEvent', AuditEventDtoSchema);
named('AuthProviders', AuthProvidersDtoSchema);
named('Webhook', WebhookDtoSchema);
named('CreatedWebhook', CreatedWebhookDtoSchema);
named('WebhookList', WebhookListSchema);
named('WebhookDelivery', WebhookDeliveryDtoSchema);

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below `/api/v1`; path parameters as `:name`. */
  path: `/${string}`;
  query?: z.ZodObject;
  /** A JSON body; `text` names the media type a string body is sent as instead (YAML, CSV). */
  body?: z.ZodType;
  text?: 'application/yaml' | 'text/csv';
  /**
   * The answer: a JSON schema of API_SCHEMAS, `binary` (application/octet-stream), `none` (no body: a 204),
   * `redirect` (a 302 with a Location, for the browser: the client gives its `url` only), or, with `stream`, the
   * schema of each Server-Sent Event's data.
   */
  response: z.ZodType | 'binary' | 'none' | 'redirect';
  stream?: true;
  /** Statuses that answer with `response` (default 200); any other status answers an ErrorBody. */
  statuses?: readonly number[];
  /** Who may call it (the coordinator's guard applies it; every route has one). */
  access: AccessRule;
  /**
   * Recorded in the audit log under this action, whatever the answer (a refusal with its status); the target is the
   * `:id` resource (else the created one's `id`), of the access rule's kind or the action's first word.
   */
  audit?: AuditAction;
}

/** Every endpoint of the coordinator's API: the OpenAPI document and the shared client are both made from this. */
export const API_ROUTES = {
  createSweep: { method: 'POST', path: '/sweeps', query: CreateSweepQuerySchema, body: SweepSpecSchema, text: 'application/yaml', response: SweepDtoSchema, statuses: [201, 200], access: { role: 'editor', of: 'new' }, audit: 'sweep-submitted' },
  listSweeps: { method: 'GET', path: '/sweeps', query: ListSweepsQuerySchema, response: SweepPageSchema, access: 'signed-in' },
  getSweep: { method: 'GET', path: '/sweeps/:id', response: SweepDtoSchema, access: { role: 'viewer', of: 'sweep' } },
  updateSweep: { method: 'PATCH', path: '/sweeps/:id', body: UpdateSweepSchema, response: SweepDtoSchema, access: { role: 'editor', of: 'sweep' }, audit: 'sweep-updated' },
  listTrials: { method: 'GET', path: '/sweeps/:id/trials', query: ListTrialsQuerySchema, response: TrialPageSchema, access: { role: 'viewer', of: 'sweep' } },
  pareto: { method: 'GET', path: '/sweeps/:id/pareto', response: ParetoDtoSchema, access: { role: 'viewer', of: 'sweep' } },
  pauseSweep: { method: 'POST', path: '/sweeps/:id/pause', response: SweepDtoSchema, access: { role: 'editor', of: 'sweep' }, audit: 'sweep-paused' },
  resumeSweep: { method: 'POST', path: '/sweeps/:id/resume', response: SweepDtoSchema, access: { role: 'editor', of: 'sweep' }, audit: 'sweep-resumed' },
  cancelSweep: { method: 'POST', path: '/sweeps/:id/cancel', response: CancelSweepResultDtoSchema, access: { role: 'editor', of: 'sweep' }, audit: 'sweep-cancelled' },
  deleteSweep: { method: 'DELETE', path: '/sweeps/:id', response: 'none', statuses: [204], access: { role: 'editor', of: 'sweep' }, audit: 'sweep-deleted' },
  sweepCurves: { method: 'GET', path: '/sweeps/:id/curves', query: SweepCurvesQuerySchema, response: SweepCurvesDtoSchema, access: { role: 'viewer', of: 'sweep' } },
  trialPoints: { method: 'GET', path: '/sweeps/:id/trial-points', query: TrialPointsQuerySchema, response: TrialPointsDtoSchema, access: { role: 'viewer', of: 'sweep' } },
  sweepImportance: { method: 'GET', path: '/sweeps/:id/importance', response: ImportanceDtoSchema, access: { role: 'viewer', of: 'sweep' } },
  getTrial: { method: 'GET', path: '/trials/:id', response: TrialDtoSchema, access: { role: 'viewer', of: 'trial' } },
  trialMetrics: { method: 'GET', path: '/trials/:id/metrics', query: TrialMetricsQuerySchema, response: MetricSeriesDtoSchema, access: { role: 'viewer', of: 'trial' } },
  listCheckpoints: { method: 'GET', path: '/trials/:id/checkpoints', response: CheckpointListSchema, access: { role: 'viewer', of: 'trial' } },
  latestModel: { method: 'GET', path: '/trials/:id/checkpoints/latest', response: LayersModelJsonSchema, access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  latestModelJson: { method: 'GET', path: '/trials/:id/checkpoints/latest/model.json', response: LayersModelJsonSchema, access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  latestWeights: { method: 'GET', path: '/trials/:id/checkpoints/latest/weights.bin', response: 'binary', access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  bestModel: { method: 'GET', path: '/trials/:id/checkpoints/best', response: LayersModelJsonSchema, access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  bestModelJson: { method: 'GET', path: '/trials/:id/checkpoints/best/model.json', response: LayersModelJsonSchema, access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  bestWeights: { method: 'GET', path: '/trials/:id/checkpoints/best/weights.bin', response: 'binary', access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  checkpointBytes: { method: 'GET', path: '/trials/:id/checkpoints/:epoch', response: 'binary', access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  trialModel: { method: 'GET', path: '/trials/:id/model', response: ModelBundleJsonSchema, access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  trialModelWeights: { method: 'GET', path: '/trials/:id/model/weights.bin', response: 'binary', access: { role: 'viewer', of: 'trial' }, audit: 'model-downloaded' },
  sweepBestModel: { method: 'GET', path: '/sweeps/:id/best-model', response: ModelBundleJsonSchema, access: { role: 'viewer', of: 'sweep' }, audit: 'model-downloaded' },
  sweepBestModelWeights: { method: 'GET', path: '/sweeps/:id/best-model/weights.bin', query: BestModelWeightsQuerySchema, response: 'binary', access: { role: 'viewer', of: 'sweep' }, audit: 'model-downloaded' },
  uploadDataset: { method: 'POST', path: '/datasets', query: UploadDatasetQuerySchema, text: 'text/csv', response: DatasetDtoSchema, statuses: [201], access: { role: 'editor', of: 'new' }, audit: 'dataset-uploaded' },
  listDatasets: { method: 'GET', path: '/datasets', response: DatasetListSchema, access: 'signed-in' },
  getDataset: { method: 'GET', path: '/datasets/:id', response: DatasetDtoSchema, access: { role: 'viewer', of: 'dataset' } },
  deleteDataset: { method: 'DELETE', path: '/datasets/:id', response: 'none', statuses: [204], access: { role: 'editor', of: 'dataset' }, audit: 'dataset-deleted' },
  listWorkers: { method: 'GET', path: '/workers', query: ListWorkersQuerySchema, response: WorkerListSchema, access: 'signed-in' },
  health: { method: 'GET', path: '/health', response: HealthDtoSchema, statuses: [200, 503], access: 'public' },
  liveness: { method: 'GET', path: '/health/live', response: LivenessDtoSchema, access: 'public' },
  signIn: { method: 'POST', path: '/auth/session', body: SignInSchema, response: MeDtoSchema, access: 'public', audit: 'sign-in' },
  signOut: { method: 'DELETE', path: '/auth/session', response: 'none', statuses: [204], access: 'signed-in', audit: 'sign-out' },
  authProviders: { method: 'GET', path: '/auth/providers', response: AuthProvidersDtoSchema, access: 'public' },
  oidcLogin: { method: 'GET', path: '/auth/oidc/login', query: OidcLoginQuerySchema, response: 'redirect', statuses: [302], access: 'public' },
  oidcCallback: { method: 'GET', path: '/auth/oidc/callback', query: OidcCallbackQuerySchema, response: 'redirect', statuses: [302], access: 'public', audit: 'sign-in' },
  listAudit: { method: 'GET', path: '/audit', query: ListAuditQuerySchema, response: AuditPageSchema, access: 'deployment-admin' },
  me: { method: 'GET', path: '/me', response: MeDtoSchema, access: 'signed-in' },
  events: { method: 'GET', path: '/events', query: EventsQuerySchema, response: DashboardEventSchema, stream: true, access: 'signed-in' },
  createToken: { method: 'POST', path: '/tokens', body: CreateTokenSchema, response: CreatedTokenDtoSchema, statuses: [201], access: 'signed-in', audit: 'token-created' },
  listTokens: { method: 'GET', path: '/tokens', query: ListTokensQuerySchema, response: TokenListSchema, access: 'signed-in' },
  revokeToken: { method: 'DELETE', path: '/tokens/:id', response: 'none', statuses: [204], access: 'signed-in', audit: 'token-revoked' },
  createUser: { method: 'POST', path: '/users', body: CreateUserSchema, response: UserDtoSchema, statuses: [201], access: 'deployment-admin', audit: 'user-created' },
  listUsers: { method: 'GET', path: '/users', response: UserListSchema, access: 'deployment-admin' },
  listProjects: { method: 'GET', path: '/projects', response: ProjectListSchema, access: 'signed-in' },
  createProject: { method: 'POST', path: '/projects', body: CreateProjectSchema, response: ProjectDtoSchema, statuses: [201], access: 'deployment-admin', audit: 'project-created' },
  listMembers: { method: 'GET', path: '/projects/:id/members', response: MemberListSchema, access: { role: 'viewer', of: 'project' } },
  setMember: { method: 'PUT', path: '/projects/:id/members/:userId', body: SetMemberSchema, response: MemberDtoSchema, access: { role: 'admin', of: 'project' }, audit: 'member-set' },
  removeMember: { method: 'DELETE', path: '/projects/:id/members/:userId', response: 'none', statuses: [204], access: { role: 'admin', of: 'project' }, audit: 'member-removed' },
  createServiceAccount: { method: 'POST', path: '/projects/:id/service-accounts', body: CreateServiceAccountSchema, response: ServiceAccountDtoSchema, statuses: [201], access: { role: 'admin', of: 'project' }, audit: 'user-created' },
  createWebhook: { method: 'POST', path: '/projects/:id/webhooks', body: CreateWebhookSchema, response: CreatedWebhookDtoSchema, statuses: [201], access: { role: 'editor', of: 'project' }, audit: 'webhook-created' },
  listWebhooks: { method: 'GET', path: '/projects/:id/webhooks', response: WebhookListSchema, access: { role: 'editor', of: 'project' } },
  deleteWebhook: { method: 'DELETE', path: '/webhooks/:id', response: 'none', statuses: [204], access: { role: 'editor', of: 'webhook' }, audit: 'webhook-deleted' },
  listWebhookDeliveries: { method: 'GET', path: '/webhooks/:id/deliveries', query: ListWebhookDeliveriesQuerySchema, response: WebhookDeliveryPageSchema, access: { role: 'editor', of: 'webhook' } },
} as const satisfies Record<string, ApiRoute>;
export type ApiRoutes = typeof API_ROUTES;
export type ApiRouteName = keyof ApiRoutes;
