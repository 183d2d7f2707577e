// Tests of glossary.ts: every KPI has one entry, anchors are valid and links resolve.
import { describe, expect, it } from 'vitest';
import { ENTRIES, GLOSSARY, glossaryEntry, glossaryHref } from './glossary';
import { parseHash } from './router';

const REQUIRED = [
  // shown on the Overview
  'events', 'active-customers', 'identified-share', 'orders', 'revenue', 'average-order-value', 'audiences',
  'profiles', 'computed-traits', 'identified-profiles', 'rejected-events', 'delivery-failures',
  // docs/kpis.md
  'clv', 'repeat-buyers', 'p-alive', 'churn-risk', 'expected-purchases', 'expected-spend', 'holdout-report',
  'rfm', 'rfm-segments',
  'attribution', 'first-touch', 'last-touch', 'linear', 'time-decay', 'position-based', 'markov', 'shapley',
  'channel-roi', 'spend', 'new-customers', 'ltv', 'cac', 'roas', 'ltv-cac', 'payback', 'elasticity', 'marginal-roas',
  'engagement-score', 'nps', 'csat', 'k-factor',
  // the Analytics page
  'trends', 'unique-customers', 'funnel', 'funnel-conversion', 'step-conversion', 'drop-off', 'time-to-convert',
  'retention', 'cohort', 'paths', 'sankey',
  // the Sources & destinations page
  'write-key', 'destinations', 'import-mapping', 'rejected-rows',
  // the Audiences page
  'audience-size', 'audience-status', 'audience-history', 'queued', 'delivered', 'failed-attempts', 'dead-letters',
  // the Journeys page
  'journey', 'journey-counts', 'reentry', 'frequency-cap',
];

describe('glossary', () => {
  it('has every KPI the console shows or docs/kpis.md explains', () => {
    for (const id of REQUIRED) expect(glossaryEntry(id), id).toBeDefined();
  });
  it('has unique, anchor-safe ids', () => {
    const ids = ENTRIES.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
  it('links only to entries that exist', () => {
    for (const e of ENTRIES) for (const r of e.related ?? []) expect(glossaryEntry(r), `${e.id} → ${r}`).toBeDefined();
  });
  it('says something in plain words for every entry', () => {
    for (const e of ENTRIES) {
      expect(e.term.length).toBeGreaterThan(0);
      expect(e.short.length).toBeGreaterThan(20);
      expect(e.body.length).toBeGreaterThan(0);
    }
    for (const s of GLOSSARY) expect(s.entries.length).toBeGreaterThan(0);
  });
  it('builds links the router reads back', () => {
    expect(glossaryHref('p-alive')).toBe('#/glossary/p-alive');
    expect(parseHash(glossaryHref('ltv-cac'))).toEqual({ page: 'glossary', entry: 'ltv-cac' });
  });
});
