// The Analytics page's pickers turned into POST /api/v1/query specs (docs/queries.md), as pure
// functions: the discovery questions that fill the pickers (`events`, `properties`) and how their
// answers become choices, then the `trends`, `funnel`, `retention` and `paths` specs and the tabs'
// picker states. A picker that makes no valid spec gives a `problem` to show beside it instead of
// a request the server would refuse. analytics/fromSpec.ts reads a spec back into a picker.
import type { DayRange } from '../overviewQuery';
import type { Checked } from '../insights/specs';

const DAY_MS = 86_400_000;

/** The presets of the Analytics period picker (the last N days, today included). */
export const ANALYTICS_PRESETS = [7, 30, 90] as const;

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `result` of a `{"kind","took_ms","result"}` answer, or the object itself. */
export function resultOf(answer: unknown): Record<string, unknown> {
  const a = obj(answer);
  return 'result' in a ? obj(a.result) : a;
}

// ---- Discovery

/** An event the pickers offer: its name and type (a filter is `{"event": name, "type": type}`). */
export interface EventChoice {
  name: string;
  type: string;
  count: number;
}

export function eventsSpec(range: DayRange): Record<string, unknown> {
  return { kind: 'events', from: range.from, to: range.to };
}

/**
 * The named events of an `events` answer, most frequent first as the server sorts them. Calls
 * without a name (identify, group, alias) cannot be a step or a line by name and are left out;
 * a name seen with two types (a track and a page "Pricing") is offered once, with both counts.
 */
export function readEvents(answer: unknown): EventChoice[] {
  const list = resultOf(answer).events;
  const byName = new Map<string, EventChoice>();
  for (const raw of Array.isArray(list) ? list : []) {
    const e = obj(raw);
    if (typeof e.name !== 'string' || e.name === '') continue;
    const count = typeof e.count === 'number' && Number.isFinite(e.count) ? e.count : 0;
    const type = typeof e.type === 'string' ? e.type : '';
    const seen = byName.get(e.name);
    if (seen) {
      seen.count += count;
      if (seen.type !== type) seen.type = ''; // several types: filter on the name only
    } else byName.set(e.name, { name: e.name, type, count });
  }
  return [...byName.values()];
}

/** The event filter for a choice: the name, and the type when it is known and single. */
export function eventFilter(name: string, events: readonly EventChoice[] = []): { event: string; type?: string } {
  const e = events.find((x) => x.name === name);
  return e && e.type ? { event: name, type: e.type } : { event: name };
}

export function propertiesSpec(range: DayRange, event: string): Record<string, unknown> {
  return { kind: 'properties', from: range.from, to: range.to, event };
}

export interface PropertyChoices {
  numeric: string[]; // paths that held a number: what sum/avg can add up
  breakdown: string[]; // paths that held text, numbers or true/false: what a breakdown can split by
}

/** Identifiers are unique per event or customer: splitting a chart by them helps nobody. */
const NOT_A_BREAKDOWN = new Set(['messageId', 'anonymousId', 'userId']);

/** The choices of a `properties` answer, in the server's order (most frequent first). */
export function readProperties(answer: unknown): PropertyChoices {
  const list = resultOf(answer).properties;
  const numeric: string[] = [];
  const breakdown: string[] = [];
  for (const raw of Array.isArray(list) ? list : []) {
    const p = obj(raw);
    if (typeof p.path !== 'string' || p.path === '') continue;
    const kinds = Array.isArray(p.kinds) ? p.kinds.filter((k): k is string => typeof k === 'string') : [];
    if (kinds.includes('number')) numeric.push(p.path);
    if (!NOT_A_BREAKDOWN.has(p.path) && kinds.some((k) => k === 'string' || k === 'number' || k === 'boolean')) breakdown.push(p.path);
  }
  return { numeric, breakdown };
}

// ---- Trends

export const TREND_MEASURES = ['count', 'unique_profiles', 'sum', 'avg'] as const;
export type TrendMeasure = (typeof TREND_MEASURES)[number];
export const MEASURE_LABELS: Record<TrendMeasure, string> = {
  count: 'Events',
  unique_profiles: 'Unique customers',
  sum: 'Sum of a property',
  avg: 'Average of a property',
};

export type Interval = 'day' | 'week';
/** Lines a breakdown shows at most (the rest summed into "(other)"). */
export const BREAKDOWN_LIMIT = 5;

export interface TrendsPicker {
  event: string;
  measure: TrendMeasure;
  property: string; // with sum and avg
  interval: Interval;
  breakdown: string; // "" = none
}

