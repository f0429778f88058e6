import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetTooShortError, forecastData } from './forecast.dataset';
import { usBirthsSeries } from './us-births.dataset';

describe(forecastData.name, () => {
  const series = {
    target: Array.from({ length: 100 }, (_, t) => t),
    covariates: [{ name: 'double', values: Array.from({ length: 100 }, (_, t) => 2 * t), standardise: true }],
  };

  it('windows the series into train and validation samples with targets in time order', () => {
    const sut = forecastData(series, { window: 5, horizon: 2, validationSplit: 0.2 });
    assert.deepEqual(sut.trainX.shape, [74, 5, 2]); // targets must end by row 80: starts 0..73
    assert.deepEqual(sut.valX.shape, [19, 5, 2]); // targets in rows 80..99: starts 75..93
    assert.deepEqual(sut.trainY.shape, [74, 2]);
  });

  it('standardises with training rows only: validation values leave the training range', async () => {
    const sut = forecastData(series, { window: 5, horizon: 1, validationSplit: 0.2 });
    assert.equal(sut.target.mean, 39.5); // mean of 0..79
    const trainY = Array.from(await sut.trainY.data());
    const valY = Array.from(await sut.valY.data());
    assert.ok(Math.abs(trainY.reduce((a, b) => a + b, 0) / trainY.length) < 0.2);
    assert.ok(Math.min(...valY) > Math.max(...trainY) - 1e-6);
    const first = await sut.trainX.slice([0, 0, 0], [1, 1, 2]).data();
    assert.ok(Math.abs(first[0] - (0 - 39.5) / sut.target.std) < 1e-5);
    assert.ok(Math.abs(first[1] - (0 - 79) / (2 * sut.target.std)) < 1e-4, 'covariates get their own training statistics');
  });

  it('refuses a series too short for the window, saying so', () => {
    assert.throws(() => forecastData({ target: [1, 2, 3, 4, 5, 6], covariates: [] }, { window: 5, horizon: 1, validationSplit: 0.2 }), DatasetTooShortError);
  });

  it('reads the US births series with calendar covariates, and its seasonal-naive baseline is finite', () => {
    const births = usBirthsSeries();
    assert.equal(births.target.length, 7305);
    assert.deepEqual(births.covariates.map((c) => c.name), ['dow_sin', 'dow_cos', 'month_sin', 'month_cos']);
    const sut = forecastData(births, { window: 28, horizon: 1, validationSplit: 0.2 });
    assert.equal(sut.featureCount, 5);
    assert.ok(sut.seasonalNaiveMae > 100 && sut.seasonalNaiveMae < 1000, `baseline MAE ${sut.seasonalNaiveMae}`);
  });
});
