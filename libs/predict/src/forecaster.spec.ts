import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { encodeInputs, windowSamples, type ForecastPreprocessing } from '@tuneforge/formats';
import { forecastCsv, loadForecaster, type Forecaster } from './forecaster';
import { ModelBundleError, PredictInputError } from './predict-errors';
import { dailyCsv, dailySeries, salesPreprocessing, tinyModel, writeBundle } from './tiny-bundle.fixture';

const series = dailySeries(40);
const preprocessing = salesPreprocessing(series);
const WINDOW = preprocessing.window;
const objects = series.date.map((t, i) => ({ date: new Date(t).toISOString().slice(0, 10), sales: series.sales[i] }));

/** The message a PredictInputError carries, or a failure when the call does not throw one. */
async function inputError(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof PredictInputError, `expected a PredictInputError, got ${(error as Error).stack}`);
    return error.message;
  }
  assert.fail('expected a PredictInputError');
}

describe(loadForecaster.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'tuneforge-predict-'));
  const model = tinyModel(preprocessing);
  let dir: string;
  let sut: Forecaster;

  before(async () => {
    dir = await writeBundle(join(root, 'bundle'), model, preprocessing);
    sut = await loadForecaster(dir);
  });
  after(() => {
    sut?.dispose();
    model.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  /** What the tfjs model itself outputs for the windows at `starts`, from the inputs formats makes of the rows. */
  const rawOutputs = (of: tf.LayersModel, p: ForecastPreprocessing, starts: number[]) => {
    const x = windowSamples(encodeInputs(p.inputs, series), starts, p.window);
    return tf.tidy(() => of.predict(tf.tensor3d(x, [starts.length, p.window, p.inputs.length])) as tf.Tensor).dataSync();
  };

  it('forecasts every window in the target units: the change from a week earlier, decoded with the training statistics', async () => {
    const forecasts = await sut.predictAll(objects);
    const starts = Array.from({ length: 40 - WINDOW + 1 }, (_, s) => s);
    assert.deepEqual(
      forecasts.map((f) => [f.start, f.index]),
      starts.map((s) => [s, s + WINDOW]),
    );
    const outputs = rawOutputs(model, preprocessing, starts);
    const { kind, mean, std } = preprocessing.output;
    assert.equal(kind, 'seasonal-difference');
    const weekEarlier = (index: number, k: number) => series.sales[index + k - 7];
    forecasts.forEach((f, i) => {
      const expected = [0, 1].map((k) => outputs[2 * i + k] * std + mean + weekEarlier(f.index, k));
      f.values.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-9, `window ${i} step ${k}: ${v} vs ${expected[k]}`));
    });
  });

  it('decodes a level output with the level statistics', async () => {
    const level = salesPreprocessing(series, { output: 'level' });
    const levelModel = tinyModel(level);
    const forecaster = await loadForecaster(await writeBundle(join(root, 'level'), levelModel, level));
    try {
      const outputs = rawOutputs(levelModel, level, [40 - WINDOW]);
      const { values } = await forecaster.predict(objects);
      values.forEach((v, k) => assert.ok(Math.abs(v - (outputs[k] * level.output.std + level.output.mean)) < 1e-9));
      assert.ok(Math.abs(level.output.mean - 107) < 10, 'the level statistics of the first 30 rows');
    } finally {
      forecaster.dispose();
      levelModel.dispose();
    }
  });

  it('forecasts the horizon after the last window, with the times of those steps', async () => {
    const all = await sut.predictAll(objects);
    const last = await sut.predict(objects);
    assert.deepEqual(last, all.at(-1));
    assert.equal(last.index, 40);
    const day = 86_400_000;
    assert.deepEqual(last.times, [series.date[39] + day, series.date[39] + 2 * day]);
    assert.deepEqual(all[0].times, [series.date[WINDOW], series.date[WINDOW + 1]]);
  });

  it('reads the time as a date string, a Date or epoch milliseconds, and CSV text alike', async () => {
    const expected = await sut.predict(objects);
    assert.deepEqual(await sut.predict(series.date.map((t, i) => ({ date: t, sales: series.sales[i] }))), expected);
    assert.deepEqual(await sut.predict(series.date.map((t, i) => ({ date: new Date(t), sales: String(series.sales[i]) }))), expected);
    assert.deepEqual(await sut.predict(sut.readCsv(dailyCsv(series))), expected);
    assert.deepEqual(await forecastCsv(dir, dailyCsv(series)), [expected]);
    assert.deepEqual(await forecastCsv(join(dir, 'model.json'), dailyCsv(series), { all: true }), await sut.predictAll(objects));
  });

  describe('bad rows name the row (or CSV line) and column', () => {
    const csv = (edit: (lines: string[]) => void) => {
      const lines = dailyCsv(series).trimEnd().split('\n');
      edit(lines);
      return lines.join('\n');
    };

    it('a missing column', async () => {
      assert.match(await inputError(() => sut.predict(objects.map(({ date }) => ({ date })))), /^column 'sales', is missing; the model reads 'date', 'sales'$/);
      const withoutSales = csv((l) => l.forEach((line, i) => (l[i] = line.split(',')[0])));
      assert.match(await inputError(() => sut.predict(sut.readCsv(withoutSales))), /column 'sales', is missing/);
      assert.match(await inputError(() => sut.predict(objects.map((o, i) => (i === 6 ? { date: o.date } : o)))), /^row 7, column 'sales', is missing from this row$/);
    });

    it('a column the model does not read', async () => {
      assert.match(await inputError(() => sut.predict(objects.map((o) => ({ ...o, promo: 1 })))), /^column 'promo', is not read by the model; remove it/);
      const extra = csv((l) => l.forEach((line, i) => (l[i] = `${line},${i === 0 ? 'promo' : 0}`)));
      assert.match(await inputError(() => sut.predict(sut.readCsv(extra))), /^line 1, column 'promo', is not read by the model/);
    });

    it('a cell that is not a number: text, empty, NaN, null', async () => {
      const bad = (value: unknown) => objects.map((o, i) => (i === 3 ? { ...o, sales: value as number } : o));
      assert.equal(await inputError(() => sut.predict(bad('lots'))), "row 4, column 'sales', 'lots' is not a number");
      assert.equal(await inputError(() => sut.predict(bad(''))), "row 4, column 'sales', an empty cell is not a number");
      assert.equal(await inputError(() => sut.predict(bad(NaN))), "row 4, column 'sales', NaN is not a number");
      assert.equal(await inputError(() => sut.predict(bad(null))), "row 4, column 'sales', null is not a number");
      assert.equal(await inputError(() => sut.readCsv(csv((l) => (l[4] = '2020-01-04,lots')))), "line 5, column 'sales', 'lots' is not a number");
      assert.equal(await inputError(() => sut.readCsv(csv((l) => (l[4] = '2020-01-04,')))), "line 5, column 'sales', '' is not a number");
    });

    it('a date that does not parse', async () => {
      assert.equal(await inputError(() => sut.predict(objects.map((o, i) => (i === 9 ? { ...o, date: 'soon' } : o)))), "row 10, column 'date', 'soon' is not a date");
      assert.equal(await inputError(() => sut.readCsv(csv((l) => (l[10] = 'soon,3')))), "line 11, column 'date', 'soon' is not a date");
    });

    it('rows out of time order', async () => {
      const swapped = [...objects];
      [swapped[11], swapped[12]] = [swapped[12], swapped[11]];
      assert.match(await inputError(() => sut.predict(swapped)), /^row 13, column 'date', rows must be in time order/);
      assert.match(await inputError(() => sut.readCsv(csv((l) => ([l[12], l[13]] = [l[13], l[12]])))), /^line 14, column 'date', rows must be in time order/);
    });

    it('fewer rows than one window', async () => {
      assert.equal(await inputError(() => sut.predict(objects.slice(0, 4))), '4 rows are too few: the model reads windows of 8 rows, so it needs at least 8');
      assert.equal(await inputError(() => sut.predict(sut.readCsv(dailyCsv({ date: series.date.slice(0, 2), sales: series.sales.slice(0, 2) })))), '2 rows are too few: the model reads windows of 8 rows, so it needs at least 8');
      assert.equal((await sut.predictAll(objects.slice(0, 8))).length, 1, 'one window is enough');
    });
  });

  describe('refuses what is not a Tuneforge forecasting bundle', () => {
    const refusal = async (edit: (modelJson: Record<string, unknown>) => void) => {
      const at = await writeBundle(join(root, `edited-${Math.random().toString(36).slice(2)}`), model, preprocessing, edit);
      const error = await loadForecaster(at).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ModelBundleError, String(error));
      return error.message;
    };

    it('another bundle format, no metadata, a text model, a missing folder', async () => {
      assert.match(
        await refusal((json) => ((json.userDefinedMetadata as { tuneforge: { format: string } }).tuneforge.format = 'tuneforge-model/v9')),
        /bundle format 'tuneforge-model\/v9'; this reader knows only 'tuneforge-model\/v1'/,
      );
      assert.match(await refusal((json) => delete json.userDefinedMetadata), /is not a Tuneforge model bundle \(no userDefinedMetadata.tuneforge\)/);
      assert.match(
        await refusal((json) => ((json.userDefinedMetadata as { tuneforge: { preprocessing: object } }).tuneforge.preprocessing = { task: 'text', window: 5, vocabulary: ['a'] })),
        /is a text model, not a forecast model; use loadTextModel/,
      );
      assert.match(
        await refusal((json) => delete (json.userDefinedMetadata as { tuneforge: { preprocessing: { output?: object } } }).tuneforge.preprocessing.output),
        /is inconsistent: it has no output encoding \(level or seasonal-difference\)/,
      );
      await assert.rejects(loadForecaster(join(root, 'nothing-here')), /nothing-here does not exist/);
    });
  });

  describe('over HTTP', () => {
    let server: Server;
    let base = '';
    before(async () => {
      server = createServer((request, response) => {
        if (request.url === '/not-ready') {
          response.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 409, code: 'MODEL_NOT_READY', message: 'trial t is running' }));
          return;
        }
        const file = { '/m/model': 'model.json', '/m/weights.bin': 'weights.bin' }[request.url ?? ''];
        if (!file) response.writeHead(404).end();
        else response.end(readFileSync(join(dir, file)));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise((resolve) => server.close(resolve)));

    it('loads model.json from a URL and its weights beside it, and says why a URL answered an error', async () => {
      const remote = await loadForecaster(`${base}/m/model`);
      try {
        assert.deepEqual(await remote.predict(objects), await sut.predict(objects));
        assert.equal(remote.metadata.trial.seed, 7);
      } finally {
        remote.dispose();
      }
      await assert.rejects(loadForecaster(`${base}/not-ready`), /answered 409: MODEL_NOT_READY: trial t is running/);
      await assert.rejects(loadForecaster('http://127.0.0.1:1/model'), /cannot reach http:\/\/127.0.0.1:1/);
    });
  });
});
