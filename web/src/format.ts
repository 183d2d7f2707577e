// Formatting of the figures the console shows: numbers with thousands separators, compact
// numbers for cards (1.2k, 3.4M), currencies, percents, dates and relative times.
// Every function takes `unknown`-ish input from the API and never returns "NaN", "Infinity",
// "undefined" or "null": a missing or meaningless value is shown as DASH.

/** What is shown where there is no value. */
export const DASH = '–';

const LOCALE = 'en-US';

/** The value as a finite number, or null (null, undefined, NaN, ±Infinity, non-numbers). */
export function finite(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim())) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** 1234567.891 → "1,234,567.89" (at most `maxDecimals` decimals, trailing zeros dropped). */
export function formatNumber(value: unknown, maxDecimals = 2): string {
  const n = finite(value);
  if (n === null) return DASH;
  const text = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: maxDecimals }).format(n);
  return text === '-0' ? '0' : text;
}

const UNITS: Array<[number, string]> = [
  [1e3, 'k'],
  [1e6, 'M'],
  [1e9, 'B'],
  [1e12, 'T'],
];

function scaled(abs: number, size: number): string {
  const x = abs / size;
  return x < 10 ? String(Math.round(x * 10) / 10) : String(Math.round(x));
}

/**
 * Compact form for cards: 950 → "950", 1234 → "1.2k", 15300 → "15k", 3_400_000 → "3.4M".
 * One decimal below 10 of a unit, none from 10 on; 999,950 rounds up to "1M", never "1000k".
 */
export function formatCompact(value: unknown): string {
  const n = finite(value);
  if (n === null) return DASH;
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  if (abs < 1000) {
    const small = formatNumber(abs, abs < 10 ? 2 : abs < 100 ? 1 : 0);
    if (small === '0') return '0';
    // 999.6 rounds to "1,000": show it as "1k".
    return sign + (small === '1,000' ? '1k' : small);
  }
  let i = 0;
  while (i + 1 < UNITS.length && abs >= UNITS[i + 1][0]) i++;
  let text = scaled(abs, UNITS[i][0]);
  if (Number(text) >= 1000 && i + 1 < UNITS.length) {
    i++; // rounded up into the next unit: 999,950 → "1M"
    text = scaled(abs, UNITS[i][0]);
  }
  if (Number(text) >= 1000) text = formatNumber(Number(text), 0);
  return `${sign}${text}${UNITS[i][1]}`;
}

/** A currency code as the API may carry it ("EUR", "usd"), or null if it is not one. */
export function currencyCode(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return null;
  try {
    new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code });
    return code;
  } catch {
    return null;
  }
}

/**
 * 1234.5 with "EUR" → "€1,234.50"; without a currency (or an unknown one) → "1,234.50".
 * `compact`: "€1.2k" for cards.
 */
export function formatCurrency(value: unknown, currency?: string | null, compact = false): string {
  const n = finite(value);
  if (n === null) return DASH;
  const code = currencyCode(currency ?? null);
  if (compact && Math.abs(n) >= 1000) {
    const body = formatCompact(Math.abs(n));
    const sign = n < 0 ? '-' : '';
    if (!code) return sign + body;
    const symbol = currencySymbol(code);
    return symbol.length === 1 ? `${sign}${symbol}${body}` : `${sign}${body} ${code}`;
  }
  if (!code) {
    return new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
  }
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code }).format(n);
}

function currencySymbol(code: string): string {
  const parts = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code }).formatToParts(0);
  return parts.find((p) => p.type === 'currency')?.value ?? code;
}

/** A share from 0 to 1 as a percent: 0.1234 → "12.3%", 1 → "100%". */
export function formatPercent(share: unknown, decimals = 1): string {
  const n = finite(share);
  if (n === null) return DASH;
  const text = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: decimals }).format(n * 100);
  return `${text === '-0' ? '0' : text}%`;
}

/** `part / whole` or null when the whole is 0 or either is missing. */
export function ratio(part: unknown, whole: unknown): number | null {
  const p = finite(part);
  const w = finite(whole);
  if (p === null || w === null || w === 0) return null;
  return p / w;
}

/** Milliseconds since the epoch for an ISO time, or null. */
export function parseTime(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

/** "2026-11-23 10:15:00 UTC" — a full, unambiguous time (the API's times are UTC). */
export function formatDateTime(value: unknown): string {
  const t = parseTime(value);
  if (t === null) return DASH;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "Nov 23" — a day for chart axes and tooltips (UTC). */
export function formatDay(value: unknown): string {
  const t = parseTime(value);
  if (t === null) return DASH;
  return new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(t);
}

/**
 * How long ago `value` was, from `now` (ms): "just now", "42 s ago", "5 min ago", "3 h ago",
 * "yesterday", "4 days ago", then the date ("Nov 23, 2025"). Future times (clock skew) within a
 * minute are "just now"; further ahead, "in 5 min" etc.
 */
export function formatRelative(value: unknown, now: number = Date.now()): string {
  const t = parseTime(value);
  if (t === null || !Number.isFinite(now)) return DASH;
  const diff = now - t;
  const abs = Math.abs(diff);
  const future = diff < 0;
  const say = (amount: number, unit: string) => (future ? `in ${amount} ${unit}` : `${amount} ${unit} ago`);
  if (abs < 5_000 || (future && abs < 60_000)) return 'just now';
  if (abs < 60_000) return say(Math.floor(abs / 1000), 's');
  if (abs < 3_600_000) return say(Math.floor(abs / 60_000), 'min');
  if (abs < 86_400_000) return say(Math.floor(abs / 3_600_000), 'h');
  const days = Math.floor(abs / 86_400_000);
  if (days === 1) return future ? 'tomorrow' : 'yesterday';
  if (days < 30) return say(days, 'days');
  return new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(t);
}

/** Any JSON value as short text for tables: strings as they are, others as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return DASH;
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number') return formatNumber(value, 6);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  try {
    return JSON.stringify(value);
  } catch {
    return DASH;
  }
}

/** "1 customer", "1,204 customers", "– customers" for no count. */
export function plural(count: unknown, singular: string, pluralForm = `${singular}s`): string {
  const n = finite(count);
  return `${formatNumber(n, 0)} ${n === 1 ? singular : pluralForm}`;
}

/** 1200 → "1.2 KB", 5_300_000 → "5.3 MB" (powers of 1024, as file managers show sizes). */
export function formatBytes(value: unknown): string {
  const n = finite(value);
  if (n === null || n < 0) return DASH;
  if (n < 1024) return `${formatNumber(n, 0)} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${formatNumber(v, 1)} ${units[u]}`;
}
