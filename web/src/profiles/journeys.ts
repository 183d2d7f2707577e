// The journeys part of a profile's 360° view (the profile answer's "journeys", docs/api.md): read
// defensively, sorted (running ones first, then by when they last started), each with one line
// saying where the customer is. Pure; components/ProfileView.tsx draws it.
import { formatRelative } from '../format';

export interface ProfileJourney {
  id: number;
  name: string;
  active: boolean;
  step: string | null;
  entries: number;
  lastEnteredAt: string | null;
  lastExitedAt: string | null;
  wakeAt: string | null;
}

const time = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/** The profile answer's journeys; an older server (no field) or odd entries read as none. */
export function readProfileJourneys(raw: unknown): ProfileJourney[] {
  if (!Array.isArray(raw)) return [];
  const out: ProfileJourney[] = [];
  for (const x of raw) {
    if (!x || typeof x !== 'object') continue;
    const o = x as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') continue;
    out.push({
      id: typeof o.id === 'number' ? o.id : 0,
      name: o.name,
      active: o.active === true,
      step: typeof o.step === 'string' && o.step !== '' ? o.step : null,
      entries: typeof o.entries === 'number' && Number.isFinite(o.entries) ? o.entries : 0,
      lastEnteredAt: time(o.lastEnteredAt),
      lastExitedAt: time(o.lastExitedAt),
      wakeAt: time(o.wakeAt),
    });
  }
  const started = (j: ProfileJourney) => (j.lastEnteredAt ? Date.parse(j.lastEnteredAt) : 0);
  return out.sort((a, b) => Number(b.active) - Number(a.active) || started(b) - started(a) || a.name.localeCompare(b.name));
}

/** "at step three_days until in 2 days" / "finished yesterday" / "entered 3 times". */
export function journeyStatus(j: ProfileJourney, now: number = Date.now()): string {
  const times = j.entries > 1 ? `; entered ${j.entries} times` : '';
  if (j.active) {
    const where = j.step ? `at step ${j.step}` : 'starting';
    const until = j.wakeAt ? ` until ${formatRelative(j.wakeAt, now)}` : '';
    return `${where}${until}${times}`;
  }
  const left = j.lastExitedAt ? `finished ${formatRelative(j.lastExitedAt, now)}` : 'not in it now';
  return `${left}${times}`;
}
