import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { TrialEntity } from './trial.entity';

@Entity({ name: 'checkpoints' })
@Index('uq_checkpoints_trial_epoch', ['trialId', 'epoch'], { unique: true })
export class CheckpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'trial_id', type: 'uuid' })
  trialId!: string;

  @ManyToOne(() => TrialEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'trial_id', foreignKeyConstraintName: 'fk_checkpoints_trial' })
  trial?: Relation<TrialEntity>;

  @Column({ type: 'integer' })
  epoch!: number;

  /** How `bytes` is encoded, e.g. `tfjs-layers+adam/v1`. */
  @Column({ type: 'varchar', length: 64 })
  format!: string;

  @Column({ type: 'bytea' })
  bytes!: Buffer;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
