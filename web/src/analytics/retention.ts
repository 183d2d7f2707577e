// A `retention` answer (docs/queries.md) as a cohort × period grid of shares: each cell the
// customers who came back over the cohort's size, `null` where the answer says the period is not
// observed yet (shown blank, never as 0), the size-weighted average row, a cell's shade, and a
// screen-reader summary. Pure: pages/analytics/RetentionTab.tsx draws the shaded table.
import { formatDay, formatPercent } from '../format';
import { resultOf } from './specs';

export interface RetentionCell {
  count: number | null; // null: not observed yet
  share: number | null; // count / size; null when not observed or the cohort is empty
}

export interface RetentionRow {
  start: string; // the cohort's period start, ISO (UTC)
  size: number;
  cells: RetentionCell[]; // cells[0] is the cohort itself
}

export interface RetentionData {
  interval: string;
  periods: number;
  rows: RetentionRow[];
  average: Array<number | null>;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function readRetention(answer: unknown): RetentionData {
  const r = resultOf(answer);
  const rows: RetentionRow[] = (Array.isArray(r.cohorts) ? r.cohorts : []).map((c) => {
    const o = (c && typeof c === 'object' ? c : {}) as Record<string, unknown>;
    const size = num(o.size) ?? 0;
    const returned = Array.isArray(o.returned) ? o.returned : [];
    return {
      start: typeof o.start === 'string' ? o.start : '',
      size,
      cells: returned.map((v) => {
        const count = num(v);
        return { count, share: count === null || size === 0 ? null : count / size };
      }),
    };
  });
  const average = (Array.isArray(r.average) ? r.average : []).map(num);
  const periods = Math.max(average.length, ...rows.map((x) => x.cells.length), 0);
  return { interval: typeof r.interval === 'string' ? r.interval : 'week', periods, rows, average };
}

/** True when no cohort has a customer. */
export function isEmptyRetention(d: RetentionData): boolean {
  return d.rows.every((r) => r.size === 0);
}

/** The column heading of period k: "Day 0", "Week 3". */
export function periodHeading(k: number, interval: string): string {
  const unit = interval === 'day' ? 'Day' : interval === 'month' ? 'Month' : 'Week';
  return `${unit} ${k}`;
}

/** A cohort's row heading: "Nov 17" or "week of Nov 17". */
export function cohortLabel(start: string, interval: string): string {
  return interval === 'week' ? `week of ${formatDay(start)}` : formatDay(start);
}

/** The relative luminance of an sRGB colour (WCAG 2). */
export function luminance(r: number, g: number, b: number): number {
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * The background of a cell with this share (0–1): from near-white to the accent blue, with black
 * or white text, whichever keeps the contrast at 4.5:1 or more. Null (not observed) has no shade.
 */
export function cellShade(share: number | null): { background: string; color: string } | null {
  if (share === null) return null;
  const s = Math.max(0, Math.min(1, share));
  // #f3f6fc (s = 0) → #1f44a8 (s = 1)
  const mix = (a: number, b: number) => Math.round(a + (b - a) * s);
  const [r, g, b] = [mix(0xf3, 0x1f), mix(0xf6, 0x44), mix(0xfc, 0xa8)];
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  // Black on L > 0.18 gives > 4.6:1; white on L <= 0.18 gives >= 4.56:1.
  return { background: `#${hex(r)}${hex(g)}${hex(b)}`, color: luminance(r, g, b) > 0.18 ? '#000' : '#fff' };
}

/** "Retention by week: 3 cohorts, 35 customers; on average 28.1% came back in week 1, 0% in week 2." */
export function describeRetention(d: RetentionData): string {
  const customers = d.rows.reduce((n, r) => n + r.size, 0);
  const unit = d.interval === 'day' ? 'day' : d.interval === 'month' ? 'month' : 'week';
  const avg = d.average
    .slice(1)
    .map((a, i) => (a === null ? null : `${formatPercent(a)} in ${unit} ${i + 1}`))
    .filter((x): x is string => x !== null)
    .map((x, i) => (i === 0 ? x.replace(' in ', ' came back in ') : x));
  const tail = avg.length > 0 ? `; on average ${avg.join(', ')}` : '; no later period observed yet';
  return `Retention by ${unit}: ${d.rows.length} cohorts, ${customers} customers${tail}. The table below lists every cohort.`;
}
