// Scenario files: profile and audience behaviour written as plain-text steps (sqllogictest
// style), run against the real binary, optionally on the server's manual test clock. The format
// is documented in docs/scenarios.md; this module parses a file into steps and runs them on a
// fresh server. Every failure names FILE:LINE and shows the actual profile, account or audience
// JSON.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { RapportServer, lookupProfile, pollUntil, profileTimeline, profilesCaughtUp, sleep } from '../lib/server.mjs';

const BARRIER_SOURCE = 'scenario-barrier';
const BARRIER_EVENT = 'Pipeline Barrier'; // what profilesCaughtUp sends
const DEFAULT_SOURCE = 'web';
// After the pipeline caught up, assertions are retried this long before they count as failed.
const SETTLE_MS = Number(process.env.SCENARIO_SETTLE_MS ?? 3000);

export class ScenarioError extends Error {
  constructor(where, message) {
    super(`${where}: ${message}`);
    this.name = 'ScenarioError';
  }
}

// ---------- parsing ----------

const IDENT_RE = /\s*([a-z0-9_]+):("(?:[^"\\]|\\.)*"|[^\s"]\S*)/y;

/** Parses `TYPE:VALUE TYPE:"quoted value" …`; throws on anything else. */
function parseIdentifiers(text, where) {
  const out = [];
  IDENT_RE.lastIndex = 0;
  let rest = text.trim();
  let pos = 0;
  while (pos < rest.length) {
    IDENT_RE.lastIndex = pos;
    const m = IDENT_RE.exec(rest);
    if (!m) throw new ScenarioError(where, `expected TYPE:VALUE at "${rest.slice(pos)}"`);
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value);
      } catch (e) {
        throw new ScenarioError(where, `bad quoted value ${m[2]}: ${e.message}`);
      }
    }
    out.push({ type: m[1], value });
    pos = IDENT_RE.lastIndex;
    while (pos < rest.length && /\s/.test(rest[pos])) pos++;
  }
  return out;
}

function parseIdentifier(text, where) {
  const ids = parseIdentifiers(text, where);
  if (ids.length !== 1) throw new ScenarioError(where, `expected one TYPE:VALUE, got "${text}"`);
  return ids[0];
}

function parseJson(text, where, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(where, `${what} is not JSON (${e.message}): ${text}`);
  }
}

function showIdent(id) {
  return /^[^\s"]+$/.test(id.value) ? `${id.type}:${id.value}` : `${id.type}:${JSON.stringify(id.value)}`;
}

// A target: TYPE:VALUE, or @NAME (a profile id remembered with `id as @NAME`).
function parseTarget(text, where) {
  const t = text.trim();
  if (/^@[A-Za-z0-9_-]+$/.test(t)) return { ref: t.slice(1) };
  return { ident: parseIdentifier(t, where) };
}

function showTarget(t) {
  return t.ref !== undefined ? `@${t.ref}` : showIdent(t.ident);
}

const TARGET_RE = /\s*(@[A-Za-z0-9_-]+|[a-z0-9_]+:(?:"(?:[^"\\]|\\.)*"|[^\s"]\S*))/y;

/** Parses `TARGET TARGET …` (nothing: none). */
function parseTargets(text, where) {
  const out = [];
  const rest = text.trimEnd();
  TARGET_RE.lastIndex = 0;
  while (TARGET_RE.lastIndex < rest.length) {
    const from = TARGET_RE.lastIndex;
    const m = TARGET_RE.exec(rest);
    if (!m) throw new ScenarioError(where, `expected TYPE:VALUE or @NAME at "${rest.slice(from).trim()}"`);
    out.push(parseTarget(m[1], where));
  }
  return out;
}

const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?Z$/;

/** An exact instant `2024-01-08T00:00:00Z`, normalised to the server's `…:00.000Z`. */
function parseIso(text, where) {
  if (!ISO_RE.test(text) || Number.isNaN(Date.parse(text))) {
    throw new ScenarioError(where, `expected a UTC time like 2024-01-08T00:00:00Z, got "${text}"`);
  }
  return new Date(text).toISOString();
}

/** The same instant written by the server, or the text itself if it is no time. */
function normIso(text) {
  const t = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isNaN(t) ? String(text) : new Date(t).toISOString();
}

