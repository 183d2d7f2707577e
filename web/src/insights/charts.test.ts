// Tests of insights/charts.ts: the ECharts bar option, tooltips that cannot inject HTML, and the
// screen-reader text.
import { describe, expect, it } from 'vitest';
import { barOption, chartHeight, describeBars, escapeHtml, tooltipHtml, type BarData } from './charts';

const fmt = (v: number | null) => (v === null ? '–' : String(v));
const one: BarData = { categories: ['champions', 'loyal'], series: [{ name: 'customers', values: [413, 310] }] };
const two: BarData = {
  categories: ['Email', '<b>x</b>'],
  series: [
    { name: 'first touch', values: [50, 1] },
    { name: 'last touch', values: [61, null] },
  ],
};

describe('barOption', () => {
  it('puts categories on x and values on y by default, one series without a legend', () => {
    const o = barOption(one, { format: fmt }) as Record<string, any>;
    expect(o.xAxis.type).toBe('category');
    expect(o.xAxis.data).toEqual(['champions', 'loyal']);
    expect(o.yAxis.type).toBe('value');
    expect(o.legend).toEqual({ show: false });
    expect(o.series).toHaveLength(1);
    expect(o.series[0]).toMatchObject({ type: 'bar', name: 'customers', data: [413, 310] });
    expect(o.animation).toBe(false);
  });
  it('swaps the axes when horizontal, first category on top', () => {
    const o = barOption(one, { format: fmt, horizontal: true }) as Record<string, any>;
    expect(o.yAxis.type).toBe('category');
    expect(o.yAxis.inverse).toBe(true);
    expect(o.xAxis.type).toBe('value');
  });
  it('groups several series side by side with a legend, nulls kept as gaps', () => {
    const o = barOption(two, { format: fmt }) as Record<string, any>;
    expect(o.legend.data).toEqual(['first touch', 'last touch']);
    expect(o.series.map((s: any) => s.data)).toEqual([[50, 1], [61, null]]);
    expect(o.series.every((s: any) => s.stack === undefined)).toBe(true);
  });
  it('formats the tooltip of the hovered category', () => {
    const o = barOption(one, { format: fmt }) as Record<string, any>;
    expect(o.tooltip.formatter([{ dataIndex: 1 }])).toBe('loyal: <b>310</b>');
    expect(o.tooltip.formatter([])).toBe('');
  });
});

describe('tooltips', () => {
  it('escape names from the data', () => {
    expect(escapeHtml(`<img src=x onerror="a()">&'`)).toBe('&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;&#39;');
    const html = tooltipHtml(two, 1, fmt);
    expect(html).toContain('<b>&lt;b&gt;x&lt;/b&gt;</b>');
    expect(html).toContain('last touch: <b>–</b>');
    expect(tooltipHtml(two, 5, fmt)).toBe('');
  });
});

describe('describeBars', () => {
  it('reads one series as a list', () => {
    expect(describeBars('Customers per segment', one, fmt)).toBe('Customers per segment: champions 413, loyal 310.');
  });
  it('reads several series per category', () => {
    expect(describeBars('Conversions', two, fmt)).toBe('Conversions. Email: first touch 50, last touch 61. <b>x</b>: first touch 1, last touch –.');
  });
  it('says when there is nothing', () => {
    expect(describeBars('X', { categories: [], series: [] }, fmt)).toBe('X: no data.');
  });
});

describe('chartHeight', () => {
  it('gives horizontal charts room per category, within bounds', () => {
    expect(chartHeight(one, false)).toBe(260);
    expect(chartHeight(one, true)).toBe(160);
    const many: BarData = { categories: Array.from({ length: 10 }, (_, i) => `c${i}`), series: [{ name: 's', values: [] }] };
    expect(chartHeight(many, true)).toBe(330);
    const huge: BarData = { categories: Array.from({ length: 40 }, (_, i) => `c${i}`), series: two.series };
    expect(chartHeight(huge, true)).toBe(640);
  });
});
