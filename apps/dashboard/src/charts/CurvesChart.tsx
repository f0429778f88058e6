import { useMemo } from 'react';
import { EChart } from './EChart';
import { smoothEma } from './smoothing';

export interface Curve {
  name: string;
  epochs: number[];
  values: number[];
}

/** Learning curves overlaid on one epoch axis, optionally on a log scale and smoothed; `baseline` draws a horizontal reference. */
export function CurvesChart({
  curves,
  metric,
  logScale,
  smoothing,
  baseline,
  height,
  testId,
  onClickCurve,
}: {
  curves: Curve[];
  metric: string;
  logScale: boolean;
  smoothing: number;
  baseline?: { label: string; value: number };
  height?: number;
  testId?: string;
  onClickCurve?: (index: number) => void;
}) {
  const option = useMemo(() => {
    const positive = curves.every((c) => c.values.every((v) => v > 0)) && (!baseline || baseline.value > 0);
    return {
      animation: false,
      grid: { left: 60, right: 20, top: 30, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(5) : String(v)) },
      legend: { type: 'scroll', top: 0 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, minInterval: 1 },
      yAxis: { type: logScale && positive ? 'log' : 'value', name: metric, scale: true },
      series: curves.map((curve, i) => {
        const smoothed = smoothEma(curve.values, smoothing);
        return {
        name: curve.name,
        type: 'line',
        // A trial stopped after one epoch is a single point: draw it, or it would vanish.
        showSymbol: curve.epochs.length <= 1,
        sampling: 'lttb',
        lineStyle: { width: i === 0 ? 2.5 : 1.5 },
        emphasis: { focus: 'series' },
        data: curve.epochs.map((epoch, j) => [epoch, smoothed[j]]),
        ...(i === 0 && baseline
          ? { markLine: { symbol: 'none', lineStyle: { type: 'dashed', color: '#b45309' }, label: { formatter: baseline.label }, data: [{ yAxis: baseline.value }] } }
          : {}),
        };
      }),
    };
  }, [curves, metric, logScale, smoothing, baseline]);
  return <EChart option={option} height={height} testId={testId} onClickItem={(p) => p.seriesIndex !== undefined && onClickCurve?.(p.seriesIndex)} />;
}
