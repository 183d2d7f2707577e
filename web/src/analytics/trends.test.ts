// Tests of analytics/trends.ts with answers shaped as the server sends them (docs/queries.md).
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../format';
import { describeTrend, isEmptyTrend, lineOption, NULL_GROUP, periodLabel, readTrends } from './trends';

const pts = (vals: Array<number | null>) => vals.map((value, i) => ({ t: `2026-11-2${i}T00:00:00.000Z`, value }));
const fmt = (v: number | null) => formatNumber(v);

const plain = {
  kind: 'trends',
  took_ms: 0.2,
  result: { interval: 'day', series: [{ label: 'Order Completed · count', total: 5, points: pts([1, 0, 4]) }] },
};
const broken = {
  result: {
    interval: 'week',
    series: [
      { label: 'Order Completed · sum', breakdown: 'shirts', total: 1379.7, points: pts([1200, 120, 59.7]) },
      { label: 'Order Completed · sum', breakdown: null, total: 10, points: pts([0, 10, 0]) },
      { label: 'Order Completed · sum', breakdown: '(other)', total: 70, points: pts([0, 0, 70]) },
    ],
  },
};

describe('readTrends', () => {
  it('reads one line per series without a breakdown', () => {
    const d = readTrends(plain);
    expect(d.periods).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
    expect(d.lines).toEqual([{ name: 'Order Completed · count', total: 5, values: [1, 0, 4] }]);
    expect(d.broken).toBe(false);
  });
  it('names lines by breakdown value, the null group readable, order kept', () => {
    const d = readTrends(broken);
    expect(d.broken).toBe(true);
    expect(d.interval).toBe('week');
    expect(d.lines.map((l) => l.name)).toEqual(['shirts', NULL_GROUP, '(other)']);
    expect(d.lines[2].values).toEqual([0, 0, 70]);
  });
  it('keeps null points (avg of nothing) as null, not 0', () => {
    const d = readTrends({ result: { series: [{ label: 'x · avg', total: null, points: pts([null, 3, null]) }] } });
    expect(d.lines[0].values).toEqual([null, 3, null]);
    expect(d.lines[0].total).toBeNull();
  });
  it('survives a malformed answer', () => {
    expect(readTrends(null)).toEqual({ interval: 'day', periods: [], lines: [], broken: false });
  });
});

describe('isEmptyTrend', () => {
  it('is empty when every value is 0 or null', () => {
    expect(isEmptyTrend(readTrends(plain))).toBe(false);
    expect(isEmptyTrend(readTrends({ result: { series: [{ label: 'x', total: 0, points: pts([0, null, 0]) }] } }))).toBe(true);
    expect(isEmptyTrend(readTrends({ result: { series: [] } }))).toBe(true);
  });
});

describe('text and chart', () => {
  it('labels weeks and days', () => {
    expect(periodLabel('2026-11-16T00:00:00.000Z', 'week')).toBe('week of Nov 16');
    expect(periodLabel('2026-11-16T00:00:00.000Z', 'day')).toBe('Nov 16');
  });
  it('describes every line with its total and highest period', () => {
    const text = describeTrend('Orders per day', readTrends(plain), fmt);
    expect(text).toBe('Orders per day, 3 days from Nov 20. Order Completed · count: 5 over the period, highest Nov 22 (4).');
    expect(describeTrend('x', readTrends(null), fmt)).toBe('x: no data.');
  });
  it('draws one line series per line, a legend only when several', () => {
    const one = lineOption(readTrends(plain), fmt, String) as { series: Array<{ type: string; data: unknown[] }>; legend: { show?: boolean } };
    expect(one.series).toHaveLength(1);
    expect(one.series[0].type).toBe('line');
    expect(one.series[0].data).toEqual([1, 0, 4]);
    expect(one.legend.show).toBe(false);
    const three = lineOption(readTrends(broken), fmt, String) as { series: unknown[]; legend: { data: string[] }; tooltip: { formatter: (p: unknown) => string } };
    expect(three.series).toHaveLength(3);
    expect(three.legend.data).toEqual(['shirts', NULL_GROUP, '(other)']);
    const tip = three.tooltip.formatter([{ dataIndex: 0 }]);
    expect(tip).toContain('week of Nov 20');
    expect(tip).toContain('shirts: <b>1,200</b>');
    expect(three.tooltip.formatter([{ dataIndex: 9 }])).toBe('');
  });
});
