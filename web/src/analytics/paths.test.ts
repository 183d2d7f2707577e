// Tests of analytics/paths.ts with the answer shape of docs/queries.md (paths).
import { describe, expect, it } from 'vitest';
import { describePaths, isEmptyPaths, readPaths, sankeyHeight, sankeyOption, stepLabel } from './paths';

const answer = {
  kind: 'paths',
  took_ms: 1.2,
  result: {
    nodes: [
      { id: '0:Signed Up', step: 0, name: 'Signed Up', count: 10 },
      { id: '1:page: Pricing', step: 1, name: 'page: Pricing', count: 6 },
      { id: '1:(end)', step: 1, name: '(end)', count: 4 },
      { id: '2:Signed Up', step: 2, name: 'Signed Up', count: 6 },
    ],
    links: [
      { source: '0:Signed Up', target: '1:page: Pricing', count: 6 },
      { source: '0:Signed Up', target: '1:(end)', count: 4 },
      { source: '1:page: Pricing', target: '2:Signed Up', count: 6 },
      // Never drawn: backward, to itself, or to a node the answer does not have.
      { source: '2:Signed Up', target: '0:Signed Up', count: 1 },
      { source: '1:(end)', target: '1:(end)', count: 1 },
      { source: '1:page: Pricing', target: '2:Nowhere', count: 1 },
    ],
    profiles: 10,
  },
};

describe('readPaths', () => {
  it('keeps one node per step and name, and only forward links', () => {
    const d = readPaths(answer);
    expect(d.nodes.map((n) => n.id)).toEqual(['0:Signed Up', '1:page: Pricing', '1:(end)', '2:Signed Up']);
    expect(d.links).toHaveLength(3);
    for (const l of d.links) expect(l.target.startsWith(`${l.step + 1}:`)).toBe(true);
    expect(d.links[0].share).toBeCloseTo(0.6);
    expect(d.steps).toBe(3);
    expect(d.profiles).toBe(10);
  });
  it('makes ids from step and name when an answer lacks them', () => {
    const d = readPaths({ nodes: [{ step: 0, name: 'A', count: 1 }, { step: 1, name: 'A', count: 1 }], links: [{ source: '0:A', target: '1:A', count: 1 }], profiles: 1 });
    expect(d.nodes.map((n) => n.id)).toEqual(['0:A', '1:A']);
    expect(d.links).toHaveLength(1);
  });
  it('survives a malformed answer', () => {
    const d = readPaths({});
    expect(d).toEqual({ nodes: [], links: [], profiles: 0, steps: 0 });
    expect(isEmptyPaths(d)).toBe(true);
  });
});

describe('the sankey option', () => {
  it('names nodes uniquely by id, labels them by event, pins them to their step', () => {
    const d = readPaths(answer);
    const series = (sankeyOption(d, false).series as Array<Record<string, unknown>>)[0];
    const data = series.data as Array<{ name: string; label: string; depth: number; itemStyle: { color: string } }>;
    expect(new Set(data.map((n) => n.name)).size).toBe(data.length);
    expect(data[3]).toMatchObject({ name: '2:Signed Up', label: 'Signed Up', depth: 2 });
    // The same event has the same colour at every step; (end) is grey.
    expect(data[3].itemStyle.color).toBe(data[0].itemStyle.color);
    expect(data[2].itemStyle.color).toBe('#8a94a3');
    expect(series.nodeAlign).toBe('left');
    expect((series.links as unknown[]).length).toBe(3);
    expect((sankeyOption(d, true).series as Array<Record<string, unknown>>)[0].nodeAlign).toBe('right');
  });
  it('grows with the tallest column, within bounds', () => {
    expect(sankeyHeight(readPaths(answer))).toBe(260);
    const many = { nodes: Array.from({ length: 40 }, (_, i) => ({ id: `1:e${i}`, step: 1, name: `e${i}`, count: 1 })), links: [], profiles: 1 };
    expect(sankeyHeight(readPaths(many))).toBe(720);
  });
});

describe('words', () => {
  it('describes the largest flow of each step', () => {
    const text = describePaths(readPaths(answer), 'Signed Up', false);
    expect(text).toContain('Paths of 10 customers after “Signed Up”, 2 steps.');
    expect(text).toContain('Signed Up → page: Pricing: 6 (60');
    expect(text).toContain('page: Pricing → Signed Up: 6 (100');
    expect(describePaths(readPaths({}), 'X', true)).toBe('No customer paths before “X”.');
  });
  it('labels steps from the anchor', () => {
    const d = readPaths(answer);
    expect(stepLabel(0, d, false)).toBe('the start event');
    expect(stepLabel(2, d, false)).toBe('2 after');
    expect(stepLabel(2, d, true)).toBe('the end event');
    expect(stepLabel(0, d, true)).toBe('2 before');
  });
});
