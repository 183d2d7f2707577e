// A reference implementation of the questions in plain JavaScript, straight from the semantics
// written in questions.mjs, for crosscheck.mjs on small data (it holds every row in memory).
// It shares no algorithm with the engines: a funnel tries every step-1 event as the start and
// follows the earliest matching event of each next step (optimal for a fixed start), and times
// are compared in µs.

import fs from 'node:fs';
import { addPeriods, windowSeconds } from './questions.mjs';

const PATHS = { 'context.campaign.source': 4, 'properties.category': 5, 'properties.revenue': 6 };

// Rows as [ts_us, profile, type, event, source, category, revenue] ('' for absent), by profile.
export function loadCsv(csv) {
  const byProfile = new Map();
  const lines = fs.readFileSync(csv, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(',');
    const row = [Number(f[0]), Number(f[1]), f[2], f[3], f[4], f[5], f[6]];
    if (!byProfile.has(row[1])) byProfile.set(row[1], []);
    byProfile.get(row[1]).push(row);
  }
  for (const rows of byProfile.values()) rows.sort((a, b) => a[0] - b[0]);
  return byProfile;
}

function matcher(filter = {}) {
  return (r) => {
    if (filter.event !== undefined && r[3] !== filter.event) return false;
    if (filter.type !== undefined && r[2] !== filter.type) return false;
    for (const w of filter.where ?? []) {
      const v = r[PATHS[w.path]];
      if (w.op !== 'eq' || v === '' || v !== String(w.value)) return false;
    }
    return true;
  };
}

function periodStart(ms, interval) {
  const d = new Date(ms);
  switch (interval) {
    case 'hour': return ms - (ms % 3_600_000);
    case 'day': return ms - (ms % 86_400_000);
    case 'week': {
      const day = ms - (ms % 86_400_000);
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
    }
    case 'month': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    default: throw new Error(`interval ${interval}`);
  }
}

// The canonical answer (questions.mjs) to one spec.
export function referenceAnswer(byProfile, spec) {
  const fromUs = Date.parse(spec.from) * 1000, toUs = Date.parse(spec.to) * 1000;
  const inRange = (r) => r[0] >= fromUs && r[0] < toUs;
  const iso = (ms) => new Date(ms).toISOString();
  switch (spec.kind) {
    case 'funnel': {
      const steps = spec.steps.map(matcher);
      const w = windowSeconds(spec.window) * 1e6;
      const counts = new Array(steps.length).fill(0);
      for (const all of byProfile.values()) {
        const rows = all.filter(inRange);
        let level = 0;
        for (let i = 0; i < rows.length && level < steps.length; i++) {
          if (!steps[0](rows[i])) continue;
          const start = rows[i][0];
          let k = 1, last = i;
          for (let j = i + 1; j < rows.length && k < steps.length && rows[j][0] <= start + w; j++) {
            if (rows[j][0] > rows[last][0] && steps[k](rows[j])) {
              k++;
              last = j;
            }
          }
          level = Math.max(level, k);
        }
        for (let k = 0; k < level; k++) counts[k]++;
      }
      return { steps: counts };
    }
    case 'retention': {
      const isStart = matcher(spec.start), isReturn = matcher(spec.return);
      const toMs = toUs / 1000;
      const cells = new Map(); // cohort start → counts
      for (const rows of byProfile.values()) {
        const first = rows.find(isStart);
        if (!first || !inRange(first)) continue;
        const c = periodStart(first[0] / 1000, spec.interval);
        if (!cells.has(c)) cells.set(c, new Array(spec.periods).fill(0));
        const cell = cells.get(c);
        cell[0]++;
        const seen = new Set();
        for (const r of rows) {
          if (!isReturn(r)) continue; // at any time, also after `to`
          const p = periodStart(r[0] / 1000, spec.interval);
          for (let k = 1; k < spec.periods; k++) {
            if (p === addPeriods(c, k, spec.interval) && !seen.has(k)) {
              seen.add(k);
              cell[k]++;
            }
          }
        }
      }
      const cohorts = [...cells].sort((a, b) => a[0] - b[0]).map(([c, cell]) => ({
        start: iso(c),
        size: cell[0],
        returned: cell.map((v, k) => (addPeriods(c, k, spec.interval) >= toMs ? null : v)),
      }));
      return { cohorts };
    }
    case 'trends': {
      const s = spec.series[0];
      const ok = matcher(s.filter);
      const col = spec.breakdown ? PATHS[spec.breakdown.property] : -1;
      const acc = new Map(); // breakdown → period → count or Set of profiles
      for (const rows of byProfile.values()) {
        for (const r of rows) {
          if (!inRange(r) || !ok(r)) continue;
          const b = col < 0 || r[col] === '' ? null : r[col];
          const t = periodStart(r[0] / 1000, spec.interval);
          if (!acc.has(b)) acc.set(b, new Map());
          const m = acc.get(b);
          if (s.measure === 'unique_profiles') {
            if (!m.has(t)) m.set(t, new Set());
            m.get(t).add(r[1]);
          } else {
            m.set(t, (m.get(t) ?? 0) + 1);
          }
        }
      }
      const keys = [...acc.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
      return {
        series: keys.map((b) => ({
          breakdown: b,
          points: [...acc.get(b)].sort((x, y) => x[0] - y[0])
            .map(([t, v]) => [iso(t), typeof v === 'number' ? v : v.size]),
        })),
      };
    }
    default:
      throw new Error(`kind ${spec.kind}`);
  }
}
