/** A trial's headline score on its test split, and the baseline on the same rows: seasonal naive (forecasting) or the majority class (classifying). */
export interface TestScore {
  metric: 'test_mae' | 'test_bpc' | 'test_accuracy';
  value: number;
  /** seasonal_naive_test_mae for forecasting, majority_test_accuracy for classifying. */
  baseline: number | null;
  /**
   * Forecasting: 1 - value / baseline, the share of the baseline's error the model removes. Classifying: the same
   * share of the majority class's errors (1 - (1 - accuracy) / (1 - majority accuracy)). Negative when worse.
   */
  improvement: number | null;
}

/** The test score of a trial's testMetrics, or null before it has one. */
export function testScoreOf(testMetrics: Record<string, number> | null | undefined): TestScore | null {
  if (!testMetrics) return null;
  if (testMetrics.test_bpc !== undefined) return { metric: 'test_bpc', value: testMetrics.test_bpc, baseline: null, improvement: null };
  if (testMetrics.test_accuracy !== undefined) {
    const majority = testMetrics.majority_test_accuracy ?? null;
    const improvement = majority === null || majority >= 1 ? null : 1 - (1 - testMetrics.test_accuracy) / (1 - majority);
    return { metric: 'test_accuracy', value: testMetrics.test_accuracy, baseline: majority, improvement };
  }
  if (testMetrics.test_mae === undefined) return null;
  const baseline = testMetrics.seasonal_naive_test_mae ?? null;
  return { metric: 'test_mae', value: testMetrics.test_mae, baseline, improvement: baseline ? 1 - testMetrics.test_mae / baseline : null };
}

/**
 * E.g. "test_mae 231.4 vs seasonal naive 290.2 (20.3% better)", "test_accuracy 0.838 vs majority class 0.5993 (59.6% fewer errors),
 * bag of characters 0.6342", or "test_bpc 2.31"; "-" without a score.
 */
export function describeTestScore(testMetrics: Record<string, number> | null | undefined, digits = 4): string {
  const score = testScoreOf(testMetrics);
  if (!score) return '-';
  const shown = (n: number) => Number(n.toPrecision(digits)).toString();
  if (score.baseline === null || score.improvement === null) return `${score.metric} ${shown(score.value)}`;
  const percent = Math.abs(score.improvement * 100).toFixed(1);
  if (score.metric === 'test_accuracy') {
    const bag = testMetrics?.bag_of_chars_test_accuracy;
    const errors = `${percent}% ${score.improvement >= 0 ? 'fewer' : 'more'} errors`;
    return `${score.metric} ${shown(score.value)} vs majority class ${shown(score.baseline)} (${errors})${bag === undefined ? '' : `, bag of characters ${shown(bag)}`}`;
  }
  return `${score.metric} ${shown(score.value)} vs seasonal naive ${shown(score.baseline)} (${percent}% ${score.improvement >= 0 ? 'better' : 'worse'})`;
}
