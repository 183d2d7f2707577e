// A line chart that loads ECharts on first use (its own chunk), with a box of the same height
// meanwhile, so that the Analytics page's pickers and tables show at once.
import { lazy, Suspense } from 'react';
import type { LineChartProps } from './LineChart';

const LineChart = lazy(() => import('./LineChart').then((m) => ({ default: m.LineChart })));

export function Lines(props: LineChartProps) {
  return (
    <Suspense fallback={<div className="bar-chart" aria-hidden="true" style={{ height: 300 }} />}>
      <LineChart {...props} />
    </Suspense>
  );
}
