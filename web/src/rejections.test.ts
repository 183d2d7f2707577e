// Tests of rejections.ts: the answer read into numbered rows, labels, and the summary line.
import { describe, expect, it } from 'vitest';
import { readRejected, rejectedSummary, sourceLabel, statusLabel } from './rejections';

const ANSWER = {
  rejected: [
    {
      at: '2026-11-02T10:00:01.000Z',
      source: 'website',
      endpoint: '/v1/track',
      status: 400,
      error: 'invalid_argument',
      message: 'event: a track call needs an event name',
      body: '{"type":"track"}',
      truncated: false,
    },
    { at: '2026-11-02T10:00:00.000Z', source: null, endpoint: '/v1/batch', status: 401, error: 'unauthenticated', message: 'unknown write key', body: '', truncated: true },
  ],
  total: 7,
};

describe('readRejected', () => {
  it('without ids (older servers), numbers the rows from the total, newest first', () => {
    const l = readRejected(ANSWER);
    expect(l.total).toBe(7);
    expect(l.rows.map((r) => r.seq)).toEqual([7, 6]);
    expect(l.rows[0]).toMatchObject({ source: 'website', endpoint: '/v1/track', status: 400, message: 'event: a track call needs an event name', truncated: false });
    expect(l.rows[1]).toMatchObject({ source: null, truncated: true, body: '' });
  });
  it('keeps the server\'s ids when it sends them', () => {
    const l = readRejected({ ...ANSWER, rejected: ANSWER.rejected.map((r, i) => ({ ...r, id: 40 - i * 3 })) });
    expect(l.rows.map((r) => r.seq)).toEqual([40, 37]);
  });
  it('reads a missing or odd answer as empty', () => {
    expect(readRejected(null)).toEqual({ rows: [], total: 0 });
    expect(readRejected({ rejected: 'x' })).toEqual({ rows: [], total: 0 });
    const l = readRejected({ rejected: [{ status: 'bad', body: 5 }] });
    expect(l.total).toBe(1);
    expect(l.rows[0]).toMatchObject({ seq: 1, status: 0, body: '', source: null, message: '', truncated: false });
  });
});

describe('labels', () => {
  it('says who sent it and how it was refused', () => {
    expect(sourceLabel('shop')).toBe('shop');
    expect(sourceLabel(null)).toMatch(/^no known source/);
    expect(statusLabel({ status: 400, error: 'invalid_argument' })).toBe('HTTP 400 invalid_argument');
    expect(statusLabel({ status: 413, error: '' })).toBe('HTTP 413');
    expect(statusLabel({ status: 0, error: '' })).toBe('refused');
  });
  it('sums up how many there were', () => {
    expect(rejectedSummary(readRejected({ rejected: [], total: 0 }))).toBe('No rejected events since the server started.');
    expect(rejectedSummary(readRejected(ANSWER))).toBe('7 requests rejected since the server started; the newest 2 shown.');
    expect(rejectedSummary(readRejected({ rejected: [ANSWER.rejected[0]], total: 1 }))).toBe('1 request rejected since the server started.');
    expect(rejectedSummary(readRejected({ rejected: ANSWER.rejected, total: 1200 }))).toMatch(/^1,200 requests/);
  });
});
