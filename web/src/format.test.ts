// Tests of format.ts: separators, compact card numbers, currencies, percents, times, and that
// nothing meaningless (NaN, Infinity, undefined, null) is ever shown.
import { describe, expect, it } from 'vitest';
import {
  DASH,
  finite,
  formatBytes,
  formatCompact,
  formatCurrency,
  formatDateTime,
  formatDay,
  formatNumber,
  formatPercent,
  formatRelative,
  formatValue,
  plural,
  ratio,
} from './format';

const BAD = [NaN, Infinity, -Infinity, undefined, null, 'abc', '', {}, [], true];

describe('formatNumber', () => {
  it('separates thousands', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(1234.5678)).toBe('1,234.57');
    expect(formatNumber(-9876543.21)).toBe('-9,876,543.21');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(12.5, 0)).toBe('13');
  });
  it('reads decimal strings as the API may send them', () => {
    expect(formatNumber('42.5')).toBe('42.5');
    expect(finite(' 7 ')).toBe(7);
    expect(finite('1,234')).toBeNull();
  });
  it('shows a dash for anything that is not a finite number', () => {
    for (const v of BAD) expect(formatNumber(v)).toBe(DASH);
  });
});

describe('formatCompact', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [3.14159, '3.14'],
    [42.25, '42.3'],
    [950, '950'],
    [999.4, '999'],
    [999.6, '1k'],
    [1000, '1k'],
    [1234, '1.2k'],
    [1250, '1.3k'],
    [9_949, '9.9k'],
    [9_960, '10k'],
    [15_300, '15k'],
    [999_400, '999k'],
    [999_950, '1M'],
    [3_400_000, '3.4M'],
    [12_345_678, '12M'],
    [2_500_000_000, '2.5B'],
    [7e12, '7T'],
    [-1234, '-1.2k'],
    [-0.001, '0'],
  ])('%s → %s', (input, expected) => {
    expect(formatCompact(input)).toBe(expected);
  });
  it('never shows NaN or undefined', () => {
    for (const v of BAD) expect(formatCompact(v)).toBe(DASH);
  });
});

describe('formatCurrency', () => {
  it('uses the currency when it is a real code', () => {
    expect(formatCurrency(1234.5, 'EUR')).toBe('€1,234.50');
    expect(formatCurrency(59.9, 'usd')).toBe('$59.90');
    expect(formatCurrency(-3, 'EUR')).toBe('-€3.00');
  });
  it('falls back to two decimals without a currency or with a bad one', () => {
    expect(formatCurrency(1234.5)).toBe('1,234.50');
    expect(formatCurrency(1234.5, 'euros')).toBe('1,234.50');
    expect(formatCurrency(1234.5, null)).toBe('1,234.50');
  });
  it('is compact on cards', () => {
    expect(formatCurrency(1234.5, 'EUR', true)).toBe('€1.2k');
    expect(formatCurrency(3_400_000, undefined, true)).toBe('3.4M');
    expect(formatCurrency(-25_000, 'USD', true)).toBe('-$25k');
    expect(formatCurrency(12_000, 'CHF', true)).toBe('12k CHF');
    expect(formatCurrency(12.5, 'EUR', true)).toBe('€12.50');
  });
  it('shows a dash for no amount', () => {
    for (const v of BAD) expect(formatCurrency(v, 'EUR')).toBe(DASH);
  });
});

describe('formatPercent and ratio', () => {
  it('formats shares', () => {
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.5, 0)).toBe('50%');
    expect(formatPercent(0.00001)).toBe('0%');
  });
  it('divides safely', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 4)).toBeNull();
    expect(formatPercent(ratio(3, 0))).toBe(DASH);
  });
  it('shows a dash for no share', () => {
    for (const v of BAD) expect(formatPercent(v)).toBe(DASH);
  });
});

describe('times', () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');
  it.each([
    ['2026-11-23T12:00:00.000Z', 'just now'],
    ['2026-11-23T11:59:58.000Z', 'just now'],
    ['2026-11-23T11:59:18.000Z', '42 s ago'],
    ['2026-11-23T11:55:00.000Z', '5 min ago'],
    ['2026-11-23T09:00:00.000Z', '3 h ago'],
    ['2026-11-22T10:00:00.000Z', 'yesterday'],
    ['2026-11-19T12:00:00.000Z', '4 days ago'],
    ['2025-11-23T12:00:00.000Z', 'Nov 23, 2025'],
    ['2026-11-23T12:00:30.000Z', 'just now'],
    ['2026-11-23T12:05:00.000Z', 'in 5 min'],
  ])('%s is "%s"', (t, expected) => {
    expect(formatRelative(t, now)).toBe(expected);
  });
  it('shows a dash for a time that is not one', () => {
    for (const v of [...BAD, 'yesterday', 12345]) expect(formatRelative(v, now)).toBe(DASH);
    expect(formatDateTime('nope')).toBe(DASH);
  });
  it('writes full times and days in UTC', () => {
    expect(formatDateTime('2026-11-23T10:15:00.123Z')).toBe('2026-11-23 10:15:00 UTC');
    expect(formatDay('2026-09-01T00:00:00.000Z')).toBe('Sep 1');
  });
});

describe('formatValue', () => {
  it('shows any JSON value as text', () => {
    expect(formatValue('pro')).toBe('pro');
    expect(formatValue('')).toBe('""');
    expect(formatValue(12345.5)).toBe('12,345.5');
    expect(formatValue(false)).toBe('false');
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue(null)).toBe(DASH);
    expect(formatValue(undefined)).toBe(DASH);
    expect(formatValue(NaN)).toBe(DASH);
  });
});

describe('plural', () => {
  it('agrees with the count', () => {
    expect(plural(1, 'customer')).toBe('1 customer');
    expect(plural(0, 'customer')).toBe('0 customers');
    expect(plural(1204, 'customer')).toBe('1,204 customers');
    expect(plural(2, 'identity', 'identities')).toBe('2 identities');
    expect(plural(undefined, 'event')).toBe(`${DASH} events`);
  });
});

describe('formatBytes', () => {
  it('writes file sizes as file managers do', () => {
    expect(formatBytes(800)).toBe('800 bytes');
    expect(formatBytes(1229)).toBe('1.2 KB');
    expect(formatBytes(5.3 * 1024 * 1024)).toBe('5.3 MB');
    expect(formatBytes(-1)).toBe(DASH);
  });
});
