// Tests of overviewQuery.ts: the Overview's trends spec and how its answer becomes KPIs.
import { describe, expect, it } from 'vitest';
import { currencySpec, isEmpty, lastDays, overviewTrendsSpec, pickCurrency, readOverview } from './overviewQuery';

const NOW = Date.parse('2026-11-23T15:30:00.000Z');

describe('lastDays', () => {
  it('covers whole UTC days, today included', () => {
    expect(lastDays(NOW, 14)).toEqual({ from: '2026-11-10T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z', days: 14 });
    expect(lastDays(Date.parse('2026-11-23T00:00:00.000Z'), 1)).toEqual({
      from: '2026-11-23T00:00:00.000Z',
      to: '2026-11-24T00:00:00.000Z',
      days: 1,
    });
    expect(lastDays(NOW, 0).days).toBe(1);
  });
});

describe('overviewTrendsSpec', () => {
  it('asks for events, customers, identified customers, orders and revenue per day', () => {
    const spec = overviewTrendsSpec(lastDays(NOW, 14));
    expect(spec).toEqual({
      kind: 'trends',
      from: '2026-11-10T00:00:00.000Z',
      to: '2026-11-24T00:00:00.000Z',
      interval: 'day',
      series: [
        { filter: {}, measure: 'count' },
        { filter: {}, measure: 'unique_profiles' },
        { filter: { where: [{ path: 'userId', op: 'exists' }] }, measure: 'unique_profiles' },
        { filter: { event: 'Order Completed' }, measure: 'count' },
        { filter: { event: 'Order Completed' }, measure: 'sum', property: 'properties.revenue' },
      ],
    });
    // At most 10 series and no field the API refuses.
    expect(spec.series.length).toBeLessThanOrEqual(10);
    expect(Object.keys(spec).sort()).toEqual(['from', 'interval', 'kind', 'series', 'to']);
  });
  it('asks for the orders currency over the same range', () => {
    expect(currencySpec(lastDays(NOW, 2))).toEqual({
      kind: 'values',
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-11-24T00:00:00.000Z',
      path: 'properties.currency',
      event: 'Order Completed',
      limit: 5,
    });
  });
});

const pts = (values: Array<number | null>) =>
  values.map((value, i) => ({ t: `2026-11-2${i}T00:00:00.000Z`, value }));

describe('readOverview', () => {
  const answer = {
    kind: 'trends',
    took_ms: 1.5,
    result: {
      interval: 'day',
      series: [
        { label: 'all events · count', total: 30, points: pts([10, 20]) },
        { label: 'all events · unique_profiles', total: 4, points: pts([2, 3]) },
        { label: 'all events · unique_profiles', total: 1, points: pts([0, 1]) },
        { label: 'Order Completed · count', total: 3, points: pts([0, 3]) },
        { label: 'Order Completed · sum', total: 90, points: pts([0, 90]) },
      ],
    },
  };
  it('reads every line and derives the shares', () => {
    const f = readOverview(answer);
    expect(f.days).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z']);
    expect(f.events.total).toBe(30);
    expect(f.identifiedShare.total).toBe(0.25);
    expect(f.identifiedShare.points.map((p) => p.value)).toEqual([0, 1 / 3]);
    expect(f.averageOrder.total).toBe(30);
    expect(f.averageOrder.points.map((p) => p.value)).toEqual([null, 30]);
    expect(isEmpty(f)).toBe(false);
  });
  it('reads a bare result, and nothing as empty lines', () => {
    expect(readOverview(answer.result).revenue.total).toBe(90);
    const f = readOverview({});
    expect(f.events).toEqual({ total: null, points: [] });
    expect(f.identifiedShare.total).toBeNull();
    expect(isEmpty(f)).toBe(true);
    expect(isEmpty(readOverview(null))).toBe(true);
  });
});

describe('pickCurrency', () => {
  it('finds the one currency of the orders', () => {
    expect(pickCurrency({ result: { values: [{ value: 'eur', count: 3 }, { value: 'EUR', count: 1 }], other_count: 0 } })).toBe('EUR');
    expect(pickCurrency({ values: [{ value: 'USD', count: 3 }, { value: null, count: 2 }], other_count: 0 })).toBe('USD');
  });
  it('gives none for mixed, missing or odd currencies', () => {
    expect(pickCurrency({ values: [{ value: 'EUR', count: 3 }, { value: 'USD', count: 1 }], other_count: 0 })).toBeNull();
    expect(pickCurrency({ values: [{ value: 'EUR', count: 3 }], other_count: 4 })).toBeNull();
    expect(pickCurrency({ values: [{ value: 'euros', count: 3 }], other_count: 0 })).toBeNull();
    expect(pickCurrency({ values: [], other_count: 0 })).toBeNull();
    expect(pickCurrency(undefined)).toBeNull();
  });
});
