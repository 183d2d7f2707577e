// An audience's membership over time (GET /api/v1/audiences/{name}/history?days=N, one entry
// per UTC day, oldest first, the size at the end of the day): the answer read defensively,
// whether there is anything to draw yet, the ECharts option (the size as a line; under it, who
// entered as bars up and who exited as bars down), the text a screen reader gets, and
// the days with changes for the table. Pure: components/HistoryChart.tsx draws it.
import { finite, formatDay, formatNumber, parseTime } from '../format';
import { escapeHtml, PALETTE } from '../insights/charts';

export interface HistoryDay {
  day: string; // "2026-11-01"
  entered: number;
  exited: number;
  size: number;
}

export interface MembershipHistory {
  audience: string;
  days: HistoryDay[]; // oldest first
}

const DAY = /^\d{4}-\d\d-\d\d$/;

/** The answer read into days (oldest first); entries without a day are dropped, missing counts are 0. */
export function readHistory(answer: unknown): MembershipHistory {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const raw = Array.isArray(a.days) ? a.days : [];
  const days: HistoryDay[] = [];
  for (const x of raw) {
    const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
    const day = typeof o.day === 'string' ? o.day.slice(0, 10) : '';
    if (!DAY.test(day)) continue;
    days.push({ day, entered: finite(o.entered) ?? 0, exited: finite(o.exited) ?? 0, size: finite(o.size) ?? 0 });
  }
  days.sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : 0));
  return { audience: typeof a.audience === 'string' ? a.audience : '', days };
}

/** Nothing to draw: no day, or nobody ever in the audience over the days asked (a new audience). */
export function isEmptyHistory(h: MembershipHistory): boolean {
  return h.days.every((d) => d.size === 0 && d.entered === 0 && d.exited === 0);
}

export interface HistoryTotals {
  entered: number;
  exited: number;
  first: HistoryDay | null;
  last: HistoryDay | null;
  peak: HistoryDay | null; // the largest size, the earliest such day
}

export function historyTotals(h: MembershipHistory): HistoryTotals {
  let entered = 0;
  let exited = 0;
  let peak: HistoryDay | null = null;
  for (const d of h.days) {
    entered += d.entered;
    exited += d.exited;
    if (!peak || d.size > peak.size) peak = d;
  }
  return { entered, exited, first: h.days[0] ?? null, last: h.days[h.days.length - 1] ?? null, peak };
}

function dayLabel(day: string): string {
  return formatDay(`${day}T00:00:00Z`);
}

/** "vip over 90 days from Aug 5 to Nov 2: 120 members now (80 on Aug 5), largest 130 on Oct 1; 60 entered and 20 exited." */
export function describeHistory(name: string, h: MembershipHistory): string {
  const t = historyTotals(h);
  if (!t.first || !t.last || !t.peak) return `${name}: no membership history.`;
  const n = (v: number) => formatNumber(v, 0);
  return (
    `Members of ${name} per day over ${h.days.length} day${h.days.length === 1 ? '' : 's'} from ${dayLabel(t.first.day)} to ${dayLabel(t.last.day)}: ` +
    `${n(t.last.size)} now (${n(t.first.size)} on ${dayLabel(t.first.day)}), largest ${n(t.peak.size)} on ${dayLabel(t.peak.day)}; ` +
    `${n(t.entered)} entered and ${n(t.exited)} exited.`
  );
}

/** Whether the audience was saved (`createdAt`) after the first day shown: the days before are empty. */
export function savedAfterFirstDay(h: MembershipHistory, createdAt: unknown): boolean {
  const saved = parseTime(createdAt);
  const first = h.days[0] ? parseTime(`${h.days[0].day}T00:00:00Z`) : null;
  return saved !== null && first !== null && saved >= first + 86_400_000;
}

/** The days on which someone entered or exited, newest first. */
export function changedDays(h: MembershipHistory): HistoryDay[] {
  return h.days.filter((d) => d.entered !== 0 || d.exited !== 0).reverse();
}

export const HISTORY_CHART_HEIGHT = 320; // px, also the placeholder's while ECharts loads

export const HISTORY_COLORS = { size: PALETTE[0], entered: PALETTE[2], exited: PALETTE[5] };

/** The ECharts option: the size as a line on top; entered (up) and exited (down) as bars under it, on the same days. */
export function historyOption(h: MembershipHistory): Record<string, unknown> {
  const n = (v: number) => formatNumber(v, 0);
  const labels = h.days.map((d) => dayLabel(d.day));
  const grid = { left: 56, right: 24 };
  return {
    animation: false,
    color: [HISTORY_COLORS.size, HISTORY_COLORS.entered, HISTORY_COLORS.exited],
    grid: [
      { ...grid, top: 36, height: '48%' },
      { ...grid, bottom: 28, height: '24%' },
    ],
    legend: { top: 0, data: ['members', 'entered', 'exited'] },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined;
        const d = typeof first?.dataIndex === 'number' ? h.days[first.dataIndex] : undefined;
        if (!d) return '';
        const row = (color: string, label: string, v: number) => `<span style="color:${color}">■</span> ${label}: <b>${escapeHtml(n(v))}</b>`;
        return [
          `<b>${escapeHtml(dayLabel(d.day))}</b>`,
          row(HISTORY_COLORS.size, 'members at the end of the day', d.size),
          row(HISTORY_COLORS.entered, 'entered', d.entered),
          row(HISTORY_COLORS.exited, 'exited', d.exited),
        ].join('<br/>');
      },
    },
    xAxis: [
      { type: 'category', gridIndex: 0, data: labels, axisLabel: { show: false }, axisTick: { show: false } },
      { type: 'category', gridIndex: 1, data: labels, axisLabel: { hideOverlap: true } },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, minInterval: 1, axisLabel: { formatter: n }, splitLine: { lineStyle: { color: '#e6e9ee' } } },
      { type: 'value', gridIndex: 1, minInterval: 1, splitNumber: 2, axisLabel: { formatter: (v: number) => n(Math.abs(v)) }, splitLine: { lineStyle: { color: '#e6e9ee' } } },
    ],
    series: [
      { type: 'line', name: 'members', data: h.days.map((d) => d.size), xAxisIndex: 0, yAxisIndex: 0, showSymbol: h.days.length <= 31 },
      { type: 'bar', name: 'entered', data: h.days.map((d) => d.entered), xAxisIndex: 1, yAxisIndex: 1, stack: 'changes', barMaxWidth: 12 },
      { type: 'bar', name: 'exited', data: h.days.map((d) => (d.exited ? -d.exited : 0)), xAxisIndex: 1, yAxisIndex: 1, stack: 'changes', barMaxWidth: 12 },
    ],
  };
}
