import { In, type EntityManager } from 'typeorm';
import { DatasetEntity } from '../entities';
import { holdForReference } from '../row-locks';
import { rowsChanged } from '../rows';

/** A dataset without its content. */
export type DatasetSummary = Omit<DatasetEntity, 'content'>;

const SUMMARY: (keyof DatasetEntity)[] = ['id', 'projectId', 'name', 'format', 'columns', 'rowCount', 'sizeBytes', 'sha256', 'createdAt'];

/** Uploaded datasets. */
export class DatasetStore {
  constructor(private readonly manager: EntityManager) {}

  insert(dataset: Omit<DatasetEntity, 'id' | 'createdAt' | 'projectId'> & { projectId?: string }): Promise<DatasetEntity> {
    return this.manager.save(this.manager.create(DatasetEntity, dataset));
  }

  /** The datasets of `projects` (`all`: every project), newest first. */
  list(projects: readonly string[] | 'all'): Promise<DatasetSummary[]> {
    return this.manager.find(DatasetEntity, { select: SUMMARY, where: projects === 'all' ? {} : { projectId: In([...projects]) }, order: { createdAt: 'DESC' } });
  }

  async find(id: string): Promise<DatasetSummary | undefined> {
    return (await this.manager.findOne(DatasetEntity, { where: { id }, select: SUMMARY })) ?? undefined;
  }

  /** Locks the dataset's row for the caller's transaction (a delete decides under it); false when there is none. */
  async lock(id: string): Promise<boolean> {
    return (await this.manager.findOne(DatasetEntity, { where: { id }, select: ['id'], lock: { mode: 'pessimistic_write' } })) !== null;
  }

  /** Holds the dataset for a sweep that names it, in the caller's transaction (`holdForReference`); false when it is gone. */
  holdForSweep(id: string): Promise<boolean> {
    return holdForReference(this.manager, 'datasets', id);
  }

  /** Deletes the dataset (in the caller's transaction, its row locked); sweeps name it in their spec only, so nothing cascades. */
  async delete(id: string): Promise<boolean> {
    return (await rowsChanged(this.manager, `DELETE FROM datasets WHERE id = $1`, [id])) > 0;
  }

  /** The uploaded content as text; undefined when the dataset was deleted. */
  async content(id: string): Promise<string | undefined> {
    const row = await this.manager.findOne(DatasetEntity, { where: { id }, select: ['id', 'content'] });
    return row?.content.toString('utf8');
  }
}
