// Black-box tests of the ingest API (Segment HTTP Tracking API) of the built binary: every error
// case with its status, code and message; exact size limits; gzip; the three ways to pass a write
// key; CORS; batch context merge; timestamp correction; messageId de-duplication (also across a
// restart); atomic batches.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ISO_MS, RapportServer, TYPES, minimalEvent, padTo, request, uid } from '../lib/server.mjs';
import { assertError, assertOk, assertStatus, describeRes } from '../lib/assert-http.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KB32 = /32\s?(KB|KiB|kB)|32768/;
const KB500 = /500\s?(KB|KiB|kB)|512000|512,000/;

describe('ingest', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['web', 'app'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}; log:\n${s.log.slice(-3000)}`);
  });

  async function stored(ids) {
    const m = await s.eventsById(ids);
    return m;
  }
  async function storedOne(id) {
    const m = await stored([id]);
    const list = m.get(id) ?? [];
    assert.equal(list.length, 1, `messageId ${id}: expected stored exactly once, found ${list.length}`);
    return list[0];
  }

  describe('accepts every call type', () => {
    for (const type of TYPES) {
      test(`POST /v1/${type}`, async () => {
        const ev = minimalEvent(type, { properties: { n: 1, nested: { a: [1, 'two'] } }, custom: { kept: true } });
        const r = await s.ingest(`/v1/${type}`, ev);
        assertOk(r, `POST /v1/${type} ${JSON.stringify(ev)}`);
        const got = await storedOne(ev.messageId);
        assert.equal(got.type, type);
        assert.equal(got.userId, ev.userId);
        assert.deepEqual(got.properties, ev.properties);
        assert.deepEqual(got.custom, { kept: true }, `unknown top-level fields are kept: ${JSON.stringify(got)}`);
        for (const f of ['receivedAt', 'timestamp', 'sentAt', 'originalTimestamp']) {
          if (f === 'sentAt' || f === 'originalTimestamp') {
            if (got[f] === undefined || got[f] === null) continue;
          }
          assert.match(String(got[f]), ISO_MS, `${f} must be ISO-8601 with ms and Z: ${JSON.stringify(got)}`);
        }
        if (type === 'track') assert.equal(got.event, ev.event);
        if (type === 'identify') assert.deepEqual(got.traits, ev.traits);
        if (type === 'group') assert.equal(got.groupId, ev.groupId);
        if (type === 'alias') assert.equal(got.previousId, ev.previousId);
        if (type === 'page' || type === 'screen') assert.equal(got.name, ev.name);
      });
    }

    test('POST /v1/batch with every type', async () => {
      const batch = TYPES.map((t) => ({ type: t, ...minimalEvent(t) }));
      assertOk(await s.ingest('/v1/batch', { batch }), 'batch of every type');
      const m = await stored(batch.map((e) => e.messageId));
      for (const e of batch) {
        assert.equal(m.get(e.messageId)?.length, 1, `batch item ${e.type} ${e.messageId} stored once`);
        assert.equal(m.get(e.messageId)[0].type, e.type);
      }
    });

    test('POST /v1/import behaves like /v1/batch', async () => {
      const batch = [
        { type: 'track', ...minimalEvent('track') },
        { type: 'identify', ...minimalEvent('identify') },
      ];
      assertOk(await s.ingest('/v1/import', { batch }), '/v1/import');
      const m = await stored(batch.map((e) => e.messageId));
      assert.equal(m.size, 2);
    });

    test('anonymousId alone is enough', async () => {
      const ev = { anonymousId: uid('anon'), event: 'Anon', messageId: uid('msg') };
      assertOk(await s.ingest('/v1/track', ev), 'track with anonymousId only');
      const got = await storedOne(ev.messageId);
      assert.equal(got.anonymousId, ev.anonymousId);
    });

    test('a messageId is assigned when missing', async () => {
      const userId = uid('user-nomsg');
      assertOk(await s.ingest('/v1/track', { userId, event: 'No Id' }), 'track without messageId');
      const all = (await s.allEvents()).filter((e) => e.userId === userId);
      assert.equal(all.length, 1);
      assert.match(all[0].messageId, UUID, `assigned messageId should be a UUID: ${JSON.stringify(all[0])}`);
      assert.equal(all[0].type, 'track');
    });
  });

  describe('write key', () => {
    test('Basic KEY: (with colon)', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { auth: 'basic' }));
      await storedOne(ev.messageId);
    });
    test('legacy Basic KEY (no colon)', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { auth: 'legacy' }), 'legacy Basic base64(KEY)');
      await storedOne(ev.messageId);
    });
    test('writeKey in the body, not stored', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { auth: 'body' }), 'writeKey in body');
      const got = await storedOne(ev.messageId);
      assert.equal(got.writeKey, undefined, `writeKey must not be stored: ${JSON.stringify(got)}`);
      assert.ok(!JSON.stringify(got).includes(s.key), 'the write key appears nowhere in the stored event');
    });
    test('writeKey in a batch body', async () => {
      const ev = { type: 'track', ...minimalEvent('track') };
      assertOk(await s.ingest('/v1/batch', { batch: [ev] }, { auth: 'body' }), 'writeKey in batch body');
      const got = await storedOne(ev.messageId);
      assert.ok(!JSON.stringify(got).includes(s.key), 'the write key appears nowhere in the stored event');
    });
    test('second source key works too', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { key: s.keys.app }));
      await storedOne(ev.messageId);
    });

    const cases = [
      ['no write key at all', { auth: 'none' }],
      ['unknown key in Basic', { auth: 'basic', key: 'not-a-real-key' }],
      ['unknown key in legacy Basic', { auth: 'legacy', key: 'not-a-real-key' }],
      ['unknown key in body', { auth: 'body', key: 'not-a-real-key' }],
      ['empty key in Basic', { auth: 'basic', key: '' }],
      ['garbage Basic', { auth: 'none', headers: { Authorization: 'Basic %%%not-base64%%%' } }],
      ['a Bearer header', { auth: 'none', headers: { Authorization: 'Bearer whatever' } }],
    ];
    for (const [name, opts] of cases) {
      test(`401 unauthenticated: ${name}`, async () => {
        const ev = minimalEvent('track');
        const r = await s.ingest('/v1/track', ev, opts);
        assertError(r, 401, 'unauthenticated', null, `POST /v1/track with ${name}`);
        const m = await stored([ev.messageId]);
        assert.equal(m.size, 0, 'nothing stored');
      });
    }
    test('401: a management token is not a write key', async () => {
      const r = await s.ingest('/v1/track', minimalEvent('track'), { auth: 'basic', key: s.tokens.admin });
      assertError(r, 401, 'unauthenticated', null, 'admin token as Basic write key');
      const r2 = await s.ingest('/v1/track', minimalEvent('track'), {
        auth: 'none',
        headers: { Authorization: `Bearer ${s.tokens.admin}` },
      });
      assertError(r2, 401, 'unauthenticated', null, 'admin token as Bearer on ingest');
    });
    test('401 on /v1/batch without key', async () => {
      const r = await s.ingest('/v1/batch', { batch: [{ type: 'track', ...minimalEvent('track') }] }, { auth: 'none' });
      assertError(r, 401, 'unauthenticated', null, 'batch without key');
    });
  });

  describe('400 invalid_argument', () => {
    const bad = [
      ['/v1/track', '{"userId": "u", "event": ', /JSON|parse|syntax/i, 'truncated JSON'],
      ['/v1/track', 'not json at all', /JSON|parse|syntax/i, 'not JSON'],
      ['/v1/track', '', null, 'empty body'],
      ['/v1/track', '[1,2,3]', /object/i, 'JSON array instead of object'],
      ['/v1/track', { event: 'E' }, /userId|anonymousId/, 'track without userId/anonymousId'],
      ['/v1/identify', { traits: { a: 1 } }, /userId|anonymousId/, 'identify without ids'],
      ['/v1/page', { name: 'P' }, /userId|anonymousId/, 'page without ids'],
      ['/v1/screen', { name: 'S' }, /userId|anonymousId/, 'screen without ids'],
      ['/v1/group', { groupId: 'g' }, /userId|anonymousId/, 'group without ids'],
      ['/v1/track', { userId: 'u' }, /\bevent\b/, 'track without event'],
      ['/v1/group', { userId: 'u' }, /groupId/, 'group without groupId'],
      ['/v1/alias', { userId: 'u' }, /previousId/, 'alias without previousId'],
      ['/v1/alias', { previousId: 'p' }, /userId/, 'alias without userId'],
      ['/v1/batch', {}, /batch/, 'batch without batch'],
      ['/v1/batch', { batch: 'nope' }, /batch/, 'batch not an array'],
      ['/v1/batch', { batch: [{ userId: 'u', event: 'E' }] }, [/batch\[0\]/, /\btype\b/], 'batch item without type'],
      [
        '/v1/batch',
        { batch: [{ type: 'track', userId: 'u', event: 'E' }, { type: 'bogus', userId: 'u' }] },
        [/batch\[1\]/, /\btype\b/],
        'batch item with unknown type',
      ],
      [
        '/v1/batch',
        {
          batch: [
            { type: 'track', userId: 'u', event: 'E' },
            { type: 'identify', userId: 'u' },
            { type: 'track', userId: 'u' },
          ],
        },
        /batch\[2\]\.event/,
        'batch[2] track without event',
      ],
      [
        '/v1/batch',
        { batch: [{ type: 'track', userId: 'u', event: 'E' }, { type: 'track', event: 'E' }] },
        [/batch\[1\]/, /userId|anonymousId/],
        'batch[1] without ids',
      ],
      [
        '/v1/batch',
        { batch: [{ type: 'group', userId: 'u' }] },
        [/batch\[0\]/, /groupId/],
        'batch[0] group without groupId',
      ],
      [
        '/v1/batch',
        { batch: [{ type: 'track', userId: 'u', event: 'E' }, { type: 'alias', userId: 'u' }] },
        [/batch\[1\]/, /previousId/],
        'batch[1] alias without previousId',
      ],
    ];
    for (const [p, body, msg, name] of bad) {
      test(`${p}: ${name}`, async () => {
        const r = await s.ingest(p, body);
        assertError(r, 400, 'invalid_argument', msg, `POST ${p} ${typeof body === 'string' ? JSON.stringify(body) : JSON.stringify(body)}`);
      });
    }

    test('Content-Encoding gzip with a body that is not gzip', async () => {
      const r = await request(s.url('/v1/track'), {
        method: 'POST',
        headers: {
          Authorization: 'Basic ' + Buffer.from(`${s.key}:`).toString('base64'),
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
        },
        body: JSON.stringify(minimalEvent('track')),
      });
      assertError(r, 400, 'invalid_argument', null, 'plain body labelled gzip');
    });

    test('one bad batch item rejects the whole request: nothing stored', async () => {
      const good = [0, 1, 3].map(() => ({ type: 'track', ...minimalEvent('track') }));
      const batch = [good[0], good[1], { type: 'track', userId: 'u', messageId: uid('bad') }, good[2]];
      const r = await s.ingest('/v1/batch', { batch });
      assertError(r, 400, 'invalid_argument', /batch\[2\]\.event/, 'batch with bad item 2');
      const m = await stored(batch.map((e) => e.messageId));
      assert.equal(m.size, 0, `nothing of a rejected batch may be stored, found ${[...m.keys()]}`);
      // and the same good events are accepted afterwards (the rejection reserved no messageIds)
      assertOk(await s.ingest('/v1/batch', { batch: good }));
      assert.equal((await stored(good.map((e) => e.messageId))).size, 3);
    });
  });

  describe('413 too_large, exact boundaries', () => {
    test('single event of exactly 32768 bytes is accepted, 32769 rejected', async () => {
      const ok = padTo(minimalEvent('track'), 32768);
      const body = JSON.stringify(ok);
      assert.equal(Buffer.byteLength(body), 32768);
      assertOk(await s.ingest('/v1/track', body), 'POST /v1/track of 32768 bytes');
      await storedOne(ok.messageId);
      const big = padTo(minimalEvent('track'), 32769);
      const r = await s.ingest('/v1/track', JSON.stringify(big));
      assertError(r, 413, 'too_large', KB32, 'POST /v1/track of 32769 bytes');
      assert.equal((await stored([big.messageId])).size, 0);
    });

    test('batch item of exactly 32768 bytes accepted, 32769 rejected (names the index)', async () => {
      const small = { type: 'track', ...minimalEvent('track') };
      const ok = padTo({ type: 'track', ...minimalEvent('track') }, 32768);
      assertOk(await s.ingest('/v1/batch', { batch: [small, ok] }), 'batch with a 32768-byte item');
      const big = padTo({ type: 'track', ...minimalEvent('track') }, 32769);
      const small2 = { type: 'track', ...minimalEvent('track') };
      const r = await s.ingest('/v1/batch', { batch: [small2, big] });
      assertError(r, 413, 'too_large', KB32, 'batch with a 32769-byte item at index 1');
      assert.match(r.json.message, /batch\[1\]|index 1|item 1/, `message should name the index: ${describeRes(r)}`);
      assert.equal((await stored([small2.messageId, big.messageId])).size, 0);
    });

    function batchBodyOfExactly(bytes) {
      const items = [];
      for (let i = 0; i < 25; i++) items.push(padTo({ type: 'track', ...minimalEvent('track') }, 20000));
      let body = JSON.stringify({ batch: items });
      const last = items[items.length - 1];
      const delta = bytes - body.length;
      const lastLen = JSON.stringify(last).length + delta;
      assert.ok(lastLen > 200 && lastLen <= 32768, `cannot build a body of ${bytes} bytes`);
      items[items.length - 1] = padTo(last, lastLen);
      body = JSON.stringify({ batch: items });
      assert.equal(Buffer.byteLength(body), bytes);
      return { body, ids: items.map((e) => e.messageId) };
    }

    test('batch body of exactly 512000 bytes accepted, 512001 rejected', async () => {
      const ok = batchBodyOfExactly(512000);
      assertOk(await s.ingest('/v1/batch', ok.body), 'batch body of 512000 bytes');
      assert.equal((await stored(ok.ids)).size, ok.ids.length);
      const big = batchBodyOfExactly(512001);
      const r = await s.ingest('/v1/batch', big.body);
      assertError(r, 413, 'too_large', KB500, 'batch body of 512001 bytes');
      assert.equal((await stored(big.ids)).size, 0);
    });

    test('a much larger body (2 MB) is rejected with 413, server still fine', async (t) => {
      const body = JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'E', properties: { p: 'x'.repeat(2_000_000) } }] });
      let r;
      try {
        r = await s.ingest('/v1/batch', body);
      } catch (e) {
        // A server may answer 413 as soon as it sees Content-Length and close the connection while
        // the client is still sending; fetch then reports a reset instead of the answer. Allowed.
        t.diagnostic(`2 MB body: connection closed early (${e.cause?.code ?? e.message})`);
      }
      if (r) assertError(r, 413, 'too_large', KB500, 'batch body of 2 MB');
      assertStatus(await request(s.url('/healthz')), 200, 'healthz after a 2 MB body');
    });

    function nEvents(n) {
      return Array.from({ length: n }, (_, i) => ({ type: 'track', userId: 'u', event: 'E', messageId: uid(`n${i}`) }));
    }
    test('2500 events in one batch accepted, 2501 rejected', async () => {
      const ok = nEvents(2500);
      const okBody = JSON.stringify({ batch: ok });
      assert.ok(okBody.length < 512000, `test body too big: ${okBody.length}`);
      assertOk(await s.ingest('/v1/batch', okBody), 'batch of 2500 events');
      assert.equal((await stored(ok.map((e) => e.messageId))).size, 2500);
      const big = nEvents(2501);
      const r = await s.ingest('/v1/batch', { batch: big });
      assertError(r, 413, 'too_large', /2500|2,500/, 'batch of 2501 events');
      assert.equal((await stored(big.map((e) => e.messageId))).size, 0);
    });
  });

  describe('gzip', () => {
    test('gzip body on /v1/track and /v1/batch', async () => {
      const ev = minimalEvent('track', { properties: { zipped: true } });
      assertOk(await s.ingest('/v1/track', ev, { gzip: true }), 'gzip track');
      const got = await storedOne(ev.messageId);
      assert.deepEqual(got.properties, { zipped: true });
      const batch = [{ type: 'track', ...minimalEvent('track') }, { type: 'page', ...minimalEvent('page') }];
      assertOk(await s.ingest('/v1/batch', { batch }, { gzip: true, auth: 'body' }), 'gzip batch with writeKey in body');
      assert.equal((await stored(batch.map((e) => e.messageId))).size, 2);
    });
    test('gzip body whose decompressed size exceeds 500 KB → 413', async () => {
      // ~600 KB of highly compressible JSON, a few KB on the wire
      const items = Array.from({ length: 30 }, () => padTo({ type: 'track', ...minimalEvent('track') }, 20000));
      const body = gzipSync(JSON.stringify({ batch: items }));
      assert.ok(body.length < 100000);
      const r = await s.ingest('/v1/batch', body, { headers: { 'Content-Encoding': 'gzip' } });
      assertError(r, 413, 'too_large', KB500, 'gzip batch of 600 KB decompressed');
    });
  });

  describe('routing', () => {
    test('404 not_found for an unknown path', async () => {
      assertError(await request(s.url('/no/such/path')), 404, 'not_found', null, 'GET /no/such/path');
      assertError(await s.ingest('/v1/nope', minimalEvent('track')), 404, 'not_found', null, 'POST /v1/nope');
    });
    test('405 for a wrong method on an ingest path', async () => {
      for (const [method, p] of [
        ['GET', '/v1/track'],
        ['GET', '/v1/batch'],
        ['PUT', '/v1/identify'],
        ['DELETE', '/v1/batch'],
      ]) {
        const r = await request(s.url(p), { method, headers: { Authorization: 'Basic ' + Buffer.from(`${s.key}:`).toString('base64') } });
        assertStatus(r, 405, `${method} ${p}`);
      }
    });
    test('malformed HTTP on a raw socket: an answer or a close, never a crash', async () => {
      const { connect } = await import('node:net');
      for (const raw of [
        'GARBAGE\r\n\r\n',
        'POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
        'POST /v1/track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        `GET /${'a'.repeat(100000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]) {
        const answer = await new Promise((resolve) => {
          const sock = connect(s.port, '127.0.0.1');
          let got = '';
          sock.setTimeout(5000, () => sock.destroy());
          sock.on('data', (d) => (got += d));
          sock.on('error', () => {});
          sock.on('close', () => resolve(got));
          sock.write(raw);
          setTimeout(() => sock.end(), 200);
        });
        if (answer) assert.match(answer, /^HTTP\/1\.[01] [45]\d\d /, `answer to ${JSON.stringify(raw.slice(0, 60))}: ${answer.slice(0, 200)}`);
      }
      assertStatus(await request(s.url('/healthz')), 200, 'healthz after malformed HTTP');
    });

    test('healthz and readyz', async () => {
      assertStatus(await request(s.url('/healthz')), 200, 'GET /healthz');
      assertStatus(await request(s.url('/readyz')), 200, 'GET /readyz');
    });
  });

  describe('CORS', () => {
    for (const p of ['/v1/track', '/v1/batch', '/v1/identify']) {
      test(`OPTIONS ${p} preflight → 204`, async () => {
        const r = await request(s.url(p), {
          method: 'OPTIONS',
          headers: {
            Origin: 'https://shop.example',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type,authorization',
          },
        });
        assertStatus(r, 204, `OPTIONS ${p}`);
        assert.equal(r.headers.get('access-control-allow-origin'), '*', describeRes(r));
        assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/i, describeRes(r));
        const allowed = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase();
        assert.ok(allowed === '*' || (allowed.includes('content-type') && allowed.includes('authorization')), describeRes(r));
      });
    }
    test('ingest answers (success and error) carry Access-Control-Allow-Origin: *', async () => {
      const ok = await s.ingest('/v1/track', minimalEvent('track'), { headers: { Origin: 'https://shop.example' } });
      assertOk(ok);
      assert.equal(ok.headers.get('access-control-allow-origin'), '*', describeRes(ok));
      const bad = await s.ingest('/v1/track', { userId: 'u' }, { headers: { Origin: 'https://shop.example' } });
      assertStatus(bad, 400);
      assert.equal(bad.headers.get('access-control-allow-origin'), '*', describeRes(bad));
    });
  });

  describe('normalisation', () => {
    test('batch-level context and integrations merged into each item, item keys win', async () => {
      const a = { type: 'track', ...minimalEvent('track') };
      const b = {
        type: 'identify',
        ...minimalEvent('identify'),
        context: { ip: '5.6.7.8', locale: 'fr-FR' },
        integrations: { Mixpanel: false },
      };
      const body = {
        batch: [a, b],
        context: { ip: '1.2.3.4', library: { name: 'batch-lib', version: '9.9' } },
        integrations: { All: false, Mixpanel: true },
      };
      assertOk(await s.ingest('/v1/batch', body), 'batch with batch-level context');
      const m = await stored([a.messageId, b.messageId]);
      const ga = m.get(a.messageId)?.[0];
      const gb = m.get(b.messageId)?.[0];
      assert.ok(ga && gb, 'both stored');
      assert.equal(ga.context?.ip, '1.2.3.4', JSON.stringify(ga));
      assert.deepEqual(ga.context?.library, { name: 'batch-lib', version: '9.9' }, JSON.stringify(ga));
      assert.deepEqual(ga.integrations, { All: false, Mixpanel: true }, JSON.stringify(ga));
      assert.equal(gb.context?.ip, '5.6.7.8', `item context wins: ${JSON.stringify(gb)}`);
      assert.equal(gb.context?.locale, 'fr-FR', JSON.stringify(gb));
      assert.deepEqual(gb.context?.library, { name: 'batch-lib', version: '9.9' }, `batch context merged, not replaced: ${JSON.stringify(gb)}`);
      assert.equal(gb.integrations?.Mixpanel, false, `item integrations win: ${JSON.stringify(gb)}`);
      assert.equal(gb.integrations?.All, false, JSON.stringify(gb));
    });

    test('timestamp = receivedAt − (sentAt − originalTimestamp): client clock 60 s ahead', async () => {
      const now = Date.now();
      const sentAt = new Date(now + 60_000); // client clock is 60 s fast
      const original = new Date(now + 60_000 - 5_000); // the event happened 5 s before it was sent
      const ev = minimalEvent('track', { timestamp: original.toISOString(), sentAt: sentAt.toISOString() });
      const t0 = Date.now();
      assertOk(await s.ingest('/v1/track', ev));
      const t1 = Date.now();
      const got = await storedOne(ev.messageId);
      for (const f of ['receivedAt', 'timestamp', 'sentAt', 'originalTimestamp']) {
        assert.match(String(got[f]), ISO_MS, `${f}: ${JSON.stringify(got)}`);
      }
      const received = Date.parse(got.receivedAt);
      assert.ok(received >= t0 - 1 && received <= t1 + 1, `receivedAt ${got.receivedAt} within the request [${new Date(t0).toISOString()}, ${new Date(t1).toISOString()}]`);
      assert.equal(got.originalTimestamp, original.toISOString(), JSON.stringify(got));
      assert.equal(got.sentAt, sentAt.toISOString(), JSON.stringify(got));
      assert.equal(Date.parse(got.timestamp), received - 5_000, `timestamp should be receivedAt − 5 s: ${JSON.stringify(got)}`);
    });

    test('timestamp correction with batch-level sentAt (client clock 60 s behind)', async () => {
      const now = Date.now();
      const sentAt = new Date(now - 60_000);
      const items = [1_000, 30_000].map((ago) => ({
        type: 'track',
        ...minimalEvent('track', { timestamp: new Date(sentAt.getTime() - ago).toISOString() }),
        ago,
      }));
      assertOk(await s.ingest('/v1/batch', { batch: items, sentAt: sentAt.toISOString() }));
      const m = await stored(items.map((e) => e.messageId));
      for (const it of items) {
        const got = m.get(it.messageId)?.[0];
        assert.ok(got, 'stored');
        assert.equal(got.sentAt, sentAt.toISOString(), `batch sentAt applies to items: ${JSON.stringify(got)}`);
        assert.equal(got.originalTimestamp, it.timestamp, JSON.stringify(got));
        assert.equal(Date.parse(got.timestamp), Date.parse(got.receivedAt) - it.ago, `timestamp = receivedAt − ${it.ago} ms: ${JSON.stringify(got)}`);
      }
    });

    test('no timestamp and no sentAt → timestamp = receivedAt', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev));
      const got = await storedOne(ev.messageId);
      assert.match(String(got.receivedAt), ISO_MS);
      assert.equal(got.timestamp, got.receivedAt, JSON.stringify(got));
    });

    test('timestamp without sentAt is kept as sent', async () => {
      const ts = new Date(Date.now() - 3_600_000).toISOString();
      const ev = minimalEvent('track', { timestamp: ts });
      assertOk(await s.ingest('/v1/track', ev));
      const got = await storedOne(ev.messageId);
      assert.equal(got.originalTimestamp, ts, JSON.stringify(got));
      assert.equal(got.timestamp, ts, JSON.stringify(got));
    });
  });

  describe('fidelity and hostile input', () => {
    test('strings, escapes, unicode and numbers round-trip exactly', async () => {
      const props = {
        s: 'héllo ☃ 😀 "quoted" back\\slash \n newline \t tab \u0001 ctrl </script>',
        zero: '\u0000',
        pi: 3.141592653589793,
        tiny: 1e-7,
        huge: 1.7976931348623157e308,
        neg: -42,
        maxSafe: 9007199254740991,
        arr: [true, false, null, 0, [], {}],
      };
      const ev = minimalEvent('track', { properties: props });
      assertOk(await s.ingest('/v1/track', ev), 'unicode/escapes/numbers');
      const got = await storedOne(ev.messageId);
      assert.deepEqual(got.properties, props);
    });

    test('64-bit integers are kept exactly; larger ones get a 400 that says how to send them', async () => {
      const id = uid('msg');
      const body = `{"userId":"u","event":"Big","messageId":"${id}","properties":{"big":1e20,"u64":18446744073709551615,"i64":-9223372036854775808}}`;
      const r = await s.ingest('/v1/track', body);
      assertOk(r, `POST /v1/track ${body}`);
      const got = await storedOne(id);
      assert.equal(got.properties.big, 1e20);
      assert.equal(got.properties.u64, 18446744073709551615);
      assert.equal(got.properties.i64, -9223372036854775808);
      const tooBig = `{"userId":"u","event":"Big","properties":{"big":100000000000000000000}}`;
      const bad = await s.ingest('/v1/track', tooBig);
      assertError(bad, 400, 'invalid_argument', /64 bits.*exponent/, `POST /v1/track ${tooBig}`);
    });

    test('a numeric userId is accepted (Segment accepts numbers)', async () => {
      const id = uid('msg');
      assertOk(await s.ingest('/v1/track', { userId: 12345, event: 'Numeric', messageId: id }), 'userId 12345');
      const got = await storedOne(id);
      assert.ok(got.userId === 12345 || got.userId === '12345', JSON.stringify(got));
    });

    test('timestamps with offsets or without ms are normalised to UTC with ms', async () => {
      const ev = minimalEvent('track', { timestamp: '2024-05-01T12:00:00+02:00' });
      assertOk(await s.ingest('/v1/track', ev), 'timestamp with +02:00');
      const got = await storedOne(ev.messageId);
      assert.equal(got.originalTimestamp, '2024-05-01T10:00:00.000Z', JSON.stringify(got));
      assert.equal(got.timestamp, '2024-05-01T10:00:00.000Z', JSON.stringify(got));
    });

    test('an invalid timestamp → 400 naming the field', async () => {
      const r = await s.ingest('/v1/track', minimalEvent('track', { timestamp: 'yesterday' }));
      assertError(r, 400, 'invalid_argument', /timestamp/, 'timestamp "yesterday"');
    });

    test('Content-Type text/plain (sendBeacon) is accepted', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }), 'text/plain body');
      await storedOne(ev.messageId);
    });

    test('invalid UTF-8 → 400', async () => {
      const body = Buffer.concat([Buffer.from('{"userId":"u","event":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
      const r = await s.ingest('/v1/track', body);
      assertError(r, 400, 'invalid_argument', null, 'body with invalid UTF-8');
    });

    test('deeply nested JSON is refused or stored, never a crash', async () => {
      const depth = 15000;
      const body = `{"userId":"u","event":"Deep","properties":{"d":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const r = await s.ingest('/v1/track', body);
      assert.ok(r.status === 200 || r.status === 400 || r.status === 413, describeRes(r));
      if (r.status !== 200) assert.equal(typeof r.json?.error, 'string', describeRes(r));
      assertStatus(await request(s.url('/healthz')), 200, 'healthz after deeply nested JSON');
    });

    test('100 concurrent requests with the same messageId → 200 (or 503 then 200 on retry), stored once', async (t) => {
      const ev = minimalEvent('track');
      // A duplicate that arrives while the first copy is still being made durable may be answered
      // 503 + Retry-After (it cannot be acknowledged before the first copy is durable); its retry
      // must then be 200. Every answer is 200 or that 503, and the event is stored once.
      const send = (i) => s.ingest(i % 2 ? '/v1/track' : '/v1/batch', i % 2 ? ev : { batch: [{ type: 'track', ...ev }] });
      const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => send(i)));
      let retried = 0;
      for (const [i, r] of rs.entries()) {
        if (r.status === 503) {
          assertError(r, 503, 'unavailable', null, `concurrent duplicate #${i}`);
          assert.ok(r.headers.get('retry-after'), `503 carries Retry-After: ${describeRes(r)}`);
          retried++;
          assertOk(await send(i), `retry of concurrent duplicate #${i}`);
        } else {
          assertOk(r, `concurrent duplicate #${i}`);
        }
      }
      t.diagnostic(`${retried} of 100 concurrent duplicates were answered 503 + Retry-After first`);
      await storedOne(ev.messageId);
    });

    test('a batch lists newest first with ties in reverse arrival (reverse item order)', async () => {
      const name = uid('order');
      const created = await s.api('/api/v1/sources', { method: 'POST', body: { name } });
      assertStatus(created, 201);
      const batch = Array.from({ length: 40 }, (_, i) => ({ type: 'track', event: 'Ordered', userId: `user-${i}`, messageId: uid(`ord${i}`) }));
      assertOk(await s.ingest('/v1/batch', { batch }, { key: created.json.writeKey }));
      const got = await s.allEvents({ source: name, limit: 7 });
      assert.deepEqual(got.map((e) => e.messageId), batch.map((e) => e.messageId).reverse());
    });
  });

  describe('messageId de-duplication', () => {
    test('same messageId twice → 200 both times, stored once; again in a batch; again after a restart', async () => {
      const ev = minimalEvent('track', { properties: { v: 1 } });
      assertOk(await s.ingest('/v1/track', ev), 'first send');
      assertOk(await s.ingest('/v1/track', { ...ev, properties: { v: 2 } }), 'duplicate send');
      assertOk(await s.ingest('/v1/batch', { batch: [{ type: 'track', ...ev }] }), 'duplicate in a batch');
      let got = await storedOne(ev.messageId);
      assert.deepEqual(got.properties, { v: 1 }, 'the first copy is kept');

      const stop = await s.restart();
      assert.equal(stop.code, 0, `SIGTERM before restart: exit ${JSON.stringify(stop)}`);
      await storedOne(ev.messageId);
      assertOk(await s.ingest('/v1/track', ev), 'duplicate after a graceful restart');
      got = await storedOne(ev.messageId);

      // and after a crash
      await s.kill();
      await s.launch();
      assertOk(await s.ingest('/v1/track', ev), 'duplicate after SIGKILL + restart');
      await storedOne(ev.messageId);
    });

    test('duplicates inside one batch are stored once', async () => {
      const ev = { type: 'track', ...minimalEvent('track') };
      assertOk(await s.ingest('/v1/batch', { batch: [ev, ev, ev] }));
      await storedOne(ev.messageId);
    });

    test('the same messageId from two sources is two events', async () => {
      const ev = minimalEvent('track');
      assertOk(await s.ingest('/v1/track', ev, { key: s.keys.web }));
      assertOk(await s.ingest('/v1/track', ev, { key: s.keys.app }));
      const m = await stored([ev.messageId]);
      assert.equal(m.get(ev.messageId)?.length, 2, 'one per source');
      const web = (await s.allEvents({ source: 'web' })).filter((e) => e.messageId === ev.messageId);
      const app = (await s.allEvents({ source: 'app' })).filter((e) => e.messageId === ev.messageId);
      assert.equal(web.length, 1);
      assert.equal(app.length, 1);
    });
  });
});
