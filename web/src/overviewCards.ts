// The Overview's figures that do not come from the trends query: profiles and the share
// identified (GET /api/v1/profiles/stats), predicted CLV or why it cannot be predicted (POST
// /api/v1/insights/clv with `{}`, as the Insights page opens), and the destinations failing to
// deliver (GET /api/v1/destinations: down, or holding dead letters). Pure: the Overview's cards
// and panels (pages/overview/) format and draw them.
import { summarizeHealth, type HealthTone } from './connections/health';
import { finite } from './format';
import { clvFitProblem } from './insights/clv';
import type { ClvResult, Destination } from './types';

export interface ProfileFigures {
  profiles: number;
  identified: number | null;
  share: number | null; // identified ÷ profiles
  estimate: boolean; // counted from samples (a large store)
  computedAt: string | null;
}

/** GET /api/v1/profiles/stats read defensively; null when it has no profile count. */
export function readProfileStats(answer: unknown): ProfileFigures | null {
  const a = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>;
  const profiles = finite(a.profiles);
  if (profiles === null) return null;
  const identified = finite(a.identified);
  return {
    profiles,
    identified,
    share: identified !== null && profiles > 0 ? Math.min(1, identified / profiles) : null,
    estimate: a.estimate === true,
    computedAt: typeof a.computedAt === 'string' ? a.computedAt : null,
  };
}

export type ClvCardFigures =
  | { ok: true; mean: number; total: number | null; horizonMonths: number; customers: number | null }
  | { ok: false; reason: string };

/** The predicted-CLV card from a fitted answer: the mean and total, or why there is none. */
export function clvCard(r: ClvResult | null | undefined): ClvCardFigures {
  const mean = finite(r?.clv?.mean);
  if (!r || !r.clv || mean === null) {
    const why = typeof r?.spend_model_error === 'string' && r.spend_model_error !== '' ? r.spend_model_error : 'the spend per purchase could not be modelled';
    return { ok: false, reason: `Not predicted: ${why.trim().replace(/\.+$/, '')}.` };
  }
  return {
    ok: true,
    mean,
    total: finite(r.clv.total),
    horizonMonths: finite(r.clv.horizon_months) ?? 12,
    customers: finite(r.customers),
  };
}

/** The one-line reason for a 400 from the CLV insight (the models cannot be fitted). */
export function clvCardReason(message: string): ClvCardFigures {
  return { ok: false, reason: clvFitProblem(message).title };
}

export interface DeliveryFailure {
  name: string;
  tone: HealthTone;
  down: boolean;
  deadLetters: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

/** The destinations that are down or hold dead letters, the worst first (down, then most dead letters), by name. */
export function deliveryFailures(destinations: readonly Destination[] | null | undefined): DeliveryFailure[] {
  const rows: DeliveryFailure[] = [];
  for (const d of destinations ?? []) {
    const name = d?.definition?.name;
    if (typeof name !== 'string') continue;
    const h = summarizeHealth(d.health);
    const down = d.health?.state === 'down';
    const dead = h.deadLetters ?? 0;
    if (!down && dead <= 0) continue;
    rows.push({ name, tone: h.tone, down, deadLetters: dead, lastError: h.lastError, lastErrorAt: h.lastErrorAt });
  }
  return rows.sort((a, b) => Number(b.down) - Number(a.down) || b.deadLetters - a.deadLetters || a.name.localeCompare(b.name));
}
