import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SweepCurvesQuerySchema, TrialPointsQuerySchema, type ImportanceDto, type SweepCurvesDto, type TrialPointsDto } from '@tuneforge/contracts';
import { parseQuery } from '../common/query';
import { CurvesService } from './curves.service';

@ApiTags('sweeps')
@Controller('sweeps')
export class CurvesController {
  constructor(private readonly curves: CurvesService) {}

  @Get(':id/curves')
  @ApiOperation({ summary: "One metric's learning curves of the sweep's best trials (leaderboard order), downsampled on the server (LTTB)" })
  @ApiResponse({ status: 400, description: 'a bad query parameter; `issues` names it' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  sweepCurves(@Param('id') id: string, @Query() query: unknown): Promise<SweepCurvesDto> {
    return this.curves.sweepCurves(id, parseQuery(SweepCurvesQuerySchema, query));
  }

  @Get(':id/trial-points')
  @ApiOperation({ summary: "The trials' hyperparameters and best objective in columns (every trial, or the best `limit`), for parallel-coordinates and scatter plots" })
  @ApiResponse({ status: 400, description: 'a bad query parameter; `issues` names it' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  trialPoints(@Param('id') id: string, @Query() query: unknown): Promise<TrialPointsDto> {
    return this.curves.trialPoints(id, parseQuery(TrialPointsQuerySchema, query));
  }

  @Get(':id/importance')
  @ApiOperation({ summary: 'How much the objective depends on each searched hyperparameter: permutation importance of a random forest on held-out trials' })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  importance(@Param('id') id: string): Promise<ImportanceDto> {
    return this.curves.importance(id);
  }
}
