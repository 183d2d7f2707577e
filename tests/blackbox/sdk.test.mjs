// Events sent by the real Segment (@segment/analytics-node) and RudderStack
// (@rudderstack/rudder-sdk-node) SDKs, pointed at the built server by changing only the host, then
// read back through /api/v1/events.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { ISO_MS, RapportServer, uid } from '../lib/server.mjs';

const require = createRequire(import.meta.url);
const RudderAnalytics = require('@rudderstack/rudder-sdk-node');

function near(iso, ms, slackMs, what) {
  const d = Math.abs(Date.parse(iso) - ms);
  assert.ok(d <= slackMs, `${what}: ${iso} is ${d} ms from ${new Date(ms).toISOString()}`);
}

/** The calls each SDK makes: the same shapes for both (their APIs agree). */
function calls(prefix) {
  const userId = uid(`${prefix}-user`);
  const ctx = { campaign: { name: 'spring', source: 'newsletter' }, locale: 'de-DE' };
  return {
    userId,
    list: [
      ['track', { userId, event: 'Order Completed', properties: { revenue: 42.5, currency: 'EUR', items: [{ sku: 'A1', qty: 2 }] }, context: ctx }],
      ['identify', { userId, traits: { email: 'ada@example.com', plan: 'pro', logins: 3 }, context: ctx }],
      ['page', { userId, category: 'Docs', name: 'Pricing', properties: { url: 'https://example.com/pricing', path: '/pricing' } }],
      ['screen', { userId, name: 'Checkout', properties: { step: 2 } }],
      ['group', { userId, groupId: 'acme-inc', traits: { name: 'Acme', employees: 120 } }],
      ['alias', { userId, previousId: `${userId}-anon` }],
    ],
  };
}

function checkStored(got, type, params, sent, t0, t1, library) {
  const what = `${library} ${type}: ${JSON.stringify(got)}`;
  assert.equal(got.type, type, what);
  assert.equal(got.userId, params.userId, what);
  assert.equal(got.messageId, sent.messageId, what);
  for (const f of ['receivedAt', 'timestamp']) assert.match(String(got[f]), ISO_MS, `${f} ${what}`);
  near(got.receivedAt, (t0 + t1) / 2, (t1 - t0) / 2 + 2000, `receivedAt ${what}`);
  near(got.timestamp, (t0 + t1) / 2, (t1 - t0) / 2 + 2000, `timestamp ${what}`);
  if (got.sentAt !== undefined) assert.match(String(got.sentAt), ISO_MS, `sentAt ${what}`);
  if (got.originalTimestamp !== undefined) assert.match(String(got.originalTimestamp), ISO_MS, `originalTimestamp ${what}`);
  assert.equal(got.writeKey, undefined, `writeKey not stored: ${what}`);
  if (params.properties) {
    for (const [k, v] of Object.entries(params.properties)) assert.deepEqual(got.properties?.[k], v, `properties.${k} ${what}`);
  }
  if (params.traits) {
    const traits = got.traits ?? got.context?.traits;
    for (const [k, v] of Object.entries(params.traits)) assert.deepEqual(traits?.[k], v, `traits.${k} ${what}`);
  }
  if (type === 'track') assert.equal(got.event, params.event, what);
  if (type === 'group') assert.equal(got.groupId, params.groupId, what);
  if (type === 'alias') assert.equal(got.previousId, params.previousId, what);
  if (type === 'page' || type === 'screen') assert.equal(got.name, params.name, what);
  if (type === 'page') assert.equal(got.category ?? got.properties?.category, params.category, what);
  if (params.context) {
    assert.deepEqual(got.context?.campaign, params.context.campaign, `context.campaign ${what}`);
    assert.equal(got.context?.locale, params.context.locale, `context.locale ${what}`);
  }
  // the SDK's own context (library) kept alongside the caller's
  assert.equal(typeof got.context?.library?.name, 'string', `context.library ${what}`);
  // everything the SDK sent in the event is there (the server adds, never drops)
  for (const k of Object.keys(sent)) {
    if (['timestamp', 'sentAt', 'originalTimestamp', 'writeKey', '_metadata'].includes(k)) continue;
    assert.ok(k in got, `field ${k} sent by the SDK kept: ${what}`);
  }
}

