import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListWorkersQuerySchema, type WorkerDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { CurrentPrincipal, visibleProjects, type Principal } from '../auth/principal';
import { parseQuery } from '../common/query';

@ApiTags('workers')
@Controller('workers')
export class WorkersController {
  constructor(private readonly stores: Stores) {}

  @Get()
  @ApiOperation({ summary: 'Live workers (heartbeat within 30 s): backend, concurrency, running trials, heartbeat age' })
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal): Promise<{ items: WorkerDto[] }> {
    const { all } = parseQuery(ListWorkersQuerySchema, query);
    const workers = await this.stores.workers.list({ liveOnly: all !== 'true' });
    // Workers serve every project; the trials they run are named only to members of those trials' projects.
    const projects = visibleProjects(principal);
    const visible = projects === 'all' ? undefined : new Set(await this.stores.accounts.trialsOfProjects(workers.flatMap((w) => w.runningTrialIds), projects));
    const now = Date.now();
    return {
      items: workers.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        backend: w.backend,
        concurrency: w.concurrency,
        runningTrialIds: visible ? w.runningTrialIds.filter((id) => visible.has(id)) : w.runningTrialIds,
        startedAt: w.startedAt.toISOString(),
        lastHeartbeatAt: w.lastHeartbeatAt.toISOString(),
        heartbeatAgeSeconds: Math.round((now - w.lastHeartbeatAt.getTime()) / 100) / 10,
      })),
    };
  }
}
