// A `funnel` answer (docs/queries.md) as the step table (customers, conversion from the first
// step, from the previous one, drop-off, median time from the previous step), the bar chart's data
// (customers per step), the time-to-convert figures and a screen-reader summary. Pure.
import { formatNumber, formatPercent } from '../format';
import type { BarData } from '../insights/charts';
import { resultOf } from './specs';

export interface FunnelStep {
  name: string;
  count: number;
  conversion: number | null;
  stepConversion: number | null;
  dropOff: number;
  medianSeconds: number | null;
}

export interface FunnelData {
  steps: FunnelStep[];
  medianToConvert: number | null;
  buckets: Array<{ leSeconds: number; count: number }>;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function readFunnel(answer: unknown): FunnelData {
  const r = resultOf(answer);
  const steps = (Array.isArray(r.steps) ? r.steps : []).map((s, i) => {
    const o = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
    return {
      name: typeof o.name === 'string' ? o.name : `step ${i + 1}`,
      count: num(o.count) ?? 0,
      conversion: num(o.conversion),
      stepConversion: num(o.step_conversion),
      dropOff: num(o.drop_off) ?? 0,
      medianSeconds: num(o.median_seconds_from_previous),
    };
  });
  const ttc = (r.time_to_convert && typeof r.time_to_convert === 'object' ? r.time_to_convert : {}) as Record<string, unknown>;
  const buckets = (Array.isArray(ttc.buckets) ? ttc.buckets : []).flatMap((b) => {
    const o = (b && typeof b === 'object' ? b : {}) as Record<string, unknown>;
    const le = num(o.le_seconds);
    return le === null ? [] : [{ leSeconds: le, count: num(o.count) ?? 0 }];
  });
  return { steps, medianToConvert: num(ttc.median_seconds), buckets };
}

/** What there is to show: nobody did step 1, nobody went further, or a funnel. */
export function funnelState(d: FunnelData): 'no-entries' | 'no-conversions' | 'ok' {
  if (d.steps.length === 0 || d.steps[0].count === 0) return 'no-entries';
  if (d.steps.length > 1 && d.steps[1].count === 0) return 'no-conversions';
  return 'ok';
}

/** Customers per step as one bar series, steps numbered so that a repeated event stays distinct. */
export function funnelBars(d: FunnelData): BarData {
  return {
    categories: d.steps.map((s, i) => `${i + 1}. ${s.name}`),
    series: [{ name: 'Customers', values: d.steps.map((s) => s.count) }],
  };
}

/** 42 → "42 s", 960 → "16 min", 15960 → "4.4 h", 200000 → "2.3 days"; null → "–". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${formatNumber(seconds, 0)} s`;
  if (seconds < 3600) return `${formatNumber(seconds / 60, 0)} min`;
  if (seconds < 86_400) return `${formatNumber(seconds / 3600, 1)} h`;
  const days = seconds / 86_400;
  return `${formatNumber(days, 1)} ${days === 1 ? 'day' : 'days'}`;
}

/** The upper bound of a time-to-convert bucket: "≤ 1 h", "≤ 7 days". */
export function bucketLabel(leSeconds: number): string {
  return `≤ ${formatDuration(leSeconds)}`;
}

/** "Funnel, 3 steps: 1. Product Viewed 55 customers (100%); 2. …". */
export function describeFunnel(d: FunnelData): string {
  if (d.steps.length === 0) return 'Funnel: no steps.';
  const steps = d.steps.map(
    (s, i) => `${i + 1}. ${s.name}: ${formatNumber(s.count, 0)} customers (${formatPercent(s.conversion)} of step 1)`,
  );
  return `Customers reaching each step of the funnel. ${steps.join('; ')}.`;
}
