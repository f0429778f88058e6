import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { DEFAULT_PROJECT_ID, ProjectEntity } from './account.entities';

/** An uploaded dataset (a CSV time series, or a table with a class column), validated before it is stored. */
@Entity({ name: 'datasets' })
export class DatasetEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The project it belongs to: its members see and change it by role. */
  @Index('ix_datasets_project')
  @Column({ name: 'project_id', type: 'uuid', default: DEFAULT_PROJECT_ID })
  projectId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_datasets_project' })
  project?: Relation<ProjectEntity>;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  format!: string;

  /** Column names and types, in file order. */
  @Column({ type: 'jsonb' })
  columns!: { name: string; type: 'number' | 'time' | 'text' }[];

  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;

  @Column({ type: 'bytea' })
  content!: Buffer;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
