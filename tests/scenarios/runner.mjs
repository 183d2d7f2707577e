// Scenario files: profile, audience and analytics behaviour written as plain-text steps
// (sqllogictest style), run against the real binary, optionally on the server's manual test
// clock. The format is documented in docs/scenarios.md; parse.mjs turns a file into steps and
// this module runs them on a fresh server. Every failure names FILE:LINE and shows the actual
// profile, account, audience or query answer.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { RapportServer, lookupProfile, pollUntil, profileTimeline, profilesCaughtUp, sleep } from '../lib/server.mjs';
import { checkQuery, warehouseCaughtUp } from './query.mjs';
import { BARRIER_EVENT, BARRIER_SOURCE, DEFAULT_SOURCE, ScenarioError, normIso, parseScenario, showIdent, showTarget } from './parse.mjs';

export { ScenarioError };

// After the pipeline caught up, assertions are retried this long before they count as failed.
const SETTLE_MS = Number(process.env.SCENARIO_SETTLE_MS ?? 3000);

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
    this.storedBarriers = 0; // how many of them the warehouse was seen to hold
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
      case 'query':
        await this.settle(st);
        await this.warehouseSettle(st);
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

  /** After settle(): waits until the warehouse has stored every barrier sent so far. */
  async warehouseSettle(st) {
    if (this.storedBarriers === this.barriers.size) return;
    try {
      await warehouseCaughtUp(this.s, this.barriers.size, BARRIER_EVENT, this.now);
    } catch (e) {
      throw new ScenarioError(st.where, `waiting for the warehouse: ${e.message}\nserver log:\n${this.s.log.slice(-3000)}`);
    }
    this.storedBarriers = this.barriers.size;
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
    if (last.shown !== undefined) msg += `\nactual ${label}:\n${last.raw ? last.shown : pretty(last.shown)}`;
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
    if (st.kind === 'query') return { ...(await checkQuery(this.s, st)), label: 'answer' };
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
