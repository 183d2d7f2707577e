// The Insights page's pickers turned into the specs of POST /api/v1/insights/{clv,rfm,
// attribution,roi} (docs/kpis.md), as pure functions: a period (last 30/90/180 days, or two
// calendar days), a date as the API's ISO time, and the ROI model choices. A picker that makes no
// valid spec gives a `problem` to show beside it instead of a request the server would refuse.
import { lastDays, type DayRange } from '../overviewQuery';

const DAY_MS = 86_400_000;
/** The longest range the attribution and ROI insights accept (docs/kpis.md: 1 to 3,700 days). */
export const MAX_RANGE_DAYS = 3700;

export const PRESET_DAYS = [30, 90, 180] as const;
export type PresetDays = (typeof PRESET_DAYS)[number];

/** The period picker's state: the last N days (a preset), or two calendar days (both included). */
export type PeriodChoice = { kind: 'last'; days: number } | { kind: 'between'; from: string; to: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Milliseconds of UTC midnight for a calendar day "YYYY-MM-DD", or null (2024-02-30 is null). */
export function dayStart(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

/** "2024-03-01" → "2024-03-01T00:00:00.000Z", or null when it is not a calendar day. */
export function dayToIso(date: string): string | null {
  const t = dayStart(date);
  return t === null ? null : new Date(t).toISOString();
}

/** "YYYY-MM-DD" of a time (UTC), for a date input's value. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The period as the API's `from` (included) and `to` (excluded) UTC times. */
export function resolvePeriod(choice: PeriodChoice, now: number): Checked<DayRange> {
  if (choice.kind === 'last') return { ok: true, value: lastDays(now, choice.days) };
  const from = dayStart(choice.from);
  const to = dayStart(choice.to);
  if (from === null) return { ok: false, problem: 'Pick the first day of the period.' };
  if (to === null) return { ok: false, problem: 'Pick the last day of the period.' };
  if (to < from) return { ok: false, problem: 'The last day comes before the first: swap them.' };
  const days = Math.round((to - from) / DAY_MS) + 1;
  if (days > MAX_RANGE_DAYS) return { ok: false, problem: `Pick at most ${MAX_RANGE_DAYS} days (about ten years).` };
  return { ok: true, value: { from: new Date(from).toISOString(), to: new Date(to + DAY_MS).toISOString(), days } };
}

/** "last 90 days" or "Mar 1, 2024 – Mar 31, 2024" for headings. */
export function describePeriod(choice: PeriodChoice): string {
  if (choice.kind === 'last') return `the last ${choice.days} days`;
  const fmt = (d: string) => {
    const t = dayStart(d);
    return t === null
      ? d
      : new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(t);
  };
  return `${fmt(choice.from)} – ${fmt(choice.to)}`;
}

/**
 * The period picker's choice from a select value (one of `presets`, by default "30", "90",
 * "180"; or "between") and two days.
 */
export function periodFromPicker(value: string, from: string, to: string, presets: readonly number[] = PRESET_DAYS): PeriodChoice {
  const n = Number(value);
  if (presets.includes(n)) return { kind: 'last', days: n };
  return { kind: 'between', from, to };
}

// ---- CLV and RFM

export const CLV_TOP_CHOICES = [10, 25, 100] as const;

export interface ClvPicker {
  calibrationEnd: string; // "" = now
  holdoutEnd: string; // "" = no holdout report
  top: number;
}

/**
 * POST /api/v1/insights/clv's spec: `{}` by default (calibration_end now, top 10); a calibration
 * end and a holdout end as UTC midnights of the days picked.
 */
export function clvSpec(p: ClvPicker): Checked<Record<string, unknown>> {
  const spec: Record<string, unknown> = {};
  let cal: number | null = null;
  if (p.calibrationEnd.trim() !== '') {
    cal = dayStart(p.calibrationEnd);
    if (cal === null) return { ok: false, problem: 'The calibration end is not a calendar day.' };
    spec.calibration_end = new Date(cal).toISOString();
  }
  if (p.holdoutEnd.trim() !== '') {
    const hold = dayStart(p.holdoutEnd);
    if (hold === null) return { ok: false, problem: 'The holdout end is not a calendar day.' };
    if (cal === null) return { ok: false, problem: 'A holdout needs a calibration end before it: pick both days.' };
    if (hold <= cal) return { ok: false, problem: 'The holdout end must come after the calibration end.' };
    spec.holdout_end = new Date(hold).toISOString();
  }
  if (Number.isInteger(p.top) && p.top !== 10 && p.top >= 0 && p.top <= 1000) spec.top = p.top;
  return { ok: true, value: spec };
}

/** POST /api/v1/insights/rfm's spec: `{}` (as of now) or `{"as_of"}` at the day's UTC midnight. */
export function rfmSpec(asOf: string): Checked<Record<string, unknown>> {
  if (asOf.trim() === '') return { ok: true, value: {} };
  const iso = dayToIso(asOf);
  return iso === null ? { ok: false, problem: 'The "as of" day is not a calendar day.' } : { ok: true, value: { as_of: iso } };
}

// ---- Attribution and ROI

/** POST /api/v1/insights/attribution's spec: the period; every other setting at its default. */
export function attributionSpec(range: DayRange): { from: string; to: string } {
  return { from: range.from, to: range.to };
}

/** The attribution models the ROI insight takes, in the order docs/kpis.md lists them. */
export const ROI_MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'markov', 'shapley'] as const;
export type RoiModel = (typeof ROI_MODELS)[number];
export const DEFAULT_ROI_MODEL: RoiModel = 'linear';

export function isRoiModel(value: string): value is RoiModel {
  return (ROI_MODELS as readonly string[]).includes(value);
}

/** POST /api/v1/insights/roi's spec: the period and the model, always named. */
export function roiSpec(range: DayRange, model: RoiModel): { from: string; to: string; model: RoiModel } {
  return { from: range.from, to: range.to, model };
}
