/** A trial's headline score on its test split, and the seasonal-naive baseline on the same rows (forecasting). */
export interface TestScore {
  metric: 'test_mae' | 'test_bpc';
  value: number;
  /** seasonal_naive_test_mae, for forecasting. */
  baseline: number | null;
  /** 1 - value / baseline: the share of the baseline's error the model removes (negative when it is worse). */
  improvement: number | null;
}

/** The test score of a trial's testMetrics, or null before it has one. */
export function testScoreOf(testMetrics: Record<string, number> | null | undefined): TestScore | null {
  if (!testMetrics) return null;
  if (testMetrics.test_bpc !== undefined) return { metric: 'test_bpc', value: testMetrics.test_bpc, baseline: null, improvement: null };
  if (testMetrics.test_mae === undefined) return null;
  const baseline = testMetrics.seasonal_naive_test_mae ?? null;
  return { metric: 'test_mae', value: testMetrics.test_mae, baseline, improvement: baseline ? 1 - testMetrics.test_mae / baseline : null };
}

/** E.g. "test_mae 231.4 vs seasonal naive 290.2 (20.3% better)", or "test_bpc 2.31"; "-" without a score. */
export function describeTestScore(testMetrics: Record<string, number> | null | undefined, digits = 4): string {
  const score = testScoreOf(testMetrics);
  if (!score) return '-';
  const shown = (n: number) => Number(n.toPrecision(digits)).toString();
  if (score.baseline === null || score.improvement === null) return `${score.metric} ${shown(score.value)}`;
  const percent = Math.abs(score.improvement * 100).toFixed(1);
  return `${score.metric} ${shown(score.value)} vs seasonal naive ${shown(score.baseline)} (${percent}% ${score.improvement >= 0 ? 'better' : 'worse'})`;
}
