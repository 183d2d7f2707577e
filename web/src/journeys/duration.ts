// Journey durations as docs/journeys.md spells them: a whole number of minutes, hours, days or
// weeks ("90 minutes", "4 hours", "3 days", "1 week"), from 1 minute to 3650 days. Parsed to
// minutes, and minutes written back in the largest unit that divides them.

export const DURATION_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

const MINUTES: Record<DurationUnit, number> = { minutes: 1, hours: 60, days: 1440, weeks: 10080 };
export const MIN_MINUTES = 1;
export const MAX_MINUTES = 3650 * 1440;

const SINGULAR: Record<string, DurationUnit> = {
  minute: 'minutes',
  minutes: 'minutes',
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
  week: 'weeks',
  weeks: 'weeks',
};

/** Minutes in "3 days" (singular or plural units, lower case as the server wants), or null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d{1,9})\s+([a-zA-Z]+)\s*$/.exec(text);
  if (!m) return null;
  const unit = Object.prototype.hasOwnProperty.call(SINGULAR, m[2]) ? SINGULAR[m[2]] : undefined;
  if (!unit) return null;
  const minutes = Number(m[1]) * MINUTES[unit];
  if (minutes < MIN_MINUTES || minutes > MAX_MINUTES) return null;
  return minutes;
}

/** The duration the server accepts for `amount` `unit`s ("1 week", "3 days"). */
export function durationText(amount: number, unit: DurationUnit): string {
  const one = unit.slice(0, -1);
  return `${amount} ${amount === 1 ? one : unit}`;
}

/** Minutes as the largest whole unit: 4320 → "3 days", 90 → "90 minutes", 10080 → "1 week". */
export function formatDuration(minutes: number): string {
  for (const unit of ['weeks', 'days', 'hours'] as const) {
    if (minutes >= MINUTES[unit] && minutes % MINUTES[unit] === 0) return durationText(minutes / MINUTES[unit], unit);
  }
  return durationText(minutes, 'minutes');
}

/** "3 days" → {amount: 3, unit: 'days'} for the builder's fields (null when unreadable). */
export function splitDuration(text: string): { amount: number; unit: DurationUnit } | null {
  const minutes = parseDuration(text);
  if (minutes === null) return null;
  const [amount, unit] = formatDuration(minutes).split(' ');
  return { amount: Number(amount), unit: SINGULAR[unit] };
}
