// The analytics questions, in one place: Rapport's query specs, the same question as SQL for
// DuckDB and for ClickHouse 18.16, and every engine's answer brought to one canonical form so
// that answers can be compared exactly. All times are UTC; a week starts on Monday.
//
// Semantics (from/to: a time range [from, to); W: the window; "matches" = the step's filter):
//
// * funnel (steps 1..n, window W): consider the events with ts in [from, to). A profile's level
//   is the highest k such that it has events e1..ek with e_j matching step j, strictly
//   increasing times ts(e1) < ... < ts(ek), and ts(ek) <= ts(e1) + W. Answer: for k = 1..n
//   the number of profiles with level >= k.
//     ClickHouse: windowFunnel(W seconds)(ts, cond1, ..., condn) per profile. Its algorithm
//     (events sorted by second; for step j keep the latest start of a chain reaching j) is
//     exact for these semantics when no two events of a profile share a second, which the
//     generator guarantees (and the window is a whole number of seconds, and every event of a
//     profile has the same sub-second part, so comparing in µs or in seconds decides alike).
//     DuckDB has no windowFunnel; the same algorithm as SQL: c1 = step-1 events (start =
//     own ts); c_j = step-j events ASOF-joined to the latest c_{j-1} row of the same profile
//     strictly before them, kept when ts <= that row's start + W, carrying its start. The
//     latest earlier valid c_{j-1} row has the latest start (starts never decrease along a
//     profile's time), which is the best possible, so this is exact. (funnelWindowSql is a
//     second formulation with window functions, used by crosscheck.mjs to check this one.)
// * retention (interval I = day | week | month, n periods): a profile's cohort is the period
//   holding its first-ever "start" event (here "Signed Up"; the generator makes at most one
//   per profile), for first events in [from, to). Cell 0 = cohort size; cell k (1..n-1) =
//   cohort members with a "return" event (here "Page Viewed") in period cohort + k, at any time
//   (also after `to`: a period that started before `to` counts what happened in it, as
//   docs/queries.md says Rapport does); cells whose period starts at or after `to` are null.
// * trends by channel: the number of events matching the filter ("Page Viewed") per UTC day
//   (or hour/week/month) and value of the breakdown property (context.campaign.source; events
//   without one form the group null).
// * unique profiles per day: the number of distinct profiles with any event per UTC day.

export const RETURN_EVENT = 'Page Viewed';
export const FUNNEL_STEPS = ['Product Viewed', 'Product Added', 'Order Completed'];

