import { useMemo } from 'react';
import type { ParetoDto, SweepSpec, TrialPointsDto } from '@tuneforge/contracts';
import { withUnit } from '../units';
import { EChart, type ChartClick, type EChartsInstance } from './EChart';
import { bestSoFar } from './best-so-far';
import { echartsAxis, parameterColumns } from './parameter-axes';

/** The objective's colour scale, from the best value's end to the worst's. */
export const BEST_TO_WORST = ['#1a9850', '#91cf60', '#fee08b', '#fc8d59', '#d73027'] as const;

/** A continuous visualMap over `values` (in data dimension `dimension`) coloured and labelled from best to worst in the objective's direction. */
export function objectiveColourScale(direction: 'minimize' | 'maximize', values: readonly number[], dimension: number): Record<string, unknown> {
  const minimize = direction === 'minimize';
  return {
    type: 'continuous',
    min: values.length ? Math.min(...values) : 0,
    max: values.length ? Math.max(...values) : 1,
    dimension,
    // inRange runs from min to max: the best end is min when minimising.
    inRange: { color: minimize ? [...BEST_TO_WORST] : [...BEST_TO_WORST].reverse() },
    // text[0] labels the max end, text[1] the min end.
    text: minimize ? ['worst', 'best'] : ['best', 'worst'],
    top: 'middle',
    precision: 3,
  };
}

type Scored = TrialPointsDto['trials'][number] & { objective: number };

/** The plotted trials: those with an objective. */
function scoredTrials(points: TrialPointsDto): Scored[] {
  return points.trials.filter((t): t is Scored => t.objective !== null);
}

/** Records each drawn axis (its type and tick values) on the chart's element, so a test can read what is drawn. */
function recordAxes(instance: EChartsInstance, element: HTMLElement, mainType: 'parallelAxis' | 'xAxis' | 'yAxis', names: readonly string[]): void {
  const model = (
    instance as unknown as {
      getModel(): { getComponent(type: string, index: number): { axis?: { type: string; scale: { getTicks(): { value: number }[] } } } | undefined };
    }
  ).getModel();
  const axes = names.map((name, index) => {
    const axis = model.getComponent(mainType, index)?.axis;
    return { name, type: axis?.type, ticks: axis ? axis.scale.getTicks().map((t) => t.value) : [] };
  });
  element.dataset.axes = JSON.stringify(axes);
}

/**
 * One axis per searched hyperparameter (its kind from the search space: log, linear with integer ticks for ints,
 * categories in the spec's order) and the objective; each finished trial is a line coloured from best (green) to
 * worst (red), whichever the objective's direction. Fixed hyperparameters are listed, not drawn.
 */
export function ParallelCoordinates({
  points,
  spec,
  onClickTrial,
}: {
  points: TrialPointsDto;
  spec: SweepSpec;
  onClickTrial: (id: string, click: ChartClick) => void;
}) {
  const scored = useMemo(() => scoredTrials(points), [points]);
  const { option, drawnNames, constants, bestIndex } = useMemo(() => {
    const columns = parameterColumns(points, spec);
    const drawn = columns.filter((c) => c.axis.kind !== 'constant');
    const objectives = scored.map((t) => t.objective);
    const minimize = points.objective.direction === 'minimize';
    const best = objectives.length ? (minimize ? Math.min(...objectives) : Math.max(...objectives)) : 0;
    const objectiveName = withUnit(points.objective.metric, spec.dataset);
    return {
      drawnNames: [...drawn.map((c) => c.name), objectiveName],
      constants: columns.filter((c) => c.axis.kind === 'constant').map((c) => `${c.name} ${String((c.axis as { value: unknown }).value)}`),
      bestIndex: objectives.indexOf(best),
      option: {
        animation: false,
        parallel: { left: 50, right: 150, top: 46, bottom: 30 },
        parallelAxis: [
          ...drawn.map((c, i) => ({ dim: i, ...echartsAxis(c.axis as Exclude<typeof c.axis, { kind: 'constant' }>, c.name) })),
          { dim: drawn.length, name: objectiveName, type: 'value', scale: true },
        ],
        visualMap: { ...objectiveColourScale(points.objective.direction, objectives, drawn.length), right: 8, itemHeight: 160, calculable: true },
        tooltip: { formatter: (p: { dataIndex: number }) => `trial #${scored[p.dataIndex]?.number}: ${scored[p.dataIndex]?.objective.toPrecision(5)}` },
        series: [
          {
            type: 'parallel',
            // Thousands of lines are drawn in chunks over a few frames, so the page stays responsive meanwhile.
            progressive: 500,
            progressiveThreshold: 1000,
            lineStyle: { width: 1.2, opacity: 0.6 },
            emphasis: { lineStyle: { width: 3, opacity: 1 } },
            data: scored.map((t) => [...drawn.map((c) => (c.axis.kind === 'category' ? String(t.values[c.column]) : t.values[c.column])), t.objective]),
          },
        ],
      },
    };
  }, [points, scored, spec]);
  const onDrawn = (instance: EChartsInstance, element: HTMLDivElement) => {
    recordAxes(instance, element, 'parallelAxis', drawnNames);
    element.dataset.legendBestColour = BEST_TO_WORST[0];
    element.dataset.legendBestEnd = points.objective.direction === 'minimize' ? 'min' : 'max';
    if (bestIndex >= 0) element.dataset.bestTrialColour = String(instance.getVisual({ seriesIndex: 0, dataIndex: bestIndex }, 'color'));
  };
  return (
    <>
      {constants.length > 0 && (
        <p className="muted chart-note" data-testid="parallel-constants">
          Fixed: {constants.join(' · ')}
        </p>
      )}
      <EChart
        option={option}
        height={340}
        testId="parallel-chart"
        onDrawn={onDrawn}
        onClickItem={(p) => scored[p.dataIndex] && onClickTrial(scored[p.dataIndex].id, p)}
      />
    </>
  );
}

