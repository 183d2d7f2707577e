// Tests of analytics/retention.ts with the answer shape of docs/queries.md.
import { describe, expect, it } from 'vitest';
import { cellShade, cohortLabel, describeRetention, isEmptyRetention, luminance, periodHeading, readRetention } from './retention';

const answer = {
  kind: 'retention',
  result: {
    interval: 'week',
    cohorts: [
      { start: '2026-11-09T00:00:00.000Z', size: 13, returned: [13, 6, 0, null] },
      { start: '2026-11-16T00:00:00.000Z', size: 0, returned: [0, 0, null, null] },
      { start: '2026-11-23T00:00:00.000Z', size: 3, returned: [3, null, null, null] },
    ],
    average: [1, 0.4615, 0, null],
  },
};

describe('readRetention', () => {
  it('keeps unobserved cells null and observed zeros 0', () => {
    const d = readRetention(answer);
    expect(d.periods).toBe(4);
    expect(d.rows[0].cells).toEqual([
      { count: 13, share: 1 },
      { count: 6, share: 6 / 13 },
      { count: 0, share: 0 },
      { count: null, share: null },
    ]);
    expect(d.rows[2].cells[1]).toEqual({ count: null, share: null });
  });
  it('gives an empty cohort no share, but keeps its count', () => {
    expect(readRetention(answer).rows[1].cells[1]).toEqual({ count: 0, share: null });
  });
  it('reads the average row with its nulls', () => {
    expect(readRetention(answer).average).toEqual([1, 0.4615, 0, null]);
  });
  it('is empty only when no cohort has customers', () => {
    expect(isEmptyRetention(readRetention(answer))).toBe(false);
    expect(isEmptyRetention(readRetention({ result: { cohorts: [{ start: 'x', size: 0, returned: [0, null] }], average: [null, null] } }))).toBe(true);
    expect(readRetention(null).rows).toEqual([]);
  });
});

describe('labels, shades and text', () => {
  it('labels periods and cohorts', () => {
    expect(periodHeading(0, 'week')).toBe('Week 0');
    expect(periodHeading(3, 'day')).toBe('Day 3');
    expect(cohortLabel('2026-11-09T00:00:00.000Z', 'week')).toBe('week of Nov 9');
    expect(cohortLabel('2026-11-09T00:00:00.000Z', 'day')).toBe('Nov 9');
  });
  it('shades from light to the accent and keeps the text readable', () => {
    expect(cellShade(null)).toBeNull();
    expect(cellShade(0)).toEqual({ background: '#f3f6fc', color: '#000' });
    expect(cellShade(1)).toEqual({ background: '#1f44a8', color: '#fff' });
    for (let s = 0; s <= 1.0001; s += 0.05) {
      const shade = cellShade(s)!;
      const rgb = [1, 3, 5].map((i) => parseInt(shade.background.slice(i, i + 2), 16)) as [number, number, number];
      const bg = luminance(...rgb);
      const fg = shade.color === '#fff' ? 1 : 0;
      const contrast = (Math.max(bg, fg) + 0.05) / (Math.min(bg, fg) + 0.05);
      expect(contrast, `share ${s}`).toBeGreaterThanOrEqual(4.5);
    }
  });
  it('summarises the averages for screen readers', () => {
    expect(describeRetention(readRetention(answer))).toBe(
      'Retention by week: 3 cohorts, 16 customers; on average 46.2% came back in week 1, 0% in week 2. The table below lists every cohort.',
    );
  });
});
