// The customer lifetime value answer (POST /api/v1/insights/clv, docs/kpis.md) as the Insights
// page shows it: the histograms of predicted CLV and P(alive) as bar chart data (or, from an
// answer without them, CLV's mean and percentiles and P(alive) split at one half); the top customers as
// rows linking to their profiles; and, when the models cannot be fitted (a 400 with a plain
// message), what data they need.
import { finite } from '../format';
import { href } from '../router';
import type { ClvResult, ClvTopCustomer } from '../types';
import type { BarData } from './charts';

/**
 * Predicted CLV per customer: the median, the mean and the 90th and 99th percentiles (for an
 * answer without a histogram). Null when there is no CLV (the spend model
 * could not be fitted: `spend_model_error` says why).
 */
export function clvDistribution(r: ClvResult): BarData | null {
  if (!r.clv) return null;
  return {
    categories: ['median (p50)', 'mean', '90th percentile', '99th percentile'],
    series: [{ name: 'predicted CLV', values: [finite(r.clv.p50), finite(r.clv.mean), finite(r.clv.p90), finite(r.clv.p99)] }],
  };
}

/** One bin of the answer's histograms: [from, to), `to` null for the open last bin. */
export interface HistogramBin {
  from: number;
  to: number | null;
  customers: number;
}

function histogramOf(x: unknown): HistogramBin[] | null {
  const h = (x as { histogram?: unknown } | null | undefined)?.histogram;
  if (!Array.isArray(h) || h.length === 0) return null;
  const bins = h as HistogramBin[];
  return bins.every((b) => finite(b.from) !== null && finite(b.customers) !== null) ? bins : null;
}

/** Bars of customers per bin, labelled "from–to" ("≥ from" for the open bin) by `edge`. */
function histogramBars(bins: HistogramBin[], edge: (v: number) => string): BarData {
  return {
    categories: bins.map((b) => (b.to === null ? `≥ ${edge(b.from)}` : `${edge(b.from)}–${edge(b.to)}`)),
    series: [{ name: 'customers', values: bins.map((b) => b.customers) }],
  };
}

/** Customers per band of predicted CLV, from the answer's histogram; null without one. */
export function clvHistogram(r: ClvResult, edge: (v: number) => string): BarData | null {
  const bins = histogramOf(r.clv);
  return bins ? histogramBars(bins, edge) : null;
}

/** Customers per tenth of P(alive), from the answer's histogram; null without one. */
export function pAliveHistogram(r: ClvResult): BarData | null {
  const bins = histogramOf(r.p_alive);
  return bins ? histogramBars(bins, (v) => `${Math.round(v * 100)}%`) : null;
}

/** Customers by P(alive): at least one half (more likely still buying) and below (more likely gone). */
export function pAliveDistribution(r: ClvResult): BarData {
  const customers = finite(r.customers);
  const below = finite(r.p_alive?.below_half);
  const above = customers !== null && below !== null ? Math.max(0, customers - below) : null;
  return {
    categories: ['likely active (≥ 50%)', 'likely gone (< 50%)'],
    series: [{ name: 'customers', values: [above, below] }],
  };
}

/** The share of customers who bought again (repeat buyers ÷ customers), or null. */
export function repeatShare(r: ClvResult): number | null {
  const c = finite(r.customers);
  const x = finite(r.repeat_buyers);
  return c && x !== null ? x / c : null;
}

export interface TopRow extends ClvTopCustomer {
  rank: number;
  href: string; // the profile page, #/profiles/<id>
}

/** The most valuable customers, best first, each with its profile link. */
export function topRows(r: ClvResult): TopRow[] {
  return (r.top ?? []).map((t, i) => ({ ...t, rank: i + 1, href: href({ page: 'profiles', profileId: t.profile }) }));
}

/** Holdout accuracy: predicted ÷ actual − 1 (−0.12: 12 % under), or null without a holdout. */
export function holdoutError(r: ClvResult): number | null {
  const h = r.holdout;
  if (!h) return null;
  const actual = finite(h.actual);
  const predicted = finite(h.predicted);
  if (actual === null || predicted === null || actual === 0) return null;
  return predicted / actual - 1;
}

export interface FitProblem {
  title: string;
  needs: string[]; // what data would let the models be fitted, as next steps
}

const PURCHASES =
  'Purchase events: by default “Order Completed” with the amount in properties.revenue, each sent with a userId (or another identifier) so that it lands on a customer. Past orders can be brought in with rapport import.';

/** What a 400 from the CLV insight means for the user: a title and the data that is needed. */
export function clvFitProblem(message: string): FitProblem {
  const m = message.toLowerCase();
  if (m.includes('no purchases') || m.includes('no customers')) {
    return {
      title: 'There are no purchases to learn from yet.',
      needs: [PURCHASES, 'Purchases before the calibration end: leave it empty to use every purchase up to now.'],
    };
  }
  if (m.includes('repeat')) {
    const spend = m.includes('spend model');
    return {
      title: spend ? 'Too few customers bought again with a positive amount.' : 'No customer has bought twice yet.',
      needs: [
        'Customers who bought on at least two different days before the calibration end (purchases on the same day count once): from them the model learns how often customers buy again and when they stop.',
        spend
          ? 'At least two of those repeat purchases with a positive properties.revenue, so that spend per purchase can be modelled.'
          : 'More history: import older orders (rapport import), or pick a later calibration end.',
      ],
    };
  }
  if (m.includes('must be after') || m.includes('"unit"') || m.includes('must be a number')) {
    return { title: 'The settings cannot be used.', needs: ['Correct the days picked above, then fit again.'] };
  }
  return {
    title: 'The models cannot be fitted on this data.',
    needs: ['More history or more customers usually help: import older orders (rapport import) or pick a later calibration end.'],
  };
}
