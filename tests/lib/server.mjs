// Harness for black-box tests of the built `rapport` binary.
//
// Starts `rapport serve` on a free 127.0.0.1 port with a fresh temporary data directory (sources
// and tokens created through the CLI first), waits for /readyz, and stops it with SIGTERM
// (graceful, exit code checked by the caller) or SIGKILL (crash). Also: fetch helpers for the
// ingest API (Basic / legacy Basic / writeKey in body, gzip) and the management API (Bearer).
// Traffic goes to 127.0.0.1 only.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.RAPPORT_BIN || path.join(REPO, 'build', 'src', 'cli', 'rapport');
export const ROLES = ['admin', 'marketer', 'analyst'];
export const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function requireBinary() {
  if (!existsSync(BIN)) {
    throw new Error(`rapport binary not found at ${BIN}: build it first (cmake + ninja) or set RAPPORT_BIN`);
  }
}

/** Runs the CLI synchronously; returns {status, stdout, stderr} (stdout/stderr as strings). */
export function cli(args, { timeoutMs = 30000, env = {} } = {}) {
  requireBinary();
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Like cli() but throws unless exit 0 and stdout is a single non-empty line; returns it. */
export function cliValue(args) {
  const r = cli(args);
  if (r.status !== 0) {
    throw new Error(`rapport ${args.join(' ')} exited ${r.status} (${r.signal ?? ''}): ${r.stderr}`);
  }
  const out = r.stdout.trim();
  if (!out || out.includes('\n')) {
    throw new Error(`rapport ${args.join(' ')}: expected one value alone on stdout, got ${JSON.stringify(r.stdout)}`);
  }
  return out;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function basic(key) {
  return 'Basic ' + Buffer.from(`${key}:`).toString('base64');
}
export function legacyBasic(key) {
  return 'Basic ' + Buffer.from(`${key}`).toString('base64');
}
export function bearer(token) {
  return `Bearer ${token}`;
}

let idCounter = 0;
/** A unique id for messageIds and userIds, readable in failure messages. */
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${idCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export class RapportServer {
  /**
   * Creates a data dir, the given sources (name → write key in this.keys) and one token per role
   * (role → token in this.tokens) through the CLI, then starts the server.
   */
  static async start({ sources = ['web'], env = {}, dataDir } = {}) {
    requireBinary();
    const s = new RapportServer();
    s.dataDir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'rapport-bb-'));
    s.env = env;
    s.keys = {};
    s.tokens = {};
    for (const name of sources) {
      s.keys[name] = cliValue(['admin', 'source', 'create', name, '--data', s.dataDir]);
    }
    for (const role of ROLES) {
      s.tokens[role] = cliValue(['admin', 'token', 'create', '--role', role, '--data', s.dataDir]);
    }
    s.key = s.keys[sources[0]];
    await s.launch();
    return s;
  }

  constructor() {
    this.proc = null;
    this.log = '';
    this.port = 0;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  url(p) {
    return this.base + p;
  }

  /** Spawns `rapport serve` on a new free port (same data dir) and waits for /readyz = 200. */
  async launch({ readyTimeoutMs = 20000 } = {}) {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freePort();
      this.log = '';
      const proc = spawn(BIN, ['serve', '--data', this.dataDir, '--http', `127.0.0.1:${this.port}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...this.env },
      });
      this.proc = proc;
      const append = (d) => {
        this.log += d.toString();
        if (this.log.length > 200000) this.log = this.log.slice(-100000);
      };
      proc.stdout.on('data', append);
      proc.stderr.on('data', append);
      proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
      let exited = null;
      proc.exited.then((e) => (exited = e));
      const deadline = Date.now() + readyTimeoutMs;
      while (Date.now() < deadline) {
        if (exited) break;
        try {
          const r = await fetch(this.url('/readyz'), { signal: AbortSignal.timeout(1000) });
          await r.arrayBuffer();
          if (r.status === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(50);
      }
      if (!exited) {
        proc.kill('SIGKILL');
        await proc.exited;
        throw new Error(`rapport serve not ready within ${readyTimeoutMs} ms on port ${this.port}; log:\n${this.log}`);
      }
      if (!/address already in use|EADDRINUSE|bind/i.test(this.log)) {
        throw new Error(`rapport serve exited early (${JSON.stringify(exited)}); log:\n${this.log}`);
      }
      // lost the port race with another process: try another port
    }
    throw new Error(`rapport serve could not bind a port; log:\n${this.log}`);
  }

  /** SIGTERM, waits for exit; returns {code, signal}. */
  async stop({ timeoutMs = 15000 } = {}) {
    const proc = this.proc;
    if (!proc) return { code: null, signal: null };
    this.proc = null;
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exited;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const r = await proc.exited;
    clearTimeout(timer);
    if (r.signal === 'SIGKILL') r.timedOut = true;
    return r;
  }

  /** SIGKILL (a crash), waits for exit. */
  async kill() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await proc.exited;
  }

  async restart() {
    const r = await this.stop();
    await this.launch();
    return r;
  }

  /** Stops (SIGKILL if needed) and removes the data dir. */
  async destroy() {
    await this.kill();
    if (this.dataDir && !process.env.RAPPORT_KEEP_DATA) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /**
   * POST to an ingest path. body: object (JSON-encoded) or string/Buffer (sent as is).
   * auth: 'basic' (KEY:), 'legacy' (KEY, no colon), 'body' (writeKey in the JSON), 'none'.
   * Returns {status, headers, text, json}.
   */
  async ingest(p, body, { key = this.key, auth = 'basic', gzip = false, headers = {}, method = 'POST' } = {}) {
    const h = { 'Content-Type': 'application/json', ...headers };
    if (auth === 'basic') h.Authorization = basic(key);
    if (auth === 'legacy') h.Authorization = legacyBasic(key);
    let payload = body;
    if (auth === 'body') payload = { ...body, writeKey: key };
    if (typeof payload === 'object' && !Buffer.isBuffer(payload)) payload = JSON.stringify(payload);
    if (gzip) {
      payload = gzipSync(payload);
      h['Content-Encoding'] = 'gzip';
    }
    return request(this.url(p), { method, headers: h, body: payload });
  }

  /** A management API call with a Bearer token (role name or literal token; null = no header). */
  async api(p, { token = 'admin', method = 'GET', body, headers = {} } = {}) {
    const h = { ...headers };
    if (token !== null) h.Authorization = bearer(this.tokens[token] ?? token);
    let payload;
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    return request(this.url(p), { method, headers: h, body: payload });
  }

  /** Pages through /api/v1/events with `after`; returns all events newest first. */
  async allEvents({ token = 'admin', source, limit = 1000 } = {}) {
    const out = [];
    let after = null;
    for (let page = 0; page < 100000; page++) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (source) q.set('source', source);
      if (after) q.set('after', after);
      const r = await this.api(`/api/v1/events?${q}`, { token });
      if (r.status !== 200) throw new Error(`GET /api/v1/events?${q} → ${r.status} ${r.text}`);
      if (!Array.isArray(r.json?.events)) throw new Error(`GET /api/v1/events: no events array: ${r.text.slice(0, 500)}`);
      out.push(...r.json.events);
      if (r.json.next === null || r.json.next === undefined) return out;
      if (r.json.events.length === 0) throw new Error(`GET /api/v1/events: empty page with next=${r.json.next}`);
      after = r.json.next;
    }
    throw new Error('too many pages');
  }

  /** The stored events with the given messageIds (map messageId → array of events). */
  async eventsById(ids, opts) {
    const want = new Set(ids);
    const m = new Map();
    for (const e of await this.allEvents(opts)) {
      if (want.has(e.messageId)) {
        if (!m.has(e.messageId)) m.set(e.messageId, []);
        m.get(e.messageId).push(e);
      }
    }
    return m;
  }

  async metrics() {
    const r = await request(this.url('/metrics'));
    if (r.status !== 200) throw new Error(`GET /metrics → ${r.status}`);
    return parseMetrics(r.text);
  }
}

/** fetch() returning {status, headers, text, json} (json = parsed body or undefined). */
export async function request(url, init = {}) {
  const r = await fetch(url, { signal: AbortSignal.timeout(init.timeoutMs ?? 30000), ...init });
  const text = await r.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** Parses Prometheus text: returns Map of 'name{labels}' → number, and helpers. */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return {
    text,
    samples,
    has: (name) => samples.some((s) => s.name === name),
    /** Sum of every sample of `name` whose labels include all of `where`. */
    sum: (name, where = {}) =>
      samples
        .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
        .reduce((a, s) => a + s.value, 0),
  };
}

/** A minimal valid event of each type. */
export function minimalEvent(type, extra = {}) {
  const base = { userId: uid('user'), messageId: uid('msg') };
  switch (type) {
    case 'track':
      return { ...base, event: 'Test Event', ...extra };
    case 'identify':
      return { ...base, traits: { plan: 'pro' }, ...extra };
    case 'page':
      return { ...base, name: 'Home', ...extra };
    case 'screen':
      return { ...base, name: 'Main', ...extra };
    case 'group':
      return { ...base, groupId: 'g-1', ...extra };
    case 'alias':
      return { ...base, previousId: 'anon-1', ...extra };
    default:
      throw new Error(type);
  }
}

export const TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

/** Pads properties.pad so that JSON.stringify(event) is exactly `bytes` long (ASCII). */
export function padTo(event, bytes) {
  const e = structuredClone(event);
  e.properties = { ...(e.properties ?? {}), pad: '' };
  const base = JSON.stringify(e).length;
  if (base > bytes) throw new Error(`event already ${base} bytes > ${bytes}`);
  e.properties.pad = 'x'.repeat(bytes - base);
  const len = JSON.stringify(e).length;
  if (len !== bytes) throw new Error(`padTo: got ${len}, wanted ${bytes}`);
  return e;
}

export { sleep };

// ---- Profiles (docs/api.md "Profiles"): lookups, timelines and waiting for the pipeline ----

/** GET /api/v1/profiles?identifier=TYPE:VALUE; returns {status, headers, text, json}. */
export async function lookupProfile(s, type, value, { token = 'admin' } = {}) {
  const q = new URLSearchParams({ identifier: `${type}:${value}` });
  return s.api(`/api/v1/profiles?${q}`, { token });
}

/** Pages through /api/v1/profiles/{id}/events with `after`; returns every event, newest first. */
export async function profileTimeline(s, id, { limit = 1000, token = 'admin', pages } = {}) {
  const out = [];
  let after = null;
  for (let page = 0; page < 100000; page++) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (after) q.set('after', after);
    const p = `/api/v1/profiles/${encodeURIComponent(id)}/events?${q}`;
    const r = await s.api(p, { token });
    if (r.status !== 200) throw new Error(`GET ${p} → ${r.status} ${r.text}`);
    if (!Array.isArray(r.json?.events)) throw new Error(`GET ${p}: no events array: ${r.text.slice(0, 500)}`);
    if (r.json.events.length > limit) throw new Error(`GET ${p}: ${r.json.events.length} events on a page of ${limit}`);
    pages?.push(r.json);
    out.push(...r.json.events);
    if (r.json.next === null || r.json.next === undefined) return out;
    if (r.json.events.length === 0) throw new Error(`GET ${p}: empty page with next=${r.json.next}`);
    after = r.json.next;
  }
  throw new Error('too many pages');
}

/**
 * Calls `fn` until it returns something other than undefined/false, or throws the last error
 * (or a timeout error with describe()) once `timeoutMs` passed. For asynchronous state such as
 * profiles: never sleep a fixed time, poll.
 */
export async function pollUntil(fn, { timeoutMs = 15000, intervalMs = 25, describe = () => '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last;
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      if (last) throw last;
      throw new Error(`not reached within ${timeoutMs} ms${describe() ? ': ' + describe() : ''}`);
    }
    await sleep(intervalMs);
  }
}

let barrierCounter = 0;
/**
 * Waits until the profile pipeline has applied every event acknowledged so far. It sends one
 * track event with a fresh anonymousId through the source with write key `key` and polls until
 * that anonymousId has a profile: the pipeline applies events in the order they became durable,
 * so everything acknowledged before is applied too. The barrier event makes a profile of its own
 * (returned: {id, anonymousId}).
 */
export async function profilesCaughtUp(s, { key = s.key, timeoutMs = 20000 } = {}) {
  barrierCounter += 1;
  const anonymousId = `pipeline-barrier-${process.pid}-${Date.now().toString(36)}-${barrierCounter}`;
  const r = await s.ingest('/v1/batch', { batch: [{ type: 'track', event: 'Pipeline Barrier', anonymousId }] }, { key });
  if (r.status !== 200) throw new Error(`barrier event: POST /v1/batch → ${r.status} ${r.text}`);
  const p = await pollUntil(
    async () => {
      const l = await lookupProfile(s, 'anonymous_id', anonymousId);
      if (l.status === 200) return l.json;
      if (l.status !== 404) throw new Error(`barrier lookup → ${l.status} ${l.text}`);
      return undefined;
    },
    { timeoutMs, describe: () => `the profile pipeline did not apply the barrier event ${anonymousId}` },
  );
  return { id: p.id, anonymousId };
}

/**
 * For a suite's after(): stops `s` with SIGTERM (throwing unless it exits 0), then removes its
 * data dir and the other `dirs`, also when the stop failed.
 */
export async function stopAndRemove(s, ...dirs) {
  try {
    const r = await s?.stop();
    if (r && r.code !== 0) throw new Error(`SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  } finally {
    await s?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
