import { useMemo } from 'react';
import type { TrialPointsDto } from '@tuneforge/contracts';
import { EChart } from './EChart';

/** One axis per hyperparameter plus the objective; each finished trial is a line, coloured by its objective. */
export function ParallelCoordinates({ points, onOpenTrial }: { points: TrialPointsDto; onOpenTrial: (id: string) => void }) {
  const scored = useMemo(() => points.trials.filter((t) => t.objective !== null), [points]);
  const option = useMemo(() => {
    const axes = points.parameters.map((name, dim) => {
      const values = scored.map((t) => t.values[dim]);
      const numeric = values.every((v) => typeof v === 'number');
      const positive = numeric && values.every((v) => (v as number) > 0);
      const spread = positive ? Math.max(...(values as number[])) / Math.min(...(values as number[])) : 0;
      if (numeric) return { dim, name, type: spread > 20 ? 'log' : 'value', scale: true };
      return {
        dim,
        name,
        type: 'category',
        data: [...new Set(values.map(String))].sort(),
      };
    });
    const objectives = scored.map((t) => t.objective as number);
    const objectiveAxis = points.parameters.length;
    return {
      animation: false,
      parallel: { left: 40, right: 120, top: 40, bottom: 30 },
      parallelAxis: [
        ...axes,
        {
          dim: objectiveAxis,
          name: points.objective.metric,
          type: 'value',
          scale: true,
          inverse: points.objective.direction === 'maximize',
        },
      ],
      visualMap: {
        type: 'continuous',
        min: objectives.length ? Math.min(...objectives) : 0,
        max: objectives.length ? Math.max(...objectives) : 1,
        dimension: objectiveAxis,
        inverse: points.objective.direction === 'minimize',
        inRange: {
          color: ['#1d4ed8', '#10b981', '#f59e0b', '#dc2626'].reverse(),
        },
        right: 0,
        top: 'middle',
        calculable: true,
        precision: 3,
        text: [points.objective.direction === 'minimize' ? 'best' : 'worst', ''],
      },
      tooltip: {
        formatter: (p: { dataIndex: number }) => `trial #${scored[p.dataIndex]?.number}`,
      },
      series: [
        {
          type: 'parallel',
          // Thousands of lines are drawn in chunks over a few frames, so the page stays responsive meanwhile.
          progressive: 500,
          progressiveThreshold: 1000,
          lineStyle: { width: 1.2, opacity: 0.55 },
          emphasis: { lineStyle: { width: 3, opacity: 1 } },
          data: scored.map((t) => [...t.values.map((v) => (typeof v === 'number' ? v : String(v))), t.objective]),
        },
      ],
    };
  }, [points, scored]);
  return <EChart option={option} height={340} testId="parallel-chart" onClickItem={(p) => scored[p.dataIndex] && onOpenTrial(scored[p.dataIndex].id)} />;
}

/** Each finished trial's objective against its number, with the best-so-far line. */
export function ObjectiveScatter({ points, onOpenTrial }: { points: TrialPointsDto; onOpenTrial: (id: string) => void }) {
  const scored = useMemo(() => points.trials.filter((t) => t.objective !== null), [points]);
  const groups = useMemo(
    () => [
      {
        name: 'trial',
        color: '#2563eb',
        trials: scored.filter((t) => t.status !== 'pruned'),
      },
      {
        name: 'pruned',
        color: '#9ca3af',
        trials: scored.filter((t) => t.status === 'pruned'),
      },
    ],
    [scored],
  );
  const option = useMemo(() => {
    const minimize = points.objective.direction === 'minimize';
    const bestSoFar: [number, number][] = [];
    let best: number | undefined;
    for (const t of [...scored].sort((a, b) => a.number - b.number)) {
      const value = t.objective as number;
      if (best === undefined || (minimize ? value < best : value > best)) best = value;
      bestSoFar.push([t.number, best]);
    }
    return {
      animation: false,
      grid: { left: 60, right: 20, top: 30, bottom: 40 },
      legend: { top: 0 },
      tooltip: {
        trigger: 'item',
        formatter: (p: { data: [number, number] }) => `trial #${p.data[0]}: ${p.data[1].toPrecision(5)}`,
      },
      xAxis: {
        type: 'value',
        name: 'trial number',
        nameLocation: 'middle',
        nameGap: 25,
        minInterval: 1,
      },
      yAxis: { type: 'value', name: points.objective.metric, scale: true },
      // Two plain series (not a colour callback per point), so thousands of points draw in one pass.
      series: groups
        .map((group) => ({
          name: group.name,
          type: 'scatter',
          symbolSize: 6,
          large: true,
          largeThreshold: 2000,
          itemStyle: { color: group.color },
          data: group.trials.map((t) => [t.number, t.objective]),
        }))
        .concat([
          {
            name: 'best so far',
            type: 'line',
            step: 'end',
            showSymbol: false,
            lineStyle: { color: '#dc2626' },
            data: bestSoFar,
          } as never,
        ]),
    };
  }, [points, scored, groups]);
  return (
    <EChart
      option={option}
      height={300}
      testId="scatter-chart"
      onClickItem={(p) => {
        const trial = p.seriesIndex === undefined ? undefined : groups[p.seriesIndex]?.trials[p.dataIndex];
        if (trial) onOpenTrial(trial.id);
      }}
    />
  );
}
