import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ListSweepsQuerySchema, ListTrialsQuerySchema, UpdateSweepSchema, type ParetoDto } from '@tuneforge/contracts';
import { CurrentPrincipal, TargetProject, visibleProjects, type Principal } from '../auth/principal';
import { RequestValidationError } from '../common/domain-errors';
import { parseBody, parseQuery } from '../common/query';
import { TrialsService } from '../trials/trials.service';
import { SweepReads } from './sweep-reads.service';
import { SweepsService } from './sweeps.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('sweeps')
@Controller('sweeps')
export class SweepsController {
  constructor(
    private readonly sweeps: SweepsService,
    private readonly reads: SweepReads,
    private readonly trials: TrialsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Submit a sweep (JSON or YAML); creates the sweep and queues its first trials' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'repeat a request safely: the same key returns the same sweep' })
  @ApiResponse({ status: 201, description: 'created' })
  @ApiResponse({ status: 200, description: 'an earlier request with the same Idempotency-Key created this sweep' })
  @ApiResponse({
    status: 400,
    description:
      'the spec is invalid (`issues` names each field and rule), nested deeper than 64 levels, holds NUL or a lone surrogate, asks for more than MAX_TRIALS_PER_SWEEP / MAX_CONCURRENT_PER_SWEEP, or its compressed body is corrupt',
  })
  @ApiResponse({ status: 409, description: 'the Idempotency-Key was used for a different spec' })
  @ApiResponse({ status: 413, description: 'the body is too large' })
  @ApiResponse({ status: 415, description: 'unsupported charset or content-encoding' })
  @ApiResponse({ status: 503, description: 'Redis or PostgreSQL is down; nothing was created' })
  async create(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @TargetProject() projectId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new RequestValidationError([{ path: 'headers.idempotency-key', message: 'must be 1 to 200 printable ASCII characters' }]);
    }
    const result = await this.sweeps.create(body, projectId, idempotencyKey);
    response.status(result.created ? 201 : 200);
    if (result.created) response.location(`/api/v1/sweeps/${result.sweep.id}`);
    return result.sweep;
  }

  @Get()
  @ApiOperation({ summary: 'Sweeps, newest first, one page' })
  list(@Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    return this.reads.list(parseQuery(ListSweepsQuerySchema, query), visibleProjects(principal));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One sweep with trial counts and its best trial so far' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  get(@Param('id') id: string) {
    return this.reads.get(id);
  }

  @Get(':id/trials')
  @ApiOperation({ summary: "A sweep's trials, one page, best objective first by default" })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  listTrials(@Param('id') id: string, @Query() query: unknown) {
    return this.trials.listForSweep(id, parseQuery(ListTrialsQuerySchema, query));
  }

  @Get(':id/pareto')
  @ApiOperation({ summary: 'The Pareto front of two objectives (paretoObjectives, else the objective and param_count)' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  pareto(@Param('id') id: string): Promise<ParetoDto> {
    return this.reads.pareto(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: no new trials start (waiting jobs leave the queue); running trials finish' })
  @ApiResponse({ status: 409, description: 'the sweep is not running' })
  pause(@Param('id') id: string) {
    return this.sweeps.pause(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused sweep' })
  @ApiResponse({ status: 409, description: 'the sweep is not paused' })
  resume(@Param('id') id: string) {
    return this.sweeps.resume(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change maxTrials (extend a running or finished sweep) and/or maxConcurrent' })
  @ApiResponse({ status: 400, description: 'not maxTrials/maxConcurrent, or above MAX_TRIALS_PER_SWEEP / MAX_CONCURRENT_PER_SWEEP (issue at budget.maxTrials / budget.maxConcurrent)' })
  @ApiResponse({ status: 409, description: 'maxTrials below the trials already created, or the sweep was cancelled' })
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.sweeps.update(id, parseBody(UpdateSweepSchema, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a sweep that has ended, with its trials, metric points, checkpoints, events and queued jobs' })
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  @ApiResponse({ status: 409, description: 'the sweep is running or paused (SWEEP_ACTIVE), or a running or paused sweep warm-starts from it (SWEEP_IN_USE); nothing was deleted' })
  @ApiResponse({ status: 503, description: 'Redis (the trial queue) is down; nothing was deleted' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.sweeps.delete(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a running sweep: queued and running trials become cancelled, waiting jobs are removed' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  @ApiResponse({ status: 409, description: 'the sweep has already ended' })
  cancel(@Param('id') id: string) {
    return this.sweeps.cancel(id);
  }
}
