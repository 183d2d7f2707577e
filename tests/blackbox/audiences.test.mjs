// Audiences over HTTP against the built binary (docs/audiences.md, docs/api.md "Audiences"):
// definitions with errors pointing at line and column, creation from text and from the JSON tree,
// live membership from SDK traffic, dependents, preview, members paging, the profile's view,
// deletion rules, and memberships surviving a restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Analytics } from '@segment/analytics-node';
import { RapportServer, lookupProfile, pollUntil, profileTimeline, profilesCaughtUp, uid } from '../lib/server.mjs';

const show = (x) => JSON.stringify(x, null, 2);

describe('audiences', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['web'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  async function audience(name) {
    const r = await s.api(`/api/v1/audiences/${name}`);
    assert.equal(r.status, 200, `GET audience ${name}: ${r.text}`);
    return r.json;
  }

  async function members(name, limit = 1000) {
    const out = [];
    let after = null;
    for (;;) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (after) q.set('after', after);
      const r = await s.api(`/api/v1/audiences/${name}/members?${q}`);
      assert.equal(r.status, 200, r.text);
      out.push(...r.json.members.map((m) => m.id));
      if (r.json.next === null) return out;
      after = r.json.next;
    }
  }

  test('membership over time: entered and exited per day, and the size at the end of each day', async () => {
    const name = uid('hist').replace(/[^a-z0-9]/g, '_');
    const created = await s.api('/api/v1/audiences', { method: 'POST', body: { name, definition: 'traits.tier = "gold"' } });
    assert.equal(created.status, 201, created.text);
    await pollUntil(async () => (await audience(name)).status === 'live', { describe: () => `${name} did not become live` });
    const users = [uid('g1'), uid('g2'), uid('g3')];
    const send = (userId, tier) => s.ingest('/v1/identify', { userId, traits: { tier } });
    for (const u of users) assert.equal((await send(u, 'gold')).status, 200);
    assert.equal((await send(users[0], 'silver')).status, 200);  // leaves again
    await profilesCaughtUp(s);
    const r = await s.api(`/api/v1/audiences/${name}/history?days=3`, { token: 'analyst' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.audience, name);
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(r.json.days.map((d) => d.day).at(-1), today);
    assert.equal(r.json.days.length, 3);
    assert.deepEqual(r.json.days.at(-1), { day: today, entered: 3, exited: 1, size: 2 });
    assert.deepEqual(r.json.days.slice(0, 2).map((d) => [d.entered, d.exited, d.size]), [[0, 0, 0], [0, 0, 0]]);
    // Kept across a restart.
    await s.restart();
    const again = await s.api(`/api/v1/audiences/${name}/history?days=1`);
    assert.deepEqual(again.json.days, [{ day: today, entered: 3, exited: 1, size: 2 }]);
    const bad = await s.api(`/api/v1/audiences/${name}/history?days=401`);
    assert.equal(bad.status, 400, bad.text);
    assert.equal((await s.api('/api/v1/audiences/no_such_audience/history')).status, 404);
    assert.equal((await s.api(`/api/v1/audiences/${name}`, { method: 'DELETE' })).status, 200);
  });

  test('a definition with an error is refused with its line and column', async () => {
    const bad = await s.api('/api/v1/audiences', {
      method: 'POST',
      body: { name: 'bad', definition: 'traits.plan = "pro"\n  and performed "Order Completed" at least two times' },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error, 'invalid_argument');
    assert.equal(bad.json.line, 2);
    assert.equal(bad.json.column, 44, show(bad.json));
    assert.match(bad.json.message, /^line 2, column 44: /);

    const unknown = await s.api('/api/v1/audiences', {
      method: 'POST',
      body: { name: 'bad', definition: 'traits.a = 1 or in audience "nobody"' },
    });
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.json.message, 'line 1, column 17: there is no audience "nobody"');
    assert.equal(unknown.json.column, 17);

    const noName = await s.api('/api/v1/audiences', { method: 'POST', body: { definition: 'traits.a = 1' } });
    assert.equal(noName.status, 400);
    assert.equal(noName.json.message, '"name" is required');
    const forbidden = await s.api('/api/v1/audiences', {
      token: 'analyst',
      method: 'POST',
      body: { name: 'x', definition: 'traits.a = 1' },
    });
    assert.equal(forbidden.status, 403, forbidden.text);
  });

  test('memberships follow SDK traffic, with dependents, preview, members and the profile view', async () => {
    const buyers = await s.api('/api/v1/audiences', {
      method: 'POST',
      body: {
        name: 'big_buyers',
        description: 'Two orders over 50 within 30 days',
        definition: 'performed "Order Completed" where revenue > 50 at least 2 times within 30 days',
      },
    });
    assert.equal(buyers.status, 201, buyers.text);
    assert.equal(buyers.json.name, 'big_buyers');
    assert.equal(buyers.json.definition, 'performed "Order Completed" where revenue > 50 at least 2 times within 30 days');
    // The JSON form the console's builder emits, for the dependent audience.
    const vip = await s.api('/api/v1/audiences', {
      method: 'POST',
      body: {
        name: 'pro_big_buyers',
        tree: { and: [{ in_audience: 'big_buyers' }, { trait: 'plan', op: 'eq', value: 'pro' }] },
      },
    });
    assert.equal(vip.status, 201, vip.text);
    assert.equal(vip.json.definition, 'in audience "big_buyers" and traits.plan = "pro"');

    await pollUntil(async () => (await audience('pro_big_buyers')).status === 'live', {
      describe: () => 'audiences did not become live',
    });

    const run = uid('aud');
    const analytics = new Analytics({ writeKey: s.key, host: s.base, flushAt: 50, flushInterval: 50 });
    const users = [];
    for (let i = 0; i < 30; i++) {
      const userId = `${run}-u${i}`;
      users.push(userId);
      analytics.identify({ userId, traits: { plan: i % 2 === 0 ? 'pro' : 'free', email: `${userId}@example.com` } });
      const orders = i % 3; // 0, 1 or 2 qualifying orders
      for (let k = 0; k < orders; k++) {
        analytics.track({ userId, event: 'Order Completed', properties: { revenue: 60 + k } });
      }
      analytics.track({ userId, event: 'Order Completed', properties: { revenue: 10 } }); // never counts
    }
    await analytics.closeAndFlush();
    await profilesCaughtUp(s);

    const expectBig = users.filter((_, i) => i % 3 === 2);
    const expectVip = users.filter((_, i) => i % 3 === 2 && i % 2 === 0);
    const idOf = async (userId) => (await lookupProfile(s, 'user_id', userId)).json.id;
    const sortIds = (ids) => [...ids].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    const bigIds = sortIds(await Promise.all(expectBig.map(idOf)));
    const vipIds = sortIds(await Promise.all(expectVip.map(idOf)));

    assert.deepEqual(await members('big_buyers', 3), bigIds, 'members of big_buyers, paged by 3');
    assert.deepEqual(await members('pro_big_buyers'), vipIds);
    const a = await audience('big_buyers');
    assert.equal(a.size, bigIds.length);
    assert.equal(a.status, 'live');
    assert.equal(a.progress, 1);

    // Preview of an unsaved definition counts the same people.
    const preview = await s.api('/api/v1/audiences/preview', {
      method: 'POST',
      body: { definition: 'performed "Order Completed" where revenue > 50 at least 2 times within 30 days and traits.plan = "pro"' },
    });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.json.size, vipIds.length);
    assert.equal(preview.json.estimate, false);
    for (const id of preview.json.examples) assert.ok(vipIds.includes(id), `${id} in ${vipIds}`);

    // The profile shows its audiences, and its timeline the entries.
    const p = (await lookupProfile(s, 'user_id', expectVip[0])).json;
    assert.deepEqual(p.audiences.map((x) => x.name).sort(), ['big_buyers', 'pro_big_buyers'], show(p));
    const timeline = await profileTimeline(s, p.id);
    const entered = timeline.filter((e) => e.event?.event === 'Audience Entered' || e.event === 'Audience Entered');
    assert.equal(entered.length, 2, show(timeline.slice(0, 5)));

    // A referenced audience cannot be deleted before its dependent.
    const del = await s.api('/api/v1/audiences/big_buyers', { method: 'DELETE' });
    assert.equal(del.status, 409, del.text);
    assert.match(del.json.message, /pro_big_buyers/);

    // Memberships survive a restart.
    await s.restart();
    assert.deepEqual(await members('big_buyers'), bigIds);
    assert.equal((await audience('pro_big_buyers')).size, vipIds.length);

    assert.equal((await s.api('/api/v1/audiences/pro_big_buyers', { method: 'DELETE' })).status, 200);
    assert.equal((await s.api('/api/v1/audiences/big_buyers', { method: 'DELETE' })).status, 200);
    assert.equal((await s.api('/api/v1/audiences/big_buyers')).status, 404);
    const list = await s.api('/api/v1/audiences');
    assert.deepEqual(list.json.audiences, []);
    const gone = (await lookupProfile(s, 'user_id', expectVip[0])).json;
    assert.deepEqual(gone.audiences, []);
  });
});
