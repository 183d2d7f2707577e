// The channel ROI answer (POST /api/v1/insights/roi, docs/kpis.md) as the Insights page shows
// it: channel lines with their campaigns under them, the ranking of where the next unit of budget
// returns most, and — for every figure the answer leaves null — why it is empty ("no spend on
// record", "no new customers credited", …), so that a dash is never a mystery.
import { finite, formatNumber } from '../format';
import type { RoiLine, RoiResult } from '../types';

export type RoiFigure = 'cac' | 'roas' | 'ltv_cac' | 'payback_months' | 'marginal_roas';

export const NO_SPEND = 'no spend on record: an organic channel, or its spend was not imported (no spend on record is not the same as free)';

/**
 * Why `line[figure]` is null, or null when it has a value. `total`: the blended line of every
 * channel, which has no marginal ROAS of its own.
 */
export function nullReason(line: RoiLine, figure: RoiFigure, total = false): string | null {
  if (finite(line[figure]) !== null) return null;
  if (total && figure === 'marginal_roas') return 'not ranked: the total blends every channel, organic ones included';
  const spend = finite(line.spend) ?? 0;
  if (spend <= 0) return total ? 'no spend on record for the period' : NO_SPEND;
  const newCustomers = finite(line.new_customers) ?? 0;
  switch (figure) {
    case 'cac':
      return newCustomers <= 0 ? 'no new customers credited: none of its conversions was a first purchase ever' : 'cannot be computed from these figures';
    case 'payback_months':
      return newCustomers <= 0
        ? 'no new customers credited, so there is no acquisition cost to pay back'
        : 'its new customers have brought no revenue yet, so they have not started paying back';
    case 'marginal_roas':
      return finite(line.roas) === null ? 'no ROAS to start from' : 'cannot be computed from these figures';
    default:
      return 'cannot be computed from these figures';
  }
}

/** How the marginal ROAS was found: the fitted response curve or, lacking one, the average ROAS. */
export function basisText(line: Pick<RoiLine, 'basis' | 'elasticity' | 'response_days'>): string {
  if (line.basis === 'response curve') {
    const days = finite(line.response_days);
    return `response curve: elasticity ${formatNumber(line.elasticity, 2)}${days ? ` over ${formatNumber(days, 0)} days` : ''}`;
  }
  if (line.basis === 'average') return 'average ROAS: fewer than 14 days with both spend and revenue, or spend that barely varies';
  return '';
}

export interface ChannelRow {
  line: RoiLine;
  campaigns: RoiLine[]; // its campaigns, in the answer's order (most spend first)
}

/** Each channel with its campaigns under it; campaigns of a channel without a line get one of their own. */
export function channelRows(r: RoiResult): ChannelRow[] {
  const rows: ChannelRow[] = (r.channels ?? []).map((line) => ({ line, campaigns: [] }));
  const byChannel = new Map(rows.map((row) => [row.line.channel, row]));
  for (const c of r.campaigns ?? []) {
    let row = byChannel.get(c.channel);
    if (!row) {
      row = { line: { ...c, campaign: undefined }, campaigns: [] };
      rows.push(row);
      byChannel.set(c.channel, row);
    }
    row.campaigns.push(c);
  }
  return rows;
}

/** A campaign's name as shown: the API's "(not set)" for spend or touches without one. */
export function campaignLabel(line: RoiLine): string {
  return line.campaign && line.campaign !== '' ? line.campaign : '(not set)';
}

export interface BudgetRow {
  rank: number;
  label: string; // "Email" or "Paid Search › brand"
  marginal_roas: number | null;
  basis: 'response curve' | 'average';
  detail: string; // basisText of the line
}

/** `next_budget.channels` (or `.campaigns`), best first, with how each figure was found. */
export function nextBudgetRows(r: RoiResult, level: 'channels' | 'campaigns' = 'channels'): BudgetRow[] {
  const lines = level === 'channels' ? r.channels ?? [] : r.campaigns ?? [];
  const key = (l: { channel: string; campaign?: string }) => `${l.channel}\u001f${level === 'campaigns' ? l.campaign ?? '' : ''}`;
  const byKey = new Map(lines.map((l) => [key(l), l]));
  return (r.next_budget?.[level] ?? []).map((n, i) => {
    const line = byKey.get(key(n));
    return {
      rank: i + 1,
      label: level === 'campaigns' ? `${n.channel} › ${n.campaign && n.campaign !== '' ? n.campaign : '(not set)'}` : n.channel,
      marginal_roas: finite(n.marginal_roas),
      basis: n.basis,
      detail: basisText({ basis: n.basis, elasticity: line?.elasticity ?? null, response_days: line?.response_days ?? 0 }),
    };
  });
}

/** What to show: the table; the table with "import spend" (no spend rows); or nothing at all in the period. */
export function roiState(r: RoiResult): 'ok' | 'no-spend' | 'nothing' {
  const spendRows = finite(r.spend_rows) ?? 0;
  const lines = (r.channels ?? []).length;
  if (spendRows <= 0 && lines === 0) return 'nothing';
  return spendRows <= 0 ? 'no-spend' : 'ok';
}
