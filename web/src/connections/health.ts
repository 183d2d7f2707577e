// A destination's delivery health (GET /api/v1/destinations/{name} → `health`, docs/destinations.md)
// as one line a person can act on — delivering, retrying, down, paused, failing into dead
// letters, or never used — plus the figures to show. Read defensively: a missing number is null.
import { finite } from '../format';
import type { DestinationHealth } from '../types';

export type HealthTone = 'ok' | 'idle' | 'warn' | 'error';

export interface HealthSummary {
  tone: HealthTone;
  headline: string; // "Delivering", "Down since …", …
  advice: string | null; // what to do next, when something is wrong
  queued: number | null;
  inFlight: number | null;
  delivered: number | null;
  failedAttempts: number | null;
  deadLetters: number | null;
  deadLettered: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  oldestQueuedAt: string | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number | null {
  const n = finite(value);
  return n === null ? null : n;
}

/** The summary of one destination's health; `h` may be missing or partial. */
export function summarizeHealth(h: Partial<DestinationHealth> | null | undefined): HealthSummary {
  const s: HealthSummary = {
    tone: 'idle',
    headline: 'No deliveries yet',
    advice: null,
    queued: count(h?.queued),
    inFlight: count(h?.inFlight),
    delivered: count(h?.delivered),
    failedAttempts: count(h?.failedAttempts),
    deadLetters: count(h?.deadLetters),
    deadLettered: count(h?.deadLettered),
    lastError: text(h?.lastError),
    lastErrorAt: text(h?.lastErrorAt),
    lastSuccessAt: text(h?.lastSuccessAt),
    oldestQueuedAt: text(h?.oldestQueuedAt),
  };
  if (!h) {
    s.headline = 'Health unknown';
    s.advice = 'The server did not say how this destination is doing: refresh.';
    return s;
  }
  const dead = s.deadLetters ?? 0;
  const queued = s.queued ?? 0;
  const deadAdvice =
    dead > 0
      ? `${dead === 1 ? '1 message was' : `${dead} messages were`} given up: read why below, fix the receiver, then replay.`
      : null;
  if (h.state === 'down') {
    s.tone = 'error';
    s.headline = s.lastError ? `Down: ${s.lastError}` : 'Down: the receiver does not answer';
    s.advice = `Rapport probes it and delivers the ${queued} queued message${queued === 1 ? '' : 's'} once it answers again; nothing is dead-lettered meanwhile. Check the receiver is up and reachable from this server.`;
    return s;
  }
  if (h.state === 'paused') {
    s.tone = 'warn';
    s.headline = 'Paused: the receiver asked to wait (Retry-After)';
    s.advice = 'Delivery resumes by itself when the wait is over.';
    return s;
  }
  if (dead > 0) {
    s.tone = 'error';
    s.headline = `${dead} dead letter${dead === 1 ? '' : 's'}`;
    s.advice = deadAdvice;
    return s;
  }
  if ((h.consecutiveFailures ?? 0) > 0 && queued > 0) {
    s.tone = 'warn';
    s.headline = s.lastError ? `Retrying: ${s.lastError}` : 'Retrying';
    s.advice = 'The last attempts failed; they are retried with a growing delay.';
    return s;
  }
  if ((s.delivered ?? 0) > 0 || queued > 0) {
    s.tone = 'ok';
    s.headline = queued > 0 ? `Delivering (${queued} queued)` : 'Delivering';
    return s;
  }
  s.advice = 'Nothing was sent to it yet: send a test, or sync an audience to it.';
  return s;
}
