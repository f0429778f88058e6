import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BestModelWeightsQuerySchema } from '@tuneforge/contracts';
import { parseQuery } from '../common/query';
import { ModelExportService, type ModelBundleFiles } from './model-export.service';

const NOT_READY = 'the trial has not ended completed or pruned, trained no model (simulated) or has no record of its preprocessing (MODEL_NOT_READY)';

/**
 * Exported models: the best epoch's weights with `userDefinedMetadata.tuneforge` (how inputs are made from
 * raw data, the trial, its scores), for `tf.loadLayersModel(url)` and @tuneforge/predict.
 */
@ApiTags('models')
@Controller()
export class ModelExportController {
  constructor(private readonly exports: ModelExportService) {}

  @Get('trials/:id/model')
  @ApiOperation({
    summary: "The trial's model (its best epoch) as a TensorFlow.js model.json whose userDefinedMetadata.tuneforge says how to make its inputs; tf.loadLayersModel(thisUrl) loads it",
  })
  @ApiResponse({ status: 404, description: 'no trial with this id, or no stored checkpoint of its best epoch' })
  @ApiResponse({ status: 409, description: NOT_READY })
  async trialModel(@Param('id') id: string, @Res({ passthrough: true }) response: Response): Promise<object> {
    return modelJson(await this.exports.trialBundle(id, 'model/weights.bin'), response);
  }

  @Get('trials/:id/model/weights.bin')
  @ApiOperation({ summary: "The weights of the trial's model (float32, in model.json order; no optimizer state)" })
  @ApiResponse({ status: 404, description: 'no trial with this id, or no stored checkpoint of its best epoch' })
  @ApiResponse({ status: 409, description: NOT_READY })
  async trialWeights(@Param('id') id: string, @Res() response: Response): Promise<void> {
    sendWeights(await this.exports.trialBundle(id, 'model/weights.bin'), response);
  }

  @Get('sweeps/:id/best-model')
  @ApiOperation({
    summary:
      "The model of the sweep's best trial that has one (completed or pruned, by the objective's direction), as GET /trials/:id/model serves it; " +
      'its weights path names that trial, so model.json and weights always match (X-Trial-Id says which)',
  })
  @ApiResponse({ status: 404, description: 'no sweep with this id' })
  @ApiResponse({ status: 409, description: 'none of its trials has a model yet (MODEL_NOT_READY)' })
  async sweepBestModel(@Param('id') id: string, @Res({ passthrough: true }) response: Response): Promise<object> {
    return modelJson(await this.exports.sweepBundle(id, (trialId) => `best-model/weights.bin?trial=${trialId}`), response);
  }

  @Get('sweeps/:id/best-model/weights.bin')
  @ApiOperation({ summary: 'The weights of the sweep\'s best model, or of the trial `trial` of the sweep (what its model.json names)' })
  @ApiResponse({ status: 400, description: '`trial` is not a uuid' })
  @ApiResponse({ status: 404, description: 'no sweep with this id, or `trial` is not one of its trials' })
  @ApiResponse({ status: 409, description: 'none of its trials has a model yet, or `trial` has none (MODEL_NOT_READY)' })
  async sweepBestWeights(@Param('id') id: string, @Query() query: unknown, @Res() response: Response): Promise<void> {
    const { trial } = parseQuery(BestModelWeightsQuerySchema, query);
    sendWeights(await this.exports.sweepBundle(id, () => 'weights.bin', trial), response);
  }
}

function modelJson(bundle: ModelBundleFiles, response: Response): object {
  response.setHeader('X-Trial-Id', bundle.trialId);
  response.setHeader('X-Checkpoint-Epoch', String(bundle.epoch));
  return bundle.modelJson;
}

function sendWeights(bundle: ModelBundleFiles, response: Response): void {
  response.setHeader('Content-Type', 'application/octet-stream');
  response.setHeader('X-Trial-Id', bundle.trialId);
  response.setHeader('X-Checkpoint-Epoch', String(bundle.epoch));
  response.send(bundle.weights);
}
