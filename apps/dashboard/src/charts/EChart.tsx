import { useEffect, useRef } from 'react';
import { useTheme } from '../theme';
import { echarts, type EChartsOption } from './echarts';

export type EChartsInstance = ReturnType<typeof echarts.init>;

/** What a click on a chart item says. */
export interface ChartClick {
  seriesIndex?: number;
  dataIndex: number;
  data: unknown;
  seriesName?: string;
  /** Shift held: add to the selection rather than open. */
  shiftKey: boolean;
}

/**
 * An ECharts canvas that follows `option`, its container's size and the page's theme (ECharts's dark theme in
 * dark mode). `data-points` counts the data points drawn, so tests and benchmarks can tell a drawn chart from
 * an empty one; `onDrawn` lets a chart record what it drew (its colours, its ticks) for the same reason.
 */
export function EChart({
  option,
  height = 320,
  testId,
  onClickItem,
  onDrawn,
}: {
  option: EChartsOption;
  height?: number;
  testId?: string;
  onClickItem?: (params: ChartClick) => void;
  onDrawn?: (instance: EChartsInstance, element: HTMLDivElement) => void;
}) {
  const theme = useTheme();
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsInstance | undefined>(undefined);
  const clickHandler = useRef(onClickItem);
  clickHandler.current = onClickItem;
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const instance = echarts.init(el, theme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      const event = (params as { event?: { event?: MouseEvent } }).event?.event;
      clickHandler.current?.({ ...(params as unknown as Omit<ChartClick, 'shiftKey'>), shiftKey: Boolean(event?.shiftKey) });
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, [theme]);

  useEffect(() => {
    const instance = chart.current;
    const el = element.current;
    if (!instance || !el) return;
    const started = performance.now();
    // A transparent background lets the card's colour (light or dark) show through.
    instance.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true, lazyUpdate: false });
    // A User Timing entry per draw: visible in devtools, and read by bench/dashboard.ts.
    if (testId) performance.measure(`chart ${testId}`, { start: started });
    const series = (option.series ?? []) as { data?: unknown[] }[];
    const points = series.reduce((n, s) => n + (s.data?.length ?? 0), 0);
    el.dataset.points = String(points);
    el.dataset.series = String(series.length);
    el.dataset.theme = theme;
    drawn.current?.(instance, el);
  }, [option, testId, theme]);

  return <div ref={element} className="chart" style={{ height }} data-testid={testId} />;
}
