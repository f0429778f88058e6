import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An uploaded dataset (CSV time series), validated before it is stored. */
@Entity({ name: 'datasets' })
export class DatasetEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  format!: string;

  /** Column names and types, in file order. */
  @Column({ type: 'jsonb' })
  columns!: { name: string; type: 'number' | 'time' }[];

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
