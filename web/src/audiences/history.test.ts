// Tests of history.ts: the answer read into days, the empty state, the chart's series, the text.
import { describe, expect, it } from 'vitest';
import { changedDays, describeHistory, historyOption, isEmptyHistory, readHistory, savedAfterFirstDay } from './history';

const ANSWER = {
  audience: 'vip',
  days: [
    { day: '2026-11-01', entered: 5, exited: 0, size: 5 },
    { day: '2026-11-02', entered: 0, exited: 0, size: 5 },
    { day: '2026-11-03', entered: 2, exited: 3, size: 4 },
  ],
};

describe('readHistory', () => {
  it('keeps the days oldest first with their counts', () => {
    const h = readHistory(ANSWER);
    expect(h.audience).toBe('vip');
    expect(h.days).toEqual(ANSWER.days);
  });
  it('sorts, drops entries without a day and reads missing counts as 0', () => {
    const h = readHistory({ days: [{ day: '2026-11-03', size: 2 }, { day: 'yesterday' }, null, { day: '2026-11-01T00:00:00Z', entered: 1 }] });
    expect(h.days).toEqual([
      { day: '2026-11-01', entered: 1, exited: 0, size: 0 },
      { day: '2026-11-03', entered: 0, exited: 0, size: 2 },
    ]);
    expect(readHistory(null)).toEqual({ audience: '', days: [] });
  });
});

describe('isEmptyHistory', () => {
  it('is empty for a new audience: no day, or nobody ever in it', () => {
    expect(isEmptyHistory(readHistory({ days: [] }))).toBe(true);
    expect(isEmptyHistory(readHistory({ days: [{ day: '2026-11-01', entered: 0, exited: 0, size: 0 }] }))).toBe(true);
    expect(isEmptyHistory(readHistory(ANSWER))).toBe(false);
    // Members from before the days asked, no change since: a flat line, not empty.
    expect(isEmptyHistory(readHistory({ days: [{ day: '2026-11-01', entered: 0, exited: 0, size: 7 }] }))).toBe(false);
  });
});

describe('the chart', () => {
  it('draws the size as a line and entered up, exited down as bars', () => {
    const o = historyOption(readHistory(ANSWER)) as { xAxis: Array<{ data: string[] }>; series: Array<{ type: string; name: string; data: number[]; yAxisIndex: number }> };
    expect(o.xAxis.map((x) => x.data)).toEqual([['Nov 1', 'Nov 2', 'Nov 3'], ['Nov 1', 'Nov 2', 'Nov 3']]);
    expect(o.series.map((s) => [s.type, s.name, s.yAxisIndex])).toEqual([
      ['line', 'members', 0],
      ['bar', 'entered', 1],
      ['bar', 'exited', 1],
    ]);
    expect(o.series[0].data).toEqual([5, 5, 4]);
    expect(o.series[1].data).toEqual([5, 0, 2]);
    expect(o.series[2].data).toEqual([0, 0, -3]);
  });
  it('describes it for screen readers', () => {
    expect(describeHistory('vip', readHistory(ANSWER))).toBe(
      'Members of vip per day over 3 days from Nov 1 to Nov 3: 4 now (5 on Nov 1), largest 5 on Nov 1; 7 entered and 3 exited.',
    );
    expect(describeHistory('vip', readHistory({}))).toBe('vip: no membership history.');
  });
  it('lists the days with changes, newest first', () => {
    expect(changedDays(readHistory(ANSWER)).map((d) => d.day)).toEqual(['2026-11-03', '2026-11-01']);
  });
});

describe('savedAfterFirstDay', () => {
  it('says when the audience did not exist on the first days shown', () => {
    const h = readHistory(ANSWER);
    expect(savedAfterFirstDay(h, '2026-11-03T09:00:00.000Z')).toBe(true);
    expect(savedAfterFirstDay(h, '2026-11-01T23:59:59.000Z')).toBe(false);
    expect(savedAfterFirstDay(h, '2026-10-01T00:00:00.000Z')).toBe(false);
    expect(savedAfterFirstDay(h, undefined)).toBe(false);
    expect(savedAfterFirstDay(readHistory({}), '2026-11-03T09:00:00.000Z')).toBe(false);
  });
});
