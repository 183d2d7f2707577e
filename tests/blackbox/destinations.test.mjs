// Dead letters over HTTP (docs/destinations.md): a receiver answering 400 turns a test message
// into a dead letter at once; the destination's health says why, also after a restart; a replay
// once the receiver answers 200 delivers it with the same Idempotency-Key.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { RapportServer, pollUntil } from '../lib/server.mjs';

describe('destinations: dead letters', () => {
  let s;
  let receiver;
  let status = 400;
  const got = [];
  before(async () => {
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        got.push({ status, key: req.headers['idempotency-key'] });
        res.statusCode = status;
        res.end(status === 400 ? '{"error":"missing email"}' : '{}');
      });
    });
    await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
    s = await RapportServer.start({ sources: ['web'] });
  });
  after(async () => {
    receiver?.close();
    if (s) await s.destroy();
  });

  test('why it failed survives a restart; replay delivers', async () => {
    const url = `http://127.0.0.1:${receiver.address().port}/hook`;
    const d = await s.api('/api/v1/destinations', { method: 'POST', body: { name: 'crm', url } });
    assert.equal(d.status, 201, d.text);
    const sent = await s.api('/api/v1/destinations/crm/test', { method: 'POST', token: 'marketer' });
    assert.equal(sent.status, 202, sent.text);
    const health = async () => (await s.api('/api/v1/destinations/crm')).json.health;
    await pollUntil(async () => (await health()).deadLetters === 1, { describe: () => 'no dead letter' });
    assert.match((await health()).lastError, /^HTTP 400/);
    await s.restart();
    const after = await health();
    assert.equal(after.deadLetters, 1);
    assert.match(after.lastError ?? '', /^HTTP 400/, JSON.stringify(after));
    assert.ok(after.lastErrorAt, JSON.stringify(after));
    const analyst = await s.api('/api/v1/destinations/crm/dead-letters', { token: 'analyst' });
    assert.equal(analyst.status, 403, 'dead letters hold personal data: not for analysts');
    const listed = await s.api('/api/v1/destinations/crm/dead-letters');
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.deadLetters.length, 1, listed.text);
    assert.equal(listed.json.deadLetters[0].flow, 'test', 'a test delivery is its own flow');
    status = 200;
    const replay = await s.api('/api/v1/destinations/crm/dead-letters/replay', { method: 'POST', body: { all: true } });
    assert.deepEqual(replay.json, { replayed: 1 });
    await pollUntil(() => got.some((g) => g.status === 200), { describe: () => 'the replay was not delivered' });
    const keys = new Set(got.map((g) => g.key));
    assert.equal(keys.size, 1, `one message, one Idempotency-Key: ${JSON.stringify(got)}`);
    await pollUntil(async () => (await health()).deadLetters === 0, { describe: () => 'the dead letter stayed' });
  });
});
