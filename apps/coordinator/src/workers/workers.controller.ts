import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListWorkersQuerySchema, type WorkerDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { parseQuery } from '../common/query';

@ApiTags('workers')
@Controller('workers')
export class WorkersController {
  constructor(private readonly stores: Stores) {}

  @Get()
  @ApiOperation({ summary: 'Live workers (heartbeat within 30 s): backend, concurrency, running trials, heartbeat age' })
  async list(@Query() query: unknown): Promise<{ items: WorkerDto[] }> {
    const { all } = parseQuery(ListWorkersQuerySchema, query);
    const workers = await this.stores.workers.list({ liveOnly: all !== 'true' });
    const now = Date.now();
    return {
      items: workers.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        backend: w.backend,
        concurrency: w.concurrency,
        runningTrialIds: w.runningTrialIds,
        startedAt: w.startedAt.toISOString(),
        lastHeartbeatAt: w.lastHeartbeatAt.toISOString(),
        heartbeatAgeSeconds: Math.round((now - w.lastHeartbeatAt.getTime()) / 100) / 10,
      })),
    };
  }
}
