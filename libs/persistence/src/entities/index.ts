import { CheckpointEntity } from './checkpoint.entity';
import { DatasetEntity } from './dataset.entity';
import { MetricPointEntity } from './metric-point.entity';
import { SweepEntity } from './sweep.entity';
import { TrialEntity } from './trial.entity';
import { WorkerEntity } from './worker.entity';

export { CheckpointEntity, DatasetEntity, MetricPointEntity, SweepEntity, TrialEntity, WorkerEntity };
export const ENTITIES = [SweepEntity, TrialEntity, MetricPointEntity, CheckpointEntity, DatasetEntity, WorkerEntity];
