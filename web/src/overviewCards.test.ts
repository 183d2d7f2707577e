// Tests of overviewCards.ts: profile counts and share, the predicted-CLV card or its reason, and
// which destinations count as delivery failures.
import { describe, expect, it } from 'vitest';
import { clvCard, clvCardReason, deliveryFailures, readProfileStats } from './overviewCards';
import type { ClvResult, Destination, DestinationHealth } from './types';

describe('readProfileStats', () => {
  it('reads the counts and the identified share', () => {
    expect(readProfileStats({ profiles: 200, identified: 50, estimate: false, computedAt: '2026-11-02T10:00:00.000Z' })).toEqual({
      profiles: 200,
      identified: 50,
      share: 0.25,
      estimate: false,
      computedAt: '2026-11-02T10:00:00.000Z',
    });
    expect(readProfileStats({ profiles: 300000, identified: 120000, estimate: true })).toMatchObject({ share: 0.4, estimate: true });
  });
  it('has no share without profiles or without the identified count', () => {
    expect(readProfileStats({ profiles: 0, identified: 0 })).toEqual({ profiles: 0, identified: 0, share: null, estimate: false, computedAt: null });
    expect(readProfileStats({ profiles: 3 })?.share).toBeNull();
    expect(readProfileStats({})).toBeNull();
    expect(readProfileStats(null)).toBeNull();
  });
});

const FITTED = {
  customers: 1000,
  clv: { horizon_months: 12, monthly_discount: 0.01, total: 52000, mean: 52, p50: 30, p90: 120, p99: 400 },
} as unknown as ClvResult;

describe('clvCard', () => {
  it('gives the mean and total over the horizon', () => {
    expect(clvCard(FITTED)).toEqual({ ok: true, mean: 52, total: 52000, horizonMonths: 12, customers: 1000 });
  });
  it('says why when the spend model could not be fitted', () => {
    const r = { ...FITTED, clv: null, spend_model_error: 'too few repeat buyers with a positive revenue.' } as unknown as ClvResult;
    expect(clvCard(r)).toEqual({ ok: false, reason: 'Not predicted: too few repeat buyers with a positive revenue.' });
    expect(clvCard({ ...FITTED, clv: null } as unknown as ClvResult)).toEqual({ ok: false, reason: 'Not predicted: the spend per purchase could not be modelled.' });
    expect(clvCard(null).ok).toBe(false);
  });
  it('turns a 400 into one short line', () => {
    expect(clvCardReason('no purchases before 2026-11-01')).toEqual({ ok: false, reason: 'There are no purchases to learn from yet.' });
    expect(clvCardReason('no repeat buyers: every customer bought once')).toEqual({ ok: false, reason: 'No customer has bought twice yet.' });
  });
});

function dest(name: string, health: Partial<DestinationHealth> | undefined): Destination {
  return { definition: { name, type: 'webhook', url: 'http://x' }, health: health as DestinationHealth };
}

describe('deliveryFailures', () => {
  it('lists destinations that are down or hold dead letters, worst first', () => {
    const rows = deliveryFailures([
      dest('fine', { state: 'up', deadLetters: 0, delivered: 5 }),
      dest('crm', { state: 'up', deadLetters: 2, lastError: 'HTTP 400', lastErrorAt: '2026-11-02T10:00:00.000Z' }),
      dest('ads', { state: 'up', deadLetters: 9 }),
      dest('email_tool', { state: 'down', deadLetters: 0, lastError: 'connection refused', queued: 4 }),
      dest('unknown', undefined),
    ]);
    expect(rows.map((r) => r.name)).toEqual(['email_tool', 'ads', 'crm']);
    expect(rows[0]).toMatchObject({ down: true, tone: 'error', deadLetters: 0, lastError: 'connection refused' });
    expect(rows[2]).toMatchObject({ down: false, tone: 'error', deadLetters: 2, lastError: 'HTTP 400', lastErrorAt: '2026-11-02T10:00:00.000Z' });
  });
  it('is empty when everything delivers', () => {
    expect(deliveryFailures([dest('a', { state: 'up', deadLetters: 0 })])).toEqual([]);
    expect(deliveryFailures(null)).toEqual([]);
  });
});
