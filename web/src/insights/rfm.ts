// The RFM answer (POST /api/v1/insights/rfm, docs/kpis.md) as the Insights page shows it: the
// named segments (with their glossary entries) as bar chart data and a table, and the 5×5 grid of
// recency × frequency scores as rows of cells, each with its segment and a shade by its count.
import { finite } from '../format';
import type { RfmResult, RfmSegment } from '../types';
import type { BarData } from './charts';

export interface SegmentInfo {
  key: string; // as the API names it
  label: string;
  glossaryId: string;
}

/** The ten segments in the order of docs/kpis.md's table, with their glossary entries. */
export const SEGMENTS: readonly SegmentInfo[] = [
  { key: 'champions', label: 'champions', glossaryId: 'rfm-champions' },
  { key: 'loyal', label: 'loyal', glossaryId: 'rfm-loyal' },
  { key: 'potential_loyalists', label: 'potential loyalists', glossaryId: 'rfm-potential-loyalists' },
  { key: 'new_customers', label: 'new customers', glossaryId: 'rfm-new-customers' },
  { key: 'promising', label: 'promising', glossaryId: 'rfm-promising' },
  { key: 'need_attention', label: 'need attention', glossaryId: 'rfm-need-attention' },
  { key: 'about_to_sleep', label: 'about to sleep', glossaryId: 'rfm-about-to-sleep' },
  { key: 'cant_lose_them', label: 'can’t lose them', glossaryId: 'rfm-cant-lose-them' },
  { key: 'at_risk', label: 'at risk', glossaryId: 'rfm-at-risk' },
  { key: 'hibernating', label: 'hibernating', glossaryId: 'rfm-hibernating' },
];

const BY_KEY = new Map(SEGMENTS.map((s) => [s.key, s]));

/** A segment's label and glossary entry; one the console does not know links to "RFM segments". */
export function segmentInfo(key: string): SegmentInfo {
  return BY_KEY.get(key) ?? { key, label: key.replace(/_/g, ' '), glossaryId: 'rfm-segments' };
}

/** The segment of each grid cell: rows r = 5 down to 1, columns f = 1 to 5 (docs/kpis.md). */
export const GRID_SEGMENTS: readonly (readonly string[])[] = [
  ['new_customers', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'],
  ['promising', 'potential_loyalists', 'potential_loyalists', 'loyal', 'loyal'],
  ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
  ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose_them'],
  ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose_them'],
];

export interface SegmentRow extends RfmSegment, SegmentInfo {}

/** The answer's segments in its order, each with its label and glossary entry. */
export function segmentRows(r: RfmResult): SegmentRow[] {
  return (r.segments ?? []).map((s) => ({ ...s, ...segmentInfo(s.segment) }));
}

/** Customers per segment, for a bar chart. */
export function segmentBars(r: RfmResult): BarData {
  const rows = segmentRows(r);
  return { categories: rows.map((s) => s.label), series: [{ name: 'customers', values: rows.map((s) => finite(s.customers)) }] };
}

export interface GridCell {
  r: number; // recency score, 5 (bought most recently) to 1
  f: number; // frequency score, 1 to 5 (bought most often)
  customers: number;
  segment: SegmentInfo;
  share: number; // of the largest cell, 0 to 1: the shade
}

/**
 * The grid as rows from r = 5 down to 1, cells from f = 1 to 5; null when the answer's grid is
 * not 5 × 5 numbers.
 */
export function gridRows(r: RfmResult): GridCell[][] | null {
  const g = r.grid;
  if (!Array.isArray(g) || g.length !== 5 || g.some((row) => !Array.isArray(row) || row.length !== 5)) return null;
  const counts = g.map((row) => row.map((v) => Math.max(0, finite(v) ?? 0)));
  const max = Math.max(...counts.flat());
  return counts.map((row, i) =>
    row.map((customers, j) => ({
      r: 5 - i,
      f: j + 1,
      customers,
      segment: segmentInfo(GRID_SEGMENTS[i][j]),
      share: max > 0 ? customers / max : 0,
    })),
  );
}

/** A cell's background (the accent, stronger with more customers) and a text colour that reads on it. */
export function cellColors(share: number): { background: string; color: string } {
  const s = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0));
  const alpha = s === 0 ? 0 : 0.08 + 0.82 * s;
  return {
    background: `rgba(47, 91, 211, ${alpha.toFixed(2)})`,
    color: alpha > 0.5 ? '#ffffff' : '#1c2430',
  };
}

/** Whether there is nothing to show: no customers scored. */
export function isEmptyRfm(r: RfmResult): boolean {
  return !(finite(r.customers) ?? 0);
}
