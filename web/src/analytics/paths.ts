// A `paths` answer (docs/queries.md) as Sankey data: boxes per step (an event name at a step —
// the same event at two steps is two boxes, so the chart never has a cycle), flows from one step
// to the next, the flows as table rows with their share of the box they leave, a screen-reader
// summary, and the ECharts sankey option. Pure: components/SankeyChart.tsx draws it.
import { formatNumber, formatPercent } from '../format';
import { escapeHtml, PALETTE } from '../insights/charts';
import { resultOf } from './specs';

export interface PathNode {
  id: string; // unique per step: "<step>:<name>", what links refer to
  step: number;
  name: string; // "Order Completed", "page: Pricing", "(end)", "(start)", "(other)"
  count: number;
}

export interface PathLink {
  source: string; // a node id at step s
  target: string; // a node id at step s + 1
  step: number; // the source's step
  count: number;
  share: number | null; // count / the source node's count
}

export interface PathsData {
  nodes: PathNode[];
  links: PathLink[]; // only forward links between nodes that exist: never a cycle
  profiles: number;
  steps: number; // the highest step + 1 (columns of the chart)
}

/** Boxes that are not events: where a path ends or begins, and the flows cut by `limit`. */
export const SPECIAL_NODES = new Set(['(end)', '(start)', '(other)']);

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** "3:page: Pricing" → 3 (the step prefix of a node id), or null. */
function stepOfId(id: string): number | null {
  const m = /^(\d+):/.exec(id);
  return m ? Number(m[1]) : null;
}

export function readPaths(answer: unknown): PathsData {
  const r = resultOf(answer);
  const nodes: PathNode[] = [];
  const byId = new Map<string, PathNode>();
  for (const raw of Array.isArray(r.nodes) ? r.nodes : []) {
    const o = obj(raw);
    const name = typeof o.name === 'string' ? o.name : '';
    const step = num(o.step) ?? (typeof o.id === 'string' ? stepOfId(o.id) : null);
    if (step === null || name === '') continue;
    // The id is unique per step; one is made the same way when an answer lacks it.
    const id = typeof o.id === 'string' && o.id !== '' ? o.id : `${step}:${name}`;
    if (byId.has(id)) continue;
    const node = { id, step, name, count: num(o.count) ?? 0 };
    byId.set(id, node);
    nodes.push(node);
  }
  const links: PathLink[] = [];
  for (const raw of Array.isArray(r.links) ? r.links : []) {
    const o = obj(raw);
    const from = typeof o.source === 'string' ? byId.get(o.source) : undefined;
    const to = typeof o.target === 'string' ? byId.get(o.target) : undefined;
    // A Sankey must not loop: keep only flows from a step to the next.
    if (!from || !to || to.step !== from.step + 1) continue;
    const count = num(o.count) ?? 0;
    links.push({ source: from.id, target: to.id, step: from.step, count, share: from.count > 0 ? count / from.count : null });
  }
  const steps = nodes.reduce((m, n) => Math.max(m, n.step + 1), 0);
  return { nodes, links, profiles: num(r.profiles) ?? 0, steps };
}

/** True when no customer had the start (end) event: there is no path to draw. */
export function isEmptyPaths(d: PathsData): boolean {
  return d.profiles === 0 || d.nodes.length === 0;
}

/** The node with this id (for a link's ends). */
export function nodeById(d: PathsData, id: string): PathNode | undefined {
  return d.nodes.find((n) => n.id === id);
}

/** "Step 2" — the anchor's column is "Start" (after) or "End" (before). */
export function stepLabel(step: number, d: PathsData, backward: boolean): string {
  const anchor = backward ? d.steps - 1 : 0;
  if (step === anchor) return backward ? 'the end event' : 'the start event';
  return backward ? `${anchor - step} before` : `${step} after`;
}

