// Tests of insights/rfm.ts, on an answer of POST /api/v1/insights/rfm over the CDNOW sample.
import { describe, expect, it } from 'vitest';
import { glossaryEntry } from '../glossary';
import type { RfmResult } from '../types';
import { GRID_SEGMENTS, SEGMENTS, cellColors, gridRows, isEmptyRfm, segmentBars, segmentInfo, segmentRows } from './rfm';

const seg = (segment: string, customers: number) => ({ segment, customers, share: customers / 2357, recency_days: 1, frequency: 1, monetary: 1 });
const CDNOW: RfmResult = {
  customers: 2357,
  as_of: '2026-11-24T00:40:04.416Z',
  segments: [
    seg('champions', 413), seg('loyal', 310), seg('potential_loyalists', 250), seg('new_customers', 0), seg('promising', 0),
    seg('need_attention', 82), seg('about_to_sleep', 349), seg('cant_lose_them', 3), seg('at_risk', 81), seg('hibernating', 869),
  ],
  grid: [
    [0, 0, 58, 149, 264],
    [0, 0, 192, 170, 108],
    [349, 0, 82, 29, 3],
    [409, 0, 49, 10, 3],
    [460, 0, 22, 0, 0],
  ],
};

describe('segments', () => {
  it('names the ten segments of docs/kpis.md, each with a glossary entry', () => {
    expect(SEGMENTS.map((s) => s.key)).toEqual(CDNOW.segments.map((s) => s.segment));
    for (const s of SEGMENTS) expect(glossaryEntry(s.glossaryId), s.glossaryId).toBeDefined();
  });
  it('links an unknown segment to the segments entry', () => {
    expect(segmentInfo('big_spenders')).toEqual({ key: 'big_spenders', label: 'big spenders', glossaryId: 'rfm-segments' });
  });
  it('gives rows and bars in the answer’s order', () => {
    expect(segmentRows(CDNOW)[7]).toMatchObject({ segment: 'cant_lose_them', label: 'can’t lose them', customers: 3 });
    const bars = segmentBars(CDNOW);
    expect(bars.categories.slice(0, 3)).toEqual(['champions', 'loyal', 'potential loyalists']);
    expect(bars.series[0].values).toEqual([413, 310, 250, 0, 0, 82, 349, 3, 81, 869]);
  });
});

describe('gridRows', () => {
  it('labels each cell with its scores and segment, r = 5 first', () => {
    const rows = gridRows(CDNOW)!;
    expect(rows).toHaveLength(5);
    expect(rows[0][4]).toMatchObject({ r: 5, f: 5, customers: 264, segment: { key: 'champions' } });
    expect(rows[4][0]).toMatchObject({ r: 1, f: 1, customers: 460, segment: { key: 'hibernating' }, share: 1 });
    expect(rows[2][0].segment.key).toBe('about_to_sleep');
    expect(rows[3][4].segment.key).toBe('cant_lose_them');
  });
  it('adds up to the segments: every cell belongs to the segment the answer counts it in', () => {
    const rows = gridRows(CDNOW)!;
    const bySegment = new Map<string, number>();
    for (const cell of rows.flat()) bySegment.set(cell.segment.key, (bySegment.get(cell.segment.key) ?? 0) + cell.customers);
    for (const s of CDNOW.segments) expect(bySegment.get(s.segment) ?? 0, s.segment).toBe(s.customers);
  });
  it('refuses a grid that is not 5 × 5', () => {
    expect(gridRows({ ...CDNOW, grid: [[1, 2]] })).toBeNull();
    expect(gridRows({ ...CDNOW, grid: undefined as never })).toBeNull();
  });
  it('maps every segment somewhere on the grid but one per cell', () => {
    expect(new Set(GRID_SEGMENTS.flat())).toEqual(new Set(SEGMENTS.map((s) => s.key)));
  });
});

describe('cellColors', () => {
  it('shades by share and keeps the text readable', () => {
    expect(cellColors(0)).toEqual({ background: 'rgba(47, 91, 211, 0.00)', color: '#1c2430' });
    expect(cellColors(1)).toEqual({ background: 'rgba(47, 91, 211, 0.90)', color: '#ffffff' });
    expect(cellColors(0.1).color).toBe('#1c2430');
    expect(cellColors(NaN).background).toBe('rgba(47, 91, 211, 0.00)');
  });
});

describe('isEmptyRfm', () => {
  it('is empty without customers', () => {
    expect(isEmptyRfm(CDNOW)).toBe(false);
    expect(isEmptyRfm({ ...CDNOW, customers: 0 })).toBe(true);
  });
});
