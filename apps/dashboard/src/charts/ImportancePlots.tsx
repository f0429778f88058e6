import { useMemo } from 'react';
import type { ImportanceDto, ParameterAxis, SweepSpec, TrialPointsDto } from '@tuneforge/contracts';
import { withUnit } from '../units';
import { EChart } from './EChart';
import { echartsAxis, parameterColumns } from './parameter-axes';
import { objectiveColourScale } from './TrialPlots';

type Drawn = Exclude<ParameterAxis, { kind: 'constant' }>;

/** The searched hyperparameters of the points with their axes (fixed ones left out), and the trials with an objective. */
export function searchedAxes(points: TrialPointsDto, spec: SweepSpec): { name: string; column: number; axis: Drawn }[] {
  return parameterColumns(points, spec).filter((p): p is { name: string; column: number; axis: Drawn } => p.axis.kind !== 'constant');
}

/** Each hyperparameter's share of the importance, largest on top. */
export function ImportanceChart({ importance }: { importance: ImportanceDto }) {
  const option = useMemo(() => {
    const rows = [...importance.parameters].reverse();
    return {
      animation: false,
      grid: { left: 110, right: 50, top: 10, bottom: 30 },
      tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${p.name}: ${(100 * p.value).toFixed(1)}%` },
      xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => `${Math.round(100 * v)}%` } },
      yAxis: { type: 'category', data: rows.map((p) => p.name) },
      series: [{ type: 'bar', data: rows.map((p) => p.importance), itemStyle: { color: '#2563eb' }, label: { show: true, position: 'right', formatter: (p: { value: number }) => `${(100 * p.value).toFixed(0)}%` } }],
    };
  }, [importance]);
  return <EChart option={option} height={40 + 28 * importance.parameters.length} testId="importance-chart" />;
}

/** The objective against each hyperparameter on its own axis: where the good values lie. */
export function SlicePlots({ points, spec }: { points: TrialPointsDto; spec: SweepSpec }) {
  const axes = useMemo(() => searchedAxes(points, spec), [points, spec]);
  const scored = useMemo(() => points.trials.filter((t): t is typeof t & { objective: number } => t.objective !== null), [points]);
  return (
    <div className="slice-grid">
      {axes.map(({ name, column, axis }) => (
        <SlicePlot key={name} name={name} axis={axis} values={scored.map((t) => [axis.kind === 'category' ? String(t.values[column]) : t.values[column], t.objective])} objective={withUnit(points.objective.metric, spec.dataset)} />
      ))}
    </div>
  );
}

function SlicePlot({ name, axis, values, objective }: { name: string; axis: Drawn; values: unknown[][]; objective: string }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 64, right: 12, top: 12, bottom: 40 },
      tooltip: { trigger: 'item' },
      xAxis: { ...echartsAxis(axis, name), nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'value', name: objective, nameLocation: 'middle', nameGap: 48, scale: true },
      series: [{ type: 'scatter', symbolSize: 5, itemStyle: { color: '#2563eb', opacity: 0.7 }, data: values }],
    }),
    [axis, name, values, objective],
  );
  return (
    <div data-testid="slice-plot" data-parameter={name}>
      <EChart option={option} height={200} />
    </div>
  );
}

const BINS = 8;

/** A numeric axis cut into BINS ranges (log-spaced for a log axis), or its categories: the contour's cells. */
function binsOf(axis: Drawn): { labels: string[]; index: (value: unknown) => number } {
  if (axis.kind === 'category') return { labels: axis.categories, index: (v) => axis.categories.indexOf(String(v)) };
  const log = axis.kind === 'log';
  const [lo, hi] = log ? [Math.log10(axis.min), Math.log10(axis.max)] : [axis.min, axis.max];
  const width = (hi - lo) / BINS || 1;
  const edge = (k: number) => (log ? 10 ** (lo + k * width) : lo + k * width);
  const format = (v: number) => (Math.abs(v) >= 100 || axis.integer ? String(Math.round(v)) : v.toPrecision(2));
  return {
    labels: Array.from({ length: BINS }, (_, k) => `${format(edge(k))}–${format(edge(k + 1))}`),
    index: (v) => {
      const x = typeof v === 'number' ? (log ? Math.log10(v) : v) : NaN;
      return Number.isFinite(x) ? Math.min(BINS - 1, Math.max(0, Math.floor((x - lo) / width))) : -1;
    },
  };
}

/** The mean objective over a grid of two hyperparameters: where the pair does well together. */
export function ContourPlot({ points, spec, x, y }: { points: TrialPointsDto; spec: SweepSpec; x: string; y: string }) {
  const option = useMemo(() => {
    const axes = searchedAxes(points, spec);
    const [ax, ay] = [axes.find((a) => a.name === x), axes.find((a) => a.name === y)];
    if (!ax || !ay) return undefined;
    const [bx, by] = [binsOf(ax.axis), binsOf(ay.axis)];
    const cells = new Map<string, { sum: number; n: number }>();
    for (const t of points.trials) {
      if (t.objective === null) continue;
      const [i, j] = [bx.index(t.values[ax.column]), by.index(t.values[ay.column])];
      if (i < 0 || j < 0) continue;
      const cell = cells.get(`${i},${j}`) ?? { sum: 0, n: 0 };
      cell.sum += t.objective;
      cell.n += 1;
      cells.set(`${i},${j}`, cell);
    }
    const data = [...cells].map(([key, c]) => [...key.split(',').map(Number), c.sum / c.n, c.n]);
    const means = data.map((d) => d[2]);
    return {
      animation: false,
      grid: { left: 110, right: 90, top: 12, bottom: 70 },
      tooltip: { formatter: (p: { data: number[] }) => `${bx.labels[p.data[0]]} × ${by.labels[p.data[1]]}: mean ${p.data[2].toPrecision(4)} over ${p.data[3]} trials` },
      xAxis: { type: 'category', data: bx.labels, name: x, nameLocation: 'middle', nameGap: 52, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: by.labels, name: y, nameLocation: 'middle', nameGap: 96 },
      visualMap: { ...objectiveColourScale(points.objective.direction, means, 2), right: 0, itemHeight: 140 },
      series: [{ type: 'heatmap', data, label: { show: false } }],
    };
  }, [points, spec, x, y]);
  if (!option) return null;
  return <EChart option={option} height={340} testId="contour-chart" />;
}