// The four benchmark questions over [from, to) (ISO strings).
export function benchQuestions(from, to) {
  return [
    {
      name: 'funnel',
      title: 'funnel 3 steps, 7 days',
      target: 3,
      spec: { kind: 'funnel', from, to, steps: FUNNEL_STEPS.map((event) => ({ event })), window: { days: 7 } },
    },
    {
      name: 'retention',
      title: 'retention weekly, 8 periods',
      target: 3,
      spec: {
        kind: 'retention', from, to, start: { event: 'Signed Up' }, return: { event: RETURN_EVENT },
        interval: 'week', periods: 8,
      },
    },
    {
      name: 'trends',
      title: 'trends by channel, daily',
      target: 2,
      spec: {
        kind: 'trends', from, to, interval: 'day',
        series: [{ filter: { event: 'Page Viewed' }, measure: 'count' }],
        breakdown: { property: 'context.campaign.source' }, limit: 100,
      },
    },
    {
      name: 'uniques',
      title: 'unique profiles per day',
      target: 2,
      spec: { kind: 'trends', from, to, interval: 'day', series: [{ measure: 'unique_profiles' }] },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

const COLUMNS = {
  'context.campaign.source': 'source',
  'properties.category': 'category',
  'properties.revenue': 'revenue',
};
function column(pathName) {
  const c = COLUMNS[pathName];
  if (!c) throw new Error(`no column for property ${pathName} (known: ${Object.keys(COLUMNS).join(', ')})`);
  return c;
}

const PERIOD_MS = { hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

export function windowSeconds(w) {
  const s = (w.seconds ?? 0) + 60 * (w.minutes ?? 0) + 3600 * (w.hours ?? 0) + 86400 * (w.days ?? 0);
  if (!(s > 0) || !Number.isInteger(s)) throw new Error(`bad window ${JSON.stringify(w)}`);
  return s;
}

// Start (ms) of the period `k` periods after the one starting at `startMs`.
export function addPeriods(startMs, k, interval) {
  if (interval === 'month') {
    const d = new Date(startMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1);
  }
  return startMs + k * PERIOD_MS[interval];
}

const iso = (ms) => new Date(ms).toISOString();
const isoOf = (t) => iso(typeof t === 'number' ? t : Date.parse(t));

function sqlString(v, dialect) {
  const s = String(v);
  return dialect === 'clickhouse' ? `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'` : `'${s.replaceAll("'", "''")}'`;
}

// A filter ({event, type, where: [{path, op: "eq", value}]}) as a SQL condition.
function condition(filter = {}, dialect, alias = '') {
  const a = alias ? `${alias}.` : '';
  const parts = [];
  if (filter.event !== undefined) parts.push(`${a}event = ${sqlString(filter.event, dialect)}`);
  if (filter.type !== undefined) parts.push(`${a}type = ${sqlString(filter.type, dialect)}`);
  for (const w of filter.where ?? []) {
    if (w.op !== 'eq') throw new Error(`where op ${w.op}: only eq is translated`);
    const v = typeof w.value === 'number' ? String(w.value) : sqlString(w.value, dialect);
    parts.push(`${a}${column(w.path)} = ${v}`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : '(1 = 1)';
}

function range(spec, dialect) {
  const f = Date.parse(spec.from) / 1000, t = Date.parse(spec.to) / 1000;
  if (dialect === 'clickhouse') return { lo: `toDateTime(${f})`, hi: `toDateTime(${t})` };
  return { lo: `make_timestamp(${f * 1e6})`, hi: `make_timestamp(${t * 1e6})` };
}

// ClickHouse: period start as DateTime, and a number that grows by one per period.
function chPeriod(interval) {
  switch (interval) {
    case 'hour': return { start: (x) => `toStartOfHour(${x})`, rel: (x) => `toRelativeHourNum(${x})` };
    case 'day': return { start: (x) => `toStartOfDay(${x})`, rel: (x) => `toRelativeDayNum(${x})` };
    case 'week': return { start: (x) => `toDateTime(toMonday(${x}))`, rel: (x) => `toRelativeWeekNum(${x})` };
    case 'month': return { start: (x) => `toDateTime(toStartOfMonth(${x}))`, rel: (x) => `toRelativeMonthNum(${x})` };
    default: throw new Error(`interval ${interval}`);
  }
}

// ---------------------------------------------------------------------------------------------
// SQL

export function duckdbSql(spec) {
  const { lo, hi } = range(spec, 'duckdb');
  switch (spec.kind) {
    case 'funnel': {
      const w = windowSeconds(spec.window);
      const conds = spec.steps.map((s) => condition(s, 'duckdb'));
      const ctes = [
        `e AS (SELECT profile, ts, ${conds.map((c, j) => `${c} AS m${j + 1}`).join(', ')}
          FROM events WHERE ts >= ${lo} AND ts < ${hi} AND (${conds.join(' OR ')}))`,
        `c1 AS (SELECT profile, ts, ts AS start FROM e WHERE m1)`,
      ];
      for (let j = 2; j <= conds.length; j++) {
        ctes.push(`c${j} AS (SELECT x.profile, x.ts, p.start
          FROM (SELECT profile, ts FROM e WHERE m${j}) x
          ASOF JOIN c${j - 1} p ON x.profile = p.profile AND x.ts > p.ts
          WHERE x.ts <= p.start + INTERVAL ${w} SECOND)`);
      }
      return `WITH ${ctes.join(',\n')}
        SELECT ${conds.map((_, j) => `(SELECT count(DISTINCT profile) FROM c${j + 1})`).join(', ')}`;
    }
    case 'retention': {
      const u = spec.interval;
      const n = spec.periods;
      const k = u === 'month'
        ? `date_diff('month', c, p)`
        : `(epoch_ms(p) - epoch_ms(c)) // ${PERIOD_MS[u]}`;
      return `WITH first AS (
          SELECT profile, min(ts) AS t FROM events WHERE ${condition(spec.start, 'duckdb')} GROUP BY profile),
        cohort AS (SELECT profile, date_trunc('${u}', t) AS c FROM first WHERE t >= ${lo} AND t < ${hi}),
        ret AS (
          SELECT DISTINCT r.profile, k.c, date_trunc('${u}', r.ts) AS p
          FROM events r JOIN cohort k ON r.profile = k.profile
          WHERE ${condition(spec.return, 'duckdb', 'r')}
            AND r.ts >= k.c + INTERVAL 1 ${u} AND r.ts < k.c + INTERVAL ${n} ${u})
        SELECT epoch_ms(c), 0, count(*) FROM cohort GROUP BY c
        UNION ALL
        SELECT epoch_ms(c), ${k}, count(*) FROM ret GROUP BY c, p`;
    }
    case 'trends': {
      const s = spec.series[0];
      const measure = s.measure === 'unique_profiles' ? 'count(DISTINCT profile)' : 'count(*)';
      const b = spec.breakdown ? column(spec.breakdown.property) : 'NULL';
      return `SELECT epoch_ms(date_trunc('${spec.interval}', ts)) AS t, ${b} AS b, ${measure}
        FROM events WHERE ts >= ${lo} AND ts < ${hi} AND ${condition(s.filter, 'duckdb')}
        GROUP BY ALL`;
    }
    default:
      throw new Error(`kind ${spec.kind}`);
  }
}

// The funnel with window functions instead of ASOF joins (same algorithm): p_j = the latest
// start of a chain reaching step j on an earlier row of the profile.
export function duckdbFunnelWindowSql(spec) {
  const { lo, hi } = range(spec, 'duckdb');
  const w = windowSeconds(spec.window);
  const conds = spec.steps.map((s) => condition(s, 'duckdb'));
  const win = 'OVER (PARTITION BY profile ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)';
  const valid = (j) => (j === 1 ? 'm1' : `(m${j} AND ts <= p${j - 1} + INTERVAL ${w} SECOND)`);
  const ctes = [`w0 AS (SELECT profile, ts, ${conds.map((c, j) => `${c} AS m${j + 1}`).join(', ')}
    FROM events WHERE ts >= ${lo} AND ts < ${hi} AND (${conds.join(' OR ')}))`];
  for (let j = 1; j < conds.length; j++) {
    ctes.push(`w${j} AS (SELECT *, max(CASE WHEN ${valid(j)} THEN ${j === 1 ? 'ts' : `p${j - 1}`} END) ${win} AS p${j}
      FROM w${j - 1})`);
  }
  return `WITH ${ctes.join(',\n')}
    SELECT ${conds.map((_, j) => `count(DISTINCT profile) FILTER (WHERE ${valid(j + 1)})`).join(', ')}
    FROM w${conds.length - 1}`;
}

export function clickhouseSql(spec) {
  const { lo, hi } = range(spec, 'clickhouse');
  switch (spec.kind) {
    case 'funnel': {
      const w = windowSeconds(spec.window);
      const conds = spec.steps.map((s) => condition(s, 'clickhouse'));
      return `SELECT level, count() FROM (
          SELECT profile, windowFunnel(${w})(ts, ${conds.join(', ')}) AS level
          FROM events WHERE ts >= ${lo} AND ts < ${hi} AND (${conds.join(' OR ')})
          GROUP BY profile)
        GROUP BY level`;
    }
    case 'retention': {
      // 18.16 has no CTEs: the first sign-ups are aggregated twice (sizes, and the join).
      const per = chPeriod(spec.interval);
      const S = condition(spec.start, 'clickhouse');
      const first = `SELECT profile, min(ts) AS t FROM events WHERE ${S} GROUP BY profile
            HAVING t >= ${lo} AND t < ${hi}`;
      return `SELECT toUInt32(c), k, uniqExact(profile) FROM (
          SELECT profile, c, ${per.rel('ts')} - ${per.rel('c')} AS k
          FROM (SELECT profile, ts FROM events WHERE ${condition(spec.return, 'clickhouse')})
          ALL INNER JOIN (SELECT profile, ${per.start('t')} AS c FROM (${first})) USING profile)
        WHERE k >= 1 AND k < ${spec.periods}
        GROUP BY c, k
        UNION ALL
        SELECT toUInt32(${per.start('t')}) AS c, 0, count() FROM (${first}) GROUP BY c`;
    }
    case 'trends': {
      const s = spec.series[0];
      const measure = s.measure === 'unique_profiles' ? 'uniqExact(profile)' : 'count()';
      const b = spec.breakdown ? column(spec.breakdown.property) : "''";
      return `SELECT toUInt32(${chPeriod(spec.interval).start('ts')}) AS t, ${b} AS b, ${measure}
        FROM events WHERE ts >= ${lo} AND ts < ${hi} AND ${condition(s.filter, 'clickhouse')}
        GROUP BY t, b`;
    }
    default:
      throw new Error(`kind ${spec.kind}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical answers
//   funnel:    {steps: [n1, ..., nk]}
//   retention: {cohorts: [{start: ISO, size, returned: [size, n1, ..., null...]}]} by start;
//              cohorts of size 0 left out
//   trends:    {series: [{breakdown: value | null, points: [[ISO, value], ...]}]} by breakdown
//              (null first), points by time, zero points and empty series left out

function retentionCells(spec, rows) {
  // rows: [cohortStartMs, k, count]
  const toMs = Date.parse(spec.to);
  const byStart = new Map();
  for (const [c, k, n] of rows) {
    if (!byStart.has(c)) byStart.set(c, new Array(spec.periods).fill(0));
    byStart.get(c)[k] = n;
  }
  const cohorts = [];
  for (const [c, cells] of [...byStart].sort((a, b) => a[0] - b[0])) {
    if (!cells[0]) continue;
    const returned = cells.map((v, k) => (addPeriods(c, k, spec.interval) >= toMs ? null : v));
    returned[0] = cells[0];
    cohorts.push({ start: iso(c), size: cells[0], returned });
  }
  return { cohorts };
}

function trendSeries(rows) {
  // rows: [tMs, breakdown | null, value]
  const by = new Map();
  for (const [t, b, v] of rows) {
    if (!v) continue;
    const key = b ?? null;
    if (!by.has(key)) by.set(key, []);
    by.get(key).push([t, v]);
  }
  const keys = [...by.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    series: keys.map((k) => ({
      breakdown: k,
      points: by.get(k).sort((a, b) => a[0] - b[0]).map(([t, v]) => [iso(t), v]),
    })),
  };
}

export function fromDuckdb(spec, rows) {
  switch (spec.kind) {
    case 'funnel':
      return { steps: rows[0].map(Number) };
    case 'retention':
      return retentionCells(spec, rows.map(([c, k, n]) => [Number(c), Number(k), Number(n)]));
    default:
      return trendSeries(rows.map(([t, b, v]) => [Number(t), b ?? null, Number(v)]));
  }
}

export function fromClickhouse(spec, rows) {
  switch (spec.kind) {
    case 'funnel': {
      const exact = new Array(spec.steps.length + 1).fill(0);
      for (const [level, n] of rows) exact[Number(level)] += Number(n);
      const steps = [];
      for (let k = spec.steps.length, acc = 0; k >= 1; k--) steps[k - 1] = acc += exact[k];
      return { steps };
    }
    case 'retention':
      return retentionCells(spec, rows.map(([c, k, n]) => [Number(c) * 1000, Number(k), Number(n)]));
    default:
      return trendSeries(rows.map(([t, b, v]) => [Number(t) * 1000, b === '' ? null : b, Number(v)]));
  }
}

export function fromRapport(spec, result) {
  switch (spec.kind) {
    case 'funnel':
      return { steps: (result.steps ?? []).map((s) => s.count) };
    case 'retention': {
      const cohorts = (result.cohorts ?? [])
        .filter((c) => c.size)
        .map((c) => ({ start: isoOf(c.start), size: c.size, returned: c.returned }))
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      return { cohorts };
    }
    default: {
      const rows = [];
      for (const s of result.series ?? []) {
        for (const p of s.points ?? []) rows.push([Date.parse(p.t), s.breakdown ?? null, p.value]);
      }
      return trendSeries(rows);
    }
  }
}

// Differences between two canonical answers: [] when equal, else up to `max` lines
// "path: a ≠ b".
export function diffAnswers(a, b, max = 20) {
  const out = [];
  const walk = (x, y, p) => {
    if (out.length >= max) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      // Series and cohorts: match by their key, so one missing item does not shift the rest.
      const key = (v) => (v && typeof v === 'object' && !Array.isArray(v)
        ? ('start' in v ? v.start : 'breakdown' in v ? JSON.stringify(v.breakdown) : undefined)
        : Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' ? v[0] : undefined);
      if (x.length && key(x[0]) !== undefined) {
        const mx = new Map(x.map((v) => [key(v), v]));
        const my = new Map(y.map((v) => [key(v), v]));
        for (const k of new Set([...mx.keys(), ...my.keys()])) {
          if (!mx.has(k)) out.push(`${p}[${k}]: missing ≠ ${JSON.stringify(my.get(k))}`);
          else if (!my.has(k)) out.push(`${p}[${k}]: ${JSON.stringify(mx.get(k))} ≠ missing`);
          else walk(mx.get(k), my.get(k), `${p}[${k}]`);
          if (out.length >= max) return;
        }
        return;
      }
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${p}[${i}]`);
      return;
    }
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[k], y[k], p ? `${p}.${k}` : k);
      return;
    }
    if (x !== y) out.push(`${p}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
  };
  walk(a, b, '');
  return out;
}
