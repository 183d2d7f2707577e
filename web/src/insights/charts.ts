// Bar charts of the Insights page as data: categories and named series of numbers, turned into an
// Apache ECharts option (vertical or horizontal, one or several series side by side) and into the
// text a screen reader gets instead of the picture. Pure: components/BarChart.tsx draws it.

export interface BarSeries {
  name: string;
  values: Array<number | null>; // one per category; null: no value (no bar)
}

export interface BarData {
  categories: string[];
  series: BarSeries[];
}

/** Distinguishable on white and for the common colour-vision deficiencies (Okabe–Ito, darkened). */
export const PALETTE = ['#2f5bd3', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#8a7a00', '#5b6675'];

/** Text for HTML tooltips: channel and campaign names come from the data. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The tooltip of one category: its name, then each series' value. */
export function tooltipHtml(data: BarData, index: number, format: (v: number | null) => string): string {
  const category = data.categories[index];
  if (category === undefined) return '';
  if (data.series.length === 1) return `${escapeHtml(category)}: <b>${escapeHtml(format(data.series[0].values[index] ?? null))}</b>`;
  const lines = data.series.map(
    (s, i) =>
      `<span style="color:${PALETTE[i % PALETTE.length]}">■</span> ${escapeHtml(s.name)}: <b>${escapeHtml(format(s.values[index] ?? null))}</b>`,
  );
  return [`<b>${escapeHtml(category)}</b>`, ...lines].join('<br/>');
}

export interface BarOptions {
  horizontal?: boolean; // categories down the side (long names, many categories)
  format: (v: number | null) => string; // tooltip and value axis
  axisFormat?: (v: number) => string; // value axis labels (default: `format`)
}

/** The ECharts option for `data`. Horizontal charts list the first category at the top. */
export function barOption(data: BarData, opts: BarOptions): Record<string, unknown> {
  const horizontal = opts.horizontal ?? false;
  const axisFormat = opts.axisFormat ?? ((v: number) => opts.format(v));
  const categoryAxis = {
    type: 'category',
    data: data.categories,
    inverse: horizontal,
    axisTick: { alignWithLabel: true },
    axisLabel: horizontal ? { width: 150, overflow: 'truncate' } : { interval: 0, width: 110, overflow: 'truncate', hideOverlap: true },
  };
  const valueAxis = { type: 'value', axisLabel: { formatter: axisFormat }, splitLine: { lineStyle: { color: '#e6e9ee' } } };
  const several = data.series.length > 1;
  return {
    animation: false,
    color: PALETTE,
    grid: { left: horizontal ? 160 : 56, right: 24, top: several ? 40 : 16, bottom: horizontal ? 24 : 48, containLabel: false },
    legend: several ? { type: 'scroll', top: 0, data: data.series.map((s) => s.name) } : { show: false },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined;
        return first && typeof first.dataIndex === 'number' ? tooltipHtml(data, first.dataIndex, opts.format) : '';
      },
    },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: data.series.map((s) => ({
      type: 'bar',
      name: s.name,
      data: s.values,
      barMaxWidth: several ? 18 : 42,
      emphasis: { focus: several ? 'series' : 'none' },
    })),
  };
}

/**
 * What the chart shows, for screen readers: "Customers per segment: champions 413, loyal 310." or,
 * with several series, one sentence per category ("Email: first touch 50, last touch 61.").
 */
export function describeBars(title: string, data: BarData, format: (v: number | null) => string): string {
  if (data.categories.length === 0 || data.series.length === 0) return `${title}: no data.`;
  if (data.series.length === 1) {
    const s = data.series[0];
    return `${title}: ${data.categories.map((c, i) => `${c} ${format(s.values[i] ?? null)}`).join(', ')}.`;
  }
  const rows = data.categories.map((c, i) => `${c}: ${data.series.map((s) => `${s.name} ${format(s.values[i] ?? null)}`).join(', ')}.`);
  return `${title}. ${rows.join(' ')}`;
}

/** The chart's height for this many categories: horizontal bars get room for each. */
export function chartHeight(data: BarData, horizontal: boolean): number {
  if (!horizontal) return 260;
  const perCategory = data.series.length > 1 ? 12 * data.series.length + 10 : 28;
  return Math.min(640, Math.max(160, 50 + data.categories.length * perCategory));
}
