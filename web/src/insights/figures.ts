// Number formats of the Insights page, on top of ../format.ts: money in the orders' own unit
// (Rapport does not convert currencies, and the insights do not name one), ratios such as ROAS
// ("1.07×"), months, model credits (fractions of conversions), probabilities and fitted
// parameters. Like format.ts, never "NaN" or "null": a missing value is DASH.
import { DASH, finite, formatNumber, formatPercent } from '../format';

/** 1234.5 → "1,234.50"; 0.068 → "0.07"; large sums keep their cents. */
export function formatMoney(value: unknown): string {
  const n = finite(value);
  if (n === null) return DASH;
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
  return text === '-0.00' ? '0.00' : text;
}

/** For chart axes: 12000 → "12k", 950 → "950", 0.5 → "0.5". */
export function formatAxis(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${formatNumber(value / 1e6, 1)}M`;
  if (abs >= 1e3) return `${formatNumber(value / 1e3, 1)}k`;
  return formatNumber(value, 2);
}

/** A return per unit spent (ROAS, LTV:CAC, marginal ROAS): 1.0715 → "1.07×", 32.885 → "32.9×". */
export function formatRatio(value: unknown): string {
  const n = finite(value);
  if (n === null) return DASH;
  return `${formatNumber(n, Math.abs(n) >= 10 ? 1 : 2)}×`;
}

/** Payback: 1.66 → "1.7 months", 1 → "1 month", 0.056 → "0.1 months" (below 0.05: "< 0.1 months"). */
export function formatMonths(value: unknown): string {
  const n = finite(value);
  if (n === null) return DASH;
  if (n > 0 && n < 0.05) return '< 0.1 months';
  const text = formatNumber(n, 1);
  return `${text} ${text === '1' ? 'month' : 'months'}`;
}

/** Credited conversions or customers, which models split: 56.3333 → "56.3", 100 → "100". */
export function formatCredit(value: unknown): string {
  const n = finite(value);
  if (n === null) return DASH;
  return formatNumber(n, Math.abs(n) < 10 && !Number.isInteger(n) ? 2 : 1);
}

/** A probability as a percent: 0.9464 → "94.6%". */
export function formatProbability(value: unknown): string {
  return formatPercent(value, 1);
}

/** A fitted model parameter to four significant digits: 0.2425945 → "0.2426", -9582.429 → "-9,582". */
export function formatParameter(value: unknown): string {
  const n = finite(value);
  if (n === null) return DASH;
  if (n === 0) return '0';
  const digits = Math.max(0, Math.min(6, 3 - Math.floor(Math.log10(Math.abs(n)))));
  return formatNumber(n, digits);
}

/** A server's message as a sentence: first letter capitalised, ending with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
