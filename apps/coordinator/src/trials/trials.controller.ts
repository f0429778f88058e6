import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TrialMetricsQuerySchema, type CheckpointDto } from '@tuneforge/contracts';
import { RequestValidationError } from '../common/domain-errors';
import { parseQuery } from '../common/query';
import { TrialsService, type ModelCheckpoint } from './trials.service';

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
  @ApiResponse({ status: 404, description: 'no trial with this id' })
  metrics(@Param('id') id: string, @Query() query: unknown) {
    return this.trials.metrics(id, parseQuery(TrialMetricsQuerySchema, query));
  }

  @Get(':id/checkpoints')
  @ApiOperation({ summary: "A trial's stored checkpoints, newest first" })
  checkpoints(@Param('id') id: string): Promise<CheckpointDto[]> {
    return this.trials.checkpoints(id);
  }

  @Get(':id/checkpoints/latest')
  @ApiOperation({ summary: 'The newest checkpoint as a TensorFlow.js model.json: tf.loadLayersModel(thisUrl) loads it' })
  @ApiResponse({ status: 404, description: 'no trial with this id, or it has no readable checkpoint yet' })
  latestModel(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    return this.modelJson(id, 'latest', 'latest/weights.bin', response);
  }

  @Get(':id/checkpoints/latest/model.json')
  @ApiOperation({ summary: 'The same model.json, at a path whose folder also holds weights.bin' })
  latestModelJson(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    return this.modelJson(id, 'latest', 'weights.bin', response);
  }

  @Get(':id/checkpoints/latest/weights.bin')
  @ApiOperation({ summary: 'The weights of the newest checkpoint (float32, in model.json order)' })
  latestWeights(@Param('id') id: string, @Res() response: Response) {
    return this.weights(id, 'latest', response);
  }

  @Get(':id/checkpoints/best')
  @ApiOperation({ summary: "The checkpoint of the trial's best epoch (the one that scored bestMetric) as a TensorFlow.js model.json" })
  @ApiResponse({ status: 404, description: 'no trial with this id, or no stored checkpoint of its best epoch' })
  bestModel(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    return this.modelJson(id, 'best', 'best/weights.bin', response);
  }

  @Get(':id/checkpoints/best/model.json')
  @ApiOperation({ summary: 'The same model.json, at a path whose folder also holds weights.bin' })
  bestModelJson(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    return this.modelJson(id, 'best', 'weights.bin', response);
  }

  @Get(':id/checkpoints/best/weights.bin')
  @ApiOperation({ summary: "The weights of the best epoch's checkpoint (float32, in model.json order)" })
  bestWeights(@Param('id') id: string, @Res() response: Response) {
    return this.weights(id, 'best', response);
  }

  @Get(':id/checkpoints/:epoch')
  @ApiOperation({ summary: 'One stored checkpoint as written by the worker (its `format` says how to read it), for download' })
  @ApiResponse({ status: 400, description: 'the epoch is not a whole number' })
  @ApiResponse({ status: 404, description: 'no trial with this id, or no checkpoint of this epoch' })
  async checkpointBytes(@Param('id') id: string, @Param('epoch') epoch: string, @Res() response: Response) {
    if (!/^\d{1,9}$/.test(epoch)) throw new RequestValidationError([{ path: 'params.epoch', message: 'must be a whole number of epochs' }]);
    const wanted = Number(epoch);
    const checkpoint = await this.trials.checkpointBytes(id, wanted);
    response.setHeader('Content-Type', 'application/octet-stream');
    response.setHeader('Content-Disposition', `attachment; filename="trial-${id}-epoch-${wanted}.ckpt"`);
    response.setHeader('X-Checkpoint-Format', checkpoint.format);
    response.send(checkpoint.bytes);
  }

  /** model.json names its weights file relative to its own URL's folder, so each path gets its own. */
  private async modelJson(id: string, which: ModelCheckpoint, weightsPath: string, response: Response): Promise<object> {
    const files = await this.trials.modelFiles(id, which, weightsPath);
    response.setHeader('X-Checkpoint-Epoch', String(files.epoch));
    return files.modelJson;
  }

  private async weights(id: string, which: ModelCheckpoint, response: Response): Promise<void> {
    const files = await this.trials.modelFiles(id, which, 'weights.bin');
    response.setHeader('Content-Type', 'application/octet-stream');
    response.setHeader('X-Checkpoint-Epoch', String(files.epoch));
    response.send(files.weights);
  }
}
