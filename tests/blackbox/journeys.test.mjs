// A journey through the built server (docs/journeys.md): an event-triggered journey sends to a
// real webhook receiver, with a stable idempotency key, and counts the step.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { RapportServer, lookupProfile, pollUntil, profilesCaughtUp, uid } from '../lib/server.mjs';

describe('journeys', () => {
  let s;
  let receiver;
  const got = [];
  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ headers: req.headers, json: JSON.parse(body) });
        res.end('{}');
      });
    });
    await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
    s = await RapportServer.start({ sources: ['web'] });
  });
  after(async () => {
    receiver?.close();
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  test('an event starts the journey and its send step reaches the destination once', async () => {
    const d = await s.api('/api/v1/destinations', {
      method: 'POST',
      body: { name: 'email', type: 'webhook', url: `http://127.0.0.1:${receiver.address().port}/hook` },
    });
    assert.equal(d.status, 201, d.text);
    const bad = await s.api('/api/v1/journeys', { method: 'POST', body: { name: 'x', trigger: { event: 'A' }, steps: [] } });
    assert.equal(bad.status, 400, bad.text);
    const j = await s.api('/api/v1/journeys', {
      method: 'POST',
      body: {
        name: 'welcome',
        trigger: { event: 'Signed Up' },
        steps: [{ name: 'hello', type: 'send', destination: 'email', data: { template: 'welcome' } }],
      },
    });
    assert.equal(j.status, 201, j.text);

    const user = uid('jrn');
    assert.equal((await s.ingest('/v1/batch', { batch: [{ type: 'track', userId: user, event: 'Signed Up' }] })).status, 200);
    await profilesCaughtUp(s);
    const id = (await lookupProfile(s, 'user_id', user)).json.id;
    await pollUntil(() => got.length >= 1, { describe: () => 'no journey delivery' });
    const m = got[0];
    assert.equal(m.json.type, 'journey');
    assert.equal(m.json.journey.name, 'welcome');
    assert.equal(m.json.step.name, 'hello');
    assert.equal(m.json.profile.id, id);
    assert.equal(m.headers['idempotency-key'], m.json.messageId);

    const counts = await pollUntil(async () => {
      const g = await s.api('/api/v1/journeys/welcome');
      return g.json?.steps?.[0]?.sent === 1 && g.json;
    });
    assert.equal(counts.entered, 1);
    assert.equal(got.length, 1, 'sent once');
    // The profile's 360° view lists the journey: finished (one step, then out).
    const view = await pollUntil(async () => {
      const p = await s.api(`/api/v1/profiles/${id}`);
      return p.json?.journeys?.length === 1 && p.json.journeys[0].lastExitedAt !== null && p.json;
    }, { describe: () => 'the profile view does not show the finished journey' });
    assert.equal(view.journeys[0].name, 'welcome');
    assert.equal(view.journeys[0].active, false);
    assert.equal(view.journeys[0].entries, 1);
  });

  test('a customer waiting in a journey shows the step on the profile', async () => {
    const j = await s.api('/api/v1/journeys', {
      method: 'POST',
      body: { name: 'nurture', trigger: { event: 'Trial Started' }, steps: [{ name: 'three_days', type: 'wait', duration: '3 days' }] },
    });
    assert.equal(j.status, 201, j.text);
    const user = uid('wait');
    assert.equal((await s.ingest('/v1/track', { userId: user, event: 'Trial Started' })).status, 200);
    await profilesCaughtUp(s);
    const p = await pollUntil(async () => {
      const r = await lookupProfile(s, 'user_id', user);
      return r.json?.journeys?.find((x) => x.name === 'nurture') && r.json;
    }, { describe: () => 'no journey on the profile' });
    const entry = p.journeys.find((x) => x.name === 'nurture');
    assert.equal(entry.active, true);
    assert.equal(entry.step, 'three_days');
    const wake = Date.parse(entry.wakeAt) - Date.parse(entry.lastEnteredAt);
    assert.ok(Math.abs(wake - 3 * 86400000) < 60000, JSON.stringify(entry));
  });
});
