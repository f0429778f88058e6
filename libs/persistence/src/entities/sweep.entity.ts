import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { DEFAULT_PROJECT_ID, ProjectEntity } from './account.entities';
import { SWEEP_STATUSES, type SweepSpec, type SweepStatus } from '@tuneforge/contracts';
import { bigintAsNumber } from './column-transformers';
import { TrialEntity } from './trial.entity';

@Entity({ name: 'sweeps' })
@Index('uq_sweeps_idempotency_key', ['idempotencyKey'], { unique: true, where: '"idempotency_key" IS NOT NULL' })
@Index('ix_sweeps_created_at', ['createdAt'])
export class SweepEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The project it belongs to: its members see and change it by role. */
  @Index('ix_sweeps_project')
  @Column({ name: 'project_id', type: 'uuid', default: DEFAULT_PROJECT_ID })
  projectId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_sweeps_project' })
  project?: Relation<ProjectEntity>;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'enum', enum: SWEEP_STATUSES, enumName: 'sweep_status', default: 'running' })
  status!: SweepStatus;

  /** Why it ended so: a failed sweep's reason; null otherwise (cleared when it runs again). */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ type: 'jsonb' })
  spec!: SweepSpec;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  seed!: number;

  @Column({ name: 'planned_trials', type: 'integer' })
  plannedTrials!: number;

  @Column({ name: 'trials_created', type: 'integer', default: 0 })
  trialsCreated!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** The best value a `best.improved` notification announced last (WebhookStore.recordNotices); null before the first scored trial. */
  @Column({ name: 'announced_best', type: 'double precision', nullable: true })
  announcedBest!: number | null;

  @OneToMany(() => TrialEntity, (trial) => trial.sweep)
  trials?: Relation<TrialEntity[]>;
}
