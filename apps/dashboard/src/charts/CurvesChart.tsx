import { useMemo } from 'react';
import { EChart, type ChartClick } from './EChart';
import { smoothEma } from './smoothing';

export interface Curve {
  name: string;
  epochs: number[];
  values: number[];
  /** Its trial's colour (trialColours), the same on every chart of the page. */
  colour?: string;
  /** Drawn dashed: the second metric of a pair (val_loss beside loss). */
  dashed?: boolean;
  /** Drawn thicker: the best trial. */
  emphasised?: boolean;
  /** A step at each point (a best-so-far line), not a slope between points. */
  step?: boolean;
}

export interface Baseline {
  label: string;
  value: number;
}

/** One empty list for every chart without baselines: a new [] per render would redraw the chart each time. */
const NO_BASELINES: Baseline[] = [];

/** Learning curves overlaid on one epoch axis, optionally on a log scale and smoothed; `baselines` draw horizontal references, labelled right of the plot. */
export function CurvesChart({
  curves,
  axisName,
  xName = 'epoch',
  logScale,
  smoothing,
  baselines = NO_BASELINES,
  height,
  testId,
  onClickCurve,
}: {
  curves: Curve[];
  /** The y axis's name, with its unit. */
  axisName: string;
  /** The x axis's name (default: epoch). */
  xName?: string;
  logScale: boolean;
  smoothing: number;
  baselines?: Baseline[];
  height?: number;
  testId?: string;
  onClickCurve?: (index: number, click: ChartClick) => void;
}) {
  const option = useMemo(() => {
    const positive = curves.every((c) => c.values.every((v) => v > 0)) && baselines.every((b) => b.value > 0);
    return {
      animation: false,
      grid: { left: 72, right: baselines.length ? 150 : 24, top: 36, bottom: 44, containLabel: false },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(5) : String(v)) },
      legend: { type: 'scroll', top: 0 },
      xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 26, minInterval: 1 },
      // The axis name along the axis, clear of the legend above the plot.
      yAxis: { type: logScale && positive ? 'log' : 'value', name: axisName, nameLocation: 'middle', nameGap: 52, scale: true },
      series: curves.map((curve, i) => {
        const smoothed = smoothEma(curve.values, smoothing);
        return {
          name: curve.name,
          type: 'line',
          // A trial stopped after one epoch is a single point: draw it, or it would vanish.
          showSymbol: curve.epochs.length <= 1,
          sampling: 'lttb',
          ...(curve.step ? { step: 'end' } : {}),
          ...(curve.colour ? { itemStyle: { color: curve.colour } } : {}),
          lineStyle: { width: curve.emphasised ? 2.8 : 1.6, type: curve.dashed ? 'dashed' : 'solid', ...(curve.colour ? { color: curve.colour } : {}) },
          emphasis: { focus: 'series' },
          data: curve.epochs.map((epoch, j) => [epoch, smoothed[j]]),
          ...(i === 0 && baselines.length
            ? {
                markLine: {
                  symbol: 'none',
                  lineStyle: { type: 'dashed', color: '#b45309' },
                  // Outside the plot, right of the line's end, so the label is never cut.
                  label: { formatter: (p: { name: string }) => p.name, position: 'end', color: '#b45309', width: 140, overflow: 'break' },
                  data: baselines.map((b) => ({ name: b.label, yAxis: b.value })),
                },
              }
            : {}),
        };
      }),
    };
  }, [curves, axisName, xName, logScale, smoothing, baselines]);
  const colours = curves.map((c) => c.colour ?? '').join(',');
  return (
    <div data-curve-colours={colours} data-baselines={baselines.map((b) => b.label).join('|')}>
      <EChart option={option} height={height} testId={testId} onClickItem={(p) => p.seriesIndex !== undefined && onClickCurve?.(p.seriesIndex, p)} />
    </div>
  );
}
