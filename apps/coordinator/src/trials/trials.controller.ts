import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TrialMetricsQuerySchema } from '@tuneforge/contracts';
import { parseQuery } from '../common/query';
import { TrialsService } from './trials.service';

@ApiTags('trials')
@Controller('trials')
export class TrialsController {
  constructor(private readonly trials: TrialsService) {}

  @Get(':id')
  @ApiOperation({ summary: 'One trial: config, seed, status (with reason), attempts, best metric' })
  @ApiResponse({ status: 404, description: 'no trial with this id' })
  get(@Param('id') id: string) {
    return this.trials.get(id);
  }

  @Get(':id/metrics')
  @ApiOperation({ summary: "A trial's per-epoch metrics, one series per metric name" })
  @ApiQuery({ name: 'names', required: false, description: 'comma-separated metric names, e.g. loss,val_loss' })
  @ApiResponse({ status: 404, description: 'no trial with this id' })
  metrics(@Param('id') id: string, @Query() query: unknown) {
    return this.trials.metrics(id, parseQuery(TrialMetricsQuerySchema, query));
  }
}
