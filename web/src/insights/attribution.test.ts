// Tests of insights/attribution.ts, on an answer of POST /api/v1/insights/attribution.
import { describe, expect, it } from 'vitest';
import { glossaryEntry } from '../glossary';
import type { AttributionResult } from '../types';
import { attributionBars, attributionState, attributionTable, modelInfo } from './attribution';

const MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'markov_1', 'shapley'];
const per = (xs: number[]) => Object.fromEntries(MODELS.map((m, i) => [m, xs[i]]));
const ANSWER: AttributionResult = {
  conversions: 255,
  value: 24069,
  no_touch_conversions: 0,
  journeys: 138,
  models: MODELS,
  channels: [
    { channel: 'Email', conversions: per([50, 61, 56.33, 56.73, 56, 57.3, 57.83]), value: per([4010, 4950, 4735.5, 4762.87, 4633.3, 5408.36, 4917.83]) },
    { channel: 'Organic Search', conversions: per([45, 45, 44.33, 44.24, 44.6, 47.62, 45.17]), value: per([4248, 4203, 4228.5, 4221.8, 4227.3, 4495.01, 4263.5]) },
    { channel: 'Paid Search', conversions: per([105, 98, 100, 99.68, 100.6, 93.57, 96]), value: per([10594, 9568, 9681.67, 9637.85, 9841.4, 8831.96, 9315.83]) },
    { channel: 'Paid Social', conversions: per([55, 51, 54.34, 54.35, 53.8, 56.51, 56]), value: per([5217, 5348, 5423.33, 5446.48, 5367, 5333.67, 5571.84]) },
  ],
};

describe('modelInfo', () => {
  it('names the seven models and links each to its glossary entry', () => {
    for (const m of MODELS) {
      const info = modelInfo(m);
      expect(info.label).not.toContain('_');
      expect(glossaryEntry(info.glossaryId), m).toBeDefined();
    }
    expect(modelInfo('markov_1').label).toBe('Markov');
    expect(modelInfo('markov_3')).toEqual({ key: 'markov_3', label: 'Markov (order 3)', glossaryId: 'markov' });
    expect(modelInfo('data_driven')).toEqual({ key: 'data_driven', label: 'Data driven', glossaryId: 'attribution' });
  });
});

describe('attributionTable', () => {
  it('puts the models side by side, channels by mean credit', () => {
    const t = attributionTable(ANSWER, 'conversions');
    expect(t.models.map((m) => m.key)).toEqual(MODELS);
    expect(t.rows.map((r) => r.channel)).toEqual(['Paid Search', 'Email', 'Paid Social', 'Organic Search']);
    expect(t.rows[0].values).toEqual([105, 98, 100, 99.68, 100.6, 93.57, 96]);
  });
  it('switches to revenue', () => {
    const t = attributionTable(ANSWER, 'value');
    expect(t.measure).toBe('value');
    expect(t.rows[0]).toEqual({ channel: 'Paid Search', values: [10594, 9568, 9681.67, 9637.85, 9841.4, 8831.96, 9315.83] });
  });
  it('adds up each model', () => {
    const t = attributionTable(ANSWER, 'conversions');
    expect(t.totals[0]).toBe(255);
    expect(t.totals[1]).toBe(255);
  });
  it('leaves a model a channel lacks empty', () => {
    const t = attributionTable({ ...ANSWER, channels: [{ channel: 'X', conversions: { linear: 1 }, value: {} }] }, 'conversions');
    expect(t.rows[0].values).toEqual([null, null, 1, null, null, null, null]);
    expect(t.totals).toEqual([null, null, 1, null, null, null, null]);
  });
});

describe('attributionBars', () => {
  it('has a series per model over the channels', () => {
    const bars = attributionBars(attributionTable(ANSWER, 'conversions'));
    expect(bars.categories).toEqual(['Paid Search', 'Email', 'Paid Social', 'Organic Search']);
    expect(bars.series.map((s) => s.name)).toEqual(['First touch', 'Last touch', 'Linear', 'Time decay', 'Position based', 'Markov', 'Shapley']);
    expect(bars.series[1].values).toEqual([98, 61, 51, 45]);
  });
});

describe('attributionState', () => {
  it('tells the empty states apart', () => {
    expect(attributionState(ANSWER)).toBe('ok');
    expect(attributionState({ ...ANSWER, conversions: 0, channels: [] })).toBe('no-conversions');
    expect(attributionState({ ...ANSWER, conversions: 12, no_touch_conversions: 12 })).toBe('no-touches');
    expect(attributionState({ ...ANSWER, conversions: 12, no_touch_conversions: 3 })).toBe('ok');
  });
});
