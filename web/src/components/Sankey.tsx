// A Sankey chart that loads ECharts on first use (its own chunk), with a box of the same height
// meanwhile, so that the Paths tab's pickers and flow table show at once.
import { lazy, Suspense } from 'react';
import { sankeyHeight } from '../analytics/paths';
import type { SankeyChartProps } from './SankeyChart';

const SankeyChart = lazy(() => import('./SankeyChart').then((m) => ({ default: m.SankeyChart })));

export function Sankey(props: SankeyChartProps) {
  return (
    <Suspense fallback={<div className="bar-chart" aria-hidden="true" style={{ height: sankeyHeight(props.data) }} />}>
      <SankeyChart {...props} />
    </Suspense>
  );
}
