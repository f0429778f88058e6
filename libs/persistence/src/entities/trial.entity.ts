import type { Preprocessing } from '@tuneforge/formats';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn, type Relation } from 'typeorm';
import { TRIAL_STATUSES, type ConfusionMatrix, type TrialConfig, type TrialEvent, type TrialStatus } from '@tuneforge/contracts';
import { bigintAsNumber } from './column-transformers';
import { SweepEntity } from './sweep.entity';

@Entity({ name: 'trials' })
@Unique('uq_trials_sweep_number', ['sweepId', 'number'])
@Index('ix_trials_sweep_status', ['sweepId', 'status'])
@Index('ix_trials_sweep_best_metric_number', ['sweepId', 'bestMetric', 'number'])
// Trial pages in creation order, read from a cursor (TrialReadModel.page).
@Index('ix_trials_sweep_created_at_number', ['sweepId', 'createdAt', 'number'])
@Index('ix_trials_unenqueued', ['createdAt'], { where: `"status" = 'queued' AND "enqueued_at" IS NULL` })
// Active trials over all sweeps: the deployment-wide count (MAX_ACTIVE_TRIALS), the reconciler and the stranded-trials check.
@Index('ix_trials_active', ['status', 'updatedAt'], { where: `"status" IN ('queued', 'running')` })
// The dashboard's live feed: trials changed since its last read (libs/persistence/src/read-models/live-changes.query.ts).
@Index('ix_trials_updated_at', ['updatedAt'])
// Failed trials no notification has announced yet (WebhookStore.recordNotices): empty while it keeps up.
@Index('ix_trials_failure_unannounced', ['sweepId'], { where: `"status" = 'failed' AND NOT "failure_announced"` })
export class TrialEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'sweep_id', type: 'uuid' })
  sweepId!: string;

  @ManyToOne(() => SweepEntity, (sweep) => sweep.trials, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sweep_id', foreignKeyConstraintName: 'fk_trials_sweep' })
  sweep?: Relation<SweepEntity>;

  /** 0-based position in the sweep; with the sweep seed it determines the config. */
  @Column({ type: 'integer' })
  number!: number;

  @Column({ type: 'enum', enum: TRIAL_STATUSES, enumName: 'trial_status', default: 'queued' })
  status!: TrialStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ type: 'jsonb' })
  config!: TrialConfig;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  seed!: number;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'best_metric', type: 'double precision', nullable: true })
  bestMetric!: number | null;

  @Column({ name: 'last_epoch', type: 'integer', nullable: true })
  lastEpoch!: number | null;

  /** The epoch whose stored checkpoint scored `bestMetric`: the model the trial hands over (kept beside the newest two). */
  @Column({ name: 'best_epoch', type: 'integer', nullable: true })
  bestEpoch!: number | null;

  /**
   * The best epoch's scores on the test split, measured once when the trial ended (completed or pruned):
   * test_loss, test_mae and seasonal_naive_test_mae, or test_bpc. Nothing selects on them.
   */
  @Column({ name: 'test_metrics', type: 'jsonb', nullable: true })
  testMetrics!: Record<string, number> | null;

  /** A classifier's confusion matrix on the test split (counts[actual][predicted]), measured with testMetrics. */
  @Column({ name: 'test_confusion', type: 'jsonb', nullable: true })
  testConfusion!: ConfusionMatrix | null;

  /** How the trial's model inputs were made from raw data (train-split statistics, vocabulary): what its exported model carries. */
  @Column({ type: 'jsonb', nullable: true })
  preprocessing!: Preprocessing | null;

  /** For a pruned trial: the early-stopping rung (0-based) it was stopped at. */
  @Column({ name: 'pruned_rung', type: 'integer', nullable: true })
  prunedRung!: number | null;

  /** The worker that ran (or runs) the trial's latest attempt, and the backend it trained on. */
  @Column({ name: 'worker_id', type: 'varchar', length: 120, nullable: true })
  workerId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  backend!: string | null;

  /** What happened to the trial, oldest first: starts, resumes, checkpoint fallbacks, hand-backs, its end. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  events!: TrialEvent[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Set once the trial's job is in the queue; a queued trial without it is re-enqueued. */
  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** A failed trial's `trial.failed` notifications were recorded (by the sweep's next top-up, whoever recorded the failure). */
  @Column({ name: 'failure_announced', type: 'boolean', default: false })
  failureAnnounced!: boolean;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
