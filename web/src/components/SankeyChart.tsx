// An Apache ECharts Sankey of customer paths (analytics/paths.ts builds its option: one box per
// step and event, so never a cycle) with a text description for screen readers. Loaded through
// components/Sankey.tsx, in the same lazy ECharts chunk as the other charts.
import { useEChart } from './useEChart';
import * as echarts from 'echarts/core';
import { SankeyChart as ESankeyChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { sankeyHeight, sankeyOption, type PathsData } from '../analytics/paths';

echarts.use([ESankeyChart, TooltipComponent, CanvasRenderer]);

export interface SankeyChartProps {
  data: PathsData;
  backward: boolean; // paths leading to the event (read right to left from it)
  description: string;
}

export function SankeyChart({ data, backward, description }: SankeyChartProps) {
  const el = useEChart(() => sankeyOption(data, backward), [data, backward]);
  return <div className="bar-chart sankey" ref={el} role="img" aria-label={description} style={{ height: sankeyHeight(data) }} />;
}
