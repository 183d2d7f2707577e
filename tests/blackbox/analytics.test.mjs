// Analytics over HTTP against the built binary (docs/queries.md): events sent with the Segment
// SDK land in the warehouse; funnels, trends, retention, paths and discovery answer with
// hand-checked numbers; an identity merge after the fact moves earlier events to the survivor;
// bad specs are refused naming the field; `rapport query` prints a table; everything survives a
// restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Analytics } from '@segment/analytics-node';
import { RapportServer, cli, pollUntil, profilesCaughtUp } from '../lib/server.mjs';

const show = (x) => JSON.stringify(x, null, 2);
const FROM = '2026-09-01T00:00:00Z';
const TO = '2026-10-01T00:00:00Z';
const at = (day, hour = 12, minute = 0) =>
  new Date(Date.UTC(2026, 8, day, hour, minute)).toISOString();

// Ten shoppers: all view a product on Sep 7 (a Monday); 1-6 add it to the cart; 1-4 order within
// the hour, 5 orders 8 days later (outside a 7-day window), 6 never orders.
function shopperEvents() {
  const events = [];
  for (let i = 1; i <= 10; i++) {
    const userId = `shopper-${i}`;
    const source = i % 2 ? 'google' : 'newsletter';
    events.push({ type: 'track', userId, event: 'Product Viewed', timestamp: at(7, 10, i), context: { campaign: { source } }, properties: { category: i <= 3 ? 'books' : 'games' } });
    if (i <= 6) events.push({ type: 'track', userId, event: 'Product Added', timestamp: at(7, 10, 20 + i), context: { campaign: { source } } });
    if (i <= 4) events.push({ type: 'track', userId, event: 'Order Completed', timestamp: at(7, 10, 40 + i), properties: { revenue: 10 * i } });
    if (i === 5) events.push({ type: 'track', userId, event: 'Order Completed', timestamp: at(15, 10, 0), properties: { revenue: 50 } });
  }
  return events;
}

