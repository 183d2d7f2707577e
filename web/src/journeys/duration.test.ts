import { describe, expect, it } from 'vitest';
import { durationText, formatDuration, parseDuration, splitDuration } from './duration';

describe('durations', () => {
  it.each<[string, number | null]>([
    ['3 days', 4320],
    ['1 day', 1440],
    ['90 minutes', 90],
    ['4 hours', 240],
    ['2 weeks', 20160],
    ['1 Week', null],
    ['1 week', 10080],
    ['3650 days', 3650 * 1440],
    ['3651 days', null],
    ['0 minutes', null],
    ['3d', null],
    ['3 fortnights', null],
    ['-1 days', null],
    ['1.5 days', null],
    ['', null],
  ])('parses %j', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });
  it('formats in the largest whole unit', () => {
    expect(formatDuration(4320)).toBe('3 days');
    expect(formatDuration(90)).toBe('90 minutes');
    expect(formatDuration(60)).toBe('1 hour');
    expect(formatDuration(10080)).toBe('1 week');
    expect(formatDuration(11520)).toBe('8 days');
    expect(formatDuration(1)).toBe('1 minute');
  });
  it('spells amounts as the server reads them', () => {
    expect(durationText(1, 'weeks')).toBe('1 week');
    expect(durationText(4, 'hours')).toBe('4 hours');
    for (const t of ['1 minute', '5 days', '4 hours', '2 weeks']) expect(formatDuration(parseDuration(t)!)).toBe(t);
  });
  it('splits for the form', () => {
    expect(splitDuration('48 hours')).toEqual({ amount: 2, unit: 'days' });
    expect(splitDuration('nope')).toBeNull();
  });
});
