// The life of one ECharts instance in a React component: created on the element `ref` points at,
// resized with it, disposed with the component; `option` is applied whenever it changes (the
// caller memoizes it through `deps`). Every chart component of the console uses this.
import { useEffect, useRef, type DependencyList, type RefObject } from 'react';
import * as echarts from 'echarts/core';

export function useEChart(
  makeOption: () => echarts.EChartsCoreOption,
  deps: DependencyList,
): RefObject<HTMLDivElement> {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el.current);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(makeOption(), true);
    // `deps` lists what makeOption reads (the caller's memo keys).
  }, deps);

  return el;
}
