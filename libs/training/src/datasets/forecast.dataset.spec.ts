import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetTooShortError, forecastData, singleColumnSeries } from './forecast.dataset';
import { usBirthsSeries } from './us-births.dataset';

describe(forecastData.name, () => {
  const series = {
    columns: { y: Array.from({ length: 100 }, (_, t) => t), double: Array.from({ length: 100 }, (_, t) => 2 * t) },
    target: 'y',
    timeColumn: null,
    features: [{ kind: 'value' as const, column: 'double' }],
  };
  const splits = { validationSplit: 0.2, testSplit: 0.1, output: 'level' as const };

  it('windows the series into train, validation and test samples with targets in time order', () => {
    const sut = forecastData(series, { window: 5, horizon: 2, ...splits });
    assert.deepEqual(sut.trainX.shape, [64, 5, 2]); // targets must end by row 70: starts 0..63
    assert.deepEqual(sut.valX.shape, [19, 5, 2]); // targets in rows 70..89: starts 65..83
    assert.deepEqual(sut.testX.shape, [9, 5, 2]); // targets in rows 90..99: starts 85..93
    assert.deepEqual(sut.trainY.shape, [64, 2]);
    assert.deepEqual(sut.testY.shape, [9, 2]);
  });

  it('standardises with training rows only: validation and test values leave the training range', async () => {
    const sut = forecastData(series, { window: 5, horizon: 1, ...splits });
    assert.equal(sut.target.mean, 34.5); // mean of 0..69
    const trainY = Array.from(await sut.trainY.data());
    const valY = Array.from(await sut.valY.data());
    const testY = Array.from(await sut.testY.data());
    assert.ok(Math.abs(trainY.reduce((a, b) => a + b, 0) / trainY.length) < 0.2);
    assert.ok(Math.min(...valY) > Math.max(...trainY) - 1e-6);
    assert.ok(Math.min(...testY) > Math.max(...valY) - 1e-6);
    const first = await sut.trainX.slice([0, 0, 0], [1, 1, 2]).data();
    assert.ok(Math.abs(first[0] - (0 - 34.5) / sut.target.std) < 1e-5);
    assert.ok(Math.abs(first[1] - (0 - 69) / (2 * sut.target.std)) < 1e-4, 'features get their own training statistics');
    assert.deepEqual(
      sut.preprocessing.inputs.map((i) => i.name),
      ['y', 'double'],
    );
  });

  it('refuses a series too short for the window, saying so', () => {
    assert.throws(() => forecastData(singleColumnSeries([1, 2, 3, 4, 5, 6]), { window: 5, horizon: 1, ...splits }), DatasetTooShortError);
  });

  it('reads the US births series with calendar inputs of its date, and its seasonal-naive baselines are finite', () => {
    const births = usBirthsSeries();
    assert.equal(births.columns.births.length, 7305);
    const sut = forecastData(births, { window: 28, horizon: 1, ...splits });
    assert.deepEqual(sut.preprocessing.inputs.map((c) => c.name), ['births', 'dow_sin', 'dow_cos', 'month_sin', 'month_cos']);
    assert.equal(sut.featureCount, 5);
    for (const mae of [sut.seasonalNaiveMae, sut.seasonalNaiveTestMae]) assert.ok(mae > 100 && mae < 1000, `baseline MAE ${mae}`);
  });
});
