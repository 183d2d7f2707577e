// Tests of analytics/specs.ts: discovery answers → picker choices, pickers → query specs.
import { describe, expect, it } from 'vitest';
import {
  eventFilter,
  eventsSpec,
  funnelSpec,
  periodStart,
  propertiesSpec,
  readEvents,
  readProperties,
  resultOf,
  retentionSpec,
  trendsSpec,
  type TrendsPicker,
} from './specs';

const range = { from: '2026-11-11T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z', days: 14 };
const events = [
  { name: 'Product Viewed', type: 'track', count: 99 },
  { name: 'Pricing', type: '', count: 12 },
];

describe('discovery', () => {
  it('asks for events and properties over the range', () => {
    expect(eventsSpec(range)).toEqual({ kind: 'events', from: range.from, to: range.to });
    expect(propertiesSpec(range, 'Order Completed')).toEqual({ kind: 'properties', from: range.from, to: range.to, event: 'Order Completed' });
  });
  it('reads named events, merging a name seen with two types and skipping unnamed calls', () => {
    const answer = {
      kind: 'events',
      took_ms: 1,
      result: {
        events: [
          { name: 'Product Viewed', type: 'track', count: 99 },
          { name: 'Pricing', type: 'page', count: 10 },
          { name: null, type: 'identify', count: 5 },
          { name: 'Pricing', type: 'track', count: 2 },
        ],
      },
    };
    expect(readEvents(answer)).toEqual([
      { name: 'Product Viewed', type: 'track', count: 99 },
      { name: 'Pricing', type: '', count: 12 },
    ]);
    expect(readEvents(null)).toEqual([]);
    expect(readEvents({ result: { events: 'x' } })).toEqual([]);
  });
  it('filters on the type only when it is single', () => {
    expect(eventFilter('Product Viewed', events)).toEqual({ event: 'Product Viewed', type: 'track' });
    expect(eventFilter('Pricing', events)).toEqual({ event: 'Pricing' });
    expect(eventFilter('Unknown', events)).toEqual({ event: 'Unknown' });
  });
  it('offers numbers to add up and text to split by, never identifiers', () => {
    const answer = {
      result: {
        properties: [
          { path: 'messageId', count: 34, kinds: ['string'] },
          { path: 'properties.revenue', count: 34, kinds: ['number'] },
          { path: 'properties.category', count: 30, kinds: ['string', 'null'] },
          { path: 'properties.items', count: 30, kinds: ['array'] },
          { path: 'properties.price', count: 3, kinds: ['string', 'number'] },
        ],
      },
    };
    expect(readProperties(answer)).toEqual({
      numeric: ['properties.revenue', 'properties.price'],
      breakdown: ['properties.revenue', 'properties.category', 'properties.price'],
    });
  });
  it('reads a bare result as well as the whole answer', () => {
    expect(resultOf({ result: { a: 1 } })).toEqual({ a: 1 });
    expect(resultOf({ a: 1 })).toEqual({ a: 1 });
    expect(resultOf(undefined)).toEqual({});
  });
});

describe('trendsSpec', () => {
  const base: TrendsPicker = { event: 'Product Viewed', measure: 'count', property: '', interval: 'day', breakdown: '' };
  it('builds a one-series trends spec', () => {
    expect(trendsSpec(range, base, events)).toEqual({
      ok: true,
      value: {
        kind: 'trends',
        from: range.from,
        to: range.to,
        interval: 'day',
        series: [{ filter: { event: 'Product Viewed', type: 'track' }, measure: 'count' }],
      },
    });
  });
  it('adds the property only to sum and avg, and a limited breakdown', () => {
    const sum = trendsSpec(range, { ...base, measure: 'sum', property: 'properties.revenue', breakdown: 'properties.category', interval: 'week' });
    expect(sum.ok && sum.value).toMatchObject({
      interval: 'week',
      series: [{ filter: { event: 'Product Viewed' }, measure: 'sum', property: 'properties.revenue' }],
      breakdown: { property: 'properties.category' },
      limit: 5,
    });
    const uniq = trendsSpec(range, { ...base, measure: 'unique_profiles', property: 'properties.revenue' });
    expect(uniq.ok && (uniq.value.series as Array<Record<string, unknown>>)[0]).toEqual({ filter: { event: 'Product Viewed' }, measure: 'unique_profiles' });
  });
  it('refuses what the server would refuse', () => {
    expect(trendsSpec(range, { ...base, event: '' })).toEqual({ ok: false, problem: 'Pick an event to chart.' });
    const r = trendsSpec(range, { ...base, measure: 'avg' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/numeric property/);
  });
});

describe('funnelSpec', () => {
  it('builds steps and the window in days', () => {
    expect(funnelSpec(range, ['Product Viewed', 'Pricing'], 7, events)).toEqual({
      ok: true,
      value: {
        kind: 'funnel',
        from: range.from,
        to: range.to,
        steps: [{ event: 'Product Viewed', type: 'track' }, { event: 'Pricing' }],
        window: { days: 7 },
      },
    });
  });
  it('needs 2 to 5 picked steps and a window of 1 to 3650 days', () => {
    expect(funnelSpec(range, ['A'], 7).ok).toBe(false);
    expect(funnelSpec(range, ['A', 'B', 'C', 'D', 'E', 'F'], 7).ok).toBe(false);
    expect(funnelSpec(range, ['A', '', 'C'], 7)).toEqual({ ok: false, problem: 'Pick an event for step 2.' });
    expect(funnelSpec(range, ['A', 'B'], 0).ok).toBe(false);
    expect(funnelSpec(range, ['A', 'B'], 1.5).ok).toBe(false);
    expect(funnelSpec(range, ['A', 'B', 'C', 'D', 'E'], 3650).ok).toBe(true);
  });
});

describe('retentionSpec', () => {
  it('finds the UTC day and the Monday of a week', () => {
    // 2026-11-11 is a Wednesday; its week starts Monday 2026-11-09.
    expect(new Date(periodStart(Date.parse('2026-11-11T15:00:00Z'), 'week')).toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(new Date(periodStart(Date.parse('2026-11-09T00:00:00Z'), 'week')).toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(new Date(periodStart(Date.parse('2026-11-15T23:59:59Z'), 'week')).toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(new Date(periodStart(Date.parse('2026-11-11T15:00:00Z'), 'day')).toISOString()).toBe('2026-11-11T00:00:00.000Z');
  });
  it('aligns weekly cohorts on Monday and names both events', () => {
    expect(retentionSpec(range, { start: 'Product Viewed', ret: 'Pricing', interval: 'week', periods: 8 }, events)).toEqual({
      ok: true,
      value: {
        kind: 'retention',
        from: '2026-11-09T00:00:00.000Z',
        to: range.to,
        start: { event: 'Product Viewed', type: 'track' },
        return: { event: 'Pricing' },
        interval: 'week',
        periods: 8,
      },
    });
    const daily = retentionSpec(range, { start: 'A', ret: 'B', interval: 'day', periods: 4 });
    expect(daily.ok && daily.value.from).toBe(range.from);
  });
  it('says which event is missing', () => {
    expect(retentionSpec(range, { start: '', ret: 'B', interval: 'week', periods: 8 })).toEqual({ ok: false, problem: 'Pick the event that starts a cohort.' });
    expect(retentionSpec(range, { start: 'A', ret: '', interval: 'week', periods: 8 }).ok).toBe(false);
    expect(retentionSpec(range, { start: 'A', ret: 'B', interval: 'week', periods: 0 }).ok).toBe(false);
  });
});