/** One assertion line under `expect profile` / `expect account`. */
function parseCheck(text, where, scope) {
  let m;
  if (scope === 'profile') {
    if ((m = /^id\s+(same-as|differs-from)\s+(.+)$/.exec(text))) {
      return { kind: m[1], target: parseTarget(m[2], where) };
    }
    if ((m = /^id\s+as\s+@([A-Za-z0-9_-]+)$/.exec(text))) return { kind: 'id-as', name: m[1] };
    if ((m = /^id\s+(=|!=)\s+@([A-Za-z0-9_-]+)$/.exec(text))) return { kind: m[1] === '=' ? 'id-eq' : 'id-ne', name: m[2] };
    if ((m = /^identities(?:\s+(.*))?$/.exec(text))) return { kind: 'identities', ids: parseIdentifiers(m[1] ?? '', where) };
    if ((m = /^computed\s+([^\s=]+)\s*=\s*(.+)$/.exec(text))) {
      return { kind: 'computed', name: m[1], value: parseJson(m[2], where, 'the expected value') };
    }
    if ((m = /^merges\s+(\d+)$/.exec(text))) return { kind: 'merges', n: Number(m[1]) };
    if ((m = /^merged-ids((?:\s+@[A-Za-z0-9_-]+)*)$/.exec(text))) {
      return { kind: 'merged-ids', names: m[1].trim() ? m[1].trim().split(/\s+/).map((x) => x.slice(1)) : [] };
    }
    if ((m = /^blocked\s+(\d+)$/.exec(text))) return { kind: 'blocked-count', n: Number(m[1]) };
    if ((m = /^blocked\s+conflict=([a-z0-9_]+)\s+dropped=(.+)$/.exec(text))) {
      const dropped = parseIdentifiers(m[2], where);
      return { kind: 'blocked', conflict: m[1], dropped };
    }
    if ((m = /^events\s+(\d+)$/.exec(text))) return { kind: 'events', n: Number(m[1]) };
    if ((m = /^account\s+(\S+)$/.exec(text))) return { kind: 'account', group: m[1] };
    if ((m = /^accounts((?:\s+\S+)*)$/.exec(text))) return { kind: 'accounts', groups: m[1].trim() ? m[1].trim().split(/\s+/) : [] };
    // Audience memberships (the profile's `audiences`) and transitions (its timeline).
    if ((m = /^audiences((?:\s+\S+)*)$/.exec(text))) return { kind: 'audiences', names: m[1].trim() ? m[1].trim().split(/\s+/) : [] };
    if ((m = /^audience\s+([A-Za-z0-9_]+)\s+since\s+(\S+)$/.exec(text))) {
      return { kind: 'audience-since', name: m[1], at: parseIso(m[2], where) };
    }
    if ((m = /^audience-(entered|exited)\s+([A-Za-z0-9_]+)\s+at\s+(\S+)$/.exec(text))) {
      return { kind: 'audience-transition', entered: m[1] === 'entered', name: m[2], at: parseIso(m[3], where) };
    }
    if ((m = /^transitions\s+([A-Za-z0-9_]+)((?:\s+\S+)*)$/.exec(text))) {
      const list = m[2].trim() ? m[2].trim().split(/\s+/) : [];
      const transitions = list.map((x) => {
        if (x[0] !== '+' && x[0] !== '-') throw new ScenarioError(where, `a transition is +TIME (entered) or -TIME (exited), got "${x}"`);
        return { entered: x[0] === '+', at: parseIso(x.slice(1), where) };
      });
      return { kind: 'transitions', name: m[1], transitions };
    }
  }
  if ((m = /^trait\s+([^\s=]+)\s*=\s*(.+)$/.exec(text))) {
    return { kind: 'trait', name: m[1], value: parseJson(m[2], where, 'the expected value') };
  }
  if ((m = /^trait\s+(\S+)\s+missing$/.exec(text))) return { kind: 'trait-missing', name: m[1] };
  if (scope === 'account') {
    if ((m = /^members\s+(\d+)$/.exec(text))) return { kind: 'members', n: Number(m[1]) };
    if ((m = /^member\s+(.+)$/.exec(text))) return { kind: 'member', target: parseTarget(m[1], where) };
  }
  throw new ScenarioError(where, `unknown assertion for expect ${scope}: "${text}" (see docs/scenarios.md)`);
}

/** One line under `expect audience NAME`, or under the `---` of an `audience` / `preview` record. */
function parseAudienceCheck(text, where, scope) {
  let m;
  if (scope !== 'audience' && (m = /^error\s+(.+)$/.exec(text))) return { kind: 'error', message: m[1] };
  if (scope !== 'definition') {
    if ((m = /^size\s+(\d+)$/.exec(text))) return { kind: 'size', n: Number(m[1]) };
    if ((m = /^members((?:\s+.*)?)$/.exec(text))) return { kind: 'members', targets: parseTargets(m[1], where) };
  }
  if (scope === 'audience') {
    if ((m = /^member\s+(.+)$/.exec(text))) return { kind: 'member', target: parseTarget(m[1], where) };
    if ((m = /^not-member\s+(.+)$/.exec(text))) return { kind: 'not-member', target: parseTarget(m[1], where) };
  }
  const known = { audience: 'size, members, member, not-member', definition: 'error', preview: 'size, members, error' }[scope];
  throw new ScenarioError(where, `unknown assertion "${text}" (here: ${known}; see docs/scenarios.md)`);
}

/**
 * Parses scenario text into {todo, skip, clock, steps}. Records are separated by blank lines; a
 * record is a command line and the lines under it. Lines starting with `#` are comments
 * everywhere, except that an audience definition keeps them (they are comments in the audience
 * language too).
 */