describe('real SDKs', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['segment-node', 'rudder-node'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  test('@segment/analytics-node: every call type', async () => {
    const errors = [];
    const sentBodies = [];
    const responses = [];
    const analytics = new SegmentAnalytics({
      writeKey: s.keys['segment-node'],
      host: s.base,
      flushAt: 50,
      flushInterval: 200,
      maxRetries: 1,
    });
    analytics.on('error', (e) => errors.push(e));
    analytics.on('http_request', (req) => sentBodies.push(JSON.parse(req.body)));
    analytics.on('http_response', (res) => responses.push(res.status));
    const { userId, list } = calls('segment');
    const t0 = Date.now();
    for (const [type, params] of list) analytics[type](params);
    await analytics.closeAndFlush({ timeout: 15000 });
    const t1 = Date.now();
    assert.deepEqual(errors.map(String), [], 'no SDK errors');
    assert.ok(responses.length >= 1 && responses.every((x) => x === 200), `responses: ${responses}`);
    const sent = sentBodies.flatMap((b) => b.batch);
    assert.equal(sent.length, list.length, 'the SDK sent every call');

    const mine = (await s.allEvents({ source: 'segment-node' })).filter((e) => e.userId === userId);
    assert.equal(mine.length, list.length, `stored: ${mine.map((e) => e.type)}`);
    for (const [type, params] of list) {
      const sentEv = sent.find((e) => e.type === type);
      const got = mine.find((e) => e.messageId === sentEv.messageId);
      assert.ok(got, `${type} ${sentEv.messageId} stored`);
      checkStored(got, type, params, sentEv, t0, t1, 'segment');
      assert.equal(got.context.library.name, '@segment/analytics-node');
    }
  });

  test('@segment/analytics-node: many events in several flushes', async () => {
    const errors = [];
    const analytics = new SegmentAnalytics({ writeKey: s.keys['segment-node'], host: s.base, flushAt: 15, flushInterval: 100 });
    analytics.on('error', (e) => errors.push(e));
    const userId = uid('segment-bulk');
    for (let i = 0; i < 100; i++) analytics.track({ userId, event: 'Bulk', properties: { i } });
    await analytics.closeAndFlush({ timeout: 20000 });
    assert.deepEqual(errors.map(String), []);
    const mine = (await s.allEvents({ source: 'segment-node' })).filter((e) => e.userId === userId);
    assert.deepEqual(mine.map((e) => e.properties.i).sort((a, b) => a - b), [...Array(100).keys()]);
  });

  test('@rudderstack/rudder-sdk-node: every call type (gzip on)', async () => {
    const errors = [];
    const client = new RudderAnalytics(s.keys['rudder-node'], {
      dataPlaneUrl: s.base,
      flushAt: 50,
      flushInterval: 200,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (e) => errors.push(e),
    });
    // capture what the SDK puts on the wire (gzip-compressed JSON)
    const wire = [];
    client.axiosInstance.interceptors.request.use((cfg) => {
      const enc = cfg.headers?.['Content-Encoding'] ?? cfg.headers?.['content-encoding'];
      wire.push({ enc, body: JSON.parse(Buffer.isBuffer(cfg.data) ? gunzipSync(cfg.data).toString() : JSON.stringify(cfg.data)) });
      return cfg;
    });
    const { userId, list } = calls('rudder');
    const t0 = Date.now();
    for (const [type, params] of list) client[type](params);
    await new Promise((resolve, reject) => {
      client.flush((err) => (err ? reject(err) : resolve()));
    });
    const t1 = Date.now();
    assert.deepEqual(errors.map((e) => `${e.message} ${e.response?.status ?? ''} ${JSON.stringify(e.response?.data ?? '')}`), [], 'no SDK errors');
    assert.ok(wire.length >= 1 && wire.every((w) => w.enc === 'gzip'), `the SDK sent gzip bodies: ${wire.map((w) => w.enc)}`);
    const sent = wire.flatMap((w) => w.body.batch);
    assert.equal(sent.length, list.length, 'the SDK sent every call');

    const mine = (await s.allEvents({ source: 'rudder-node' })).filter((e) => e.userId === userId);
    assert.equal(mine.length, list.length, `stored: ${mine.map((e) => e.type)}`);
    for (const [type, params] of list) {
      const sentEv = sent.find((e) => e.type === type);
      const got = mine.find((e) => e.messageId === sentEv.messageId);
      assert.ok(got, `${type} ${sentEv.messageId} stored`);
      checkStored(got, type, params, sentEv, t0, t1, 'rudder');
    }
  });

  test('@rudderstack/rudder-sdk-node: uncompressed, several flushes', async () => {
    const errors = [];
    const client = new RudderAnalytics(s.keys['rudder-node'], {
      dataPlaneUrl: s.base,
      flushAt: 20,
      flushInterval: 100,
      gzip: false,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (e) => errors.push(e),
    });
    const userId = uid('rudder-bulk');
    // Each call's own callback fires once the request carrying it has been answered; flush()'s
    // callback does not cover batches the SDK sent on its own (flushAt reached) and that are
    // still in flight, so wait for all 60 callbacks.
    const acked = [];
    for (let i = 0; i < 60; i++) {
      acked.push(new Promise((resolve) => client.track({ userId, event: 'Bulk', properties: { i } }, (err) => resolve(err ?? null))));
    }
    client.flush();
    const results = await Promise.all(acked);
    assert.deepEqual(results.filter((e) => e !== null).map(String), [], 'every call answered without error');
    assert.deepEqual(errors.map((e) => e.message), []);
    const mine = (await s.allEvents({ source: 'rudder-node' })).filter((e) => e.userId === userId);
    assert.deepEqual(mine.map((e) => e.properties.i).sort((a, b) => a - b), [...Array(60).keys()]);
  });
});
