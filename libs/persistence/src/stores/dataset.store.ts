import type { EntityManager } from 'typeorm';
import { DatasetEntity } from '../entities';

/** A dataset without its content. */
export type DatasetSummary = Omit<DatasetEntity, 'content'>;

const SUMMARY: (keyof DatasetEntity)[] = ['id', 'name', 'format', 'columns', 'rowCount', 'sizeBytes', 'sha256', 'createdAt'];

/** Uploaded datasets. */
export class DatasetStore {
  constructor(private readonly manager: EntityManager) {}

  insert(dataset: Omit<DatasetEntity, 'id' | 'createdAt'>): Promise<DatasetEntity> {
    return this.manager.save(this.manager.create(DatasetEntity, dataset));
  }

  /** Every dataset, newest first. */
  list(): Promise<DatasetSummary[]> {
    return this.manager.find(DatasetEntity, { select: SUMMARY, order: { createdAt: 'DESC' } });
  }

  async find(id: string): Promise<DatasetSummary | undefined> {
    return (await this.manager.findOne(DatasetEntity, { where: { id }, select: SUMMARY })) ?? undefined;
  }

  /** The uploaded content as text; undefined when the dataset was deleted. */
  async content(id: string): Promise<string | undefined> {
    const row = await this.manager.findOne(DatasetEntity, { where: { id }, select: ['id', 'content'] });
    return row?.content.toString('utf8');
  }
}
