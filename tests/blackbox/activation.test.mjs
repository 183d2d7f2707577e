// Audience entered/exited delivered to a real webhook receiver (docs/destinations.md,
// docs/api.md "Audiences"): signed requests with idempotency keys, consent purposes honoured, a
// receiver that is down for a while then back (nothing lost, order per profile kept), and the
// sync surviving a restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { RapportServer, lookupProfile, pollUntil, profilesCaughtUp, uid } from '../lib/server.mjs';

/** A webhook receiver on 127.0.0.1 that records every request and answers `status()`. */
async function startReceiver() {
  const r = { requests: [], status: () => 200 };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const code = r.status(req, body);
      if (code >= 200 && code < 300) r.requests.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((ok) => r.server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${r.server.address().port}/hook`;
  return r;
}

describe('audience sync to a webhook destination', () => {
  let s;
  let receiver;
  before(async () => {
    receiver = await startReceiver();
    s = await RapportServer.start({ sources: ['web'] });
  });
  after(async () => {
    receiver?.server.close();
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  test('entered and exited reach the receiver, signed, only with consent, in order, through an outage', async () => {
    const created = await s.api('/api/v1/destinations', {
      method: 'POST',
      body: {
        name: 'ads',
        type: 'webhook',
        url: receiver.url,
        purpose: 'Advertising',
        backoff_initial_ms: 50,
        backoff_max_ms: 200,
      },
    });
    assert.equal(created.status, 201, created.text);
    const secret = created.json.definition.secret;
    assert.match(secret, /^whsec_/);

    const a = await s.api('/api/v1/audiences', {
      method: 'POST',
      body: { name: 'shoppers', definition: 'performed "Order Completed" and not performed "Refund Requested"' },
    });
    assert.equal(a.status, 201, a.text);
    const linked = await s.api('/api/v1/audiences/shoppers/destinations', { method: 'PUT', body: { destinations: ['ads'] } });
    assert.equal(linked.status, 200, linked.text);
    assert.deepEqual(linked.json.destinations, ['ads']);
    const unknown = await s.api('/api/v1/audiences/shoppers/destinations', { method: 'PUT', body: { destinations: ['nope'] } });
    assert.equal(unknown.status, 400);

    const run = uid('act');
    const consent = (granted) => ({ consent: { categoryPreferences: { Advertising: granted } } });
    const events = [
      { type: 'track', userId: `${run}-yes`, event: 'Order Completed', context: consent(true) },
      { type: 'track', userId: `${run}-no`, event: 'Order Completed', context: consent(false) },
      { type: 'track', userId: `${run}-unknown`, event: 'Order Completed' },
    ];
    assert.equal((await s.ingest('/v1/batch', { batch: events })).status, 200);
    await profilesCaughtUp(s);

    const yes = (await lookupProfile(s, 'user_id', `${run}-yes`)).json.id;
    const first = await pollUntil(() => receiver.requests.length >= 1 && receiver.requests, {
      describe: () => 'no delivery arrived',
    });
    assert.equal(first.length, 1, 'only the consenting profile is sent');
    const req = first[0];
    assert.equal(req.json.event, 'Audience Entered');
    assert.equal(req.json.audience.name, 'shoppers');
    assert.equal(req.json.profile.id, yes);
    assert.equal(req.headers['idempotency-key'], req.json.messageId);
    const ts = req.headers['x-rapport-timestamp'];
    const expected = 'v1=' + createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex');
    assert.equal(req.headers['x-rapport-signature'], expected, 'the signature verifies with the secret');

    // The receiver goes down; exits and entries queue up and arrive, in order, once it is back.
    let down = true;
    let refused = 0;
    receiver.status = () => {
      if (down) {
        refused++;
        return 503;
      }
      return 200;
    };
    for (let i = 0; i < 3; i++) {
      const ev = i % 2 === 0 ? 'Refund Requested' : 'Order Completed';
      // A refund takes the profile out for good; orders after it change nothing. Then a new
      // profile enters, to show later profiles are not blocked by the first one's queue.
      assert.equal((await s.ingest('/v1/batch', { batch: [{ type: 'track', userId: `${run}-yes`, event: ev }] })).status, 200);
    }
    assert.equal(
      (await s.ingest('/v1/batch', { batch: [{ type: 'track', userId: `${run}-late`, event: 'Order Completed', context: consent(true) }] })).status,
      200,
    );
    await profilesCaughtUp(s);
    await pollUntil(() => refused >= 2, { describe: () => `the receiver refused ${refused} attempts` });
    down = false;
    const all = await pollUntil(() => receiver.requests.length >= 3 && receiver.requests, {
      timeoutMs: 20000,
      describe: () => `${receiver.requests.length} deliveries`,
    });
    const late = (await lookupProfile(s, 'user_id', `${run}-late`)).json.id;
    const seen = all.map((r) => `${r.json.profile.id}:${r.json.event}`);
    assert.deepEqual(
      seen.filter((x) => x.startsWith(`${yes}:`)),
      [`${yes}:Audience Entered`, `${yes}:Audience Exited`],
      `order per profile: ${seen}`,
    );
    assert.ok(seen.includes(`${late}:Audience Entered`), seen.join(', '));
    const keys = all.map((r) => r.headers['idempotency-key']);
    assert.equal(new Set(keys).size, keys.length, 'one delivery per transition');

    const health = await s.api('/api/v1/destinations/ads');
    assert.equal(health.status, 200, health.text);
    assert.equal(health.json.health.delivered, 3, JSON.stringify(health.json.health));
  });
});
