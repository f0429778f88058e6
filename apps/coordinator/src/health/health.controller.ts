import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DependencyCheck, HealthDto, StrandedTrialsCheck } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { Leadership } from '../leadership/leadership.service';
import { TrialReconciler } from '../queue/trial-reconciler.service';
import { RedisProbe, withTimeout } from './redis-probe.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly stores: Stores,
    private readonly redis: RedisProbe,
    private readonly reconciler: TrialReconciler,
    private readonly leadership: Leadership,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP; checks no dependency, so an outage of one never restarts the coordinator' })
  @ApiResponse({ status: 200, description: 'the process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @ApiOperation({
    summary:
      'Readiness: checks PostgreSQL and Redis (503 when either is down) and reports stranded trials (queued without a job or running with no live worker for longer than STRANDED_AFTER_MS: status degraded, still 200) and whether this replica leads (runs the periodic reconcile pass)',
  })
  @ApiResponse({ status: 200, description: 'both dependencies answer; `status` is `degraded` while trials are stranded' })
  @ApiResponse({ status: 503, description: 'a dependency is down; `checks` says which' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthDto> {
    const [postgres, redis] = await Promise.all([
      measure(() => withTimeout(this.stores.ping(), 2_000, 'PostgreSQL did not answer within 2 s')),
      measure(() => this.redis.ping()),
    ]);
    const trials = postgres.status === 'up' ? await this.strandedTrials() : { status: 'unknown' as const, strandedAfterMs: this.config.strandedAfterMs };
    const ok = postgres.status === 'up' && redis.status === 'up';
    response.status(ok ? 200 : 503);
    return { status: ok ? (trials.status === 'degraded' ? 'degraded' : 'ok') : 'unavailable', checks: { postgres, redis, trials }, leader: this.leadership.isLeader };
  }

  private async strandedTrials(): Promise<StrandedTrialsCheck> {
    const { strandedAfterMs } = this.config;
    try {
      const stranded = await withTimeout(this.reconciler.stranded(), 2_000, 'the stranded-trials query did not answer within 2 s');
      return { status: stranded > 0 ? 'degraded' : 'up', stranded, strandedAfterMs };
    } catch {
      return { status: 'unknown', strandedAfterMs };
    }
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
