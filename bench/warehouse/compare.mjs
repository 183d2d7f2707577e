// The warehouse benchmark, as `make bench` runs it: Rapport against DuckDB and ClickHouse on the
// same generated events in one run (bench/warehouse/README.md).
//
//  1. generates the CSV (generate.mjs) into --work, or reuses the one made there before with
//     the same options and the same generator;
//  2. Rapport: `warehouse_bench load` into a fresh warehouse directory, then each question with
//     `warehouse_bench query --repeat RUNS+1`, the first run (cold) left out (skipped, saying
//     why, while the binary is not built);
//  3. the peers (peers.mjs): DuckDB and ClickHouse load the CSV and answer the same questions
//     (one untimed run, then RUNS timed runs);
//  4. prints one table: per question the best (and median) time of each engine, the speed-up of
//     Rapport over the faster peer, the target (funnel, retention ≥ 3×; trends, uniques ≥ 2×),
//     and whether every engine's answer is exactly the same; then any differences. The full
//     results go to WORK/results-*.json.
// Exits 1 when answers differ (or an engine fails), 0 otherwise: the times are never judged.
//
//   node bench/warehouse/compare.mjs [--events 10000000] [--profiles 1000000] [--days 90]
//        [--seed 1] [--runs 5] [--work /tmp/rapport-warehouse-bench] [--skip-duckdb]
//        [--skip-clickhouse] [--skip-rapport] [--rapport-bin PATH] [--duckdb-file] [--smoke]
// --smoke: 20,000 events, 2,000 profiles, 14 days, 1 run (CI's bench-smoke).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dataRange, DEFAULT_END, generate, parseArgs } from './generate.mjs';
import { runPeers, summarize } from './peers.mjs';
import { benchQuestions, diffAnswers, fromRapport } from './questions.mjs';
import { DEFAULT_RAPPORT_BIN, rapportLoad, rapportMissing, rapportQuery } from './rapport.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const logCompare = (m) => process.stderr.write(`compare: ${m}\n`);
const log = logCompare;

// The CSV for these options, generated unless a file made by the same generator is there.
export function ensureCsv(work, { events, profiles, days, seed, end = DEFAULT_END }, log = logCompare) {
  const gen = crypto.createHash('sha256').update(fs.readFileSync(path.join(HERE, 'generate.mjs'))).digest('hex').slice(0, 10);
  const csv = path.join(work, `events-${events}-${profiles}-${days}d-seed${seed}-${gen}.csv`);
  if (fs.existsSync(csv)) {
    log(`reusing ${csv}`);
    return csv;
  }
  fs.mkdirSync(work, { recursive: true });
  const stem = `events-${events}-${profiles}-${days}d-seed${seed}-`;
  for (const f of fs.readdirSync(work)) {
    // Data of an older generator with the same options (and Rapport's warehouse of it) is stale.
    if (f.startsWith(stem) || f.startsWith(`rapport-${stem}`)) {
      fs.rmSync(path.join(work, f), { recursive: true, force: true });
    }
  }
  log(`generating ${events} events, ${profiles} profiles, ${days} days → ${csv}`);
  const s = generate({ events, profiles, days, seed, end, out: csv, quiet: true });
  log(`generated in ${s.seconds.toFixed(1)} s`);
  return csv;
}

async function runRapport({ bin, csv, work, questions, runs }) {
  const missing = rapportMissing(bin);
  if (missing) return { engine: 'rapport', skipped: missing };
  const dir = path.join(work, `rapport-${path.basename(csv, '.csv')}`);
  log(`rapport: loading into ${dir}`);
  const load = await rapportLoad(bin, csv, dir);
  log(`rapport: ${load.rows} rows in ${load.seconds.toFixed(1)} s`);
  const out = {};
  for (const q of questions) {
    // One more run than timed: the first (cold) is the warm-up, as the
    // peers' untimed first run is.
    const r = await rapportQuery(bin, dir, q.spec, runs + 1);
    const warm = r.seconds.length > 1 ? r.seconds.slice(1) : r.seconds;
    out[q.name] = { ...summarize(warm), cold: r.seconds[0], answer: fromRapport(q.spec, r.result), raw: r.result };
    log(`rapport: ${q.name} best ${out[q.name].best.toFixed(3)} s, median ${out[q.name].median.toFixed(3)} s`);
  }
  return { engine: 'rapport', bin, load, questions: out };
}

