// An Apache ECharts bar chart (insights/charts.ts builds its option) with a text description for
// screen readers. Only the bar chart, grid, legend, tooltip and canvas renderer are bundled; it is
// loaded through components/Bars.tsx, in the same lazy chunk as the Overview's sparklines.
import { useEChart } from './useEChart';
import * as echarts from 'echarts/core';
import { BarChart as EBarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { barOption, chartHeight, type BarData } from '../insights/charts';

echarts.use([EBarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface BarChartProps {
  data: BarData;
  format: (v: number | null) => string;
  axisFormat?: (v: number) => string;
  horizontal?: boolean;
  description: string;
}

export function BarChart({ data, format, axisFormat, horizontal = false, description }: BarChartProps) {
  const el = useEChart(() => barOption(data, { horizontal, format, axisFormat }), [data, format, axisFormat, horizontal]);

  return (
    <div className="bar-chart" ref={el} role="img" aria-label={description} style={{ height: chartHeight(data, horizontal) }} />
  );
}
