// The attribution answer (POST /api/v1/insights/attribution, docs/kpis.md) as the Insights page
// shows it: the models side by side — one table column and one bar series per model — for
// conversions or revenue, channels ordered by their mean credit; model names and glossary entries;
// and which empty state applies (no conversions; conversions without any touchpoint).
import { finite } from '../format';
import type { AttributionResult } from '../types';
import type { BarData } from './charts';

export type Measure = 'conversions' | 'value';

export interface ModelInfo {
  key: string; // as the API names it
  label: string;
  glossaryId: string;
}

const MODELS: Record<string, Omit<ModelInfo, 'key'>> = {
  first_touch: { label: 'First touch', glossaryId: 'first-touch' },
  last_touch: { label: 'Last touch', glossaryId: 'last-touch' },
  linear: { label: 'Linear', glossaryId: 'linear' },
  time_decay: { label: 'Time decay', glossaryId: 'time-decay' },
  position_based: { label: 'Position based', glossaryId: 'position-based' },
  markov: { label: 'Markov', glossaryId: 'markov' },
  markov_1: { label: 'Markov', glossaryId: 'markov' },
  shapley: { label: 'Shapley', glossaryId: 'shapley' },
};

/** A model's label and glossary entry: `markov_2` is "Markov (order 2)"; unknown ones link to Attribution. */
export function modelInfo(key: string): ModelInfo {
  const known = MODELS[key];
  if (known) return { key, ...known };
  const markov = /^markov_(\d)$/.exec(key);
  if (markov) return { key, label: `Markov (order ${markov[1]})`, glossaryId: 'markov' };
  const label = key.replace(/_/g, ' ');
  return { key, label: label.charAt(0).toUpperCase() + label.slice(1), glossaryId: 'attribution' };
}

export interface AttributionTable {
  measure: Measure;
  models: ModelInfo[];
  rows: Array<{ channel: string; values: Array<number | null> }>; // one value per model
  totals: Array<number | null>; // per model: every model credits each conversion once
}

/** Channels × models for one measure; channels by their mean credit over the models, largest first. */
export function attributionTable(r: AttributionResult, measure: Measure): AttributionTable {
  const models = (r.models ?? []).map(modelInfo);
  const rows = (r.channels ?? []).map((c) => ({
    channel: c.channel,
    values: models.map((m) => finite(c[measure]?.[m.key])),
  }));
  const mean = (values: Array<number | null>) => {
    const xs = values.filter((v): v is number => v !== null);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : -Infinity;
  };
  rows.sort((a, b) => mean(b.values) - mean(a.values) || a.channel.localeCompare(b.channel));
  const totals = models.map((_, i) => {
    const xs = rows.map((row) => row.values[i]).filter((v): v is number => v !== null);
    return xs.length ? xs.reduce((a, b) => a + b, 0) : null;
  });
  return { measure, models, rows, totals };
}

/** The grouped bar chart: channels along the axis, one bar per model. */
export function attributionBars(t: AttributionTable): BarData {
  return {
    categories: t.rows.map((row) => row.channel),
    series: t.models.map((m, i) => ({ name: m.label, values: t.rows.map((row) => row.values[i]) })),
  };
}

/**
 * What to show: the models, or an empty state — no conversion in the period, or conversions none
 * of which had a touchpoint (all credited to "(none)").
 */
export function attributionState(r: AttributionResult): 'ok' | 'no-conversions' | 'no-touches' {
  const conversions = finite(r.conversions) ?? 0;
  if (conversions <= 0) return 'no-conversions';
  if ((finite(r.no_touch_conversions) ?? 0) >= conversions) return 'no-touches';
  return 'ok';
}
