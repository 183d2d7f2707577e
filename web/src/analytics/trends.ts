// A `trends` answer (docs/queries.md) as chart data: the periods, one line per series and
// breakdown value (`null` → "(no value)", "(other)" last as the server sends it), each with its
// total; whether there is anything to draw; the ECharts line option and the text a screen reader
// gets instead of the picture. Pure: components/LineChart.tsx draws it.
import { formatDay } from '../format';
import { escapeHtml, PALETTE } from '../insights/charts';
import { resultOf } from './specs';

export const NULL_GROUP = '(no value)';

export interface TrendLine {
  name: string; // the breakdown value, or the series' label without a breakdown
  total: number | null;
  values: Array<number | null>; // one per period
}

export interface TrendData {
  interval: string;
  periods: string[]; // each period's start, ISO (UTC)
  lines: TrendLine[];
  broken: boolean; // lines are breakdown values
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function readTrends(answer: unknown): TrendData {
  const r = resultOf(answer);
  const raw = Array.isArray(r.series) ? r.series : [];
  const periods: string[] = [];
  const lines: TrendLine[] = [];
  let broken = false;
  raw.forEach((s, i) => {
    const o = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
    const points = Array.isArray(o.points) ? o.points : [];
    if (i === 0) for (const p of points) periods.push(typeof (p as { t?: unknown })?.t === 'string' ? (p as { t: string }).t : '');
    const label = typeof o.label === 'string' ? o.label : `series ${i + 1}`;
    let name = label;
    if ('breakdown' in o) {
      broken = true;
      name = o.breakdown === null ? NULL_GROUP : String(o.breakdown);
    }
    lines.push({ name, total: num(o.total), values: periods.map((_, k) => num((points[k] as { value?: unknown } | undefined)?.value)) });
  });
  return { interval: typeof r.interval === 'string' ? r.interval : 'day', periods, lines, broken };
}

/** True when no line has a value other than 0 or null: nothing happened in the period. */
export function isEmptyTrend(d: TrendData): boolean {
  return d.lines.every((l) => l.values.every((v) => v === null || v === 0));
}

/** A period's label: "Nov 23", or "week of Nov 17". */
export function periodLabel(t: string, interval: string): string {
  return interval === 'week' ? `week of ${formatDay(t)}` : formatDay(t);
}

/** "Events per day: 120 in total; busiest Nov 23 (18)." and, with a breakdown, each line's total. */
export function describeTrend(title: string, d: TrendData, format: (v: number | null) => string): string {
  if (d.lines.length === 0 || d.periods.length === 0) return `${title}: no data.`;
  const parts = d.lines.map((l) => {
    let best = -1;
    l.values.forEach((v, i) => {
      if (v !== null && (best < 0 || v > (l.values[best] ?? -Infinity))) best = i;
    });
    const peak = best >= 0 ? `, highest ${periodLabel(d.periods[best], d.interval)} (${format(l.values[best])})` : '';
    return `${l.name}: ${format(l.total)} over the period${peak}`;
  });
  return `${title}, ${d.periods.length} ${d.interval === 'week' ? 'weeks' : 'days'} from ${formatDay(d.periods[0])}. ${parts.join('; ')}.`;
}

/** The ECharts option: one line per TrendLine on a time-category axis, a legend when several. */
export function lineOption(d: TrendData, format: (v: number | null) => string, axisFormat: (v: number) => string): Record<string, unknown> {
  const several = d.lines.length > 1;
  const labels = d.periods.map((t) => formatDay(t));
  return {
    animation: false,
    color: PALETTE,
    grid: { left: 56, right: 24, top: several ? 40 : 16, bottom: 32 },
    legend: several ? { type: 'scroll', top: 0, data: d.lines.map((l) => l.name) } : { show: false },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined;
        const i = first?.dataIndex;
        if (typeof i !== 'number' || d.periods[i] === undefined) return '';
        const rows = d.lines.map(
          (l, k) => `<span style="color:${PALETTE[k % PALETTE.length]}">■</span> ${escapeHtml(l.name)}: <b>${escapeHtml(format(l.values[i]))}</b>`,
        );
        return [`<b>${escapeHtml(periodLabel(d.periods[i], d.interval))}</b>`, ...rows].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: labels, boundaryGap: false, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', axisLabel: { formatter: axisFormat }, splitLine: { lineStyle: { color: '#e6e9ee' } } },
    series: d.lines.map((l) => ({
      type: 'line',
      name: l.name,
      data: l.values,
      showSymbol: d.periods.length <= 31,
      connectNulls: false,
      emphasis: { focus: several ? 'series' : 'none' },
    })),
  };
}
