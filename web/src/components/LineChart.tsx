// An Apache ECharts line chart over time (analytics/trends.ts builds its option) with a text
// description for screen readers. Loaded through components/Lines.tsx, in the same lazy ECharts
// chunk as the bar charts and sparklines.
import { useEChart } from './useEChart';
import * as echarts from 'echarts/core';
import { LineChart as ELineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { lineOption, type TrendData } from '../analytics/trends';

echarts.use([ELineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface LineChartProps {
  data: TrendData;
  format: (v: number | null) => string;
  axisFormat: (v: number) => string;
  description: string;
}

export const LINE_CHART_HEIGHT = 300;

export function LineChart({ data, format, axisFormat, description }: LineChartProps) {
  const el = useEChart(() => lineOption(data, format, axisFormat), [data, format, axisFormat]);

  return <div className="bar-chart" ref={el} role="img" aria-label={description} style={{ height: LINE_CHART_HEIGHT }} />;
}
