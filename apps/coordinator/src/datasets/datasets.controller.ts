import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { DatasetDto } from '@tuneforge/contracts';
import { CurrentPrincipal, TargetProject, visibleProjects, type Principal } from '../auth/principal';
import { RequestValidationError } from '../common/domain-errors';
import { DatasetsService } from './datasets.service';

export const MAX_DATASET_BYTES = 10 * 1024 * 1024;

@ApiTags('datasets')
@Controller('datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_DATASET_BYTES, files: 1 } }))
  @ApiOperation({ summary: 'Upload a CSV time series (text/csv body, or multipart/form-data with a `file` field)' })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 201, description: 'stored; use its id in a sweep: dataset: { source: upload, id, target, features }' })
  @ApiResponse({ status: 400, description: 'the file is empty, ragged, has non-numeric cells, is out of time order or too short; `issues` name the lines' })
  @ApiResponse({ status: 413, description: 'larger than 10 MB' })
  upload(
    @Body() body: unknown,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @Query('name') name: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @TargetProject() projectId: string,
  ) {
    const content = file?.buffer ?? (typeof body === 'string' ? Buffer.from(body, 'utf8') : undefined);
    if (!content) {
      throw new RequestValidationError([
        { path: 'body', message: `send the CSV as text/csv, or as multipart/form-data in a 'file' field (got ${contentType ?? 'no content type'})` },
      ]);
    }
    return this.datasets.upload(content, name, projectId);
  }

  @Get()
  @ApiOperation({ summary: 'Uploaded datasets, newest first (without their content)' })
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: DatasetDto[] }> {
    return this.datasets.list(visibleProjects(principal));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One uploaded dataset: columns, rows, size, checksum' })
  @ApiResponse({ status: 404, description: 'no dataset with this id' })
  get(@Param('id') id: string): Promise<DatasetDto> {
    return this.datasets.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an uploaded dataset; sweeps that have ended keep their trials and checkpoints' })
  @ApiResponse({ status: 204, description: 'deleted' })
  @ApiResponse({ status: 404, description: 'no dataset with this id' })
  @ApiResponse({ status: 409, description: 'a running or paused sweep trains on it (DATASET_IN_USE, naming them); nothing was deleted' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.datasets.delete(id);
  }
}
