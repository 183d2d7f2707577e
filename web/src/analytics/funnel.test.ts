// Tests of analytics/funnel.ts with the answer shape of docs/queries.md.
import { describe, expect, it } from 'vitest';
import { bucketLabel, describeFunnel, formatDuration, funnelBars, funnelState, readFunnel } from './funnel';

const answer = {
  kind: 'funnel',
  took_ms: 3.4,
  result: {
    steps: [
      { name: 'Product Viewed', count: 55, conversion: 1, step_conversion: 1, drop_off: 0, median_seconds_from_previous: null },
      { name: 'Product Added', count: 46, conversion: 0.8364, step_conversion: 0.8364, drop_off: 9, median_seconds_from_previous: 960 },
      { name: 'Order Completed', count: 28, conversion: 0.5091, step_conversion: 0.6087, drop_off: 18, median_seconds_from_previous: 15960 },
    ],
    time_to_convert: { median_seconds: 16470, buckets: [{ le_seconds: 3600, count: 2 }, { le_seconds: 86400, count: 26 }] },
  },
};

describe('readFunnel', () => {
  it('reads every step figure the answer has', () => {
    const d = readFunnel(answer);
    expect(d.steps[1]).toEqual({ name: 'Product Added', count: 46, conversion: 0.8364, stepConversion: 0.8364, dropOff: 9, medianSeconds: 960 });
    expect(d.steps[0].medianSeconds).toBeNull();
    expect(d.medianToConvert).toBe(16470);
    expect(d.buckets).toEqual([{ leSeconds: 3600, count: 2 }, { leSeconds: 86400, count: 26 }]);
  });
  it('survives a malformed answer', () => {
    expect(readFunnel({})).toEqual({ steps: [], medianToConvert: null, buckets: [] });
  });
});

describe('funnelState', () => {
  it('tells nobody entering from nobody going on', () => {
    expect(funnelState(readFunnel(answer))).toBe('ok');
    const none = { result: { steps: [{ name: 'A', count: 0 }, { name: 'B', count: 0 }] } };
    expect(funnelState(readFunnel(none))).toBe('no-entries');
    const stuck = { result: { steps: [{ name: 'A', count: 4 }, { name: 'B', count: 0 }] } };
    expect(funnelState(readFunnel(stuck))).toBe('no-conversions');
  });
});

describe('chart and text', () => {
  it('numbers the bars so a repeated event stays distinct', () => {
    const bars = funnelBars(readFunnel({ result: { steps: [{ name: 'A', count: 3 }, { name: 'A', count: 1 }] } }));
    expect(bars.categories).toEqual(['1. A', '2. A']);
    expect(bars.series).toEqual([{ name: 'Customers', values: [3, 1] }]);
  });
  it('formats durations', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(960)).toBe('16 min');
    expect(formatDuration(15960)).toBe('4.4 h');
    expect(formatDuration(86400)).toBe('1 day');
    expect(formatDuration(604800)).toBe('7 days');
    expect(bucketLabel(3600)).toBe('≤ 1 h');
  });
  it('describes each step for screen readers', () => {
    expect(describeFunnel(readFunnel(answer))).toBe(
      'Customers reaching each step of the funnel. 1. Product Viewed: 55 customers (100% of step 1); 2. Product Added: 46 customers (83.6% of step 1); 3. Order Completed: 28 customers (50.9% of step 1).',
    );
  });
});
