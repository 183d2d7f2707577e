// Saved dashboards as pure functions over the /api/v1/dashboards contract (docs/api.md): a tile
// made from an Analytics tab's spec and period (its `view` keeps the period, so that "the last 30
// days" stays the last 30 days when the tile is drawn again), the spec a tile runs now, and the
// whole-replacement bodies of PUT /api/v1/dashboards/{id} (add, remove, move a tile; rename),
// each checked against the server's limits first so that the form says what is wrong.
import { periodStart, type Interval } from '../analytics/specs';
import { describePeriod, resolvePeriod, type Checked, type PeriodChoice } from '../insights/specs';
import { formatDay } from '../format';
import type { Dashboard, DashboardTile } from '../types';

export const MAX_NAME_CHARS = 100;
export const MAX_TILES = 24;
export const MAX_TITLE_CHARS = 200;
export const MAX_QUERY_BYTES = 16 * 1024;
export const MAX_VIEW_BYTES = 4 * 1024;

/** The body of POST /api/v1/dashboards and PUT /api/v1/dashboards/{id}. */
export interface DashboardBody {
  name: string;
  tiles: DashboardTile[];
}

/** Characters as the server counts them (code points, not UTF-16 units). */
function chars(s: string): number {
  return [...s].length;
}

function jsonBytes(v: unknown): number {
  return new TextEncoder().encode(JSON.stringify(v)).length;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A title the server accepts: trimmed, 1 to 200 characters. */
export function checkTitle(title: string): Checked<string> {
  const t = title.trim();
  if (t === '') return { ok: false, problem: 'Give the tile a title.' };
  if (chars(t) > MAX_TITLE_CHARS) return { ok: false, problem: `Keep the title to ${MAX_TITLE_CHARS} characters (it has ${chars(t)}).` };
  return { ok: true, value: t };
}

/** A dashboard name the server accepts: trimmed, 1 to 100 characters, not one of `taken`. */
export function checkName(name: string, taken: readonly string[] = []): Checked<string> {
  const n = name.trim();
  if (n === '') return { ok: false, problem: 'Give the dashboard a name.' };
  if (chars(n) > MAX_NAME_CHARS) return { ok: false, problem: `Keep the name to ${MAX_NAME_CHARS} characters (it has ${chars(n)}).` };
  if (taken.includes(n)) return { ok: false, problem: `A dashboard is already called “${n}”: pick it in the list, or another name.` };
  return { ok: true, value: n };
}

/** The tile for an Analytics spec: the spec as its query, the period picked in its view. */
export function makeTile(title: string, query: Record<string, unknown>, period: PeriodChoice): Checked<DashboardTile> {
  const t = checkTitle(title);
  if (!t.ok) return t;
  if (typeof query.kind !== 'string' || query.kind === '') return { ok: false, problem: 'This question cannot be saved: it has no kind.' };
  if (jsonBytes(query) > MAX_QUERY_BYTES) return { ok: false, problem: `This question is over ${MAX_QUERY_BYTES / 1024} KB and cannot be saved.` };
  const view = { period };
  if (jsonBytes(view) > MAX_VIEW_BYTES) return { ok: false, problem: 'The tile’s settings are too large to be saved.' };
  return { ok: true, value: { title: t.value, query, view } };
}

/** The period a tile was saved with, or null when its view has none (made elsewhere). */
export function tilePeriod(tile: DashboardTile): PeriodChoice | null {
  const p = obj(obj(tile.view).period);
  if (p.kind === 'last' && typeof p.days === 'number' && Number.isInteger(p.days) && p.days >= 1) return { kind: 'last', days: p.days };
  if (p.kind === 'between' && typeof p.from === 'string' && typeof p.to === 'string') return { kind: 'between', from: p.from, to: p.to };
  return null;
}

/**
 * The spec to run for a tile now: a "last N days" tile gets today's N days (a retention tile's
 * start moved back to its week's Monday, as the tab does); any other tile its query as saved.
 */
export function tileSpec(tile: DashboardTile, now: number): Record<string, unknown> {
  const query = { ...tile.query };
  const period = tilePeriod(tile);
  if (!period || period.kind !== 'last') return query;
  const range = resolvePeriod(period, now);
  if (!range.ok) return query;
  let from = range.value.from;
  if (query.kind === 'retention') {
    const interval: Interval = query.interval === 'day' ? 'day' : 'week';
    from = new Date(periodStart(Date.parse(from), interval)).toISOString();
  }
  return { ...query, from, to: range.value.to };
}

/** The tile's period in words: "the last 30 days", or the saved query's days. */
export function describeTilePeriod(tile: DashboardTile): string {
  const period = tilePeriod(tile);
  if (period) return describePeriod(period);
  const from = typeof tile.query.from === 'string' ? tile.query.from : '';
  const to = typeof tile.query.to === 'string' ? tile.query.to : '';
  if (!from || !to) return 'the saved period';
  const last = Date.parse(to) - 1; // `to` is excluded
  return `${formatDay(from)} – ${Number.isFinite(last) ? formatDay(new Date(last).toISOString()) : formatDay(to)}`;
}

function body(d: Pick<Dashboard, 'name' | 'tiles'>): DashboardBody {
  return { name: d.name, tiles: d.tiles.map((t) => ({ ...t })) };
}

/** The PUT body with `tile` added at the end, or why it cannot be (24 tiles at most). */
export function withTile(d: Pick<Dashboard, 'name' | 'tiles'>, tile: DashboardTile): Checked<DashboardBody> {
  if (d.tiles.length >= MAX_TILES) {
    return { ok: false, problem: `“${d.name}” already has ${MAX_TILES} tiles, the most a dashboard holds: remove one there, or pick another dashboard.` };
  }
  const b = body(d);
  b.tiles.push(tile);
  return { ok: true, value: b };
}

/** The PUT body without the tile at `index`. */
export function withoutTile(d: Pick<Dashboard, 'name' | 'tiles'>, index: number): DashboardBody {
  const b = body(d);
  b.tiles.splice(index, 1);
  return b;
}

/** The PUT body with the tile at `index` moved by `delta` places (clamped to the ends). */
export function withTileMoved(d: Pick<Dashboard, 'name' | 'tiles'>, index: number, delta: number): DashboardBody {
  const b = body(d);
  const to = Math.max(0, Math.min(b.tiles.length - 1, index + delta));
  if (index < 0 || index >= b.tiles.length || to === index) return b;
  const [tile] = b.tiles.splice(index, 1);
  b.tiles.splice(to, 0, tile);
  return b;
}

/** The PUT body of a rename, or why the name cannot be used. */
export function renamed(d: Pick<Dashboard, 'name' | 'tiles'>, name: string, taken: readonly string[] = []): Checked<DashboardBody> {
  const n = checkName(name, taken.filter((x) => x !== d.name));
  if (!n.ok) return n;
  return { ok: true, value: { ...body(d), name: n.value } };
}
