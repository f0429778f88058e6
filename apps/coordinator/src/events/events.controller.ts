import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventsQuerySchema } from '@tuneforge/contracts';
import { parseQuery } from '../common/query';
import { EventStream } from './event-stream.service';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly stream: EventStream) {}

  @Get()
  @ApiOperation({
    summary: 'Server-Sent Events: sweep, trial, metrics (new epochs) and workers changes, read from PostgreSQL once a second',
    description:
      'Event types: hello (on connect), heartbeat (every 10 s), sweep, trial, metrics, workers; each `data` is JSON. ' +
      'The stream starts with `retry: 2000`; after a reconnect, reload what you show (events missed while away are not replayed).',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 400, description: 'a bad query parameter; `issues` names it' })
  events(@Query() query: unknown, @Res() response: Response): void {
    const { sweep } = parseQuery(EventsQuerySchema, query);
    this.stream.subscribe(response, sweep);
  }
}