/** Each finished trial's objective against its number, with the best-so-far line; selected trials drawn in their colours. */
export function ObjectiveScatter({
  points,
  spec,
  selectedColours,
  onClickTrial,
}: {
  points: TrialPointsDto;
  spec: SweepSpec;
  selectedColours: ReadonlyMap<string, string>;
  onClickTrial: (id: string, click: ChartClick) => void;
}) {
  const scored = useMemo(() => scoredTrials(points), [points]);
  const groups = useMemo(
    () => [
      { name: 'trial', colour: '#2563eb', trials: scored.filter((t) => t.status !== 'pruned' && !selectedColours.has(t.id)) },
      { name: 'pruned', colour: '#9ca3af', trials: scored.filter((t) => t.status === 'pruned' && !selectedColours.has(t.id)) },
      { name: 'selected', colour: undefined, trials: scored.filter((t) => selectedColours.has(t.id)) },
    ],
    [scored, selectedColours],
  );
  const option = useMemo(() => {
    const best = bestSoFar(points);
    return {
      animation: false,
      grid: { left: 72, right: 20, top: 36, bottom: 44 },
      legend: { top: 0 },
      tooltip: { trigger: 'item', formatter: (p: { data: [number, number] }) => `trial #${p.data[0]}: ${p.data[1].toPrecision(5)}` },
      xAxis: { type: 'value', name: 'trial number', nameLocation: 'middle', nameGap: 26, minInterval: 1 },
      yAxis: { type: 'value', name: withUnit(points.objective.metric, spec.dataset), nameLocation: 'middle', nameGap: 52, scale: true },
      // Plain series (not a colour callback per point), so thousands of points draw in one pass.
      series: [
        ...groups.map((group) => ({
          name: group.name,
          type: 'scatter',
          symbolSize: group.name === 'selected' ? 11 : 6,
          large: group.name !== 'selected',
          largeThreshold: 2000,
          itemStyle: group.colour
            ? { color: group.colour }
            : { color: (p: { dataIndex: number }) => selectedColours.get(group.trials[p.dataIndex]?.id) ?? '#111827' },
          data: group.trials.map((t) => [t.number, t.objective]),
        })),
        { name: 'best so far', type: 'line', step: 'end', showSymbol: false, lineStyle: { color: '#dc2626' }, data: best.numbers.map((number, i) => [number, best.values[i]]) },
      ],
    };
  }, [points, scored, groups, selectedColours, spec]);
  return (
    <EChart
      option={option}
      height={300}
      testId="scatter-chart"
      onClickItem={(p) => {
        const trial = p.seriesIndex === undefined ? undefined : groups[p.seriesIndex]?.trials[p.dataIndex];
        if (trial) onClickTrial(trial.id, p);
      }}
    />
  );
}

/** The Pareto front of the sweep's two objectives (GET /sweeps/:id/pareto): the front's trials, joined in order of the first objective. */
export function ParetoChart({
  pareto,
  points,
  spec,
  onClickTrial,
}: {
  pareto: ParetoDto;
  points: TrialPointsDto;
  spec: SweepSpec;
  onClickTrial: (id: string, click: ChartClick) => void;
}) {
  const [x, y] = pareto.objectives;
  const front = useMemo(() => [...pareto.front].sort((a, b) => a.values[x.metric] - b.values[x.metric]), [pareto, x]);
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 80, right: 24, top: 36, bottom: 48 },
      legend: { top: 0 },
      tooltip: {
        trigger: 'item',
        formatter: (p: { data: { number: number; value: [number, number] } }) =>
          `trial #${p.data.number}: ${p.data.value.map((v) => v.toPrecision(4)).join(', ')}`,
      },
      xAxis: { type: 'value', name: `${withUnit(x.metric, spec.dataset)} (${x.direction})`, nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'value', name: `${withUnit(y.metric, spec.dataset)} (${y.direction})`, nameLocation: 'middle', nameGap: 60, scale: true },
      series: [
        {
          name: 'Pareto front',
          type: 'line',
          step: x.direction === y.direction ? 'start' : 'end',
          symbolSize: 9,
          itemStyle: { color: '#dc2626' },
          data: front.map((t) => ({ number: t.number, id: t.trialId, value: [t.values[x.metric], t.values[y.metric]] })),
        },
      ],
    }),
    [front, x, y, spec],
  );
  return (
    <>
      <p className="muted chart-note">
        {front.length} of {pareto.trialsCompared} finished trials are on the front (none of the others is better on both); {points.total} trials in the sweep.
      </p>
      <EChart option={option} height={300} testId="pareto-chart" onClickItem={(p) => front[p.dataIndex] && onClickTrial(front[p.dataIndex].trialId, p)} />
    </>
  );
}
