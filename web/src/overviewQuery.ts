// The Overview's questions to POST /api/v1/query (docs/queries.md) and how its answers become
// KPI figures: one trends query (events, active customers, identified customers, orders and
// revenue per day over the last N UTC days) and one values query (the currency of the orders).
// Pure functions: the page sends the specs and hands the answers to readOverview/pickCurrency.

export const PURCHASE_EVENT = 'Order Completed';
export const REVENUE_PATH = 'properties.revenue';
export const CURRENCY_PATH = 'properties.currency';

const DAY_MS = 86_400_000;

export interface DayRange {
  from: string; // ISO, the first day's UTC midnight
  to: string; // ISO, the UTC midnight after the last day (exclusive)
  days: number;
}

/** The last `days` UTC calendar days, today included. */
export function lastDays(now: number, days = 14): DayRange {
  const n = Math.max(1, Math.floor(days));
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return {
    from: new Date(today - (n - 1) * DAY_MS).toISOString(),
    to: new Date(today + DAY_MS).toISOString(),
    days: n,
  };
}

/** The series of the Overview's trends query, in this order (readOverview relies on it). */
export const OVERVIEW_SERIES = ['events', 'active', 'identified', 'orders', 'revenue'] as const;
export type OverviewSeriesName = (typeof OVERVIEW_SERIES)[number];

export interface TrendsSpec {
  kind: 'trends';
  from: string;
  to: string;
  interval: 'day';
  series: Array<{
    filter?: { event?: string; type?: string; where?: Array<Record<string, unknown>> };
    measure: 'count' | 'unique_profiles' | 'sum';
    property?: string;
  }>;
}

/** The trends spec for the Overview's cards over `range`. */
export function overviewTrendsSpec(range: DayRange): TrendsSpec {
  return {
    kind: 'trends',
    from: range.from,
    to: range.to,
    interval: 'day',
    series: [
      { filter: {}, measure: 'count' },
      { filter: {}, measure: 'unique_profiles' },
      { filter: { where: [{ path: 'userId', op: 'exists' }] }, measure: 'unique_profiles' },
      { filter: { event: PURCHASE_EVENT }, measure: 'count' },
      { filter: { event: PURCHASE_EVENT }, measure: 'sum', property: REVENUE_PATH },
    ],
  };
}

/** The values spec that finds which currencies the orders in `range` were in. */
export function currencySpec(range: DayRange): Record<string, unknown> {
  return { kind: 'values', from: range.from, to: range.to, path: CURRENCY_PATH, event: PURCHASE_EVENT, limit: 5 };
}

export interface Line {
  total: number | null;
  points: Array<{ t: string; value: number | null }>;
}

export interface OverviewFigures {
  days: string[]; // each point's UTC day start
  events: Line;
  active: Line;
  identified: Line;
  identifiedShare: Line; // identified / active, per day and over the range
  orders: Line;
  revenue: Line;
  averageOrder: Line; // revenue / orders
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function readLine(raw: unknown): Line {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const points = Array.isArray(o.points) ? o.points : [];
  return {
    total: num(o.total),
    points: points.map((p) => {
      const q = (p && typeof p === 'object' ? p : {}) as Record<string, unknown>;
      return { t: typeof q.t === 'string' ? q.t : '', value: num(q.value) };
    }),
  };
}

function divide(a: Line, b: Line): Line {
  const share = (x: number | null, y: number | null) => (x === null || y === null || y === 0 ? null : x / y);
  return {
    total: share(a.total, b.total),
    points: b.points.map((p, i) => ({ t: p.t, value: share(a.points[i]?.value ?? null, p.value) })),
  };
}

/**
 * The figures in the answer of POST /api/v1/query with overviewTrendsSpec: `answer` is the whole
 * `{"kind","took_ms","result"}` or just its `result`. Missing parts read as empty lines.
 */
export function readOverview(answer: unknown): OverviewFigures {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const result = (a.result && typeof a.result === 'object' ? a.result : a) as Record<string, unknown>;
  const series = Array.isArray(result.series) ? result.series : [];
  const line = (name: OverviewSeriesName) => readLine(series[OVERVIEW_SERIES.indexOf(name)]);
  const events = line('events');
  const active = line('active');
  const identified = line('identified');
  const orders = line('orders');
  const revenue = line('revenue');
  return {
    days: events.points.map((p) => p.t),
    events,
    active,
    identified,
    identifiedShare: divide(identified, active),
    orders,
    revenue,
    averageOrder: divide(revenue, orders),
  };
}

/** Whether there is nothing at all to show: no event in the range. */
export function isEmpty(f: OverviewFigures): boolean {
  return (f.events.total ?? 0) === 0;
}

/**
 * The orders' currency from the values query's answer: the one code when every order that
 * names a currency names the same (case-insensitive), else null (none, or mixed currencies).
 */
export function pickCurrency(answer: unknown): string | null {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const result = (a.result && typeof a.result === 'object' ? a.result : a) as Record<string, unknown>;
  const values = Array.isArray(result.values) ? result.values : [];
  const codes = new Set<string>();
  for (const v of values) {
    const value = (v as Record<string, unknown> | null)?.value;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) return null;
    codes.add(value.trim().toUpperCase());
  }
  if (num(result.other_count) !== null && (result.other_count as number) > 0) return null;
  return codes.size === 1 ? [...codes][0] : null;
}
