// Correctness test of Rapport's funnels, retention and trends against ClickHouse, DuckDB (when
// installed) and a plain reference implementation (reference.mjs) on generated data — not a benchmark. Generates a small data set (default
// 200,000 events, 20,000 profiles, 60 days), loads it into ClickHouse (a server started on
// 127.0.0.1 as in peers.mjs), DuckDB and Rapport (build/bench/warehouse_bench load/query, see
// rapport.mjs), asks each the questions below and asserts that every answer is identical,
// printing the differences when not. Semantics: questions.mjs.
//
// Exits 1 on a mismatch or an error; exits 0 with a "skipped: <reason>" line when
// clickhouse-server is not installed or the Rapport binary does not exist yet (--peers: then
// cross-check DuckDB and ClickHouse alone, which tests the SQL of questions.mjs).
//
//   node bench/warehouse/crosscheck.mjs [--events 200000] [--profiles 20000] [--days 60]
//        [--seed 7] [--work /tmp/rapport-warehouse-crosscheck] [--rapport-bin PATH] [--peers]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClickHouse, clickhouseMissing } from './clickhouse.mjs';
import { ensureCsv } from './compare.mjs';
import { DuckDB, duckdbMissing } from './duckdb.mjs';
import { dataRange, DEFAULT_END, parseArgs } from './generate.mjs';
import {
  benchQuestions, clickhouseSql, diffAnswers, duckdbFunnelWindowSql, duckdbSql, fromClickhouse, fromDuckdb,
  fromRapport,
} from './questions.mjs';
import { DEFAULT_RAPPORT_BIN, rapportLoad, rapportMissing, rapportQuery } from './rapport.mjs';
import { loadCsv, referenceAnswer } from './reference.mjs';

const DAY = 86_400_000;

// The questions: the benchmark's four, then funnels of 2-4 steps with windows from 1 hour to
// 30 days (one with a where-filter, one with the same event twice, one on a sub-range) and
// retention by day, week and month (one on a sub-range whose end is not a period start).
export function crosscheckQuestions(fromIso, toIso) {
  const from = Date.parse(fromIso), to = Date.parse(toIso);
  const at = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const ev = (event, where) => (where ? { event, where } : { event });
  const books = [{ path: 'properties.category', op: 'eq', value: 'books' }];
  const funnel = (name, steps, window, range = [from, to]) => ({
    name, spec: { kind: 'funnel', from: at(range[0]), to: at(range[1]), steps, window },
  });
  const retention = (name, start, ret, interval, periods, range = [from, to]) => ({
    name,
    spec: { kind: 'retention', from: at(range[0]), to: at(range[1]), start: { event: start }, return: { event: ret }, interval, periods },
  });
  return [
    ...benchQuestions(fromIso, toIso).map((q) => ({ name: `bench ${q.name}`, spec: q.spec })),
    funnel('funnel 2 steps, 1 hour', [ev('Product Viewed'), ev('Order Completed')], { hours: 1 }),
    funnel('funnel 4 steps, 30 days',
      [ev('Page Viewed'), ev('Product Viewed'), ev('Product Added'), ev('Checkout Started')], { days: 30 }),
    funnel('funnel 3 steps, books, 1 day',
      [ev('Product Viewed', books), ev('Product Added', books), ev('Order Completed')], { days: 1 }),
    funnel('funnel sign-up to order, 30 days', [ev('Signed Up'), ev('Order Completed')], { days: 30 }),
    funnel('funnel 4 steps from e-mail, 2 days',
      [ev('Email Opened'), ev('Email Clicked'), ev('Product Viewed'), ev('Order Completed')], { days: 2 }),
    funnel('funnel same event twice, 10 minutes', [ev('Page Viewed'), ev('Page Viewed')], { seconds: 600 }),
    funnel('funnel 3 steps, 7 days, sub-range', [ev('Product Viewed'), ev('Product Added'), ev('Order Completed')],
      { days: 7 }, [from + 10 * DAY, to - 15 * DAY - 5 * 3_600_000]),
    retention('retention daily, 14 periods', 'Signed Up', 'Product Viewed', 'day', 14),
    retention('retention weekly, Order Completed', 'Signed Up', 'Order Completed', 'week', 8),
    retention('retention monthly, 3 periods', 'Signed Up', 'Page Viewed', 'month', 3),
    retention('retention weekly, sub-range', 'Signed Up', 'Page Viewed', 'week', 6,
      [from + 3 * DAY, to - 9 * DAY - 7 * 3_600_000]),
  ];
}

