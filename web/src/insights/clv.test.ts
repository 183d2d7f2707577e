// Tests of insights/clv.ts, on an answer of POST /api/v1/insights/clv over the CDNOW sample
// (calibration end 1997-10-01, holdout end 1998-07-01, top 2).
import { describe, expect, it } from 'vitest';
import type { ClvResult } from '../types';
import { clvDistribution, clvFitProblem, clvHistogram, holdoutError, pAliveDistribution, pAliveHistogram, repeatShare, topRows } from './clv';

const CDNOW: ClvResult = {
  customers: 2357,
  repeat_buyers: 946,
  purchases: 6919,
  purchases_without_revenue: 0,
  calibration_end: '1997-10-01T00:00:00.000Z',
  unit: 'week',
  bgnbd: { r: 0.2425945221, alpha: 4.413602025, a: 0.7929219831, b: 2.425906612, log_likelihood: -9582.429207 },
  gamma_gamma: { p: 6.249571929, q: 3.744224989, gamma: 15.4435232, log_likelihood: -4055.917695, customers: 946 },
  holdout: {
    units: 39,
    actual: 1882,
    predicted: 1653.408703,
    by_repeat_purchases: [{ x: 0, customers: 1411, actual: 0.2367115521, predicted: 0.2250873254 }],
  },
  p_alive: { mean: 0.8134398257, below_half: 393 },
  clv: { horizon_months: 12, monthly_discount: 0.01, total: 71550.20165, mean: 30.35647079, p50: 10.19452966, p90: 66.94069321, p99: 311.2285608 },
  top: [
    { profile: 'p509', clv: 1175.70717, p_alive: 0.946453101, expected_purchases: 16.05732058, expected_spend: 77.5977706, repeat_purchases: 18, average_spend: 78.63277778 },
    { profile: 'p1/x', clv: 900, p_alive: 0.5, expected_purchases: 3, expected_spend: 50, repeat_purchases: 2, average_spend: 40 },
  ],
};

describe('clvDistribution', () => {
  it('charts the median, mean and upper percentiles of predicted CLV', () => {
    expect(clvDistribution(CDNOW)).toEqual({
      categories: ['median (p50)', 'mean', '90th percentile', '99th percentile'],
      series: [{ name: 'predicted CLV', values: [10.19452966, 30.35647079, 66.94069321, 311.2285608] }],
    });
  });
  it('has nothing to chart when spend could not be modelled', () => {
    expect(clvDistribution({ ...CDNOW, clv: null, gamma_gamma: null, spend_model_error: 'x' })).toBeNull();
  });
});

describe('pAliveDistribution', () => {
  it('splits the customers at one half', () => {
    expect(pAliveDistribution(CDNOW)).toEqual({
      categories: ['likely active (≥ 50%)', 'likely gone (< 50%)'],
      series: [{ name: 'customers', values: [2357 - 393, 393] }],
    });
  });
  it('leaves out what the answer lacks', () => {
    expect(pAliveDistribution({ ...CDNOW, p_alive: undefined as never }).series[0].values).toEqual([null, null]);
  });
});

describe('the fit', () => {
  it('gives the repeat buyers share and the holdout error', () => {
    expect(repeatShare(CDNOW)).toBeCloseTo(946 / 2357, 10);
    expect(repeatShare({ ...CDNOW, customers: 0 })).toBeNull();
    expect(holdoutError(CDNOW)).toBeCloseTo(-0.1215, 3);
    expect(holdoutError({ ...CDNOW, holdout: null })).toBeNull();
  });
});

describe('topRows', () => {
  it('ranks the top customers and links each to its profile', () => {
    const rows = topRows(CDNOW);
    expect(rows.map((r) => [r.rank, r.profile, r.href])).toEqual([
      [1, 'p509', '#/profiles/p509'],
      [2, 'p1/x', '#/profiles/p1%2Fx'],
    ]);
    expect(rows[0].clv).toBe(1175.70717);
  });
});

describe('clvFitProblem', () => {
  it('says what data is needed when no customer bought twice', () => {
    const p = clvFitProblem('no customer made a repeat purchase: BG/NBD needs repeat buyers to tell how often customers buy and when they leave');
    expect(p.title).toBe('No customer has bought twice yet.');
    expect(p.needs.join(' ')).toMatch(/two different days/);
  });
  it('says so when there are no purchases at all', () => {
    expect(clvFitProblem('no purchases before "calibration_end" match "purchase"').title).toBe('There are no purchases to learn from yet.');
    expect(clvFitProblem('there are no customers to fit').needs[0]).toMatch(/Order Completed/);
  });
  it('tells the spend model apart', () => {
    const p = clvFitProblem('the spend model needs at least two customers with a repeat purchase of a positive value; there are 1');
    expect(p.title).toMatch(/positive amount/);
  });
  it('has a general answer for other refusals', () => {
    expect(clvFitProblem('the best BG/NBD fit has a + b <= 1').title).toBe('The models cannot be fitted on this data.');
    expect(clvFitProblem('"holdout_end" must be after "calibration_end"').title).toBe('The settings cannot be used.');
  });
});

describe('the histograms', () => {
  const bins = [
    { from: 0, to: 50, customers: 7 },
    { from: 50, to: 100, customers: 2 },
    { from: 100, to: null, customers: 1 },
  ];
  it('labels CLV bands and the open last one, counting customers', () => {
    const bars = clvHistogram({ customers: 10, clv: { mean: 30, histogram: bins } } as never, (v: number) => String(v));
    expect(bars?.categories).toEqual(['0–50', '50–100', '≥ 100']);
    expect(bars?.series[0].values).toEqual([7, 2, 1]);
  });
  it('labels P(alive) tenths in percent', () => {
    const bars = pAliveHistogram({ p_alive: { mean: 0.5, histogram: [{ from: 0, to: 0.1, customers: 3 }, { from: 0.9, to: 1, customers: 4 }] } } as never);
    expect(bars?.categories).toEqual(['0%–10%', '90%–100%']);
  });
  it('is absent from an answer without one, or with a malformed one', () => {
    expect(clvHistogram({ clv: { mean: 1 } } as never, String)).toBeNull();
    expect(pAliveHistogram({ p_alive: { histogram: [{ from: 'x', customers: 1 }] } } as never)).toBeNull();
  });
});