export function trendsSpec(range: DayRange, p: TrendsPicker, events: readonly EventChoice[] = []): Checked<Record<string, unknown>> {
  if (p.event === '') return { ok: false, problem: 'Pick an event to chart.' };
  const series: Record<string, unknown> = { filter: eventFilter(p.event, events), measure: p.measure };
  if (p.measure === 'sum' || p.measure === 'avg') {
    if (p.property === '') return { ok: false, problem: `Pick the number to ${p.measure === 'sum' ? 'add up' : 'average'}: none of the “${p.event}” events in this period has a numeric property.` };
    series.property = p.property;
  }
  const spec: Record<string, unknown> = { kind: 'trends', from: range.from, to: range.to, interval: p.interval, series: [series] };
  if (p.breakdown !== '') {
    spec.breakdown = { property: p.breakdown };
    spec.limit = BREAKDOWN_LIMIT;
  }
  return { ok: true, value: spec };
}

// ---- Funnel

export interface FunnelPicker {
  steps: string[];
  windowDays: number;
}

export const MIN_STEPS = 2;
export const MAX_STEPS = 5;
export const WINDOW_CHOICES = [1, 3, 7, 14, 30] as const;

export function funnelSpec(range: DayRange, steps: readonly string[], windowDays: number, events: readonly EventChoice[] = []): Checked<Record<string, unknown>> {
  if (steps.length < MIN_STEPS) return { ok: false, problem: `A funnel needs at least ${MIN_STEPS} steps.` };
  if (steps.length > MAX_STEPS) return { ok: false, problem: `Use at most ${MAX_STEPS} steps.` };
  const missing = steps.findIndex((s) => s === '');
  if (missing >= 0) return { ok: false, problem: `Pick an event for step ${missing + 1}.` };
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3650) {
    return { ok: false, problem: 'The conversion window is a whole number of days from 1 to 3650.' };
  }
  return {
    ok: true,
    value: {
      kind: 'funnel',
      from: range.from,
      to: range.to,
      steps: steps.map((s) => eventFilter(s, events)),
      window: { days: windowDays },
    },
  };
}

// ---- Retention

export const RETENTION_PERIODS = [4, 8, 12] as const;

export interface RetentionPicker {
  start: string;
  ret: string;
  interval: Interval;
  periods: number;
}

/** The UTC start of the day or (Monday) week holding `ms`. */
export function periodStart(ms: number, interval: Interval): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (interval === 'day') return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return day - weekday * DAY_MS;
}

/**
 * The retention spec. `from` moves back to the start of its week (for weekly cohorts), so that
 * the first cohort is a whole week rather than the tail of one (docs/queries.md: "ranges aligned
 * on periods avoid such partial cohorts").
 */
export function retentionSpec(
  range: DayRange,
  p: RetentionPicker,
  events: readonly EventChoice[] = [],
): Checked<Record<string, unknown>> {
  if (p.start === '') return { ok: false, problem: 'Pick the event that starts a cohort.' };
  if (p.ret === '') return { ok: false, problem: 'Pick the event that counts as coming back.' };
  if (!Number.isInteger(p.periods) || p.periods < 1 || p.periods > 100) {
    return { ok: false, problem: 'Show from 1 to 100 periods.' };
  }
  const from = Date.parse(range.from);
  if (!Number.isFinite(from)) return { ok: false, problem: 'The period has no valid start.' };
  return {
    ok: true,
    value: {
      kind: 'retention',
      from: new Date(periodStart(from, p.interval)).toISOString(),
      to: range.to,
      start: eventFilter(p.start, events),
      return: eventFilter(p.ret, events),
      interval: p.interval,
      periods: p.periods,
    },
  };
}

// ---- Paths

export type PathDirection = 'after' | 'before';
export const PATH_STEP_CHOICES = [2, 3, 4, 5, 6, 8, 10] as const;
export const PATH_LIMIT_CHOICES = [5, 10, 20] as const;

export interface PathsPicker {
  event: string;
  direction: PathDirection; // after: `start` (what they did next); before: `end` (what led to it)
  steps: number; // 1 to 10 events after (before) the event
  limit: number; // flows kept between two steps (the rest: "(other)")
  collapse: boolean; // the same event several times in a row is one step
}

export function pathsSpec(range: DayRange, p: PathsPicker, events: readonly EventChoice[] = []): Checked<Record<string, unknown>> {
  if (p.event === '') return { ok: false, problem: `Pick the event the paths ${p.direction === 'after' ? 'start from' : 'lead to'}.` };
  if (!Number.isInteger(p.steps) || p.steps < 1 || p.steps > 10) return { ok: false, problem: 'Follow from 1 to 10 steps.' };
  if (!Number.isInteger(p.limit) || p.limit < 1 || p.limit > 200) return { ok: false, problem: 'Keep from 1 to 200 flows per step.' };
  return {
    ok: true,
    value: {
      kind: 'paths',
      from: range.from,
      to: range.to,
      [p.direction === 'after' ? 'start' : 'end']: eventFilter(p.event, events),
      steps: p.steps,
      limit: p.limit,
      collapse_repeats: p.collapse,
    },
  };
}
