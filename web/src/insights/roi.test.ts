// Tests of insights/roi.ts, on an answer of POST /api/v1/insights/roi (linear model, 90 days).
import { describe, expect, it } from 'vitest';
import type { RoiLine, RoiResult } from '../types';
import { NO_SPEND, basisText, campaignLabel, channelRows, nextBudgetRows, nullReason, roiState } from './roi';

const line = (l: Partial<RoiLine> & { channel: string }): RoiLine => ({
  spend: 0, conversions: 0, revenue: 0, new_customers: 0, ltv: 0, cac: null, roas: null, ltv_cac: null,
  payback_months: null, marginal_roas: null, elasticity: null, basis: null, response_days: 0, ...l,
});

const paidSearch = line({ channel: 'Paid Search', spend: 12471.27, conversions: 100, revenue: 9681.67, new_customers: 74.5, ltv: 11661.44, cac: 167.4, roas: 0.776, ltv_cac: 0.935, payback_months: 2.28, marginal_roas: 0, elasticity: 0, basis: 'response curve', response_days: 71 });
const display = line({ channel: 'Display', spend: 2687.95, roas: 0, ltv_cac: 0, marginal_roas: 0, basis: 'average' });
const email = line({ channel: 'Email', spend: 144, conversions: 56.33, revenue: 4735.5, new_customers: 38.17, ltv: 5758.98, cac: 3.77, roas: 32.89, ltv_cac: 39.99, payback_months: 0.056, marginal_roas: 32.89, basis: 'average' });
const organic = line({ channel: 'Organic Search', conversions: 44.33, revenue: 4228.5, new_customers: 30.33, ltv: 5213.43 });
const total = line({ channel: 'total', spend: 22463.16, conversions: 255, revenue: 24069, new_customers: 182, ltv: 29000.5, cac: 123.42, roas: 1.07, ltv_cac: 1.29, payback_months: 1.66 });

const ANSWER: RoiResult = {
  model: 'linear',
  margin: 1,
  ltv_basis: 'revenue to date + predicted CLV over 12 months',
  spend_rows: 372,
  total,
  channels: [paidSearch, display, email, organic],
  campaigns: [
    { ...paidSearch, campaign: 'generic', spend: 8826.81, elasticity: 0.438, marginal_roas: 0.232, response_days: 48 },
    { ...display, campaign: 'retargeting' },
    { ...paidSearch, campaign: 'brand', spend: 3644.46 },
    { ...email, campaign: '(not set)', conversions: 0, revenue: 0, new_customers: 0, cac: null, payback_months: null, roas: 0, marginal_roas: 0 },
    { ...email, campaign: 'weekly', spend: 0, cac: null, roas: null, ltv_cac: null, payback_months: null, marginal_roas: null, basis: null },
    { ...organic, campaign: '(not set)' },
  ],
  next_budget: {
    channels: [
      { channel: 'Email', marginal_roas: 32.89, basis: 'average' },
      { channel: 'Paid Search', marginal_roas: 0, basis: 'response curve' },
      { channel: 'Display', marginal_roas: 0, basis: 'average' },
    ],
    campaigns: [{ channel: 'Paid Search', campaign: 'generic', marginal_roas: 0.232, basis: 'response curve' }],
  },
};

describe('nullReason', () => {
  it('is null where there is a value, zero included', () => {
    expect(nullReason(paidSearch, 'cac')).toBeNull();
    expect(nullReason(display, 'roas')).toBeNull();
  });
  it('says "no spend on record" for a line without spend', () => {
    for (const f of ['cac', 'roas', 'ltv_cac', 'payback_months', 'marginal_roas'] as const) expect(nullReason(organic, f)).toBe(NO_SPEND);
    expect(NO_SPEND).toMatch(/^no spend on record/);
  });
  it('says when spend bought no new customers', () => {
    expect(nullReason(display, 'cac')).toMatch(/^no new customers credited/);
    expect(nullReason(display, 'payback_months')).toMatch(/no acquisition cost to pay back/);
  });
  it('says when new customers have not paid anything yet', () => {
    const l = line({ channel: 'X', spend: 10, new_customers: 2, cac: 5, roas: 0, ltv_cac: 0, marginal_roas: 0 });
    expect(nullReason(l, 'payback_months')).toMatch(/no revenue yet/);
  });
  it('explains the total’s missing marginal ROAS and an empty total', () => {
    expect(nullReason(total, 'marginal_roas', true)).toMatch(/blends every channel/);
    expect(nullReason(line({ channel: 'total' }), 'roas', true)).toBe('no spend on record for the period');
  });
});

describe('basisText', () => {
  it('says how the marginal ROAS was found', () => {
    expect(basisText({ basis: 'response curve', elasticity: 0.2488, response_days: 55 })).toBe('response curve: elasticity 0.25 over 55 days');
    expect(basisText({ basis: 'average', elasticity: null, response_days: 0 })).toMatch(/^average ROAS: fewer than 14 days/);
    expect(basisText({ basis: null, elasticity: null, response_days: 0 })).toBe('');
  });
});

describe('channelRows', () => {
  it('puts every campaign under its channel, in order', () => {
    const rows = channelRows(ANSWER);
    expect(rows.map((r) => [r.line.channel, r.campaigns.map(campaignLabel)])).toEqual([
      ['Paid Search', ['generic', 'brand']],
      ['Display', ['retargeting']],
      ['Email', ['(not set)', 'weekly']],
      ['Organic Search', ['(not set)']],
    ]);
  });
  it('keeps a campaign whose channel has no line', () => {
    const rows = channelRows({ ...ANSWER, channels: [], campaigns: [{ ...display, campaign: 'x' }] });
    expect(rows).toHaveLength(1);
    expect(rows[0].line.channel).toBe('Display');
    expect(rows[0].line.campaign).toBeUndefined();
    expect(campaignLabel({ ...display, campaign: '' })).toBe('(not set)');
  });
});

describe('nextBudgetRows', () => {
  it('ranks the channels with their basis', () => {
    const rows = nextBudgetRows(ANSWER);
    expect(rows.map((r) => [r.rank, r.label, r.marginal_roas, r.basis])).toEqual([
      [1, 'Email', 32.89, 'average'],
      [2, 'Paid Search', 0, 'response curve'],
      [3, 'Display', 0, 'average'],
    ]);
    expect(rows[1].detail).toBe('response curve: elasticity 0 over 71 days');
  });
  it('ranks campaigns as channel › campaign', () => {
    const rows = nextBudgetRows(ANSWER, 'campaigns');
    expect(rows[0]).toMatchObject({ label: 'Paid Search › generic', detail: 'response curve: elasticity 0.44 over 48 days' });
  });
});

describe('roiState', () => {
  it('asks for spend when none is on record', () => {
    expect(roiState(ANSWER)).toBe('ok');
    expect(roiState({ ...ANSWER, spend_rows: 0 })).toBe('no-spend');
    expect(roiState({ ...ANSWER, spend_rows: 0, channels: [], campaigns: [] })).toBe('nothing');
  });
});
