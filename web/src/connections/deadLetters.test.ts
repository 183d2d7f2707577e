// Tests of deadLetters.ts: replay bodies, reasons and the selection.
import { describe, expect, it } from 'vitest';
import { keepSelected, reasonText, replayBody, replayedText, statusText } from './deadLetters';

describe('replayBody', () => {
  it('asks for all, or the selected ids sorted once each', () => {
    expect(replayBody('all')).toEqual({ all: true });
    expect(replayBody([18, 17, 18])).toEqual({ ids: [17, 18] });
    expect(replayBody(new Set([3]))).toEqual({ ids: [3] });
  });
  it('sends nothing for an empty selection', () => {
    expect(replayBody([])).toBeNull();
    expect(replayBody([Number.NaN, -1, 1.5])).toBeNull();
  });
});

describe('reasons', () => {
  it('names the status, the attempts and whether retrying helps', () => {
    expect(statusText({ lastStatus: 400 })).toBe('HTTP 400');
    expect(statusText({ lastStatus: null })).toBe('no answer');
    expect(reasonText({ lastStatus: 400, lastError: 'HTTP 400: bad request', attempts: 1 })).toBe(
      'HTTP 400: bad request after 1 attempt — the receiver refused it; retrying would not help until it is fixed',
    );
    expect(reasonText({ lastStatus: null, lastError: 'connect: Connection refused', attempts: 10 })).toBe('connect: Connection refused after 10 attempts');
    expect(reasonText({ lastStatus: 503, lastError: null, attempts: 3 })).toBe('HTTP 503 after 3 attempts');
  });
});

describe('selection', () => {
  it('drops ids no longer listed', () => {
    expect([...keepSelected(new Set([1, 2, 3]), [{ id: 2 }, { id: 4 }])]).toEqual([2]);
  });
  it('says what a replay did', () => {
    expect(replayedText(1, 1)).toBe('Replayed 1 dead letter: back at the end of the queue, with fresh attempts.');
    expect(replayedText(1, 3)).toMatch(/^Replayed 1 dead letter \(2 no longer existed\)/);
    expect(replayedText(4, 'all')).toMatch(/^Replayed 4 dead letters:/);
    expect(replayedText(0, 'all')).toMatch(/^Nothing was replayed/);
  });
});
