import { MoreThanOrEqual, type EntityManager } from 'typeorm';
import type { AuditAction } from '@tuneforge/contracts';
import { AuditEventEntity } from '../entities';

/** An event to record; the outcome follows from the status (below 400: ok). */
export type AuditEventInput = Omit<AuditEventEntity, 'id' | 'at' | 'outcome'>;

export interface AuditPageQuery {
  actor?: string;
  action?: AuditAction;
  since?: Date;
  limit: number;
  offset: number;
}

/** The audit log: appended to, read by administrators. Retention is not handled here (rows stay until deleted by hand). */
export class AuditStore {
  constructor(private readonly manager: EntityManager) {}

  async record(event: AuditEventInput): Promise<void> {
    await this.manager.insert(AuditEventEntity, { ...event, outcome: event.status < 400 ? 'ok' : 'refused' });
  }

  /** One page, newest first, and how many match in all. */
  page({ actor, action, since, limit, offset }: AuditPageQuery): Promise<[AuditEventEntity[], number]> {
    const where = { ...(actor ? { actorName: actor } : {}), ...(action ? { action } : {}), ...(since ? { at: MoreThanOrEqual(since) } : {}) };
    return this.manager.findAndCount(AuditEventEntity, { where, order: { at: 'DESC', id: 'DESC' }, take: limit, skip: offset });
  }
}
