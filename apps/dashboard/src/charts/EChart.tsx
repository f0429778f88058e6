import { useEffect, useRef } from 'react';
import { echarts, type EChartsOption } from './echarts';

/**
 * An ECharts canvas that follows `option` and its container's size. `data-points` counts the data
 * points drawn, so tests and benchmarks can tell a drawn chart from an empty one.
 */
export function EChart({
  option,
  height = 320,
  testId,
  onClickItem,
}: {
  option: EChartsOption;
  height?: number;
  testId?: string;
  onClickItem?: (params: { seriesIndex?: number; dataIndex: number; data: unknown; seriesName?: string }) => void;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | undefined>(undefined);
  const clickHandler = useRef(onClickItem);
  clickHandler.current = onClickItem;

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => clickHandler.current?.(params as never));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    const instance = chart.current;
    const el = element.current;
    if (!instance || !el) return;
    const started = performance.now();
    instance.setOption(option, { notMerge: true, lazyUpdate: false });
    // A User Timing entry per draw: visible in devtools, and read by bench/dashboard.ts.
    if (testId) performance.measure(`chart ${testId}`, { start: started });
    const series = (option.series ?? []) as { data?: unknown[] }[];
    const points = series.reduce((n, s) => n + (s.data?.length ?? 0), 0);
    el.dataset.points = String(points);
    el.dataset.series = String(series.length);
  }, [option, testId]);

  return <div ref={element} className="chart" style={{ height }} data-testid={testId} />;
}
