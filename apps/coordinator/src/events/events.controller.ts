import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventsQuerySchema } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { CurrentPrincipal, visibleProjects, type Principal } from '../auth/principal';
import { NotFoundError } from '../common/domain-errors';
import { parseQuery } from '../common/query';
import { EventStream } from './event-stream.service';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(
    private readonly stream: EventStream,
    private readonly stores: Stores,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Server-Sent Events: sweep, trial, metrics (new epochs) and workers changes, read from PostgreSQL once a second',
    description:
      'Event types: hello (on connect), heartbeat (every 10 s), sweep, trial, metrics, workers; each `data` is JSON. ' +
      'The stream starts with `retry: 2000`; after a reconnect, reload what you show (events missed while away are not replayed).',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 400, description: 'a bad query parameter; `issues` names it' })
  async events(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const { sweep } = parseQuery(EventsQuerySchema, query);
    const projects = visibleProjects(principal);
    if (sweep !== undefined && projects !== 'all') {
      const project = await this.stores.accounts.projectOf('sweep', sweep);
      if (project === undefined || !projects.includes(project)) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', sweep);
    }
    this.stream.subscribe(response, projects, sweep);
  }
}