describe('analytics', () => {
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

  async function query(spec, { token = 'admin' } = {}) {
    const r = await s.api('/api/v1/query', { method: 'POST', body: spec, token });
    return r;
  }

  async function ok(spec) {
    const r = await query(spec);
    assert.equal(r.status, 200, `${show(spec)} → ${r.text}`);
    assert.equal(r.json.kind, spec.kind);
    assert.equal(typeof r.json.took_ms, 'number');
    return r.json.result;
  }

  // The warehouse follows the pipeline: once the pipeline has applied a barrier event (and so
  // everything acknowledged before it), poll until the warehouse has the barrier too — the feed
  // stores what the pipeline committed in every partition at once.
  let barriers = 0;
  async function warehouseCaughtUp() {
    await profilesCaughtUp(s);
    barriers += 1;
    await stored('Pipeline Barrier', barriers);
  }

  // Poll until `n` events named `name` are stored.
  async function stored(name, n) {
    await pollUntil(
      async () => {
        // Barrier events are stamped "now": look at every time.
        const r = await query({ kind: 'events', from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' });
        if (r.status !== 200) throw new Error(r.text);
        const e = r.json.result.events.find((x) => x.name === name);
        return e && e.count >= n ? e : undefined;
      },
      { timeoutMs: 20000, describe: () => `${n} "${name}" events did not reach the warehouse` },
    );
  }

  test('SDK events reach the warehouse and funnels count them', async () => {
    const analytics = new Analytics({ writeKey: s.key, host: s.base, flushAt: 20, flushInterval: 100, maxRetries: 1 });
    for (const e of shopperEvents()) {
      const { type, ...rest } = e;
      analytics.track({ ...rest, timestamp: new Date(e.timestamp) });
    }
    await analytics.closeAndFlush({ timeout: 15000 });
    await warehouseCaughtUp();

    const steps = [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Order Completed' }];
    const week = await ok({ kind: 'funnel', from: FROM, to: TO, steps, window: { days: 7 } });
    assert.deepEqual(week.steps.map((x) => x.count), [10, 6, 4], show(week));
    const month = await ok({ kind: 'funnel', from: FROM, to: TO, steps, window: { days: 30 } });
    assert.deepEqual(month.steps.map((x) => x.count), [10, 6, 5], show(month));
    // A step filter on a property, and a breakdown by campaign source.
    const books = await ok({
      kind: 'funnel', from: FROM, to: TO, window: { days: 7 },
      steps: [{ event: 'Product Viewed', where: [{ path: 'properties.category', op: 'eq', value: 'books' }] }, { event: 'Order Completed' }],
    });
    assert.deepEqual(books.steps.map((x) => x.count), [3, 3], show(books));
    const bySource = await ok({ kind: 'funnel', from: FROM, to: TO, steps, window: { days: 7 }, breakdown: { property: 'context.campaign.source' } });
    const google = bySource.breakdown.find((g) => g.value === 'google');
    const newsletter = bySource.breakdown.find((g) => g.value === 'newsletter');
    assert.deepEqual(google.steps.map((x) => x.count), [5, 3, 2], show(bySource)); // 1,3,5,7,9
    assert.deepEqual(newsletter.steps.map((x) => x.count), [5, 3, 2], show(bySource)); // 2,4,6,8,10
  });

  test('trends count per day with a breakdown, and unique profiles', async () => {
    const views = await ok({
      kind: 'trends', from: '2026-09-06T00:00:00Z', to: '2026-09-09T00:00:00Z', interval: 'day',
      series: [{ filter: { event: 'Product Viewed' }, measure: 'count' }],
      breakdown: { property: 'context.campaign.source' },
    });
    const g = views.series.find((x) => x.breakdown === 'google');
    assert.deepEqual(g.points.map((p) => p.value), [0, 5, 0], show(views));
    assert.equal(g.points[1].t, '2026-09-07T00:00:00.000Z');
    const revenue = await ok({
      kind: 'trends', from: FROM, to: TO, interval: 'month',
      series: [{ filter: { event: 'Order Completed' }, measure: 'sum', property: 'properties.revenue' }],
    });
    assert.equal(revenue.series[0].total, 10 + 20 + 30 + 40 + 50, show(revenue));
    const uniques = await ok({
      kind: 'trends', from: '2026-09-07T00:00:00Z', to: '2026-09-08T00:00:00Z', interval: 'day',
      series: [{ measure: 'unique_profiles', filter: { event: 'Product Viewed' } }],
    });
    assert.equal(uniques.series[0].points[0].value, 10, show(uniques));
  });

  test('an identify after the fact joins the anonymous events to the customer', async () => {
    // The customer and the anonymous visitor are two profiles, and the visitor's events are
    // stored in the warehouse under the visitor's profile before anything links them.
    const anon = 'visitor-7b';
    const first = await s.ingest('/v1/batch', {
      batch: [
        { type: 'track', userId: 'late-buyer', event: 'Signed Up', timestamp: at(20, 8, 0) },
        { type: 'track', anonymousId: anon, event: 'Product Viewed', timestamp: at(20, 9, 0) },
        { type: 'track', anonymousId: anon, event: 'Product Added', timestamp: at(20, 9, 5) },
      ],
    });
    assert.equal(first.status, 200, first.text);
    await warehouseCaughtUp();
    const funnel = {
      kind: 'funnel', from: '2026-09-20T00:00:00Z', to: '2026-09-21T00:00:00Z', window: { hours: 2 },
      steps: [{ event: 'Signed Up' }, { event: 'Product Viewed' }, { event: 'Order Completed' }],
    };
    assert.deepEqual((await ok(funnel)).steps.map((x) => x.count), [1, 0, 0]);
    const second = await s.ingest('/v1/batch', {
      batch: [
        { type: 'identify', anonymousId: anon, userId: 'late-buyer', timestamp: at(20, 9, 6) },
        { type: 'track', userId: 'late-buyer', event: 'Order Completed', timestamp: at(20, 9, 10), properties: { revenue: 5 } },
      ],
    });
    assert.equal(second.status, 200, second.text);
    await warehouseCaughtUp();
    assert.deepEqual((await ok(funnel)).steps.map((x) => x.count), [1, 1, 1]);
    const uniques = await ok({
      kind: 'trends', from: '2026-09-20T00:00:00Z', to: '2026-09-21T00:00:00Z', interval: 'day',
      series: [{ measure: 'unique_profiles' }],
    });
    assert.equal(uniques.series[0].points[0].value, 1, show(uniques));
  });

  test('retention, paths and discovery', async () => {
    const ret = await ok({
      kind: 'retention', from: FROM, to: TO, interval: 'week', periods: 3,
      start: { event: 'Product Viewed' }, return: { event: 'Order Completed' },
    });
    // The week of Monday Sep 7: 10 shoppers; shopper 5 orders in the week after.
    const cohort = ret.cohorts.find((c) => c.start === '2026-09-07T00:00:00.000Z');
    assert.ok(cohort, show(ret));
    assert.equal(cohort.size, 10);
    assert.equal(cohort.returned[0], 10);
    assert.equal(cohort.returned[1], 1, show(cohort));

    const paths = await ok({ kind: 'paths', from: FROM, to: TO, start: { event: 'Product Added' }, steps: 2 });
    const link = paths.links.find((l) => l.source.endsWith(':Product Added') && l.target.endsWith(':Order Completed'));
    assert.ok(link, show(paths));
    assert.equal(link.count, 5, show(paths)); // shoppers 1-5 (the late buyer identified first)

    const props = await ok({ kind: 'properties', from: FROM, to: TO, event: 'Order Completed' });
    assert.ok(props.properties.some((p) => p.path === 'properties.revenue' && p.kinds.includes('number')), show(props));
    const values = await ok({ kind: 'values', from: FROM, to: TO, path: 'context.campaign.source' });
    assert.deepEqual(values.values.map((v) => v.value).sort(), ['google', 'newsletter'], show(values));
  });

  test('a bad spec is refused naming the field; every role may query, a write key may not', async () => {
    const bad = await query({ kind: 'funnel', from: FROM, to: TO, steps: [{ event: 'A' }, { event: 7 }], window: { days: 7 } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error, 'invalid_argument');
    assert.match(bad.json.message, /steps\[1\]\.event/);
    const kind = await query({ kind: 'pie' });
    assert.equal(kind.status, 400);
    assert.match(kind.json.message, /"kind" must be one of/);
    const notJson = await s.api('/api/v1/query', { method: 'POST', body: '{"kind":', headers: { 'content-type': 'application/json' } });
    assert.equal(notJson.status, 400, notJson.text);
    const analyst = await query({ kind: 'events', from: FROM, to: TO }, { token: 'analyst' });
    assert.equal(analyst.status, 200, analyst.text);
    const key = await s.ingest('/api/v1/query', { kind: 'events', from: FROM, to: TO });
    assert.equal(key.status, 401, key.text);
  });

  test('rapport query prints a table and the JSON', async () => {
    const spec = JSON.stringify({
      kind: 'funnel', from: FROM, to: TO, window: { days: 7 },
      steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Order Completed' }],
    });
    const args = ['query', '--server', s.base, '--token', s.tokens.analyst, '--spec', spec];
    const table = cli(args);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.ok(lines.length >= 5, table.stdout);
    assert.match(lines[0], /step/i);
    assert.match(table.stdout, /Order Completed/);
    const json = cli([...args, '--json']);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).result.steps.map((x) => x.count).slice(0, 1), [11]);
    const refused = cli(['query', '--server', s.base, '--token', s.tokens.analyst, '--spec', '{"kind":"pie"}']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /"kind" must be one of/);
    const unreachable = cli(['query', '--server', 'http://127.0.0.1:1', '--token', 'x', '--spec', spec]);
    assert.equal(unreachable.status, 3, unreachable.stderr);
  });

  test('answers are the same after a restart', async () => {
    const spec = {
      kind: 'funnel', from: FROM, to: TO, window: { days: 7 },
      steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Order Completed' }],
    };
    const before = await ok(spec);
    await s.restart();
    const afterRestart = await ok(spec);
    assert.deepEqual(afterRestart.steps, before.steps);
    // Stopping flushed every buffered event into parts; /metrics says so.
    const m = await s.metrics();
    assert.ok(m.sum('rapport_warehouse_rows') >= 26, m.text); // 26 sent here, plus barriers
    assert.ok(m.sum('rapport_warehouse_parts') >= 1, m.text);
    assert.ok(m.has('rapport_warehouse_buffered_rows'));
  });
});
