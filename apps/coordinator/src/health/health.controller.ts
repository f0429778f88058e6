import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { RedisProbe, withTimeout } from './redis-probe.service';

interface DependencyCheck {
  status: 'up' | 'down';
  latencyMs?: number;
  error?: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisProbe,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP; checks no dependency, so an outage of one never restarts the coordinator' })
  @ApiResponse({ status: 200, description: 'the process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get()
  @ApiOperation({ summary: 'Readiness: checks PostgreSQL and Redis; 503 when either is down' })
  @ApiResponse({ status: 200, description: 'both dependencies answer' })
  @ApiResponse({ status: 503, description: 'a dependency is down; `checks` says which' })
  async check(@Res({ passthrough: true }) response: Response) {
    const [postgres, redis] = await Promise.all([
      measure(() => withTimeout(this.dataSource.query('SELECT 1'), 2_000, 'PostgreSQL did not answer within 2 s')),
      measure(() => this.redis.ping()),
    ]);
    const ok = postgres.status === 'up' && redis.status === 'up';
    response.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks: { postgres, redis } };
  }
}

async function measure(check: () => Promise<unknown>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await check();
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}