async function main() {
  const a = parseArgs(process.argv.slice(2), {
    events: 200_000, profiles: 20_000, days: 60, seed: 7,
    work: path.join(os.tmpdir(), 'rapport-warehouse-crosscheck'), 'rapport-bin': DEFAULT_RAPPORT_BIN, peers: false,
  });
  const chMissing = clickhouseMissing();
  if (chMissing) {
    console.log(`crosscheck: skipped: ${chMissing}`);
    return 0;
  }
  const bin = path.resolve(a['rapport-bin']);
  const rMissing = rapportMissing(bin);
  if (rMissing && !a.peers) {
    console.log(`crosscheck: skipped: ${rMissing}`);
    return 0;
  }
  const log = (m) => process.stderr.write(`crosscheck: ${m}\n`);
  const work = path.resolve(a.work);
  fs.mkdirSync(work, { recursive: true });
  const csv = ensureCsv(work, { ...a, end: DEFAULT_END }, log);
  const { from, to } = dataRange({ days: a.days });
  const questions = crosscheckQuestions(from, to);

  const byProfile = loadCsv(csv);
  const engines = [{ name: 'reference', ask: async (spec) => referenceAnswer(byProfile, spec) }];
  const ch = await ClickHouse.start({ log });
  let duck = null;
  try {
    const chLoad = await ch.load(csv);
    log(`clickhouse: ${chLoad.rows} rows`);
    const dupes = (await ch.query(
      'SELECT count() FROM (SELECT profile, ts, count() AS n FROM events GROUP BY profile, ts HAVING n > 1)')).trim();
    if (dupes !== '0') throw new Error(`the data has ${dupes} (profile, second) pairs with more than one event`);
    engines.push({ name: 'clickhouse', ask: async (spec) => fromClickhouse(spec, await ch.rows(clickhouseSql(spec))) });

    if (!duckdbMissing()) {
      duck = await DuckDB.open({ memory: true });
      const l = await duck.load(csv);
      log(`duckdb: ${l.rows} rows`);
      engines.push({ name: 'duckdb', ask: async (spec) => fromDuckdb(spec, await duck.rows(duckdbSql(spec))) });
      engines.push({
        name: 'duckdb (window functions)',
        only: 'funnel',
        ask: async (spec) => fromDuckdb(spec, await duck.rows(duckdbFunnelWindowSql(spec))),
      });
    } else {
      log(`duckdb: not used: ${duckdbMissing()}`);
    }
    if (!rMissing) {
      const dir = path.join(work, `rapport-${path.basename(csv, '.csv')}`);
      const l = await rapportLoad(bin, csv, dir);
      log(`rapport: ${l.rows} rows`);
      engines.push({ name: 'rapport', ask: async (spec) => fromRapport(spec, (await rapportQuery(bin, dir, spec, 1)).result) });
    }

    let passed = 0, failed = 0;
    for (const q of questions) {
      const answers = [];
      for (const e of engines) {
        if (e.only && e.only !== q.spec.kind) continue;
        try {
          answers.push([e.name, await e.ask(q.spec)]);
        } catch (err) {
          answers.push([e.name, { error: err.message }]);
        }
      }
      const [refName, ref] = answers[0];
      const problems = [];
      if (ref.error) problems.push(`${refName}: ${ref.error}`);
      for (const [name, ans] of answers.slice(1)) {
        if (ans.error) {
          problems.push(`${name}: ${ans.error}`);
          continue;
        }
        const d = diffAnswers(ref, ans);
        if (d.length) problems.push(`${refName} ≠ ${name}:\n    ${d.join('\n    ')}`);
      }
      if (problems.length) {
        failed++;
        console.log(`MISMATCH ${q.name}\n  spec: ${JSON.stringify(q.spec)}\n  ${problems.join('\n  ')}`);
      } else {
        passed++;
        console.log(`ok  ${q.name}: ${answers.map((x) => x[0]).join(' = ')}: ${summary(ref)}`);
      }
    }
    console.log(`crosscheck: engines ${engines.map((e) => e.name).join(', ')}${rMissing ? ` (rapport skipped: ${rMissing})` : ''}`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  } finally {
    if (duck) duck.close();
    await ch.stop();
  }
}

function summary(ans) {
  if (ans.steps) return `steps ${ans.steps.join(' → ')}`;
  if (ans.cohorts) return `${ans.cohorts.length} cohorts, ${ans.cohorts.reduce((s, c) => s + c.size, 0)} profiles`;
  return `${ans.series.length} series, ${ans.series.reduce((s, x) => s + x.points.length, 0)} points`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => process.exit(code), (e) => {
    console.error(`crosscheck: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
