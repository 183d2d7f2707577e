// An audience's membership over time as an Apache ECharts chart (audiences/history.ts builds its
// option: the size as a line, entered and exited as bars), with a text description for screen
// readers. Loaded lazily by pages/audiences/MembershipHistory.tsx, in the ECharts chunk.
import * as echarts from 'echarts/core';
import { BarChart as EBarChart, LineChart as ELineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { HISTORY_CHART_HEIGHT, historyOption, type MembershipHistory } from '../audiences/history';
import { useEChart } from './useEChart';

echarts.use([ELineChart, EBarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function HistoryChart({ history, description }: { history: MembershipHistory; description: string }) {
  const el = useEChart(() => historyOption(history), [history]);
  return <div className="bar-chart history-chart" ref={el} role="img" aria-label={description} style={{ height: HISTORY_CHART_HEIGHT }} />;
}
