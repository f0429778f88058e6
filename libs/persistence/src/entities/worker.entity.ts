import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A worker process as it last reported itself; live ones heartbeat every few seconds. */
@Entity({ name: 'workers' })
@Index('ix_workers_last_heartbeat_at', ['lastHeartbeatAt'])
export class WorkerEntity {
  @PrimaryColumn({ type: 'varchar', length: 120 })
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  host!: string;

  @Column({ type: 'integer' })
  pid!: number;

  /** TensorFlow.js backend the worker trains on (tensorflow-gpu, tensorflow, wasm, cpu). */
  @Column({ type: 'varchar', length: 32 })
  backend!: string;

  @Column({ type: 'integer' })
  concurrency!: number;

  @Column({ name: 'running_trial_ids', type: 'jsonb', default: () => `'[]'` })
  runningTrialIds!: string[];

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'last_heartbeat_at', type: 'timestamptz' })
  lastHeartbeatAt!: Date;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;
}
