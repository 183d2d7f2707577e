// Tests of dashboards/tiles.ts: tiles from specs and back, the server's limits, PUT bodies.
import { describe, expect, it } from 'vitest';
import type { Dashboard, DashboardTile } from '../types';
import {
  MAX_TILES,
  checkName,
  checkTitle,
  describeTilePeriod,
  makeTile,
  renamed,
  tilePeriod,
  tileSpec,
  withTile,
  withTileMoved,
  withoutTile,
} from './tiles';

const funnel = { kind: 'funnel', from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', steps: [{ event: 'A' }, { event: 'B' }], window: { days: 7 } };
const NOW = Date.parse('2026-05-14T15:00:00Z'); // a Thursday

function tile(title: string, query: Record<string, unknown> = funnel, view?: Record<string, unknown>): DashboardTile {
  return view ? { title, query, view } : { title, query };
}

function dash(tiles: DashboardTile[]): Dashboard {
  return { id: 'd1', name: 'Growth', tiles, createdAt: '', updatedAt: '' };
}

describe('makeTile', () => {
  it('keeps the spec as the query and the period in the view', () => {
    const t = makeTile('  Sign-up funnel ', funnel, { kind: 'last', days: 30 });
    expect(t).toEqual({ ok: true, value: { title: 'Sign-up funnel', query: funnel, view: { period: { kind: 'last', days: 30 } } } });
  });
  it('checks the title and the size of the query', () => {
    expect(makeTile(' ', funnel, { kind: 'last', days: 7 })).toEqual({ ok: false, problem: 'Give the tile a title.' });
    expect(checkTitle('é'.repeat(200)).ok).toBe(true); // characters, not bytes
    expect(checkTitle('x'.repeat(201)).ok).toBe(false);
    const huge = { ...funnel, steps: Array.from({ length: 2000 }, (_, i) => ({ event: `event number ${i}` })) };
    expect(makeTile('big', huge, { kind: 'last', days: 7 }).ok).toBe(false);
    expect(makeTile('no kind', { from: 'x' }, { kind: 'last', days: 7 }).ok).toBe(false);
  });
});

describe('tileSpec', () => {
  it('moves a "last N days" tile to today', () => {
    const t = tile('f', funnel, { period: { kind: 'last', days: 7 } });
    expect(tileSpec(t, NOW)).toEqual({ ...funnel, from: '2026-05-08T00:00:00.000Z', to: '2026-05-15T00:00:00.000Z' });
    expect(t.query.from).toBe(funnel.from); // the tile itself is untouched
  });
  it('starts weekly retention on a Monday, as the tab does', () => {
    const retention = { kind: 'retention', from: 'x', to: 'y', interval: 'week', periods: 4 };
    const spec = tileSpec(tile('r', retention, { period: { kind: 'last', days: 30 } }), NOW);
    expect(spec.from).toBe('2026-04-13T00:00:00.000Z'); // 2026-04-15 is a Wednesday
    expect(spec.to).toBe('2026-05-15T00:00:00.000Z');
  });
  it('runs a tile between two days, or without a period, as saved', () => {
    expect(tileSpec(tile('f', funnel, { period: { kind: 'between', from: '2026-03-01', to: '2026-03-30' } }), NOW)).toEqual(funnel);
    expect(tileSpec(tile('f'), NOW)).toEqual(funnel);
  });
  it('reads the period back, ignoring a malformed one', () => {
    expect(tilePeriod(tile('f', funnel, { period: { kind: 'last', days: 30 } }))).toEqual({ kind: 'last', days: 30 });
    expect(tilePeriod(tile('f', funnel, { period: { kind: 'last', days: 'x' } }))).toBeNull();
    expect(describeTilePeriod(tile('f', funnel, { period: { kind: 'last', days: 30 } }))).toBe('the last 30 days');
    expect(describeTilePeriod(tile('f'))).toBe('Mar 1 – Mar 30');
  });
});

describe('dashboard bodies', () => {
  it('adds a tile at the end, up to the limit', () => {
    const d = dash([tile('a')]);
    const added = withTile(d, tile('b'));
    expect(added).toEqual({ ok: true, value: { name: 'Growth', tiles: [tile('a'), tile('b')] } });
    expect(d.tiles).toHaveLength(1);
    const full = dash(Array.from({ length: MAX_TILES }, (_, i) => tile(`t${i}`)));
    expect(withTile(full, tile('one more')).ok).toBe(false);
  });
  it('removes and moves tiles', () => {
    const d = dash([tile('a'), tile('b'), tile('c')]);
    expect(withoutTile(d, 1).tiles.map((t) => t.title)).toEqual(['a', 'c']);
    expect(withTileMoved(d, 0, 1).tiles.map((t) => t.title)).toEqual(['b', 'a', 'c']);
    expect(withTileMoved(d, 2, 1).tiles.map((t) => t.title)).toEqual(['a', 'b', 'c']);
    expect(withTileMoved(d, 2, -5).tiles.map((t) => t.title)).toEqual(['c', 'a', 'b']);
  });
  it('checks names: present, short enough, not taken by another dashboard', () => {
    expect(checkName('  Growth  ')).toEqual({ ok: true, value: 'Growth' });
    expect(checkName('').ok).toBe(false);
    expect(checkName('x'.repeat(101)).ok).toBe(false);
    expect(checkName('Sales', ['Sales'])).toEqual({ ok: false, problem: 'A dashboard is already called “Sales”: pick it in the list, or another name.' });
    expect(renamed(dash([]), 'Growth', ['Growth', 'Sales'])).toEqual({ ok: true, value: { name: 'Growth', tiles: [] } });
    expect(renamed(dash([]), 'Sales', ['Growth', 'Sales']).ok).toBe(false);
  });
});
