// Black-box tests of the management API of the built binary: the auth matrix (every route × every
// kind of caller), events pagination and filters, the SSE stream, /metrics, graceful shutdown.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RapportServer, minimalEvent, request, sleep, uid } from '../lib/server.mjs';
import { assertError, assertOk, assertStatus, describeRes } from '../lib/assert-http.mjs';

describe('management API', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['web', 'app', 'pager'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  describe('auth matrix', () => {
    // route → the roles allowed (others get 403)
    const ALL = ['admin', 'marketer', 'analyst'];
    const routes = [
      { method: 'GET', path: '/api/v1/events?limit=5', allowed: ALL, ok: 200 },
      { method: 'GET', path: '/api/v1/events/stream', allowed: ALL, ok: 200, stream: true },
      { method: 'GET', path: '/api/v1/events/rejected', allowed: ALL, ok: 200 },
      { method: 'GET', path: '/api/v1/profiles/stats', allowed: ALL, ok: 200 },
      { method: 'GET', path: '/api/v1/sources', allowed: ALL, ok: 200 },
      { method: 'POST', path: '/api/v1/sources', body: () => ({ name: uid('src') }), allowed: ['admin'], ok: 201 },
      { method: 'POST', path: '/api/v1/tokens', body: () => ({ role: 'analyst', name: uid('tok') }), allowed: ['admin'], ok: 201 },
      { method: 'GET', path: '/api/v1/tokens', allowed: ['admin'], ok: 200 },
      { method: 'GET', path: '/api/v1/whoami', allowed: ALL, ok: 200 },
      { method: 'GET', path: '/api/v1/dashboards', allowed: ALL, ok: 200 },
      { method: 'POST', path: '/api/v1/dashboards', body: () => ({ name: uid('dash'), tiles: [] }), allowed: ALL, ok: 201 },
      // An unknown id: past the token check, 404.
      { method: 'GET', path: '/api/v1/dashboards/dsh_none', allowed: ALL, ok: 404 },
      { method: 'PUT', path: '/api/v1/dashboards/dsh_none', body: () => ({ name: 'x' }), allowed: ALL, ok: 404 },
      { method: 'DELETE', path: '/api/v1/dashboards/dsh_none', allowed: ALL, ok: 404 },
      { method: 'POST', path: '/api/v1/query', body: () => ({ kind: 'events', from: '2020-01-01T00:00:00Z', to: '2021-01-01T00:00:00Z' }), allowed: ALL, ok: 200 },
      // No purchases in this workspace: past the token check, the model says so (400).
      { method: 'POST', path: '/api/v1/insights/clv', body: () => ({}), allowed: ALL, ok: 400 },
      { method: 'POST', path: '/api/v1/insights/clv/apply', body: () => ({}), allowed: ['admin', 'marketer'], ok: 400 },
      { method: 'POST', path: '/api/v1/spend', body: () => ({ rows: [{ date: '2026-01-31', channel: 'Email', cost: 1 }] }), allowed: ['admin', 'marketer'], ok: 200 },
      { method: 'GET', path: '/api/v1/spend', allowed: ALL, ok: 200 },
      { method: 'DELETE', path: '/api/v1/spend?from=2026-01-01&to=2026-01-31', allowed: ['admin', 'marketer'], ok: 200 },
    ];
    const callers = () => [
      ['no token', null, 401, 'unauthenticated'],
      ['bad token', 'definitely-not-a-token', 401, 'unauthenticated'],
      ['write key as bearer', s.key, 401, 'unauthenticated'],
      ...ALL.map((role) => [role, role, null, null]),
    ];

    async function call(route, token) {
      const h = {};
      if (token !== null) h.Authorization = `Bearer ${s.tokens[token] ?? token}`;
      const init = { method: route.method, headers: h };
      if (route.body) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(route.body());
      }
      if (route.stream) {
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 5000);
        try {
          const r = await fetch(s.url(route.path), { ...init, signal: ac.signal });
          let text = '';
          if (r.status !== 200) text = await r.text();
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {}
          return { status: r.status, headers: r.headers, text, json };
        } finally {
          clearTimeout(timer);
          ac.abort();
        }
      }
      return request(s.url(route.path), init);
    }

    test('every route × every caller', async () => {
      const failures = [];
      for (const route of routes) {
        for (const [who, token, status, code] of callers()) {
          const expected = status ?? (route.allowed.includes(who) ? route.ok : 403);
          const expCode = code ?? (expected === 403 ? 'permission_denied' : null);
          const r = await call(route, token);
          const line = `${route.method} ${route.path} as ${who}: expected ${expected}${expCode ? ' ' + expCode : ''}, got ${describeRes(r)}`;
          if (r.status !== expected) failures.push(line);
          else if (expCode && r.json?.error !== expCode) failures.push(line);
          else if (expCode && typeof r.json?.message !== 'string') failures.push(line + ' (no message)');
        }
      }
      assert.deepEqual(failures, [], `auth matrix failures:\n${failures.join('\n')}`);
    });

    test('Basic auth with a token is not accepted on /api/v1', async () => {
      const r = await request(s.url('/api/v1/whoami'), {
        headers: { Authorization: 'Basic ' + Buffer.from(`${s.tokens.admin}:`).toString('base64') },
      });
      assertError(r, 401, 'unauthenticated', null, 'GET /api/v1/whoami with Basic token');
    });

    test('unknown /api/v1 path → 404 for an admin', async () => {
      assertError(await s.api('/api/v1/no-such-thing'), 404, 'not_found', null, 'GET /api/v1/no-such-thing');
    });
  });

  describe('whoami, tokens, sources', () => {
    test('whoami reports the role of each CLI token', async () => {
      for (const role of ['admin', 'marketer', 'analyst']) {
        const r = await s.api('/api/v1/whoami', { token: role });
        assertStatus(r, 200, `whoami as ${role}`);
        assert.equal(r.json?.role, role, describeRes(r));
        assert.ok(r.json?.tokenId !== undefined && r.json?.tokenId !== null && r.json.tokenId !== '', describeRes(r));
      }
    });

    test('POST /api/v1/tokens creates a working token of that role, listed without its secret', async () => {
      const name = uid('marketing-bot');
      const r = await s.api('/api/v1/tokens', { method: 'POST', body: { role: 'marketer', name } });
      assertStatus(r, 201, 'POST /api/v1/tokens');
      assert.equal(r.json?.role, 'marketer', describeRes(r));
      assert.equal(typeof r.json?.token, 'string', describeRes(r));
      assert.ok(r.json.id !== undefined, describeRes(r));
      const who = await s.api('/api/v1/whoami', { token: r.json.token });
      assertStatus(who, 200);
      assert.equal(who.json.role, 'marketer');
      assert.equal(String(who.json.tokenId), String(r.json.id), `whoami tokenId = created id: ${describeRes(who)}`);
      const list = await s.api('/api/v1/tokens');
      assertStatus(list, 200);
      assert.ok(Array.isArray(list.json?.tokens), describeRes(list));
      const mine = list.json.tokens.find((t) => String(t.id) === String(r.json.id));
      assert.ok(mine, `new token listed: ${describeRes(list)}`);
      assert.equal(mine.role, 'marketer');
      assert.equal(mine.name, name);
      assert.match(String(mine.createdAt), /^\d{4}-\d\d-\d\dT/);
      for (const secret of [r.json.token, s.tokens.admin, s.tokens.marketer, s.tokens.analyst]) {
        assert.ok(!list.text.includes(secret), 'GET /api/v1/tokens must not reveal token secrets');
      }
      assert.ok(list.json.tokens.length >= 4, 'the three CLI tokens and the new one');
    });

    test('POST /api/v1/tokens with a bad role → 400', async () => {
      const r = await s.api('/api/v1/tokens', { method: 'POST', body: { role: 'superuser' } });
      assertError(r, 400, 'invalid_argument', /role/, 'POST /api/v1/tokens role=superuser');
    });

    test('POST /api/v1/sources creates a source whose write key ingests; GET never shows write keys', async () => {
      const name = uid('newsrc');
      const r = await s.api('/api/v1/sources', { method: 'POST', body: { name } });
      assertStatus(r, 201, 'POST /api/v1/sources');
      assert.equal(r.json?.name, name);
      assert.equal(typeof r.json?.writeKey, 'string', describeRes(r));
      assert.ok(r.json.id !== undefined);
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { key: r.json.writeKey }), 'ingest with the new write key');
      const mine = await s.allEvents({ source: name });
      assert.deepEqual(mine.map((e) => e.messageId), [ev.messageId], 'source filter on the new source');
      const list = await s.api('/api/v1/sources', { token: 'analyst' });
      assertStatus(list, 200);
      const names = list.json.sources.map((x) => x.name);
      for (const n of ['web', 'app', 'pager', name]) assert.ok(names.includes(n), `source ${n} listed: ${names}`);
      for (const x of list.json.sources) {
        assert.ok(x.id !== undefined && typeof x.name === 'string' && typeof x.createdAt === 'string', JSON.stringify(x));
      }
      for (const key of [r.json.writeKey, ...Object.values(s.keys)]) {
        assert.ok(!list.text.includes(key), 'GET /api/v1/sources must not reveal write keys');
      }
    });

    test('CLI: creating the same source twice fails on stderr', async () => {
      const { cli } = await import('../lib/server.mjs');
      const { mkdtempSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(`${tmpdir()}/rapport-cli-`);
      try {
        const a = cli(['admin', 'source', 'create', 'shop', '--data', dir]);
        assert.equal(a.status, 0, `first create: ${a.stderr}`);
        assert.ok(/^\S+$/.test(a.stdout.trim()), `write key alone on stdout: ${JSON.stringify(a.stdout)}`);
        const b = cli(['admin', 'source', 'create', 'shop', '--data', dir]);
        assert.notEqual(b.status, 0, 'second create of the same name must fail');
        assert.ok(b.stderr.trim().length > 0, 'with a message on stderr');
        assert.equal(b.stdout.trim(), '', 'and nothing on stdout');
        for (const role of ['admin', 'marketer', 'analyst']) {
          const t = cli(['admin', 'token', 'create', '--role', role, '--data', dir]);
          assert.equal(t.status, 0, t.stderr);
          assert.ok(/^\S+$/.test(t.stdout.trim()), `token alone on stdout: ${JSON.stringify(t.stdout)}`);
        }
        const bad = cli(['admin', 'token', 'create', '--role', 'root', '--data', dir]);
        assert.notEqual(bad.status, 0, 'unknown role must fail');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('dashboards', () => {
    test('saved, renamed, kept across a restart, deleted', async () => {
      const tile = { title: 'Signups', query: { kind: 'trends', events: [{ event: 'Signed Up' }] }, view: { chart: 'line' } };
      const created = await s.api('/api/v1/dashboards', { token: 'analyst', method: 'POST', body: { name: 'Weekly', tiles: [tile] } });
      assertStatus(created, 201, 'POST /api/v1/dashboards');
      assert.deepEqual(created.json.tiles, [tile], describeRes(created));
      const id = created.json.id;
      const dup = await s.api('/api/v1/dashboards', { method: 'POST', body: { name: 'Weekly' } });
      assertError(dup, 409, 'already_exists', null, 'a second dashboard named Weekly');
      const bad = await s.api('/api/v1/dashboards', { method: 'POST', body: { name: 'B', tiles: [{ title: 'no query' }] } });
      assertError(bad, 400, 'invalid_argument', /tiles\[0\]\.query/, 'a tile without a query');
      const renamed = await s.api(`/api/v1/dashboards/${id}`, { method: 'PUT', body: { name: 'Weekly KPIs', tiles: [tile, tile] } });
      assertStatus(renamed, 200, 'PUT');
      await s.restart();
      const read = await s.api(`/api/v1/dashboards/${id}`, { token: 'marketer' });
      assertStatus(read, 200, 'GET after a restart');
      assert.equal(read.json.name, 'Weekly KPIs');
      assert.equal(read.json.tiles.length, 2);
      const list = await s.api('/api/v1/dashboards');
      assert.ok(list.json.dashboards.some((d) => d.id === id), describeRes(list));
      assertStatus(await s.api(`/api/v1/dashboards/${id}`, { method: 'DELETE' }), 204, 'DELETE');
      assertError(await s.api(`/api/v1/dashboards/${id}`), 404, 'not_found', null, 'GET after DELETE');
    });
  });

  describe('rejected events', () => {
    test('the newest refusals with their reason, source and body', async () => {
      const before = (await s.api('/api/v1/events/rejected')).json.total;
      const noEvent = { userId: 'u-rej', properties: { n: 1 } };
      assertError(await s.ingest('/v1/track', noEvent, { key: s.keys.web }), 400, 'invalid_argument');
      assertError(await s.ingest('/v1/track', minimalEvent('track'), { key: 'wk_not_a_key' }), 401, 'unauthenticated');
      const r = await s.api('/api/v1/events/rejected?limit=2', { token: 'analyst' });
      assertStatus(r, 200, 'GET /api/v1/events/rejected');
      assert.equal(r.json.total, before + 2);
      const [badKey, bad] = r.json.rejected;
      assert.equal(badKey.source, null);
      assert.equal(badKey.status, 401);
      assert.equal(bad.source, 'web');
      assert.equal(bad.endpoint, '/v1/track');
      assert.equal(bad.status, 400);
      assert.match(bad.message, /event/);
      assert.deepEqual(JSON.parse(bad.body), noEvent);
      assert.equal(bad.truncated, false);
      assertError(await s.api('/api/v1/events/rejected?limit=0'), 400, 'invalid_argument', /limit/);
    });
  });

  describe('events', () => {
    test('pagination with after walks every event exactly once, newest first; source filter', async () => {
      const sent = [];
      for (let i = 0; i < 37; i++) {
        const ev = minimalEvent('track', { properties: { i } });
        assertOk(await s.ingest('/v1/track', ev, { key: s.keys.pager }), `pager event ${i}`);
        sent.push(ev.messageId);
      }
      // interleave a few events of another source
      const other = [];
      for (let i = 0; i < 5; i++) {
        const ev = minimalEvent('track');
        assertOk(await s.ingest('/v1/track', ev, { key: s.keys.app }));
        other.push(ev.messageId);
      }
      for (const limit of [1, 10, 37, 1000]) {
        const got = await s.allEvents({ source: 'pager', limit });
        assert.deepEqual(
          got.map((e) => e.messageId),
          [...sent].reverse(),
          `source=pager, limit=${limit}: every event once, newest first`,
        );
      }
      const all = await s.allEvents({ limit: 7 });
      const ids = all.map((e) => e.messageId);
      assert.equal(new Set(ids).size, ids.length, 'no event twice across pages');
      for (const id of [...sent, ...other]) assert.ok(ids.includes(id), `${id} present without filter`);
      for (let i = 1; i < all.length; i++) {
        assert.ok(
          Date.parse(all[i - 1].receivedAt) >= Date.parse(all[i].receivedAt),
          `newest first by receivedAt: [${i - 1}] ${all[i - 1].receivedAt} < [${i}] ${all[i].receivedAt}`,
        );
      }
      const appOnly = await s.allEvents({ source: 'app' });
      assert.deepEqual(appOnly.map((e) => e.messageId).filter((id) => other.includes(id)), [...other].reverse());
      assert.ok(!appOnly.some((e) => sent.includes(e.messageId)), 'source filter excludes other sources');
    });

    test('first page shape: {events, next}; default limit 50', async () => {
      const batch = Array.from({ length: 60 }, () => ({ type: 'track', ...minimalEvent('track') }));
      assertOk(await s.ingest('/v1/batch', { batch }));
      const r = await s.api('/api/v1/events', { token: 'analyst' });
      assertStatus(r, 200);
      assert.ok(Array.isArray(r.json?.events), describeRes(r));
      assert.equal(r.json.events.length, 50, 'default limit is 50');
      assert.equal(typeof r.json.next, 'string', `next cursor when more remain: ${JSON.stringify(r.json.next)}`);
      const r2 = await s.api('/api/v1/events?limit=1000', { token: 'marketer' });
      assertStatus(r2, 200);
      assert.ok(r2.json.events.length > 100);
      const total = (await s.allEvents()).length;
      if (total <= 1000) assert.equal(r2.json.next, null, 'next is null on the last page');
    });

    test('bad limit → 400 invalid_argument', async () => {
      for (const limit of ['0', '-1', 'abc', '1001', '1.5', '']) {
        const r = await s.api(`/api/v1/events?limit=${limit}`);
        assertError(r, 400, 'invalid_argument', /limit/, `GET /api/v1/events?limit=${limit}`);
      }
    });

    test('bad cursor → 400', async () => {
      const r = await s.api('/api/v1/events?after=%%%garbage%%%');
      assertError(r, 400, 'invalid_argument', null, 'GET /api/v1/events?after=garbage');
    });

    test('SSE stream receives an event posted after subscribing (and the source filter applies)', async () => {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 10000);
      try {
        const r = await fetch(s.url('/api/v1/events/stream?source=web'), {
          headers: { Authorization: `Bearer ${s.tokens.analyst}`, Accept: 'text/event-stream' },
          signal: ac.signal,
        });
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
        await sleep(200);
        const otherSrc = minimalEvent('track');
        assertOk(await s.ingest('/v1/track', otherSrc, { key: s.keys.app }));
        const ev = minimalEvent('track', { properties: { streamed: true } });
        assertOk(await s.ingest('/v1/track', ev, { key: s.keys.web }));
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        const seen = [];
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let idx;
          while ((idx = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, idx);
            buf = buf.slice(idx + 2);
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).replace(/^ /, ''))
              .join('\n');
            if (!data) continue; // comments / keep-alives
            const obj = JSON.parse(data);
            seen.push(obj.messageId);
            if (obj.messageId === ev.messageId) {
              assert.deepEqual(obj.properties, { streamed: true });
              assert.equal(obj.type, 'track');
              assert.ok(!seen.includes(otherSrc.messageId), 'source filter: the app event is not streamed');
              return;
            }
          }
        }
        assert.fail(`stream ended without the event; seen ${seen}`);
      } catch (e) {
        if (ac.signal.aborted) assert.fail('no SSE event within 10 s of posting');
        throw e;
      } finally {
        clearTimeout(timer);
        ac.abort();
      }
    });
  });

  describe('metrics', () => {
    test('/metrics exposes the contracted series and they move', async () => {
      const m0 = await s.metrics();
      const missing = [];
      for (const name of [
        'rapport_http_requests_total',
        'rapport_events_accepted_total',
        'rapport_events_rejected_total',
        'rapport_log_fsync_seconds_bucket',
        'rapport_log_fsync_seconds_sum',
        'rapport_log_fsync_seconds_count',
        'rapport_log_bytes',
      ]) {
        if (!m0.has(name)) missing.push(name);
      }
      const req = m0.samples.filter((x) => x.name === 'rapport_http_requests_total');
      assert.ok(req.every((x) => 'route' in x.labels && 'status' in x.labels), 'route and status labels');
      assert.ok(
        m0.samples.some((x) => x.name === 'rapport_log_fsync_seconds_bucket' && x.labels.le === '+Inf'),
        'histogram has an le="+Inf" bucket',
      );

      const batch = Array.from({ length: 3 }, () => ({ type: 'track', ...minimalEvent('track') }));
      assertOk(await s.ingest('/v1/batch', { batch }));
      assertStatus(await s.ingest('/v1/track', { userId: 'u' }), 400);
      const m1 = await s.metrics();
      const d = (name, where) => m1.sum(name, where) - m0.sum(name, where);
      assert.ok(d('rapport_events_accepted_total') >= 3, `accepted +${d('rapport_events_accepted_total')}`);
      if (!missing.includes('rapport_events_rejected_total')) {
        assert.ok(d('rapport_events_rejected_total') >= 1, `rejected +${d('rapport_events_rejected_total')}`);
      }
      assert.ok(d('rapport_http_requests_total', { status: '200' }) >= 1, 'requests with status 200 counted');
      assert.ok(d('rapport_http_requests_total', { status: '400' }) >= 1, 'requests with status 400 counted');
      assert.ok(d('rapport_log_fsync_seconds_count') >= 1, 'an fsync was timed');
      assert.ok(d('rapport_log_bytes') > 0, `log bytes grew: +${d('rapport_log_bytes')}`);
      const inf = m1.samples.find((x) => x.name === 'rapport_log_fsync_seconds_bucket' && x.labels.le === '+Inf');
      assert.equal(inf.value, m1.sum('rapport_log_fsync_seconds_count'), '+Inf bucket = _count');
      assert.deepEqual(missing, [], `/metrics lacks contracted series:\n${m0.text.slice(0, 1500)}`);
    });
  });

  describe('shutdown', () => {
    test('SIGTERM with requests in flight: exit 0, every acknowledged event kept', async () => {
      const acked = [];
      const inflight = [];
      for (let i = 0; i < 20; i++) {
        const batch = Array.from({ length: 50 }, () => ({ type: 'track', ...minimalEvent('track', { properties: { p: 'y'.repeat(500) } }) }));
        inflight.push(
          s
            .ingest('/v1/batch', { batch })
            .then((r) => {
              if (r.status === 200) acked.push(...batch.map((e) => e.messageId));
              return r.status;
            })
            .catch(() => 'conn'),
        );
      }
      await sleep(5);
      const stopping = s.stop();
      const statuses = await Promise.all(inflight);
      const exit = await stopping;
      assert.equal(exit.code, 0, `exit after SIGTERM under load: ${JSON.stringify(exit)}; log:\n${s.log.slice(-2000)}`);
      assert.ok(statuses.every((x) => x === 200 || x === 503 || x === 'conn'), `statuses: ${statuses}`);
      await s.launch();
      const m = await s.eventsById(acked);
      const missing = acked.filter((id) => (m.get(id)?.length ?? 0) !== 1);
      assert.deepEqual(missing, [], `acknowledged events lost or doubled across a graceful stop (${acked.length} acked)`);
    });
  });
});
