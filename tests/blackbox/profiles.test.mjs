// Profiles built from real SDK traffic, the profile timeline's paging, and kill -9 of the server
// while the profile pipeline is processing (docs/api.md "Profiles", docs/identity.md).
// Route roles of /api/v1/profiles* are covered by the auth matrix elsewhere.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { RapportServer, lookupProfile, profileTimeline, profilesCaughtUp, uid } from '../lib/server.mjs';

const require = createRequire(import.meta.url);
const RudderAnalytics = require('@rudderstack/rudder-sdk-node');

const show = (x) => JSON.stringify(x, null, 2);

function idSet(profile) {
  return (profile.identities ?? []).map((i) => `${i.type}:${i.value}`).sort();
}

/** Runs fn over items with at most `n` calls in flight; returns the results in order. */
async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

describe('profiles from SDK traffic', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['segment-node', 'rudder-node', 'barrier'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  const TRACKS = 23; // with the page and the identify: 25 events, several timeline pages

  /**
   * The SDK-independent part: page (anonymous) → identify (userId + anonymousId + email) →
   * TRACKS tracks (userId); then the profile found by the email holds all three identities and
   * every event, and the timeline pages newest first, each event exactly once.
   */
  async function checkProfile(t, { anonymousId, userId, email, sent }) {
    assert.equal(sent.length, TRACKS + 2, `the SDK sent every call: ${sent.map((e) => e.type)}`);
    await profilesCaughtUp(s, { key: s.keys.barrier });
    const l = await lookupProfile(s, 'email', email.toUpperCase());
    assert.equal(l.status, 200, `profile for email:${email}: ${l.status} ${l.text}`);
    const p = l.json;
    assert.deepEqual(idSet(p), [`anonymous_id:${anonymousId}`, `email:${email}`, `user_id:${userId}`].sort(), `identities of ${show(p)}`);
    for (const [type, value] of [['anonymous_id', anonymousId], ['user_id', userId]]) {
      const o = await lookupProfile(s, type, value);
      assert.equal(o.json?.id, p.id, `${type}:${value} is in the same profile: ${o.text}`);
    }
    assert.equal(p.eventCount, sent.length, `eventCount of ${show(p)}`);
    assert.equal(p.traits.email, email, `trait email of ${show(p)}`);
    assert.deepEqual(p.merges, [], 'the anonymous profile gained the user id: no merge');

    // Paging: newest event time first, each event exactly once, the same as one big page.
    const whole = await profileTimeline(s, p.id, { limit: 1000 });
    const pages = [];
    const paged = await profileTimeline(s, p.id, { limit: 7, pages });
    assert.equal(pages.length, Math.ceil(sent.length / 7), `pages of 7: ${pages.map((x) => x.events.length)}`);
    for (const [i, pg] of pages.entries()) {
      assert.equal(pg.events.length, i < pages.length - 1 ? 7 : sent.length - 7 * (pages.length - 1), `page ${i}`);
      assert.equal(pg.next === null, i === pages.length - 1, `next of page ${i}: ${pg.next}`);
    }
    const ids = paged.map((e) => e.messageId);
    assert.equal(new Set(ids).size, ids.length, `an event twice while paging: ${ids}`);
    assert.deepEqual([...ids].sort(), sent.map((e) => e.messageId).sort(), 'the timeline holds exactly the events the SDK sent');
    assert.deepEqual(ids, whole.map((e) => e.messageId), 'paging with after gives the order of one big page');
    for (let i = 1; i < paged.length; i++) {
      assert.ok(
        Date.parse(paged[i - 1].timestamp) >= Date.parse(paged[i].timestamp),
        `newest first: ${paged[i - 1].timestamp} (${paged[i - 1].messageId}) before ${paged[i].timestamp} (${paged[i].messageId})`,
      );
    }
    assert.deepEqual(
      new Set(paged.map((e) => e.type)),
      new Set(['page', 'identify', 'track']),
      'every call type on the timeline',
    );
    t.diagnostic(`${p.id}: ${paged.length} events in ${pages.length} pages`);
  }

  test('@segment/analytics-node: page → identify → track make one profile', async (t) => {
    const errors = [];
    const wire = [];
    const analytics = new SegmentAnalytics({ writeKey: s.keys['segment-node'], host: s.base, flushAt: 10, flushInterval: 100, maxRetries: 1 });
    analytics.on('error', (e) => errors.push(e));
    analytics.on('http_request', (req) => wire.push(JSON.parse(req.body)));
    const anonymousId = uid('seg-anon');
    const userId = uid('seg-user');
    const email = `${uid('ada')}@segment.example`.toLowerCase();
    analytics.page({ anonymousId, category: 'Docs', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.identify({ userId, anonymousId, traits: { email, plan: 'pro' } });
    // The SDK sends its batches concurrently, and nothing orders two requests in flight: the
    // identify is answered before the tracks go, so the tracks find the user id on the profile.
    await analytics.flush();
    for (let i = 0; i < TRACKS; i++) analytics.track({ userId, event: 'Feature Used', properties: { i } });
    await analytics.closeAndFlush({ timeout: 15000 });
    assert.deepEqual(errors.map(String), [], 'no SDK errors');
    await checkProfile(t, { anonymousId, userId, email, sent: wire.flatMap((b) => b.batch) });
  });

  test('@rudderstack/rudder-sdk-node: page → identify → track make one profile', async (t) => {
    const errors = [];
    const client = new RudderAnalytics(s.keys['rudder-node'], {
      dataPlaneUrl: s.base,
      flushAt: 10,
      flushInterval: 100,
      retryCount: 0,
      gzip: false,
      logLevel: 'error',
      errorHandler: (e) => errors.push(e),
    });
    const wire = [];
    client.axiosInstance.interceptors.request.use((cfg) => {
      wire.push(typeof cfg.data === 'string' ? JSON.parse(cfg.data) : cfg.data);
      return cfg;
    });
    const anonymousId = uid('rudder-anon');
    const userId = uid('rudder-user');
    const email = `${uid('grace')}@rudder.example`.toLowerCase();
    // Each call's callback fires once the request carrying it was answered (see sdk.test.mjs).
    const acked = [];
    const call = (fn, params) => acked.push(new Promise((resolve) => client[fn](params, (err) => resolve(err ?? null))));
    call('page', { anonymousId, category: 'Docs', name: 'Pricing', properties: { path: '/pricing' } });
    call('identify', { userId, anonymousId, traits: { email, plan: 'pro' } });
    // As above: the identify is answered before the tracks go (batches are sent concurrently).
    client.flush();
    await Promise.all(acked);
    for (let i = 0; i < TRACKS; i++) call('track', { userId, event: 'Feature Used', properties: { i } });
    client.flush();
    const results = await Promise.all(acked);
    assert.deepEqual(results.filter((e) => e !== null).map(String), [], 'every call answered without error');
    assert.deepEqual(errors.map((e) => e.message), []);
    await checkProfile(t, { anonymousId, userId, email, sent: wire.flatMap((b) => b.batch) });
  });
});

// ---------- kill -9 while the pipeline processes ----------

/** mulberry32: a small deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The events: user k has user id u_k, email u_k@example.com and anonymous ids a_k_1..a_k_3.
 * Events are anonymous (page/track with a_k_j), signed in (track with u_k), identify (u_k, a_k_j,
 * email) or a track with both u_k and a_k_j; at the end one identify per (k, j) links everything.
 * No profile ever holds more than one user id or email or three anonymous ids: no limit applies.
 */
function generate({ users, events, seed, tag }) {
  const rnd = prng(seed);
  const out = [];
  const id = (k) => `u${k}-${tag}`;
  const anon = (k, j) => `a${k}_${j}-${tag}`;
  const email = (k) => `u${k}-${tag}@example.com`;
  const push = (e) => out.push({ ...e, messageId: `m-${tag}-${out.length}` });
  const linking = users * 3;
  for (let n = 0; n < events - linking; n++) {
    const k = Math.floor(rnd() * users);
    const j = 1 + Math.floor(rnd() * 3);
    const r = rnd();
    if (r < 0.55) push({ type: r < 0.3 ? 'page' : 'track', event: 'Viewed', name: 'Home', anonymousId: anon(k, j), properties: { n } });
    else if (r < 0.85) push({ type: 'track', event: 'Clicked', userId: id(k), properties: { n } });
    else if (r < 0.95) push({ type: 'identify', userId: id(k), anonymousId: anon(k, j), traits: { email: email(k), n } });
    else push({ type: 'track', event: 'Signed In', userId: id(k), anonymousId: anon(k, j), properties: { n } });
  }
  for (let k = 0; k < users; k++) {
    for (let j = 1; j <= 3; j++) push({ type: 'identify', userId: id(k), anonymousId: anon(k, j), traits: { email: email(k) } });
  }
  for (const e of out) if (e.type === 'page') delete e.event;
  return { events: out, id, anon, email };
}

/** What profiles the events must give: the resolution rule without limits, in log order. */
function model(events) {
  const owner = new Map(); // identifier → model profile id
  const profiles = new Map(); // id → {id, ids, merged, mergeEntries, events}
  let next = 1;
  const identifiers = (e) => {
    const ids = [];
    if (e.userId !== undefined) ids.push(`user_id:${e.userId}`);
    if (e.anonymousId !== undefined) ids.push(`anonymous_id:${e.anonymousId}`);
    if (e.type === 'identify' && e.traits?.email) ids.push(`email:${e.traits.email}`);
    return ids;
  };
  for (const e of events) {
    const ids = identifiers(e);
    const found = [...new Set(ids.filter((i) => owner.has(i)).map((i) => owner.get(i)))].sort((a, b) => a - b);
    let p;
    if (found.length === 0) {
      p = { id: next++, ids: new Set(), merged: new Set(), mergeEntries: [], events: [] };
      profiles.set(p.id, p);
    } else {
      p = profiles.get(found[0]);
      for (const from of found.slice(1)) {
        const q = profiles.get(from);
        for (const i of q.ids) {
          p.ids.add(i);
          owner.set(i, p.id);
        }
        for (const m of q.merged) p.merged.add(m);
        p.merged.add(from);
        p.mergeEntries.push(...q.mergeEntries, { from, messageId: e.messageId });
        p.events.push(...q.events);
        profiles.delete(from);
      }
    }
    for (const i of ids) {
      p.ids.add(i);
      owner.set(i, p.id);
    }
    p.events.push(e.messageId);
  }
  return { profiles, owner };
}

describe('kill -9 while the profile pipeline processes', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['load', 'barrier'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  test('20,000 events, merges and SIGKILLs: every profile as the model predicts', { timeout: 120000 }, async (t) => {
    const USERS = 400;
    const BATCH = 1000;
    const KILL_AFTER = new Set([3, 8, 13, 19]); // batch numbers after whose acknowledgement the server is killed
    const tag = Date.now().toString(36);
    const { events, id, anon, email } = generate({ users: USERS, events: 20000, seed: 20261123, tag });
    const { profiles, owner } = model(events);
    const batches = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));

    const kills = [];
    let ackedSinceStart = 0;
    for (const [n, batch] of batches.entries()) {
      const r = await s.ingest('/v1/batch', { batch }, { key: s.keys.load });
      assert.equal(r.status, 200, `batch ${n}: ${r.status} ${r.text}`);
      ackedSinceStart += batch.length;
      if (KILL_AFTER.has(n)) {
        // Right after the acknowledgement: the pipeline is still working through the batch (it
        // applies events some time after they are acknowledged; the metric shows how far it got).
        const applied = (await s.metrics()).sum('rapport_profile_events_total');
        await s.kill();
        kills.push(`after batch ${n}: ${applied} applied of ${ackedSinceStart} acknowledged since start (+ backlog)`);
        await s.launch();
        ackedSinceStart = 0;
      }
    }
    t.diagnostic(`kills: ${kills.join('; ')}`);
    await profilesCaughtUp(s, { key: s.keys.barrier, timeoutMs: 60000 });
    // Caught up: the lag gauge says so (the log's idle tick is 100 ms).
    const m = await s.metrics();
    const lag = m.sum('rapport_profile_lag_milliseconds');
    assert.ok(lag >= 0 && lag < 5000, `rapport_profile_lag_milliseconds ${lag}`);
    // How long derived state paused for ingest (common/pacing.h); whether it did depends on the
    // machine, that it is reported does not.
    assert.ok(m.has('rapport_background_paused_milliseconds'), m.text);
    assert.ok(m.sum('rapport_background_paused_milliseconds') >= 0);

    // Every user's profile: its identities, events and merges exactly as the model says.
    const users = Array.from({ length: USERS }, (_, k) => k);
    const real = await mapLimit(users, 8, async (k) => {
      const l = await lookupProfile(s, 'user_id', id(k));
      assert.equal(l.status, 200, `user ${k}: ${l.status} ${l.text}`);
      const timeline = await profileTimeline(s, l.json.id);
      return { profile: l.json, timeline };
    });
    const modelOf = (k) => profiles.get(owner.get(`user_id:${id(k)}`));
    assert.equal(profiles.size, USERS, 'the model: one profile per user');

    // Model ids and real ids correspond by creation order ("ids grow with creation").
    const num = (pid) => {
      const m = /^p(\d+)$/.exec(pid);
      assert.ok(m, `a profile id like p42: ${pid}`);
      return Number(m[1]);
    };
    const modelIds = [...profiles.values()].flatMap((p) => [p.id, ...p.merged]).sort((a, b) => a - b);
    const realIds = real.flatMap((r) => [num(r.profile.id), ...r.profile.mergedIds.map(num)]).sort((a, b) => a - b);
    assert.equal(realIds.length, modelIds.length, `profiles created and merged: ${realIds.length}, the model ${modelIds.length}`);
    assert.equal(new Set(realIds).size, realIds.length, 'no profile id twice');
    const toReal = new Map(modelIds.map((m, i) => [m, `p${realIds[i]}`]));

    let total = 0;
    const problems = [];
    for (const k of users) {
      const { profile: p, timeline } = real[k];
      const m = modelOf(k);
      const want = [...m.ids].sort();
      const what = `user ${k} (${id(k)}), profile ${p.id}`;
      total += p.eventCount;
      if (!isSame(idSet(p), want)) problems.push(`${what}: identities ${idSet(p)}, expected ${want}`);
      if (p.eventCount !== m.events.length) problems.push(`${what}: eventCount ${p.eventCount}, expected ${m.events.length}`);
      const got = timeline.map((e) => e.messageId);
      const dup = got.filter((x, i) => got.indexOf(x) !== i);
      const missing = m.events.filter((x) => !got.includes(x));
      const extra = got.filter((x) => !m.events.includes(x));
      if (dup.length || missing.length || extra.length || got.length !== m.events.length) {
        problems.push(`${what}: timeline of ${got.length} events, expected ${m.events.length}; twice ${dup.slice(0, 5)}; missing ${missing.slice(0, 5)}; foreign ${extra.slice(0, 5)}`);
      }
      if (p.id !== toReal.get(m.id)) problems.push(`${what}: survivor ${p.id}, expected ${toReal.get(m.id)} (the oldest of its profiles)`);
      const wantMerged = [...m.merged].map((x) => toReal.get(x)).sort();
      if (!isSame([...p.mergedIds].sort(), wantMerged)) problems.push(`${what}: mergedIds ${p.mergedIds}, expected ${wantMerged}`);
      const gotMerges = p.merges.map((x) => `${x.kind}:${x.from}:${x.messageId}`).sort();
      const wantMerges = m.mergeEntries.map((x) => `merge:${toReal.get(x.from)}:${x.messageId}`).sort();
      if (!isSame(gotMerges, wantMerges)) problems.push(`${what}: merges ${gotMerges}, expected ${wantMerges}`);
      if (problems.length >= 10) break;
    }
    assert.equal(problems.length, 0, `profiles differ from the model:\n${problems.join('\n')}`);
    assert.equal(total, events.length, 'the users’ profiles hold every event once');

    // Every anonymous id and email finds its user's profile.
    const lookups = users.flatMap((k) => [['email', email(k), k], ...[1, 2, 3].map((j) => ['anonymous_id', anon(k, j), k])]);
    const wrong = (
      await mapLimit(lookups, 8, async ([type, value, k]) => {
        const l = await lookupProfile(s, type, value);
        return l.json?.id === real[k].profile.id ? null : `${type}:${value} → ${l.status} ${l.json?.id}, expected ${real[k].profile.id}`;
      })
    ).filter(Boolean);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} identifiers in the wrong profile`);
    const merges = real.reduce((a, r) => a + r.profile.mergedIds.length, 0);
    t.diagnostic(`${events.length} events, ${USERS} users, ${modelIds.length} profiles created, ${merges} merged`);
  });
});

function isSame(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
