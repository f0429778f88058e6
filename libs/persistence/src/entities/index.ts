import { ApiTokenEntity, ProjectEntity, ProjectMemberEntity, SessionEntity, UserEntity } from './account.entities';
import { CheckpointEntity } from './checkpoint.entity';
import { DatasetEntity } from './dataset.entity';
import { MetricPointEntity } from './metric-point.entity';
import { SweepEntity } from './sweep.entity';
import { TrialEntity } from './trial.entity';
import { WorkerEntity } from './worker.entity';

export { DEFAULT_PROJECT_ID } from './account.entities';
export { ApiTokenEntity, ProjectEntity, ProjectMemberEntity, SessionEntity, UserEntity, CheckpointEntity, DatasetEntity, MetricPointEntity, SweepEntity, TrialEntity, WorkerEntity };
export const ENTITIES = [SweepEntity, TrialEntity, MetricPointEntity, CheckpointEntity, DatasetEntity, WorkerEntity, UserEntity, ProjectEntity, ProjectMemberEntity, ApiTokenEntity, SessionEntity];
