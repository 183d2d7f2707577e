// Tests of insights/figures.ts: the Insights page's number formats.
import { describe, expect, it } from 'vitest';
import { formatAxis, formatCredit, formatMoney, formatMonths, formatParameter, formatProbability, formatRatio, sentence } from './figures';

describe('figures', () => {
  it('formats money with cents, no currency', () => {
    expect(formatMoney(1234.5)).toBe('1,234.50');
    expect(formatMoney(0.06813)).toBe('0.07');
    expect(formatMoney(-0.001)).toBe('0.00');
    expect(formatMoney(null)).toBe('–');
    expect(formatMoney(NaN)).toBe('–');
  });
  it('formats axis labels compactly', () => {
    expect(formatAxis(12000)).toBe('12k');
    expect(formatAxis(1500)).toBe('1.5k');
    expect(formatAxis(2_500_000)).toBe('2.5M');
    expect(formatAxis(950)).toBe('950');
    expect(formatAxis(0.125)).toBe('0.13');
  });
  it('formats ratios with a times sign', () => {
    expect(formatRatio(1.071487716)).toBe('1.07×');
    expect(formatRatio(32.88541667)).toBe('32.9×');
    expect(formatRatio(0)).toBe('0×');
    expect(formatRatio(null)).toBe('–');
    expect(formatRatio(Infinity)).toBe('–');
  });
  it('formats payback in months', () => {
    expect(formatMonths(1.662601473)).toBe('1.7 months');
    expect(formatMonths(1)).toBe('1 month');
    expect(formatMonths(0.05591824004)).toBe('0.1 months');
    expect(formatMonths(0.01)).toBe('< 0.1 months');
    expect(formatMonths(null)).toBe('–');
  });
  it('formats credits, which may be fractions', () => {
    expect(formatCredit(56.33333333)).toBe('56.3');
    expect(formatCredit(100)).toBe('100');
    expect(formatCredit(0.5)).toBe('0.5');
    expect(formatCredit(1.3333)).toBe('1.33');
    expect(formatCredit(undefined)).toBe('–');
  });
  it('formats probabilities and parameters', () => {
    expect(formatProbability(0.946453101)).toBe('94.6%');
    expect(formatProbability(1)).toBe('100%');
    expect(formatParameter(0.2425945221)).toBe('0.2426');
    expect(formatParameter(4.413602025)).toBe('4.414');
    expect(formatParameter(-9582.429207)).toBe('-9,582');
    expect(formatParameter(0.001652666856)).toBe('0.001653');
    expect(formatParameter(0)).toBe('0');
    expect(formatParameter('x')).toBe('–');
  });
  it('turns a server message into a sentence', () => {
    expect(sentence('no spend is on record for the range: import it')).toBe('No spend is on record for the range: import it.');
    expect(sentence('Done!')).toBe('Done!');
    expect(sentence('  ')).toBe('');
  });
});
