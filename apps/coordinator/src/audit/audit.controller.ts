import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListAuditQuerySchema, type AuditEventDto, type Page } from '@tuneforge/contracts';
import { Stores, type AuditEventEntity } from '@tuneforge/persistence';
import { parseQuery } from '../common/query';

/** The audit log, for administrators of the deployment. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly stores: Stores) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first: who signed in (or failed to), and who changed or downloaded what' })
  async list(@Query() query: unknown): Promise<Page<AuditEventDto>> {
    const { since, ...filters } = parseQuery(ListAuditQuerySchema, query);
    const [rows, total] = await this.stores.audit.page({ ...filters, since: since === undefined ? undefined : new Date(since) });
    return { items: rows.map(toAuditEventDto), total, limit: filters.limit, offset: filters.offset };
  }
}

function toAuditEventDto(row: AuditEventEntity): AuditEventDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { userId: row.actorUserId, name: row.actorName },
    via: row.via,
    tokenPrefix: row.tokenPrefix,
    action: row.action,
    target: row.targetKind ? { kind: row.targetKind, id: row.targetId } : null,
    projectId: row.projectId,
    clientAddress: row.clientAddress,
    outcome: row.outcome,
    status: row.status,
  };
}