const sec = (x) => x.toFixed(x < 0.1 ? 4 : 3);
const fmtTime = (q) => (q ? `${sec(q.best)} / ${sec(q.median)}` : '—');

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function report({ questions, engines, runs }) {
  const by = Object.fromEntries(engines.map((e) => [e.engine, e]));
  const names = { rapport: 'Rapport', duckdb: 'DuckDB', clickhouse: 'ClickHouse' };
  const rows = [['question', 'Rapport s', 'DuckDB s', 'ClickHouse s', 'Rapport vs faster peer', 'target', 'met', 'answers']];
  const diffs = [];
  let disagree = false;
  for (const q of questions) {
    const get = (e) => by[e]?.questions?.[q.name];
    const peers = ['duckdb', 'clickhouse'].filter((e) => get(e));
    const fastest = peers.sort((a, b) => get(a).best - get(b).best)[0];
    const r = get('rapport');
    let ratio = '—', met = '—';
    if (r && fastest) {
      const x = get(fastest).best / r.best;
      ratio = `${x >= 1 ? `${x.toFixed(2)}× faster` : `${(1 / x).toFixed(2)}× slower`} (vs ${names[fastest]})`;
      met = x >= q.target ? 'yes' : 'no';
    }
    const answered = ['rapport', 'clickhouse', 'duckdb'].filter((e) => get(e));
    let agree = answered.length < 2 ? 'n/a' : 'yes';
    for (const e of answered.slice(1)) {
      const d = diffAnswers(get(answered[0]).answer, get(e).answer);
      if (d.length) {
        agree = 'NO';
        disagree = true;
        diffs.push(`${q.name}: ${names[answered[0]]} ≠ ${names[e]}:\n  ${d.join('\n  ')}`);
      }
    }
    rows.push([q.title, fmtTime(get('rapport')), fmtTime(get('duckdb')), fmtTime(get('clickhouse')), ratio,
      `≥ ${q.target}×`, met, agree]);
  }
  const lines = [];
  lines.push(`times: best / median of ${runs} warm run${runs === 1 ? '' : 's'}, in seconds`);
  lines.push(table(rows));
  lines.push('');
  for (const e of engines) {
    if (e.skipped) lines.push(`${names[e.engine]}: skipped: ${e.skipped}`);
    else {
      const extra = e.load.optimize_seconds !== undefined ? ` + OPTIMIZE FINAL ${e.load.optimize_seconds.toFixed(1)} s` : '';
      const how = e.storage ? ` (${e.storage === 'memory' ? 'in memory' : 'database file'})` : e.version ? ` ${e.version}` : '';
      lines.push(`${names[e.engine]}${how}: loaded ${e.load.rows} rows in ${e.load.seconds.toFixed(1)} s${extra}`);
    }
  }
  if (diffs.length) lines.push('', 'ANSWERS DIFFER:', ...diffs);
  return { text: lines.join('\n'), disagree };
}

async function main() {
  const a = parseArgs(process.argv.slice(2), {
    events: 10_000_000, profiles: 1_000_000, days: 90, seed: 1, runs: 5,
    work: path.join(os.tmpdir(), 'rapport-warehouse-bench'), 'skip-duckdb': false, 'skip-clickhouse': false,
    'skip-rapport': false, 'rapport-bin': DEFAULT_RAPPORT_BIN, 'duckdb-file': false, smoke: false,
  });
  if (a.smoke) Object.assign(a, { events: 20_000, profiles: 2_000, days: 14, runs: 1 });
  const work = path.resolve(a.work);
  const csv = ensureCsv(work, a);
  const { from, to } = dataRange({ days: a.days });
  const questions = benchQuestions(from, to);
  log(`questions over [${from}, ${to}), ${a.runs} run(s) each`);

  const engines = [];
  engines.push(a['skip-rapport'] ? { engine: 'rapport', skipped: '--skip-rapport' }
    : await runRapport({ bin: path.resolve(a['rapport-bin']), csv, work, questions, runs: a.runs }));
  if (engines[0].skipped) log(`rapport: skipped: ${engines[0].skipped}`);
  engines.push(...await runPeers({
    csv, questions, runs: a.runs, skipDuckdb: a['skip-duckdb'], skipClickhouse: a['skip-clickhouse'],
    duckdbFile: a['duckdb-file'], dir: work, log,
  }));

  const { text, disagree } = report({ questions, engines, runs: a.runs });
  const results = path.join(work, `results-${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}.json`);
  fs.writeFileSync(results, JSON.stringify({
    events: a.events, profiles: a.profiles, days: a.days, seed: a.seed, runs: a.runs, csv, from, to,
    machine: { cpus: os.cpus().length, load: os.loadavg() }, engines,
  }, null, 1));
  console.log(`\nwarehouse: ${a.events} events, ${a.profiles} profiles, ${a.days} days (${from} … ${to})`);
  console.log(text);
  console.log(`\nfull results: ${results}`);
  if (disagree) process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`compare: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
