// Scenario files: profile behaviour written as plain-text steps (sqllogictest style), run against
// the real binary. The format is documented in docs/scenarios.md; this module parses a file into
// steps and runs them on a fresh server. Every failure names FILE:LINE and shows the actual
// profile or account JSON.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { RapportServer, lookupProfile, pollUntil, profileTimeline, profilesCaughtUp, sleep } from '../lib/server.mjs';

const BARRIER_SOURCE = 'scenario-barrier';
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

/**
 * Parses scenario text into {todo, skip, steps}. Records are separated by blank lines; a record
 * is a command line and the lines under it. Lines starting with `#` are comments everywhere.
 */
export function parseScenario(text, file) {
  const lines = text.split(/\r?\n/);
  const scenario = { file, todo: undefined, skip: undefined, steps: [] };
  let i = 0;
  const at = (n) => `${file}:${n + 1}`;
  const isComment = (l) => /^\s*#/.test(l);
  const isBlank = (l) => l.trim() === '';
  // The body of the record that starts at line `start`: following lines up to a blank line.
  const body = (start) => {
    const out = [];
    let j = start + 1;
    for (; j < lines.length && !isBlank(lines[j]); j++) {
      if (isComment(lines[j])) continue;
      out.push({ line: j, text: lines[j].trim(), where: at(j) });
    }
    i = j;
    return out;
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
    } else if (head === 'restart' || head === 'crash') {
      scenario.steps.push({ kind: head, where });
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
      throw new ScenarioError(where, `unknown command "${head}" (config, send, define, restart, crash, expect, todo, skip)`);
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

class Runner {
  constructor(scenario) {
    this.sc = scenario;
    this.s = null;
    this.refs = new Map(); // @name → profile id
    this.dirty = true; // something may not be applied yet
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
      this.s = await RapportServer.start({ sources: [...sources], env: { RAPPORT_CONFIG: this.configFile }, dataDir });
    } catch (e) {
      throw this.configError(e);
    }
  }

  configError(e) {
    const where = this.configLines[0]?.where ?? this.sc.file;
    return new ScenarioError(where, `the server did not start with this config:\n${readFileSync(this.configFile, 'utf8')}\n${e.message}`);
  }

  async launch() {
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
        await this.launch();
        this.dirty = true;
        return;
      }
      case 'crash':
        await this.s.kill();
        await this.launch();
        this.dirty = true;
        return;
      case 'expect-profile':
      case 'expect-no-profile':
      case 'expect-account':
      case 'expect-no-account':
        await this.settle(st);
        return this.expect(st);
      default:
        throw new Error(`unknown step ${st.kind}`);
    }
  }

  /** Waits until every event sent so far is applied and every computed trait is ready. */
  async settle(st) {
    if (!this.dirty) return;
    try {
      await profilesCaughtUp(this.s, { key: this.s.keys[BARRIER_SOURCE] });
      await pollUntil(
        async () => {
          const r = await this.s.api('/api/v1/computed-traits');
          if (r.status !== 200) throw new Error(`GET /api/v1/computed-traits → ${r.status} ${r.text}`);
          return r.json.computedTraits.every((c) => c.status === 'ready');
        },
        { describe: () => 'computed traits still "computing"' },
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
    if (last.shown !== undefined) msg += `\nactual ${st.kind.includes('account') ? 'account' : 'profile'}:\n${pretty(last.shown)}`;
    if (last.timeline) msg += `\ntimeline (${last.timeline.length} events, newest first):\n${last.timeline.map((e) => '  ' + JSON.stringify(e)).join('\n')}`;
    throw new ScenarioError(st.where, msg);
  }

  /** Evaluates one expect step once: {failures: [{where, text, message}], shown, remember}. */
  async evaluate(st) {
    const failures = [];
    const fail = (c, message) => failures.push({ where: c.where, text: c.text, message });
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
    for (const c of st.checks) await this.checkProfile(c, p, fail, ctx);
    return { failures, shown: p, remember: ctx.remember, timeline: failures.some((f) => /^events /.test(f.text)) ? ctx.timeline : undefined };
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
        const timeline = await profileTimeline(this.s, p.id);
        ctx.timeline = timeline;
        const problems = [];
        if (timeline.length !== c.n) problems.push(`the timeline has ${timeline.length} events`);
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
