import { ApiTokenEntity, ProjectEntity, ProjectMemberEntity, SessionEntity, UserEntity } from './account.entities';
import { CheckpointEntity } from './checkpoint.entity';
import { DatasetEntity } from './dataset.entity';
import { MetricPointEntity } from './metric-point.entity';
import { SweepEntity } from './sweep.entity';
import { TrialEntity } from './trial.entity';
import { AuditEventEntity, OidcLoginEntity, SignInAttemptEntity } from './security.entities';
import { WebhookDeliveryEntity, WebhookEntity, WebhookNotificationEntity } from './webhook.entities';
import { WorkerEntity } from './worker.entity';

export { DEFAULT_PROJECT_ID } from './account.entities';
export { SIGN_IN_ATTEMPT_OUTCOMES, type SignInAttemptOutcome } from './security.entities';
export { ApiTokenEntity, ProjectEntity, ProjectMemberEntity, SessionEntity, UserEntity, CheckpointEntity, DatasetEntity, MetricPointEntity, SweepEntity, TrialEntity, WorkerEntity, AuditEventEntity, SignInAttemptEntity, OidcLoginEntity, WebhookEntity, WebhookNotificationEntity, WebhookDeliveryEntity };
export const ENTITIES = [SweepEntity, TrialEntity, MetricPointEntity, CheckpointEntity, DatasetEntity, WorkerEntity, UserEntity, ProjectEntity, ProjectMemberEntity, ApiTokenEntity, SessionEntity, AuditEventEntity, SignInAttemptEntity, OidcLoginEntity, WebhookEntity, WebhookNotificationEntity, WebhookDeliveryEntity];
