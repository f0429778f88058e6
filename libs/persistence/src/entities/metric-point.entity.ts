import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { TrialEntity } from './trial.entity';

/** One metric value of one epoch. The unique index doubles as the index for curve queries. */
@Entity({ name: 'metric_points' })
@Index('uq_metric_points_trial_name_epoch', ['trialId', 'name', 'epoch'], { unique: true })
@Index('ix_metric_points_sweep_name_epoch', ['sweepId', 'name', 'epoch'])
@Index('ix_metric_points_sweep_name_id', ['sweepId', 'name', 'id'])
export class MetricPointEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'trial_id', type: 'uuid' })
  trialId!: string;

  /** Copied from the trial so that a rung decision reads one index range: (sweep, metric, epoch). */
  @Column({ name: 'sweep_id', type: 'uuid' })
  sweepId!: string;

  @ManyToOne(() => TrialEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'trial_id', foreignKeyConstraintName: 'fk_metric_points_trial' })
  trial?: Relation<TrialEntity>;

  @Column({ type: 'integer' })
  epoch!: number;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'double precision' })
  value!: number;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