export function parseScenario(text, file) {
  const lines = text.split(/\r?\n/);
  const scenario = { file, todo: undefined, skip: undefined, clock: undefined, steps: [] };
  let i = 0;
  const at = (n) => `${file}:${n + 1}`;
  const isComment = (l) => /^\s*#/.test(l);
  const isBlank = (l) => l.trim() === '';
  // The body of the record that starts at line `start`: following lines up to a blank line.
  // `raw` keeps indentation and comment lines (audience definitions: the language has `#`
  // comments too, and its errors count lines and columns).
  const body = (start, { raw = false } = {}) => {
    const out = [];
    let j = start + 1;
    for (; j < lines.length && !isBlank(lines[j]); j++) {
      if (isComment(lines[j]) && !raw) continue;
      out.push({ line: j, text: raw ? lines[j].trimEnd() : lines[j].trim(), where: at(j) });
    }
    i = j;
    return out;
  };
  // An audience definition and, after a `---` line, what to expect of it.
  const definition = (start, scope) => {
    const all = body(start, { raw: true });
    const sep = all.findIndex((l) => l.text.trim() === '---');
    const def = sep < 0 ? all : all.slice(0, sep);
    const checks = sep < 0 ? [] : all.slice(sep + 1).filter((l) => !isComment(l.text)).map((l) => ({ ...l, text: l.text.trim() }));
    if (!def.length) throw new ScenarioError(at(start), `${scope === 'preview' ? 'preview' : 'audience'} needs the definition in the lines under it`);
    if (sep >= 0 && !checks.length) throw new ScenarioError(all[sep].where, '--- needs what to expect in the lines under it');
    return {
      text: def.map((l) => l.text).join('\n'),
      checks: checks.map((l) => ({ ...l, ...parseAudienceCheck(l.text, l.where, scope) })),
    };
  };
  while (i < lines.length) {
    const raw = lines[i];
    if (isBlank(raw) || isComment(raw)) {
      i++;
      continue;
    }
    const start = i;
    const where = at(i);
    const head = raw.trim();
    const words = head.split(/\s+/);
    // One-line commands need no blank line after them: the next line starts a new record.
    const noBody = () => {
      i = start + 1;
    };
    let m;
    if (words[0] === 'todo' || words[0] === 'skip') {
      const reason = head.slice(words[0].length).trim();
      if (!reason) throw new ScenarioError(where, `${words[0]} needs a reason`);
      scenario[words[0]] = reason;
      noBody();
    } else if (head === 'config') {
      scenario.steps.push({ kind: 'config', where, lines: body(start) });
    } else if (words[0] === 'send' && words.length <= 2) {
      const source = words[1] ?? DEFAULT_SOURCE;
      if (source === BARRIER_SOURCE) throw new ScenarioError(where, `source name ${BARRIER_SOURCE} is reserved`);
      const events = body(start).map((l) => ({ ...l, event: parseJson(l.text, l.where, 'the event') }));
      if (!events.length) throw new ScenarioError(where, 'send needs at least one event line under it');
      for (const e of events) {
        if (!e.event || typeof e.event !== 'object' || Array.isArray(e.event)) throw new ScenarioError(e.where, 'an event must be a JSON object');
      }
      scenario.steps.push({ kind: 'send', where, source, events });
    } else if (head === 'define') {
      const defs = body(start).map((l) => ({ ...l, def: parseJson(l.text, l.where, 'the definition') }));
      if (!defs.length) throw new ScenarioError(where, 'define needs a JSON definition under it');
      scenario.steps.push({ kind: 'define', where, defs });
    } else if ((m = /^(restart|crash)(?:\s+at\s+(\S+))?$/.exec(head))) {
      // `crash at TIME`: down while the test clock moves on; it starts again at TIME.
      if (m[2] && !scenario.clock) throw new ScenarioError(where, `${m[1]} at TIME needs the test clock: start the file with a clock record`);
      scenario.steps.push({ kind: m[1], where, at: m[2] && parseIso(m[2], where) });
      noBody();
    } else if (words[0] === 'clock') {
      if (words.length !== 2) throw new ScenarioError(where, 'clock needs the start time: clock 2024-01-01T00:00:00Z');
      if (scenario.clock) throw new ScenarioError(where, 'only one clock record');
      if (scenario.steps.some((st) => st.kind !== 'config')) throw new ScenarioError(where, 'clock comes before every step (only config records may precede it)');
      scenario.clock = parseIso(words[1], where);
      noBody();
    } else if (words[0] === 'advance' || words[0] === 'at') {
      if (!scenario.clock) throw new ScenarioError(where, `${words[0]} needs the test clock: start the file with a clock record`);
      if (words.length !== 2) throw new ScenarioError(where, `${words[0]} needs one argument (advance 7d, at 2024-02-01T00:00:00Z)`);
      if (words[0] === 'advance' && !/^\d+[smhd]$/.test(words[1])) throw new ScenarioError(where, `advance takes a whole number and a unit s, m, h or d (advance 7d), got "${words[1]}"`);
      const move = words[0] === 'advance' ? { advance: words[1] } : { to: parseIso(words[1], where) };
      scenario.steps.push({ kind: 'clock', where, head, move });
      noBody();
    } else if ((m = /^audience\s+(\S+)$/.exec(head))) {
      const { text: def, checks } = definition(start, 'definition');
      if (checks.length > 1) throw new ScenarioError(checks[1].where, 'one error line after ---');
      scenario.steps.push({ kind: 'audience', where, name: m[1], definition: def, error: checks[0]?.message });
    } else if (head === 'preview') {
      const { text: def, checks } = definition(start, 'preview');
      if (!checks.length) throw new ScenarioError(where, 'preview needs a --- line and what to expect under it (size N, members …, error …)');
      if (checks.some((c) => c.kind === 'error') && checks.length > 1) throw new ScenarioError(where, 'a preview expects an error, or a size and members, not both');
      scenario.steps.push({ kind: 'preview', where, head, definition: def, checks });
    } else if ((m = /^expect\s+audience\s+(\S+)$/.exec(head))) {
      const checks = body(start).map((l) => ({ ...l, ...parseAudienceCheck(l.text, l.where, 'audience') }));
      scenario.steps.push({ kind: 'expect-audience', where, head, name: m[1], checks });
    } else if ((m = /^expect\s+no-audience\s+(\S+)$/.exec(head))) {
      scenario.steps.push({ kind: 'expect-no-audience', where, head, name: m[1] });
      noBody();
    } else if ((m = /^expect\s+(profile|no-profile|account|no-account)\s+(.+)$/.exec(head))) {
      const kind = m[1];
      const step = { kind: `expect-${kind}`, where, head };
      if (kind === 'profile' || kind === 'no-profile') step.target = parseTarget(m[2], where);
      else step.group = m[2].trim();
      if (kind === 'profile' || kind === 'account') {
        step.checks = body(start).map((l) => ({ ...l, ...parseCheck(l.text, l.where, kind) }));
      } else {
        noBody();
      }
      scenario.steps.push(step);
    } else {
      throw new ScenarioError(where, `unknown command "${head}" (config, clock, send, define, audience, advance, at, restart, crash, expect, preview, todo, skip)`);
    }
  }
  return scenario;
}

