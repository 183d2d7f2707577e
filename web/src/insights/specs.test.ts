// Tests of insights/specs.ts: the pickers' periods and dates, and the insight specs they make.
import { describe, expect, it } from 'vitest';
import {
  attributionSpec,
  clvSpec,
  dayStart,
  dayToIso,
  describePeriod,
  isRoiModel,
  isoDay,
  periodFromPicker,
  resolvePeriod,
  rfmSpec,
  roiSpec,
  ROI_MODELS,
} from './specs';

const NOW = Date.parse('2026-11-23T15:30:00.000Z');

describe('dates', () => {
  it('reads calendar days only', () => {
    expect(dayStart('2024-03-01')).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(dayStart(' 2024-02-29 ')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(dayStart('2023-02-29')).toBeNull();
    expect(dayStart('2024-02-30')).toBeNull();
    expect(dayStart('2024-3-1')).toBeNull();
    expect(dayStart('')).toBeNull();
    expect(dayToIso('1997-10-01')).toBe('1997-10-01T00:00:00.000Z');
    expect(dayToIso('nope')).toBeNull();
    expect(isoDay(NOW)).toBe('2026-11-23');
  });
});

describe('resolvePeriod', () => {
  it('gives whole UTC days for the presets, today included', () => {
    expect(resolvePeriod({ kind: 'last', days: 30 }, NOW)).toEqual({
      ok: true,
      value: { from: '2026-10-25T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z', days: 30 },
    });
    const r = resolvePeriod({ kind: 'last', days: 180 }, NOW);
    expect(r.ok && r.value.days).toBe(180);
  });
  it('includes both picked days', () => {
    expect(resolvePeriod({ kind: 'between', from: '2024-03-01', to: '2024-03-31' }, NOW)).toEqual({
      ok: true,
      value: { from: '2024-03-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z', days: 31 },
    });
    expect(resolvePeriod({ kind: 'between', from: '2024-03-01', to: '2024-03-01' }, NOW)).toMatchObject({ ok: true, value: { days: 1 } });
  });
  it('says what is wrong with a period the server would refuse', () => {
    expect(resolvePeriod({ kind: 'between', from: '', to: '2024-03-01' }, NOW)).toEqual({ ok: false, problem: 'Pick the first day of the period.' });
    expect(resolvePeriod({ kind: 'between', from: '2024-03-01', to: 'x' }, NOW)).toEqual({ ok: false, problem: 'Pick the last day of the period.' });
    expect(resolvePeriod({ kind: 'between', from: '2024-03-02', to: '2024-03-01' }, NOW)).toMatchObject({ ok: false });
    expect(resolvePeriod({ kind: 'between', from: '2000-01-01', to: '2024-03-01' }, NOW)).toMatchObject({ ok: false });
  });
  it('reads the picker and describes the period', () => {
    expect(periodFromPicker('90', '', '')).toEqual({ kind: 'last', days: 90 });
    expect(periodFromPicker('45', 'a', 'b')).toEqual({ kind: 'between', from: 'a', to: 'b' });
    expect(periodFromPicker('between', '2024-03-01', '2024-03-31')).toEqual({ kind: 'between', from: '2024-03-01', to: '2024-03-31' });
    expect(describePeriod({ kind: 'last', days: 30 })).toBe('the last 30 days');
    expect(describePeriod({ kind: 'between', from: '2024-03-01', to: '2024-03-31' })).toBe('Mar 1, 2024 – Mar 31, 2024');
  });
});

describe('clvSpec', () => {
  it('is {} by default: calibrated up to now, top 10', () => {
    expect(clvSpec({ calibrationEnd: '', holdoutEnd: '', top: 10 })).toEqual({ ok: true, value: {} });
  });
  it('sends the picked days as UTC midnights and a top other than 10', () => {
    expect(clvSpec({ calibrationEnd: '1997-10-01', holdoutEnd: '1998-07-01', top: 25 })).toEqual({
      ok: true,
      value: { calibration_end: '1997-10-01T00:00:00.000Z', holdout_end: '1998-07-01T00:00:00.000Z', top: 25 },
    });
  });
  it('refuses a holdout without a calibration end or not after it', () => {
    expect(clvSpec({ calibrationEnd: '', holdoutEnd: '1998-07-01', top: 10 })).toMatchObject({ ok: false });
    expect(clvSpec({ calibrationEnd: '1998-07-01', holdoutEnd: '1998-07-01', top: 10 })).toMatchObject({ ok: false });
    expect(clvSpec({ calibrationEnd: '1998-02-30', holdoutEnd: '', top: 10 })).toMatchObject({ ok: false });
  });
});

describe('rfmSpec', () => {
  it('is {} for now, or as_of a day', () => {
    expect(rfmSpec('')).toEqual({ ok: true, value: {} });
    expect(rfmSpec('1998-07-01')).toEqual({ ok: true, value: { as_of: '1998-07-01T00:00:00.000Z' } });
    expect(rfmSpec('July')).toMatchObject({ ok: false });
  });
});

describe('attribution and ROI specs', () => {
  const range = { from: '2024-03-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z', days: 31 };
  it('send the period as from/to only', () => {
    expect(attributionSpec(range)).toEqual({ from: range.from, to: range.to });
  });
  it('name the ROI model', () => {
    expect(roiSpec(range, 'linear')).toEqual({ from: range.from, to: range.to, model: 'linear' });
    expect(roiSpec(range, 'markov')).toEqual({ from: range.from, to: range.to, model: 'markov' });
  });
  it('offer the seven models the API documents, linear among them', () => {
    expect(ROI_MODELS).toEqual(['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'markov', 'shapley']);
    expect(isRoiModel('shapley')).toBe(true);
    expect(isRoiModel('markov_9')).toBe(false);
  });
});
