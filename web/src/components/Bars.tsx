// A bar chart that loads ECharts on first use (its own chunk), with a box of the same height
// meanwhile, so that the Insights page's tables and figures show at once.
import { lazy, Suspense } from 'react';
import { chartHeight } from '../insights/charts';
import type { BarChartProps } from './BarChart';

const BarChart = lazy(() => import('./BarChart').then((m) => ({ default: m.BarChart })));

export function Bars(props: BarChartProps) {
  return (
    <Suspense fallback={<div className="bar-chart" aria-hidden="true" style={{ height: chartHeight(props.data, props.horizontal ?? false) }} />}>
      <BarChart {...props} />
    </Suspense>
  );
}