/**
 * "Paths of 1,800 customers after “Signed Up”. Most often next: page: Pricing (700, 38.9%); then …".
 * Follows the largest flow out of each step's largest box.
 */
export function describePaths(d: PathsData, event: string, backward: boolean): string {
  if (isEmptyPaths(d)) return `No customer paths ${backward ? 'before' : 'after'} “${event}”.`;
  const head = `Paths of ${formatNumber(d.profiles, 0)} customers ${backward ? 'leading to' : 'after'} “${event}”, ${d.steps - 1} steps.`;
  const parts: string[] = [];
  for (let s = 0; s < d.steps - 1; s++) {
    const best = d.links.filter((l) => l.step === s).sort((a, b) => b.count - a.count)[0];
    if (!best) continue;
    const from = nodeById(d, best.source)?.name ?? '';
    const to = nodeById(d, best.target)?.name ?? '';
    parts.push(`${from} → ${to}: ${formatNumber(best.count, 0)} (${formatPercent(best.share)})`);
  }
  return parts.length ? `${head} The largest flow of each step: ${parts.join('; ')}. The table lists every flow.` : head;
}

function nodeColor(name: string, colors: Map<string, string>): string {
  if (name === '(other)') return '#b9c0ca';
  if (SPECIAL_NODES.has(name)) return '#8a94a3';
  let c = colors.get(name);
  if (!c) {
    c = PALETTE[colors.size % PALETTE.length];
    colors.set(name, c);
  }
  return c;
}

/**
 * The ECharts sankey option. ECharts needs unique node names, so a node's ECharts name is its
 * id ("2:Pricing") and its label is the event name; `depth` pins each box to its step's column.
 * The same event has the same colour at every step; (end), (start) and (other) are grey.
 */
export function sankeyOption(d: PathsData, backward: boolean): Record<string, unknown> {
  const colors = new Map<string, string>();
  const byId = new Map(d.nodes.map((n) => [n.id, n]));
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { dataType?: string; data?: { name?: string; source?: string; target?: string; value?: number } }) => {
        if (p.dataType === 'edge') {
          const from = byId.get(p.data?.source ?? '');
          const to = byId.get(p.data?.target ?? '');
          if (!from || !to) return '';
          const share = from.count > 0 ? (p.data?.value ?? 0) / from.count : null;
          return `${escapeHtml(from.name)} → ${escapeHtml(to.name)}<br/><b>${escapeHtml(formatNumber(p.data?.value ?? 0, 0))}</b> customers (${escapeHtml(formatPercent(share))} of ${escapeHtml(from.name)})`;
        }
        const n = byId.get(p.data?.name ?? '');
        return n ? `${escapeHtml(n.name)} (${escapeHtml(stepLabel(n.step, d, backward))})<br/><b>${escapeHtml(formatNumber(n.count, 0))}</b> customers` : '';
      },
    },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: 150,
        top: 8,
        bottom: 8,
        nodeWidth: 14,
        nodeGap: 10,
        nodeAlign: backward ? 'right' : 'left',
        layoutIterations: 32,
        draggable: false,
        emphasis: { focus: 'adjacency' },
        label: { formatter: (p: { data?: { label?: string } }) => p.data?.label ?? '', width: 140, overflow: 'truncate', fontSize: 12 },
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        data: d.nodes.map((n) => ({ name: n.id, label: n.name, value: n.count, depth: n.step, itemStyle: { color: nodeColor(n.name, colors) } })),
        links: d.links.map((l) => ({ source: l.source, target: l.target, value: l.count })),
      },
    ],
  };
}

/** The chart's height: room for the tallest column's boxes. */
export function sankeyHeight(d: PathsData): number {
  const perStep = new Map<number, number>();
  for (const n of d.nodes) perStep.set(n.step, (perStep.get(n.step) ?? 0) + 1);
  const tallest = Math.max(1, ...perStep.values());
  return Math.min(720, Math.max(260, 40 + tallest * 30));
}
