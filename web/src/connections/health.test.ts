// Tests of health.ts: the one-line state of a destination from its health answer.
import { describe, expect, it } from 'vitest';
import type { DestinationHealth } from '../types';
import { summarizeHealth } from './health';

// The answer of a real server after one test delivery answered 400 (max_attempts 2).
const REAL: DestinationHealth = {
  state: 'up', queued: 0, inFlight: 0, delivered: 0, failedAttempts: 1, deadLetters: 1, deadLettered: 1,
  oldestQueuedAt: null, latencyMs: { p50: 0, p90: 0, p99: 0, samples: 0 }, consecutiveFailures: 0,
  lastError: 'HTTP 400: bad request: missing email', lastErrorAt: '2026-11-24T01:09:50.065Z', lastSuccessAt: null, downSince: null,
};
const FRESH: DestinationHealth = { ...REAL, failedAttempts: 0, deadLetters: 0, deadLettered: 0, lastError: null, lastErrorAt: null };

describe('summarizeHealth', () => {
  it('flags dead letters with what to do', () => {
    const s = summarizeHealth(REAL);
    expect(s.tone).toBe('error');
    expect(s.headline).toBe('1 dead letter');
    expect(s.advice).toMatch(/fix the receiver, then replay/);
    expect(s.lastError).toBe('HTTP 400: bad request: missing email');
    expect(s.failedAttempts).toBe(1);
    expect(s.deadLettered).toBe(1);
  });
  it('says a destination never used is idle and how to try it', () => {
    const s = summarizeHealth(FRESH);
    expect(s.tone).toBe('idle');
    expect(s.headline).toBe('No deliveries yet');
    expect(s.advice).toMatch(/send a test/);
  });
  it('says delivering, with the queue', () => {
    expect(summarizeHealth({ ...FRESH, delivered: 3, lastSuccessAt: '2026-11-24T01:00:00Z' })).toMatchObject({ tone: 'ok', headline: 'Delivering', advice: null });
    expect(summarizeHealth({ ...FRESH, delivered: 3, queued: 2 }).headline).toBe('Delivering (2 queued)');
  });
  it('puts down and paused before dead letters', () => {
    const down = summarizeHealth({ ...REAL, state: 'down', queued: 5, lastError: 'connect: Connection refused' });
    expect(down).toMatchObject({ tone: 'error', headline: 'Down: connect: Connection refused' });
    expect(down.advice).toMatch(/5 queued messages/);
    expect(summarizeHealth({ ...FRESH, state: 'paused' }).tone).toBe('warn');
  });
  it('says retrying while attempts fail', () => {
    expect(summarizeHealth({ ...FRESH, queued: 1, consecutiveFailures: 2, lastError: 'HTTP 503: maintenance' })).toMatchObject({
      tone: 'warn',
      headline: 'Retrying: HTTP 503: maintenance',
    });
  });
  it('reads a missing or partial answer without inventing numbers', () => {
    expect(summarizeHealth(undefined)).toMatchObject({ headline: 'Health unknown', queued: null, delivered: null });
    const partial = summarizeHealth({ state: 'up', delivered: 'x' as unknown as number });
    expect(partial.delivered).toBeNull();
    expect(partial.lastError).toBeNull();
  });
});
