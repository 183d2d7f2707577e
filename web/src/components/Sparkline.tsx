// A small Apache ECharts line (no axes) for a KPI card, with a text description for screen
// readers. Only the line chart, the tooltip and the canvas renderer are bundled.
import { useEChart } from './useEChart';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface SparkPoint {
  label: string; // the day, as shown in the tooltip
  value: number | null;
}

export function Sparkline({
  points,
  format,
  description,
  color = '#2f5bd3',
}: {
  points: SparkPoint[];
  format: (v: number | null) => string;
  description: string;
  color?: string;
}) {
  const el = useEChart(
    () => ({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 2 },
        xAxis: { type: 'category', show: false, data: points.map((p) => p.label), boundaryGap: false },
        yAxis: { type: 'value', show: false, min: 0 },
        tooltip: {
          trigger: 'axis',
          confine: true,
          formatter: (params: unknown) => {
            const p = (Array.isArray(params) ? params[0] : params) as { dataIndex: number };
            const point = points[p.dataIndex];
            return point ? `${point.label}: <b>${format(point.value)}</b>` : '';
          },
        },
        series: [
          {
            type: 'line',
            data: points.map((p) => p.value),
            showSymbol: false,
            connectNulls: false,
            lineStyle: { width: 2, color },
            itemStyle: { color },
            areaStyle: { color, opacity: 0.12 },
          },
        ],
    }),
    [points, format, color],
  );

  return <div className="sparkline" ref={el} role="img" aria-label={description} />;
}
