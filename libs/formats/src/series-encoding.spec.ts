import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFeatures, decodeOutputs, encodeInputs, encodeOutputs, forecastPreprocessingOf, type ForecastSeries } from './series-encoding';

describe('series encoding', () => {
  // A weekly pattern on a rising level: the level leaves the training range, the weekly change does not.
  const days = 120;
  const series: ForecastSeries = {
    columns: {
      date: Array.from({ length: days }, (_, i) => Date.UTC(2024, 0, 1) + i * 86_400_000),
      y: Array.from({ length: days }, (_, i) => 100 + i + 10 * Math.sin((2 * Math.PI * i) / 7)),
    },
    target: 'y',
    timeColumn: 'date',
    features: calendarFeatures('date'),
  };

  it('decodes what it encodes, for the level and for the change from a season earlier, at every horizon step', () => {
    for (const output of ['level', 'seasonal-difference'] as const) {
      const preprocessing = forecastPreprocessingOf(series, { window: 14, horizon: 9, trainEnd: 80, output });
      assert.equal(preprocessing.output.kind, output);
      const encoded = new Float32Array(9);
      encodeOutputs(preprocessing, series.columns.y, 100, encoded, 0);
      const decoded = decodeOutputs(preprocessing, encoded, series.columns.y, 100);
      decoded.forEach((value, k) => assert.ok(Math.abs(value - series.columns.y[100 + k]) < 1e-3, `step ${k}: ${value}`));
    }
  });

  it('standardises the seasonal change with the training rows: a rising level changes by a constant week on week', () => {
    const preprocessing = forecastPreprocessingOf(series, { window: 14, horizon: 1, trainEnd: 80, output: 'seasonal-difference' });
    assert.ok(Math.abs(preprocessing.output.mean - 7) < 1e-9);
    assert.equal(preprocessing.output.std, 1, 'a constant change gets std 1');
  });

  it('forecasts the level when the window is shorter than the season', () => {
    assert.equal(forecastPreprocessingOf(series, { window: 5, horizon: 1, trainEnd: 80, output: 'seasonal-difference' }).output.kind, 'level');
  });

  it("encodes day of week and month of the time column's UTC date on a circle", () => {
    const preprocessing = forecastPreprocessingOf(series, { window: 14, horizon: 1, trainEnd: 80, output: 'level' });
    assert.deepEqual(preprocessing.inputs.map((i) => i.name), ['y', 'dow_sin', 'dow_cos', 'month_sin', 'month_cos']);
    const [, dowSin, dowCos, monthSin] = encodeInputs(preprocessing.inputs, series.columns);
    // 2024-01-01 is a Monday (getUTCDay 1), in January (month 0).
    assert.ok(Math.abs(dowSin[0] - Math.sin((2 * Math.PI) / 7)) < 1e-12 && Math.abs(dowCos[0] - Math.cos((2 * Math.PI) / 7)) < 1e-12);
    assert.equal(monthSin[0], 0);
    assert.ok(Math.abs(dowSin[7] - dowSin[0]) < 1e-12, 'a week later is the same day');
  });
});
