import type { DatasetSpec } from '@tuneforge/contracts';

/** What a metric is measured in, where the dataset says (births a day, bits a character, seconds), for axis names. */
export function metricUnit(metric: string, dataset: DatasetSpec | Record<string, unknown> | undefined): string | undefined {
  if (metric.endsWith('_mae')) {
    if (dataset?.source === 'builtin' && dataset.name === 'us-births-1969-1988') return 'births/day';
    if (dataset?.source === 'upload' && 'target' in dataset && typeof dataset.target === 'string') return dataset.target;
    return undefined;
  }
  if (metric.endsWith('_bpc')) return 'bits/char';
  if (metric.endsWith('_seconds')) return 's';
  if (metric === 'samples_per_second') return 'samples/s';
  if (metric.endsWith('_accuracy') || metric.endsWith('_macro_f1')) return 'fraction';
  if (metric === 'param_count') return 'weights';
  return undefined;
}

/** An axis name: the metric and its unit. */
export function withUnit(metric: string, dataset: Parameters<typeof metricUnit>[1]): string {
  const unit = metricUnit(metric, dataset);
  return unit ? `${metric} (${unit})` : metric;
}

/** Seconds as "42 s", "3.5 min" or "2.1 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 90) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
