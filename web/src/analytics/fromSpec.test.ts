// Tests of analytics/fromSpec.ts: every tab's spec reads back into the picker that made it.
import { describe, expect, it } from 'vitest';
import { defaultTitle, readSpec } from './fromSpec';
import { funnelSpec, pathsSpec, retentionSpec, trendsSpec, type PathsPicker, type RetentionPicker, type TrendsPicker } from './specs';

const range = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', days: 30 };
const events = [{ name: 'Pricing', type: 'page', count: 3 }, { name: 'Order Completed', type: 'track', count: 2 }];

function value<T>(c: { ok: true; value: T } | { ok: false; problem: string }): T {
  if (!c.ok) throw new Error(c.problem);
  return c.value;
}

describe('readSpec', () => {
  it('reads a trends spec back into its picker', () => {
    const picker: TrendsPicker = { event: 'Order Completed', measure: 'sum', property: 'properties.revenue', interval: 'week', breakdown: 'properties.channel' };
    expect(readSpec(value(trendsSpec(range, picker, events)))).toEqual({ kind: 'trends', picker });
    const plain: TrendsPicker = { ...picker, measure: 'count', property: '', breakdown: '' };
    expect(readSpec(value(trendsSpec(range, plain, events)))).toEqual({ kind: 'trends', picker: plain });
  });
  it('reads a funnel spec back', () => {
    const spec = value(funnelSpec(range, ['Pricing', 'Order Completed'], 14, events));
    expect(readSpec(spec)).toEqual({ kind: 'funnel', picker: { steps: ['Pricing', 'Order Completed'], windowDays: 14 } });
  });
  it('reads a retention spec back', () => {
    const picker: RetentionPicker = { start: 'Pricing', ret: 'Order Completed', interval: 'day', periods: 4 };
    expect(readSpec(value(retentionSpec(range, picker, events)))).toEqual({ kind: 'retention', picker });
  });
  it('reads a paths spec back, both ways', () => {
    for (const direction of ['after', 'before'] as const) {
      const picker: PathsPicker = { event: 'Pricing', direction, steps: 3, limit: 10, collapse: false };
      expect(readSpec(value(pathsSpec(range, picker, events)))).toEqual({ kind: 'paths', picker });
    }
  });
  it('says when a kind is not one the console draws', () => {
    expect(readSpec({ kind: 'clv' })).toEqual({ kind: 'unknown', name: 'clv' });
    expect(readSpec(null)).toEqual({ kind: 'unknown', name: '' });
  });
});

describe('defaultTitle', () => {
  it('names what the tile shows', () => {
    expect(defaultTitle(readSpec(value(funnelSpec(range, ['Pricing', 'Order Completed'], 7))))).toBe('Funnel: Pricing → Order Completed');
    expect(defaultTitle(readSpec(value(pathsSpec(range, { event: 'Pricing', direction: 'before', steps: 3, limit: 10, collapse: true }))))).toBe(
      'Paths before “Pricing”',
    );
    expect(defaultTitle(readSpec(value(trendsSpec(range, { event: 'Pricing', measure: 'count', property: '', interval: 'day', breakdown: '' }))))).toBe(
      'Events: “Pricing” per day',
    );
    expect(defaultTitle({ kind: 'unknown', name: 'rfm' })).toBe('A rfm query');
  });
});

describe('pathsSpec', () => {
  const picker: PathsPicker = { event: 'Pricing', direction: 'after', steps: 5, limit: 10, collapse: true };
  it('starts from the event, typed when the type is known', () => {
    expect(value(pathsSpec(range, picker, events))).toEqual({
      kind: 'paths',
      from: range.from,
      to: range.to,
      start: { event: 'Pricing', type: 'page' },
      steps: 5,
      limit: 10,
      collapse_repeats: true,
    });
  });
  it('ends at the event for "before"', () => {
    const spec = value(pathsSpec(range, { ...picker, direction: 'before' }));
    expect(spec.end).toEqual({ event: 'Pricing' });
    expect(spec.start).toBeUndefined();
  });
  it('says what is missing or out of range', () => {
    expect(pathsSpec(range, { ...picker, event: '' })).toEqual({ ok: false, problem: 'Pick the event the paths start from.' });
    expect(pathsSpec(range, { ...picker, steps: 11 }).ok).toBe(false);
    expect(pathsSpec(range, { ...picker, limit: 0 }).ok).toBe(false);
  });
});
