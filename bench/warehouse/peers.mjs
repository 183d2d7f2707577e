// The peers' side of the warehouse benchmark: loads one CSV from generate.mjs into DuckDB
// (@duckdb/node-api, SET threads = 2, read_csv into a typed table) and into ClickHouse 18.16
// (a clickhouse-server started here on 127.0.0.1 with a temporary dir and free ports,
// MergeTree ORDER BY (profile, ts), loaded with clickhouse-client, stopped at the end), then runs
// each question warm — one untimed run, then --runs timed runs — and prints the load times, the
// best and median time of each question and each answer, as JSON.
//
// The questions and their exact semantics, with the SQL in both dialects: questions.mjs.
//   funnel     Product Viewed → Product Added → Order Completed, 7-day window, ts in [from, to):
//              level = highest k with e1..ek matching steps 1..k, strictly increasing times,
//              ts(ek) <= ts(e1) + 7 days; answer: profiles with level >= k, k = 1..3.
//              ClickHouse windowFunnel(604800)(ts, ...); DuckDB: an exact ASOF-join chain.
//   retention  weekly (Monday, UTC), 8 periods: cohort = week of a profile's first-ever
//              "Signed Up" (in [from, to)); cell 0 = cohort size; cell k = members with a
//              "Page Viewed" in week cohort + k (at any time, also after `to`); cells of
//              weeks starting at/after `to` null.
//   trends     "Page Viewed" per UTC day by context.campaign.source (none = null).
//   uniques    distinct profiles with any event per UTC day.
//
//   node bench/warehouse/peers.mjs --csv FILE [--days 90] [--end 2026-10-01T00:00:00Z]
//        [--runs 5] [--skip-duckdb] [--skip-clickhouse] [--duckdb-file] [--work DIR]
//   node bench/warehouse/peers.mjs --print-sql [--days 90]    (the SQL of each question)

import { pathToFileURL } from 'node:url';
import { ClickHouse, clickhouseMissing } from './clickhouse.mjs';
import { DuckDB, duckdbMissing } from './duckdb.mjs';
import { dataRange, DEFAULT_END, parseArgs } from './generate.mjs';
import {
  benchQuestions, clickhouseSql, duckdbSql, fromClickhouse, fromDuckdb,
} from './questions.mjs';

export function summarize(seconds) {
  const s = [...seconds].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { best: +s[0].toFixed(6), median: +median.toFixed(6), seconds: seconds.map((x) => +x.toFixed(4)) };
}

async function timed(runs, fn) {
  let answer = await fn(); // warm-up, and the answer
  const seconds = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    answer = await fn();
    seconds.push((performance.now() - t0) / 1000);
  }
  return { ...summarize(seconds), answer };
}

// One engine: {engine, load, questions: {name: {best, median, seconds, answer}}} or
// {engine, skipped: reason}.
export async function runDuckdb({ csv, questions, runs, memory = true, dir, log = () => {} }) {
  const missing = duckdbMissing();
  if (missing) return { engine: 'duckdb', skipped: missing };
  const db = await DuckDB.open({ memory, dir });
  try {
    log(`duckdb: loading ${csv}`);
    const load = await db.load(csv);
    log(`duckdb: ${load.rows} rows in ${load.seconds.toFixed(1)} s`);
    const out = {};
    for (const q of questions) {
      const sql = duckdbSql(q.spec);
      out[q.name] = await timed(runs, async () => fromDuckdb(q.spec, await db.rows(sql)));
      log(`duckdb: ${q.name} best ${out[q.name].best.toFixed(3)} s, median ${out[q.name].median.toFixed(3)} s`);
    }
    return { engine: 'duckdb', storage: memory ? 'memory' : 'file', load, questions: out };
  } finally {
    db.close();
  }
}

export async function runClickhouse({ csv, questions, runs, log = () => {} }) {
  const missing = clickhouseMissing();
  if (missing) return { engine: 'clickhouse', skipped: missing };
  const ch = await ClickHouse.start({ log: (m) => log(`clickhouse: ${m}`) });
  try {
    log(`clickhouse: loading ${csv}`);
    const load = await ch.load(csv);
    log(`clickhouse: ${load.rows} rows in ${load.seconds.toFixed(1)} s (+ OPTIMIZE FINAL ${load.optimize_seconds.toFixed(1)} s)`);
    const out = {};
    for (const q of questions) {
      const sql = clickhouseSql(q.spec);
      out[q.name] = await timed(runs, async () => fromClickhouse(q.spec, await ch.rows(sql)));
      log(`clickhouse: ${q.name} best ${out[q.name].best.toFixed(3)} s, median ${out[q.name].median.toFixed(3)} s`);
    }
    return { engine: 'clickhouse', version: (await ch.query('SELECT version()')).trim(), load, questions: out };
  } finally {
    await ch.stop();
  }
}

export async function runPeers({ csv, questions, runs = 5, skipDuckdb = false, skipClickhouse = false,
  duckdbFile = false, dir, log = () => {} }) {
  const peers = [];
  peers.push(skipDuckdb ? { engine: 'duckdb', skipped: '--skip-duckdb' }
    : await runDuckdb({ csv, questions, runs, memory: !duckdbFile, dir, log }));
  peers.push(skipClickhouse ? { engine: 'clickhouse', skipped: '--skip-clickhouse' }
    : await runClickhouse({ csv, questions, runs, log }));
  return peers;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const a = parseArgs(process.argv.slice(2), {
      csv: '', days: 90, end: DEFAULT_END, runs: 5, 'skip-duckdb': false, 'skip-clickhouse': false,
      'duckdb-file': false, work: '', 'print-sql': false,
    });
    const { from, to } = dataRange({ days: a.days, end: a.end });
    const questions = benchQuestions(from, to);
    if (a['print-sql']) {
      for (const q of questions) {
        console.log(`-- ${q.title}: ${JSON.stringify(q.spec)}\n-- DuckDB\n${duckdbSql(q.spec)};\n` +
          `-- ClickHouse\n${clickhouseSql(q.spec)};\n`);
      }
      process.exit(0);
    }
    if (!a.csv) throw new Error('--csv FILE is required');
    const peers = await runPeers({
      csv: a.csv, questions, runs: a.runs, skipDuckdb: a['skip-duckdb'], skipClickhouse: a['skip-clickhouse'],
      duckdbFile: a['duckdb-file'], dir: a.work || undefined,
      log: (m) => process.stderr.write(`peers: ${m}\n`),
    });
    console.log(JSON.stringify({ csv: a.csv, from, to, runs: a.runs, peers }, null, 1));
  } catch (e) {
    console.error(`peers: ${e.stack ?? e.message}`);
    process.exit(1);
  }
}
