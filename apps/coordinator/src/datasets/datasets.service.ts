import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SpecValidationError, unstorableTextProblem, type DatasetDto, type Dimension, type SweepSpec, type ValidationIssue } from '@tuneforge/contracts';
import { Stores, type DatasetSummary } from '@tuneforge/persistence';
import { classificationSamplesFromCsv, CsvDatasetError, describeCsvIssue, forecastSampleCounts, parseCsvTable } from '@tuneforge/formats';
import { ConflictError, NotFoundError, quotedIds, RequestValidationError } from '../common/domain-errors';
import { isUuid } from '../common/query';

const NAME = /^[\w .-]{1,200}$/;

/** Uploaded CSV time series: checked before they are stored, and checked against the sweeps that name them. */
@Injectable()
export class DatasetsService {
  constructor(private readonly stores: Stores) {}

  async upload(content: Buffer, name: string | undefined, projectId: string): Promise<DatasetDto> {
    const datasetName = name ?? `upload-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
    const nameProblem = unstorableTextProblem(datasetName);
    if (nameProblem) throw new RequestValidationError([{ path: 'query.name', message: nameProblem }]);
    if (!NAME.test(datasetName)) throw new RequestValidationError([{ path: 'query.name', message: 'letters, digits, spaces, _ . - only (1 to 200)' }]);
    let table;
    try {
      table = parseCsvTable(content.toString('utf8'));
    } catch (error) {
      if (error instanceof CsvDatasetError) throw new RequestValidationError(error.issues.map((issue) => ({ path: 'file', message: describeCsvIssue(issue) })));
      throw error;
    }
    // Column names are stored (jsonb) and named in sweeps: NUL and lone surrogates cannot be.
    const headerIssues = table.columns.flatMap((column, index) => {
      const problem = unstorableTextProblem(column.name);
      return problem ? [{ path: 'file', message: `line 1, column ${index + 1}: the header cell ${problem}` }] : [];
    });
    if (headerIssues.length > 0) throw new RequestValidationError(headerIssues);
    const saved = await this.stores.datasets.insert({
      projectId,
      name: datasetName,
      format: 'csv',
      columns: table.columns,
      rowCount: table.rowCount,
      content,
      sizeBytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    return toDto(saved);
  }

  async list(projects: readonly string[] | 'all'): Promise<{ items: DatasetDto[] }> {
    const rows = await this.stores.datasets.list(projects);
    return { items: rows.map(toDto) };
  }

  async get(id: string): Promise<DatasetDto> {
    const row = isUuid(id) ? await this.stores.datasets.find(id) : undefined;
    if (!row) throw new NotFoundError('DATASET_NOT_FOUND', 'dataset', id);
    return toDto(row);
  }

  /**
   * Deletes an uploaded dataset, refused while a running or paused sweep trains on it (its trials read it when they
   * start). Finished sweeps that used it do not hold it: their trials keep their results and checkpoints. The dataset's
   * row is locked first, and a sweep being created on it holds it (`holdForSweep`), so the two cannot cross.
   */
  async delete(id: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      if (!isUuid(id) || !(await tx.datasets.lock(id))) throw new NotFoundError('DATASET_NOT_FOUND', 'dataset', id);
      const live = await tx.sweeps.liveOnDataset(id);
      if (live.length > 0) throw new ConflictError('DATASET_IN_USE', `dataset '${id}' is used by live sweeps ${quotedIds(live)}; cancel them or let them end before deleting it`);
      await tx.datasets.delete(id);
    });
  }

  /**
   * A sweep on an uploaded dataset must name an existing dataset, numeric columns, and fit its windows; a
   * classification sweep's samples are built as its trials will build them, and every problem names its line.
   */
  async checkSweepDataset(spec: SweepSpec, projectId: string): Promise<void> {
    if (spec.dataset.source !== 'upload') return;
    const found = await this.stores.datasets.find(spec.dataset.id);
    // Another project's dataset is as unknown as a missing one.
    const dataset = found?.projectId === projectId ? found : undefined;
    if (!dataset) throw new SpecValidationError([{ path: 'dataset.id', message: `no uploaded dataset '${spec.dataset.id}' (POST /api/v1/datasets first)` }]);
    if (spec.dataset.task === 'classify') return this.checkClassificationSamples(spec.dataset);
    const { target, features, window, horizon, validationSplit, testSplit } = spec.dataset;
    const issues: ValidationIssue[] = [];
    const numeric = new Set(dataset.columns.filter((c) => c.type === 'number').map((c) => c.name));
    const choices = [...numeric].join(', ');
    if (!numeric.has(target)) issues.push({ path: 'dataset.target', message: `'${target}' is not a numeric column of the dataset (${choices})` });
    features.forEach((f, i) => {
      if (!numeric.has(f)) issues.push({ path: `dataset.features.${i}`, message: `'${f}' is not a numeric column of the dataset (${choices})` });
    });
    const largestWindow = largest(window);
    const largestHorizon = largest(horizon);
    const counts = forecastSampleCounts(dataset.rowCount, largestWindow, largestHorizon, validationSplit, testSplit);
    if (counts.train < 1 || counts.validation < 1 || counts.test < 1) {
      issues.push({
        path: 'dataset.window',
        message:
          `the dataset's ${dataset.rowCount} rows are too few for window ${largestWindow} + horizon ${largestHorizon} with validationSplit ${validationSplit} and testSplit ${testSplit} ` +
          `(${counts.train} training, ${counts.validation} validation, ${counts.test} test samples)`,
      });
    }
    if (issues.length) throw new SpecValidationError(issues);
  }

  private async checkClassificationSamples(dataset: Extract<SweepSpec['dataset'], { task: 'classify' }>): Promise<void> {
    const content = await this.stores.datasets.content(dataset.id);
    if (content === undefined) throw new SpecValidationError([{ path: 'dataset.id', message: `no uploaded dataset '${dataset.id}' (it was deleted)` }]);
    try {
      classificationSamplesFromCsv(parseCsvTable(content), dataset);
    } catch (error) {
      if (!(error instanceof CsvDatasetError)) throw error;
      const pathOf = (column: string | undefined) => {
        if (column === undefined) return 'dataset';
        const featureIndex = dataset.features.indexOf(column);
        if (featureIndex >= 0) return `dataset.features.${featureIndex}`;
        const field = (['label', 'text', 'sequence'] as const).find((name) => dataset[name] === column);
        return field ? `dataset.${field}` : 'dataset';
      };
      throw new SpecValidationError(error.issues.map((issue) => ({ path: pathOf(issue.column), message: describeCsvIssue(issue) })));
    }
  }
}

function largest(param: number | Dimension): number {
  if (typeof param === 'number') return param;
  if (param.type === 'choice') return Math.max(...param.values.map(Number));
  return param.max;
}

function toDto(row: DatasetSummary): DatasetDto {
  return {
    id: row.id,
    name: row.name,
    format: row.format,
    columns: row.columns,
    rowCount: row.rowCount,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    createdAt: row.createdAt.toISOString(),
  };
}
