// Query records of scenario files (docs/scenarios.md, "Analytics"): `query`, the spec as JSON on
// the lines under it, `---`, and what the answer must be — the table `rapport query` prints
// (compared line by line, runs of spaces counting as one), a JSON value the result must contain,
// or `error MESSAGE` for a refused spec. Parsing here; the runner waits for the warehouse and
// calls checkQuery.

import { isDeepStrictEqual } from 'node:util';
import { pollUntil } from '../lib/server.mjs';

/** `lines` ({text, where}, comments already dropped): the spec, `---`, the expectation. */
export function parseQuery(lines, where, fail) {
  const sep = lines.findIndex((l) => l.text === '---');
  if (sep < 1) throw fail(where, 'query needs the spec (JSON) under it, then a --- line and the expected answer');
  const specText = lines.slice(0, sep).map((l) => l.text).join('\n');
  let spec;
  try {
    spec = JSON.parse(specText);
  } catch (e) {
    throw fail(lines[0].where, `the query spec is not JSON (${e.message}): ${specText}`);
  }
  const want = lines.slice(sep + 1);
  if (!want.length) throw fail(lines[sep].where, '--- needs the expected answer under it: a table, a JSON value, or error MESSAGE');
  const first = want[0];
  let m;
  if ((m = /^error\s+(.+)$/.exec(first.text))) {
    if (want.length > 1) throw fail(want[1].where, 'one error line after ---');
    return { spec, expect: { kind: 'error', message: m[1], where: first.where } };
  }
  if (first.text.startsWith('{') || first.text.startsWith('[')) {
    const text = want.map((l) => l.text).join('\n');
    try {
      return { spec, expect: { kind: 'json', value: JSON.parse(text), where: first.where } };
    } catch (e) {
      throw fail(first.where, `the expected answer starts like JSON but is not (${e.message})`);
    }
  }
  return { spec, expect: { kind: 'table', lines: want.map((l) => l.text), where: first.where } };
}

const squeeze = (line) => line.trim().replace(/\s+/g, ' ');

/**
 * Where `got` does not contain `want`: objects need every expected member (others may be
 * there), arrays the same length and each element contained, anything else equality. Returns
 * the path of the first difference with both values, or undefined when contained.
 */
export function notContained(want, got, at = 'result') {
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return `${at}: expected an array, got ${JSON.stringify(got)}`;
    if (want.length !== got.length) return `${at}: expected ${want.length} elements, got ${got.length}: ${JSON.stringify(got)}`;
    for (let i = 0; i < want.length; i++) {
      const d = notContained(want[i], got[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return `${at}: expected an object, got ${JSON.stringify(got)}`;
    for (const [k, v] of Object.entries(want)) {
      if (!(k in got)) return `${at}.${k}: missing`;
      const d = notContained(v, got[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return isDeepStrictEqual(want, got) ? undefined : `${at}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

/** Runs the query once: {failures: [{where, text, message}], shown}. */
export async function checkQuery(server, st) {
  const { spec, expect } = st.query;
  const table = expect.kind === 'table';
  const r = await server.api(`/api/v1/query${table ? '?format=table' : ''}`, { method: 'POST', body: spec });
  const failures = [];
  const fail = (message) => failures.push({ where: expect.where, text: st.head, message });
  if (expect.kind === 'error') {
    if (r.status !== 400) fail(`expected 400 with: ${expect.message}\n  got ${r.status} ${r.text}`);
    else if (r.json?.message !== expect.message) fail(`expected the message: ${expect.message}\n  the server said:     ${r.json?.message}`);
    return { failures, shown: r.json ?? r.text };
  }
  if (r.status !== 200) {
    fail(`POST /api/v1/query → ${r.status} ${r.text}`);
    return { failures };
  }
  if (table) {
    const got = r.text.split('\n').filter((l) => l.trim() !== '');
    const want = expect.lines;
    const n = Math.max(got.length, want.length);
    for (let i = 0; i < n; i++) {
      if (squeeze(got[i] ?? '') === squeeze(want[i] ?? '')) continue;
      fail(`line ${i + 1} of the table differs:\n  expected: ${want[i] ?? '(no line)'}\n  actual:   ${got[i] ?? '(no line)'}`);
      break;
    }
    return { failures, shown: r.text, raw: true };
  }
  const d = notContained(expect.value, r.json.result);
  if (d) fail(d);
  return { failures, shown: r.json.result };
}

const YEAR_MS = 365 * 86400e3;

/**
 * Waits until the warehouse holds `barriers` "Pipeline Barrier" events: the feed stores what the
 * pipeline committed, so every event acknowledged before the last barrier is stored too.
 * `now`: the server's clock (barriers are stamped with it), ISO; undefined for real time.
 */
export async function warehouseCaughtUp(server, barriers, barrierEvent, now) {
  const t = now ? Date.parse(now) : Date.now();
  const range = { from: new Date(t - 4 * YEAR_MS).toISOString(), to: new Date(t + 4 * YEAR_MS).toISOString() };
  let seen = 0;
  await pollUntil(
    async () => {
      const r = await server.api('/api/v1/query', { method: 'POST', body: { kind: 'events', ...range } });
      if (r.status !== 200) throw new Error(`POST /api/v1/query (events) → ${r.status} ${r.text}`);
      seen = r.json.result.events.find((e) => e.name === barrierEvent)?.count ?? 0;
      return seen >= barriers;
    },
    { timeoutMs: 20000, describe: () => `the warehouse holds ${seen} of the ${barriers} barrier events` },
  );
}
