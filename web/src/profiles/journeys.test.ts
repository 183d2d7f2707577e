import { describe, expect, it } from 'vitest';
import { journeyStatus, readProfileJourneys } from './journeys';

const NOW = Date.parse('2026-11-24T12:00:00Z');

describe('readProfileJourneys', () => {
  it('reads the answer, running journeys first, then the latest started', () => {
    const list = readProfileJourneys([
      { id: 1, name: 'welcome', active: false, step: null, entries: 1, lastEnteredAt: '2026-11-01T00:00:00Z', lastExitedAt: '2026-11-02T00:00:00Z', wakeAt: null },
      { id: 2, name: 'win_back', active: true, step: 'week', entries: 2, lastEnteredAt: '2026-11-20T00:00:00Z', lastExitedAt: null, wakeAt: '2026-11-27T00:00:00Z' },
      { id: 3, name: 'cart', active: false, step: null, entries: 1, lastEnteredAt: '2026-11-10T00:00:00Z', lastExitedAt: '2026-11-10T01:00:00Z', wakeAt: null },
    ]);
    expect(list.map((j) => j.name)).toEqual(['win_back', 'cart', 'welcome']);
    expect(list[0]).toMatchObject({ active: true, step: 'week', entries: 2 });
  });

  it('an older server without journeys, or odd entries, reads as none', () => {
    expect(readProfileJourneys(undefined)).toEqual([]);
    expect(readProfileJourneys({})).toEqual([]);
    expect(readProfileJourneys([null, 7, { id: 1 }, { name: '' }])).toEqual([]);
    expect(readProfileJourneys([{ name: 'x', entries: 'many' }])[0]).toMatchObject({ name: 'x', entries: 0, active: false, step: null });
  });
});

describe('journeyStatus', () => {
  const base = { id: 1, name: 'j', active: false, step: null, entries: 1, lastEnteredAt: null, lastExitedAt: null, wakeAt: null };
  it('says where a running customer is and until when', () => {
    expect(journeyStatus({ ...base, active: true, step: 'three_days', wakeAt: '2026-11-26T12:00:00Z' }, NOW)).toBe('at step three_days until in 2 days');
    expect(journeyStatus({ ...base, active: true, entries: 3 }, NOW)).toBe('starting; entered 3 times');
  });
  it('says when a finished one ended', () => {
    expect(journeyStatus({ ...base, lastExitedAt: '2026-11-23T12:00:00Z' }, NOW)).toBe('finished yesterday');
    expect(journeyStatus({ ...base, entries: 2, lastExitedAt: '2026-11-24T11:00:00Z' }, NOW)).toBe('finished 1 h ago; entered 2 times');
    expect(journeyStatus(base, NOW)).toBe('not in it now');
  });
});