// ---------- running ----------

function pretty(json) {
  return JSON.stringify(json, null, 2);
}

function sameSet(a, b) {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return a.length === x.length && b.length === y.length && isDeepStrictEqual(x, y);
}

/** An `Audience Entered` / `Audience Exited` entry the server wrote on a timeline. */
function isTransition(e) {
  return e.type === 'track' && (e.event === 'Audience Entered' || e.event === 'Audience Exited') && typeof e.properties?.audience_id === 'number';
}

/** This audience's transitions on a timeline (newest first), oldest first: [{entered, at}]. */
function transitionsOf(timeline, name) {
  return timeline
    .filter((e) => isTransition(e) && e.properties.audience === name)
    .reverse()
    .map((e) => ({ entered: e.event === 'Audience Entered', at: normIso(e.timestamp) }));
}

function showTransitions(list) {
  return list.length ? list.map((t) => (t.entered ? '+' : '-') + t.at).join(' ') : 'none';
}

// `line L, column C: …` → the line and column an error message names.
function errorPosition(message) {
  const m = /^line (\d+), column (\d+): /.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

class Runner {
  constructor(scenario) {
    this.sc = scenario;
    this.s = null;
    this.refs = new Map(); // @name → profile id
    this.dirty = true; // something may not be applied yet
    this.now = scenario.clock; // the test clock (ISO), as the server last answered; undefined: real time
    this.barriers = new Set(); // ids of the barrier events' profiles, left out of audience members
    this.tmp = mkdtempSync(path.join(tmpdir(), 'rapport-scenario-'));
    this.configFile = path.join(this.tmp, 'rapport.toml');
    this.writeConfig([]);
  }

  cleanup() {
    if (!process.env.RAPPORT_KEEP_DATA) rmSync(this.tmp, { recursive: true, force: true });
  }

  writeConfig(lines) {
    writeFileSync(this.configFile, ['[identity]', ...lines.map((l) => l.text), ''].join('\n'));
    this.configLines = lines;
  }

  async startServer() {
    const sources = new Set([DEFAULT_SOURCE]);
    for (const st of this.sc.steps) if (st.kind === 'send') sources.add(st.source);
    sources.add(BARRIER_SOURCE);
    try {
      // The data dir inside this.tmp, so that it goes with it even if the start fails.
      const dataDir = path.join(this.tmp, 'data');
      mkdirSync(dataDir);
      const env = { RAPPORT_CONFIG: this.configFile };
      if (this.now) env.RAPPORT_TEST_CLOCK = this.now;
      this.s = await RapportServer.start({ sources: [...sources], env, dataDir });
    } catch (e) {
      throw this.configError(e);
    }
  }

  configError(e) {
    const where = this.configLines[0]?.where ?? this.sc.file;
    return new ScenarioError(where, `the server did not start with this config:\n${readFileSync(this.configFile, 'utf8')}\n${e.message}`);
  }

  async launch() {
    // The test clock starts again where it was: it never moves back, not even across a restart.
    if (this.now) this.s.env = { ...this.s.env, RAPPORT_TEST_CLOCK: this.now };
    try {
      await this.s.launch();
    } catch (e) {
      throw this.configError(e);
    }
  }

  async run() {
    const steps = this.sc.steps;
    let i = 0;
    // Leading config blocks are in force from the first start.
    for (; i < steps.length && steps[i].kind === 'config'; i++) this.writeConfig(steps[i].lines);
    try {
      await this.startServer();
    } catch (e) {
      this.cleanup();
      throw e;
    }
    try {
      for (; i < steps.length; i++) await this.step(steps[i]);
      const r = await this.s.stop();
      if (r.code !== 0) throw new ScenarioError(this.sc.file, `SIGTERM at the end: expected exit 0, got ${JSON.stringify(r)}; log:\n${this.s.log.slice(-3000)}`);
    } finally {
      await this.s.destroy();
      this.cleanup();
    }
  }

  async step(st) {
    switch (st.kind) {
      case 'config':
        // In force from the next restart or crash.
        this.writeConfig(st.lines);
        return;
      case 'send': {
        const batch = st.events.map((e) => e.event);
        const r = await this.s.ingest('/v1/batch', { batch }, { key: this.s.keys[st.source] });
        if (r.status !== 200) throw new ScenarioError(st.where, `send: POST /v1/batch → ${r.status} ${r.text}`);
        this.dirty = true;
        return;
      }
      case 'define':
        for (const d of st.defs) {
          const r = await this.s.api('/api/v1/computed-traits', { method: 'POST', body: d.def });
          if (r.status !== 201) throw new ScenarioError(d.where, `define: POST /api/v1/computed-traits → ${r.status} ${r.text}`);
        }
        this.dirty = true;
        return;
      case 'restart': {
        const r = await this.s.stop();
        if (r.code !== 0) throw new ScenarioError(st.where, `restart: SIGTERM: expected exit 0, got ${JSON.stringify(r)}; log:\n${this.s.log.slice(-3000)}`);
        this.moveWhileDown(st);
        await this.launch();
        this.dirty = true;
        return;
      }
      case 'crash':
        await this.s.kill();
        this.moveWhileDown(st);
        await this.launch();
        this.dirty = true;
        return;
      case 'clock': {
        const r = await this.s.api('/api/v1/test/clock', { method: 'POST', body: st.move });
        if (r.status !== 200) throw new ScenarioError(st.where, `${st.head}: POST /api/v1/test/clock ${JSON.stringify(st.move)} → ${r.status} ${r.text}`);
        this.now = r.json.now;
        this.dirty = true;
        return;
      }
      case 'audience':
        return this.createAudience(st);
      case 'expect-profile':
      case 'expect-no-profile':
      case 'expect-account':
      case 'expect-no-account':
      case 'expect-audience':
      case 'expect-no-audience':
      case 'preview':
        await this.settle(st);
        return this.expect(st);
      default:
        throw new Error(`unknown step ${st.kind}`);
    }
  }

  moveWhileDown(st) {
    if (!st.at) return;
    if (st.at < this.now) throw new ScenarioError(st.where, `the test clock never moves back: it is ${this.now}`);
    this.now = st.at;
  }

  async createAudience(st) {
    const r = await this.s.api('/api/v1/audiences', { method: 'POST', body: { name: st.name, definition: st.definition } });
    const what = `audience ${st.name}: POST /api/v1/audiences → ${r.status} ${r.text}`;
    if (st.error === undefined) {
      if (r.status !== 201) throw new ScenarioError(st.where, what);
      // Live before the next step, so that its first members enter at this record's time.
      this.dirty = true;
      return this.settle(st);
    }
    if (r.status < 400 || r.status > 499) throw new ScenarioError(st.where, `${what}\n  expected it to be refused with: ${st.error}`);
    const problems = [];
    if (r.json?.message !== st.error) problems.push(`expected the message: ${st.error}\n  the server said:     ${r.json?.message}`);
    const pos = errorPosition(st.error);
    if (pos && (r.json?.line !== pos.line || r.json?.column !== pos.column)) problems.push(`expected "line": ${pos.line}, "column": ${pos.column} in the answer`);
    if (problems.length) throw new ScenarioError(st.where, `${what}\n  ${problems.join('\n  ')}`);
  }

  /**
   * Waits until every event sent so far is applied (and, on the test clock, every timer due by
   * now has fired: the barrier event moves the log's watermark to the clock), every computed
   * trait is ready and every audience is live.
   */
  async settle(st) {
    if (!this.dirty) return;
    try {
      const barrier = await profilesCaughtUp(this.s, { key: this.s.keys[BARRIER_SOURCE] });
      this.barriers.add(barrier.id);
      let waiting = [];
      await pollUntil(
        async () => {
          const c = await this.s.api('/api/v1/computed-traits');
          if (c.status !== 200) throw new Error(`GET /api/v1/computed-traits → ${c.status} ${c.text}`);
          const a = await this.s.api('/api/v1/audiences');
          if (a.status !== 200) throw new Error(`GET /api/v1/audiences → ${a.status} ${a.text}`);
          waiting = [
            ...c.json.computedTraits.filter((t) => t.status !== 'ready').map((t) => `computed trait ${t.definition?.name} is "${t.status}"`),
            ...a.json.audiences.filter((x) => x.status !== 'live').map((x) => `audience ${x.name} is "${x.status}" (progress ${x.progress})`),
          ];
          return waiting.length === 0;
        },
        { describe: () => waiting.join('; ') },
      );
    } catch (e) {
      throw new ScenarioError(st.where, `waiting for the profile pipeline: ${e.message}\nserver log:\n${this.s.log.slice(-3000)}`);
    }
    this.dirty = false;
  }

  async profileOf(target) {
    if (target.ref !== undefined) {
      const id = this.refs.get(target.ref);
      if (id === undefined) return { error: `@${target.ref} was never remembered (id as @${target.ref})` };
      const r = await this.s.api(`/api/v1/profiles/${encodeURIComponent(id)}`);
      if (r.status === 200) return { profile: r.json };
      return { status: r.status, error: `GET /api/v1/profiles/${id} (@${target.ref}) → ${r.status} ${r.text}` };
    }
    const r = await lookupProfile(this.s, target.ident.type, target.ident.value);
    if (r.status === 200) return { profile: r.json };
    return { status: r.status, error: `no profile holds ${showIdent(target.ident)} (${r.status} ${r.text})` };
  }

  async expect(st) {
    let last;
    const attempt = async () => {
      last = await this.evaluate(st);
      return last.failures.length === 0;
    };
    const deadline = Date.now() + SETTLE_MS;
    while (!(await attempt()) && Date.now() < deadline) await sleep(50);
    if (last.failures.length === 0) {
      for (const [name, id] of last.remember ?? []) this.refs.set(name, id);
      return;
    }
    const lines = last.failures.map((f) => `  ${f.where}: ${f.text}\n      ${f.message.replace(/\n/g, '\n      ')}`);
    let msg = `${st.head} — ${last.failures.length} assertion(s) failed:\n${lines.join('\n')}`;
    const label = last.label ?? (st.kind.includes('account') ? 'account' : 'profile');
    if (last.shown !== undefined) msg += `\nactual ${label}:\n${pretty(last.shown)}`;
    if (last.members) msg += `\nmembers (${last.members.length}):\n${last.members.map((m) => '  ' + JSON.stringify(m)).join('\n')}`;
    if (last.timeline) msg += `\ntimeline (${last.timeline.length} events, newest first):\n${last.timeline.map((e) => '  ' + JSON.stringify(e)).join('\n')}`;
    throw new ScenarioError(st.where, msg);
  }

  /** Evaluates one expect step once: {failures: [{where, text, message}], shown, remember}. */
  async evaluate(st) {
    const failures = [];
    const fail = (c, message) => failures.push({ where: c.where, text: c.text, message });
    if (st.kind === 'expect-audience') return this.evaluateAudience(st, failures, fail);
    if (st.kind === 'expect-no-audience') {
      const r = await this.s.api(`/api/v1/audiences/${encodeURIComponent(st.name)}`);
      if (r.status !== 404) failures.push({ where: st.where, text: st.head, message: `expected 404, got ${r.status}` });
      return { failures, shown: r.json, label: 'audience' };
    }
    if (st.kind === 'preview') return this.evaluatePreview(st, failures, fail);
    if (st.kind === 'expect-no-profile') {
      const r = await this.profileOf(st.target);
      if (r.profile) failures.push({ where: st.where, text: st.head, message: `${showTarget(st.target)} has profile ${r.profile.id}` });
      else if (r.status !== 404) failures.push({ where: st.where, text: st.head, message: r.error });
      return { failures, shown: r.profile };
    }
    if (st.kind === 'expect-no-account' || st.kind === 'expect-account') {
      const r = await this.s.api(`/api/v1/accounts/${encodeURIComponent(st.group)}`);
      if (st.kind === 'expect-no-account') {
        if (r.status !== 404) failures.push({ where: st.where, text: st.head, message: `expected 404, got ${r.status} ${r.text}` });
        return { failures, shown: r.json };
      }
      if (r.status !== 200) {
        failures.push({ where: st.where, text: st.head, message: `GET /api/v1/accounts/${st.group} → ${r.status} ${r.text}` });
        return { failures };
      }
      const account = r.json;
      for (const c of st.checks) await this.checkAccount(c, account, fail);
      return { failures, shown: account };
    }
    // expect profile
    const r = await this.profileOf(st.target);
    if (!r.profile) {
      failures.push({ where: st.where, text: st.head, message: r.error });
      return { failures };
    }
    const p = r.profile;
    const ctx = { remember: [], timeline: undefined };
    ctx.getTimeline = async () => (ctx.timeline ??= await profileTimeline(this.s, p.id));
    for (const c of st.checks) await this.checkProfile(c, p, fail, ctx);
    const showTimeline = failures.some((f) => /^(events|audience-|transitions) /.test(f.text));
    return { failures, shown: p, remember: ctx.remember, timeline: showTimeline ? ctx.timeline : undefined };
  }

  /** Resolves targets to profile ids: {ids, names: id → "TARGET"} or {error}. */
  async profileIds(targets) {
    const ids = [];
    const names = new Map();
    for (const t of targets) {
      const o = await this.profileOf(t);
      if (!o.profile) return { error: o.error };
      ids.push(o.profile.id);
      names.set(o.profile.id, [...(names.has(o.profile.id) ? [names.get(o.profile.id)] : []), showTarget(t)].join(' = '));
    }
    return { ids, names };
  }

  /** `members`: the ids are exactly those of the targets. */
  async checkMembers(c, got, fail) {
    const want = await this.profileIds(c.targets);
    if (want.error) return fail(c, want.error);
    if (sameSet(want.ids, got)) return;
    const missing = want.ids.filter((x) => !got.includes(x));
    const extra = got.filter((x) => !want.ids.includes(x));
    for (const id of extra) {
      const r = await this.s.api(`/api/v1/profiles/${encodeURIComponent(id)}`);
      if (r.status === 200) want.names.set(id, (r.json.identities ?? []).map(showIdent).join(' ') || 'no identities');
    }
    const show = (id) => (want.names.has(id) ? `${id} (${want.names.get(id)})` : id);
    fail(c, `expected exactly {${want.ids.map(show).join(' ')}}\n  actual {${got.map(show).join(' ')}}` + (missing.length ? `\n  missing ${missing.map(show).join(' ')}` : '') + (extra.length ? `\n  extra ${extra.map(show).join(' ')}` : ''));
  }

  async evaluateAudience(st, failures, fail) {
    const url = `/api/v1/audiences/${encodeURIComponent(st.name)}`;
    const r = await this.s.api(url);
    if (r.status !== 200) {
      failures.push({ where: st.where, text: st.head, message: `GET ${url} → ${r.status} ${r.text}` });
      return { failures };
    }
    const members = [];
    for (let after = null, page = 0; page < 10000; page++) {
      const q = new URLSearchParams({ limit: '1000', ...(after ? { after } : {}) });
      const m = await this.s.api(`${url}/members?${q}`);
      if (m.status !== 200) throw new ScenarioError(st.where, `GET ${url}/members?${q} → ${m.status} ${m.text}`);
      members.push(...m.json.members);
      if (m.json.next === null) break;
      after = m.json.next;
    }
    // Barrier profiles are real profiles (a "not performed" audience holds them): left out.
    const barriers = members.filter((m) => this.barriers.has(m.id)).length;
    const ids = members.map((m) => m.id).filter((id) => !this.barriers.has(id));
    for (const c of st.checks) {
      switch (c.kind) {
        case 'size':
          if (r.json.size - barriers !== c.n || ids.length !== c.n) {
            const of = barriers ? ` (${barriers} of them barrier profiles, not counted)` : '';
            fail(c, `"size" is ${r.json.size}${of}; the member list holds ${ids.length}`);
          }
          break;
        case 'members':
          await this.checkMembers(c, ids, fail);
          break;
        case 'member':
        case 'not-member': {
          const o = await this.profileOf(c.target);
          if (!o.profile) {
            fail(c, o.error);
            break;
          }
          const isMember = ids.includes(o.profile.id);
          if (c.kind === 'member' && !isMember) fail(c, `${showTarget(c.target)} is profile ${o.profile.id}, not a member; its audiences: ${JSON.stringify(o.profile.audiences)}`);
          if (c.kind === 'not-member' && isMember) fail(c, `${showTarget(c.target)} is profile ${o.profile.id}, a member since ${members.find((m) => m.id === o.profile.id).since}`);
          break;
        }
        default:
          throw new Error(`check ${c.kind} not for audiences`);
      }
    }
    return { failures, shown: r.json, label: 'audience', members: failures.length ? members : undefined };
  }

  async evaluatePreview(st, failures, fail) {
    // Sizes leave the barrier profiles out: the runner adds a condition they fail (errors are
    // asked of the definition as written, for their positions).
    const expectsError = st.checks.some((c) => c.kind === 'error');
    const definition = expectsError ? st.definition : `(${st.definition}\n) and not performed "${BARRIER_EVENT}"`;
    const r = await this.s.api('/api/v1/audiences/preview', { method: 'POST', body: { definition } });
    for (const c of st.checks) {
      if (c.kind === 'error') {
        if (r.status !== 400) fail(c, `POST /api/v1/audiences/preview → ${r.status} ${r.text}`);
        else if (r.json?.message !== c.message) fail(c, `the server said: ${r.json?.message}`);
        else if (errorPosition(c.message) && !isDeepStrictEqual(errorPosition(c.message), { line: r.json.line, column: r.json.column })) fail(c, `"line" ${r.json.line}, "column" ${r.json.column}`);
        continue;
      }
      if (r.status !== 200) {
        fail(c, `POST /api/v1/audiences/preview → ${r.status} ${r.text}`);
        continue;
      }
      if (c.kind === 'size' && (r.json.size !== c.n || r.json.estimate)) fail(c, `size ${r.json.size}${r.json.estimate ? ' (an estimate)' : ''}`);
      if (c.kind === 'members') {
        if (r.json.examples.length < r.json.size) fail(c, `the preview lists ${r.json.examples.length} of ${r.json.size} members: too many to check them all`);
        else await this.checkMembers(c, r.json.examples, fail);
      }
    }
    return { failures, shown: r.json ?? r.text, label: 'preview' };
  }

  async checkProfile(c, p, fail, ctx) {
    switch (c.kind) {
      case 'same-as':
      case 'differs-from': {
        const o = await this.profileOf(c.target);
        if (!o.profile) return fail(c, o.error);
        if (c.kind === 'same-as' && o.profile.id !== p.id) return fail(c, `${showTarget(c.target)} is in profile ${o.profile.id}, this is ${p.id}; that profile:\n${pretty(o.profile)}`);
        if (c.kind === 'differs-from' && o.profile.id === p.id) return fail(c, `${showTarget(c.target)} is in this profile (${p.id})`);
        return;
      }
      case 'id-as':
        ctx.remember.push([c.name, p.id]);
        return;
      case 'id-eq':
      case 'id-ne': {
        const id = this.refs.get(c.name);
        if (id === undefined) return fail(c, `@${c.name} was never remembered (id as @${c.name})`);
        if (c.kind === 'id-eq' && p.id !== id) return fail(c, `profile id is ${p.id}, @${c.name} is ${id}`);
        if (c.kind === 'id-ne' && p.id === id) return fail(c, `profile id is @${c.name} (${id})`);
        return;
      }
      case 'identities': {
        const want = c.ids.map(showIdent);
        const got = (p.identities ?? []).map(showIdent);
        if (!sameSet(want, got)) {
          const missing = want.filter((x) => !got.includes(x));
          const extra = got.filter((x) => !want.includes(x));
          return fail(c, `expected exactly {${want.join(' ')}}\n  actual {${got.join(' ')}}` + (missing.length ? `\n  missing ${missing.join(' ')}` : '') + (extra.length ? `\n  extra ${extra.join(' ')}` : ''));
        }
        return;
      }
      case 'trait':
        if (!p.traits || !(c.name in p.traits)) return fail(c, `no trait ${c.name}`);
        if (!isDeepStrictEqual(p.traits[c.name], c.value)) return fail(c, `trait ${c.name} is ${JSON.stringify(p.traits[c.name])} (set at ${JSON.stringify(p.traitSources?.[c.name])})`);
        return;
      case 'trait-missing':
        if (p.traits && c.name in p.traits) return fail(c, `trait ${c.name} is ${JSON.stringify(p.traits[c.name])}`);
        return;
      case 'computed':
        if (!p.computed || !(c.name in p.computed)) return fail(c, `no computed trait ${c.name}`);
        if (!isDeepStrictEqual(p.computed[c.name], c.value)) return fail(c, `computed ${c.name} is ${JSON.stringify(p.computed[c.name])}`);
        return;
      case 'merges': {
        const n = (p.merges ?? []).filter((m) => m.kind === 'merge').length;
        if (n !== c.n) return fail(c, `${n} merge entries`);
        return;
      }
      case 'merged-ids': {
        const want = [];
        for (const name of c.names) {
          if (!this.refs.has(name)) return fail(c, `@${name} was never remembered`);
          want.push(this.refs.get(name));
        }
        if (!sameSet(want, p.mergedIds ?? [])) return fail(c, `mergedIds ${JSON.stringify(p.mergedIds)}, expected ${JSON.stringify(want)} (${c.names.map((n) => '@' + n).join(' ')})`);
        return;
      }
      case 'blocked-count': {
        const n = (p.merges ?? []).filter((m) => m.kind === 'blocked').length;
        if (n !== c.n) return fail(c, `${n} blocked entries`);
        return;
      }
      case 'blocked': {
        const want = c.dropped.map(showIdent);
        const hit = (p.merges ?? []).some((m) => m.kind === 'blocked' && m.conflict === c.conflict && sameSet(want, (m.identifiers ?? []).map(showIdent)));
        if (!hit) {
          const have = (p.merges ?? []).filter((m) => m.kind === 'blocked').map((m) => `conflict=${m.conflict} dropped=${(m.identifiers ?? []).map(showIdent).join(' ')}`);
          return fail(c, `no blocked entry like that; blocked entries: ${have.length ? have.join('; ') : 'none'}`);
        }
        return;
      }
      case 'events': {
        // The customer's own events: audience transitions are the server's entries.
        const own = (await ctx.getTimeline()).filter((e) => !isTransition(e));
        const problems = [];
        if (own.length !== c.n) problems.push(`the timeline has ${own.length} events (not counting audience transitions)`);
        if (p.eventCount !== c.n) problems.push(`eventCount is ${p.eventCount}`);
        if (problems.length) return fail(c, problems.join('; '));
        return;
      }
      case 'account':
        if (!(p.accounts ?? []).includes(c.group)) return fail(c, `accounts ${JSON.stringify(p.accounts)}`);
        return;
      case 'accounts':
        if (!sameSet(c.groups, p.accounts ?? [])) return fail(c, `accounts ${JSON.stringify(p.accounts)}`);
        return;
      case 'audiences': {
        const names = (p.audiences ?? []).map((a) => a.name);
        if (!sameSet(c.names, names)) return fail(c, `audiences ${JSON.stringify(p.audiences)}`);
        return;
      }
      case 'audience-since': {
        const a = (p.audiences ?? []).find((x) => x.name === c.name);
        if (!a) return fail(c, `not in ${c.name}; audiences ${JSON.stringify(p.audiences)}`);
        if (normIso(a.since) !== c.at) return fail(c, `in ${c.name} since ${a.since}`);
        return;
      }
      case 'audience-transition': {
        const list = transitionsOf(await ctx.getTimeline(), c.name);
        if (!list.some((t) => t.entered === c.entered && t.at === c.at)) return fail(c, `no such entry; transitions ${c.name}: ${showTransitions(list)}`);
        return;
      }
      case 'transitions': {
        const list = transitionsOf(await ctx.getTimeline(), c.name);
        if (!isDeepStrictEqual(list, c.transitions)) return fail(c, `transitions ${c.name}: ${showTransitions(list)}`);
        return;
      }
      default:
        throw new Error(`check ${c.kind} not for profiles`);
    }
  }

  async checkAccount(c, a, fail) {
    switch (c.kind) {
      case 'trait':
        if (!a.traits || !(c.name in a.traits)) return fail(c, `no trait ${c.name}`);
        if (!isDeepStrictEqual(a.traits[c.name], c.value)) return fail(c, `trait ${c.name} is ${JSON.stringify(a.traits[c.name])} (set at ${JSON.stringify(a.traitSources?.[c.name])})`);
        return;
      case 'trait-missing':
        if (a.traits && c.name in a.traits) return fail(c, `trait ${c.name} is ${JSON.stringify(a.traits[c.name])}`);
        return;
      case 'members': {
        const m = a.members ?? [];
        if (m.length !== c.n || new Set(m).size !== m.length) return fail(c, `members ${JSON.stringify(m)}`);
        return;
      }
      case 'member': {
        const o = await this.profileOf(c.target);
        if (!o.profile) return fail(c, o.error);
        if (!(a.members ?? []).includes(o.profile.id)) return fail(c, `${showTarget(c.target)} is profile ${o.profile.id}, not among members ${JSON.stringify(a.members)}`);
        return;
      }
      default:
        throw new Error(`check ${c.kind} not for accounts`);
    }
  }
}

/** Parses and runs one scenario file on a fresh server. `name`: how failures name the file. */
export async function runScenarioFile(file, name = file) {
  const scenario = parseScenario(readFileSync(file, 'utf8'), name);
  await new Runner(scenario).run();
}

/** {todo, skip} of a file without running it (for the test options). */
export function scenarioOptions(file, name = file) {
  try {
    const sc = parseScenario(readFileSync(file, 'utf8'), name);
    return { todo: sc.todo, skip: sc.skip };
  } catch {
    return {}; // the test itself reports the mistake
  }
}
