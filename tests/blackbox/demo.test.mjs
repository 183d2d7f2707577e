// Black-box test of `rapport demo`: a small demo shop (5 % of the customers, 60 days) built
// through the public API, then served: its sources, spend, audiences and journeys exist and are
// live, a customer's profile stitches web, shop and e-mail identities, and the KPIs and queries
// the console opens on have something to say. A second run refuses a workspace that is not empty,
// and the demo leaves no API token behind (so `rapport serve` prints the first-start link).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RapportServer, cli } from '../lib/server.mjs';
import { assertStatus, describeRes } from '../lib/assert-http.mjs';

const DAY_MS = 86400000;
const SOURCES = ['crm', 'email', 'mobile-app', 'shop', 'social', 'support', 'website'];

describe('rapport demo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-demo-'));
  let run;
  let s;
  before(async () => {
    run = cli(['demo', '--data', dir, '--scale', '0.05', '--days', '60', '--seed', '7'], { timeoutMs: 180000 });
    assert.equal(run.status, 0, `rapport demo failed: ${run.stderr}\n${run.stdout}`);
  });
  after(async () => {
    if (s) await s.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('prints what it built and the write key of "website", and leaves no token', () => {
    assert.match(run.stdout, /done in \d+ s: \d+ customers \(\d+ signed up, \d+ bought, \d+ more than once\), \d+ events from 7 sources/);
    assert.match(run.stdout, /the write key of the source "website" \(shown only now\): wk_\S+/);
    const tokens = cli(['admin', 'token', 'list', '--data', dir]);
    assert.equal(tokens.status, 0, tokens.stderr);
    assert.equal(tokens.stdout.trim(), '', 'the demo must leave no API token behind');
  });

  test('refuses a data directory that already holds a workspace', () => {
    const again = cli(['demo', '--data', dir, '--scale', '0.01', '--days', '2']);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already holds a workspace/);
  });

  describe('served', () => {
    before(async () => {
      s = await RapportServer.start({ dataDir: dir, sources: [] });
    });
    const api = async (p, init) => {
      const r = await s.api(p, init);
      assertStatus(r, 200, p);
      return r.json;
    };
    const now = Date.now();
    const from = new Date(now - 60 * DAY_MS).toISOString();
    const to = new Date(now + DAY_MS).toISOString();

    test('seven sources, spend on six campaigns every day', async () => {
      const sources = await api('/api/v1/sources');
      assert.deepEqual(sources.sources.map((x) => x.name).sort(), SOURCES);
      const day = (t) => new Date(t).toISOString().slice(0, 10);
      const spend = await api(`/api/v1/spend?from=${day(now - 59 * DAY_MS)}&to=${day(now)}`);
      assert.equal(spend.rows.length, 6 * 60, describeRes({ status: 200, text: JSON.stringify(spend).slice(0, 400) }));
      assert.ok(spend.rows.every((r) => r.cost > 0));
    });

    test('audiences are live with members; journeys run', async () => {
      const { audiences } = await api('/api/v1/audiences');
      assert.deepEqual(audiences.map((a) => a.name).sort(), ['cart_abandoners', 'churn_risk', 'newsletter_fans', 'pro_plan', 'vip']);
      for (const a of audiences) assert.equal(a.status, 'live', a.name);
      for (const name of ['pro_plan', 'cart_abandoners', 'newsletter_fans']) {
        assert.ok(audiences.find((a) => a.name === name).size > 0, `${name} is empty: ${JSON.stringify(audiences)}`);
      }
      const { journeys } = await api('/api/v1/journeys');
      assert.deepEqual(journeys.map((j) => j.name).sort(), ['cart_recovery', 'welcome_series']);
      assert.ok(journeys.reduce((n, j) => n + j.entered, 0) > 0, 'the last day of events should enter journeys');
    });

    test('profiles: most are identified; audiences have a month of history', async () => {
      const stats = await api('/api/v1/profiles/stats');
      const customers = Number(run.stdout.match(/: (\d+) customers \((\d+) signed up/)[1]);
      const signedUp = Number(run.stdout.match(/: (\d+) customers \((\d+) signed up/)[2]);
      // Social mentions of strangers make profiles of their own; guests are known by e-mail.
      assert.ok(stats.profiles >= customers && stats.profiles < customers * 1.5, JSON.stringify(stats));
      assert.ok(stats.identified >= signedUp && stats.identified <= stats.profiles, JSON.stringify(stats));
      // The demo creates its audiences 30 days before the end, on the simulation's clock.
      const { days } = await api('/api/v1/audiences/cart_abandoners/history?days=40');
      const size = (await api('/api/v1/audiences/cart_abandoners')).size;
      const created = days.findIndex((d) => d.entered > 0);
      assert.ok(created >= 5 && created <= 12, JSON.stringify(days.slice(0, 14)));
      assert.ok(days.slice(0, created).every((d) => d.size === 0));
      const after = days.slice(created + 1);
      assert.ok(after.filter((d) => d.entered > 0).length > 20 && after.filter((d) => d.exited > 0).length > 20,
        `carts are abandoned and bought every day: ${JSON.stringify(after)}`);
      assert.equal(days.at(-1).size, size);
    });

    test('a paying customer is one profile across web, shop and e-mail', async () => {
      const members = await api('/api/v1/audiences/pro_plan/members?limit=100');
      let p;
      for (const m of members.members) {
        p = await api(`/api/v1/profiles/${m.id}`);
        if (p.computed.lifetime_revenue > 0) break;
      }
      const types = new Set(p.identities.map((i) => i.type));
      for (const t of ['user_id', 'anonymous_id', 'email']) assert.ok(types.has(t), `${t} in ${JSON.stringify(p.identities)}`);
      const byEmail = await api(`/api/v1/profiles?identifier=email:${encodeURIComponent(p.traits.email)}`);
      assert.equal(byEmail.id, p.id);
      assert.ok(p.computed.lifetime_revenue > 0, `no buyer among ${members.members.length} pro_plan members`);
      const timeline = await api(`/api/v1/profiles/${p.id}/events?limit=200`);
      const events = new Set(timeline.events.map((e) => e.event ?? e.type));
      assert.ok(events.has('Order Completed'), [...events].join(', '));
    });

    test('the KPIs have something to say', async () => {
      const insight = async (kind, body, range = { from, to }) =>
        (await api(`/api/v1/insights/${kind}`, { method: 'POST', body: { ...range, ...body } })).result;
      const roi = await insight('roi', {});
      const search = roi.channels.find((c) => c.channel === 'Paid Search' && !c.campaign);
      assert.ok(search && search.spend > 0 && search.revenue > 0, JSON.stringify(roi.channels).slice(0, 600));
      const nps = await insight('nps', {});
      assert.ok(nps.answers > 0 && nps.nps > -100 && nps.nps < 100, JSON.stringify(nps));
      const csat = await insight('csat', { score: 'properties.csat' });
      assert.ok(csat.answers > 0, JSON.stringify(csat));
      const rfm = await insight('rfm', {}, {});
      assert.ok(rfm.customers > 0 && rfm.segments.some((x) => x.segment === 'champions' && x.customers > 0), JSON.stringify(rfm).slice(0, 300));
    });

    test('a funnel narrows from viewing to ordering', async () => {
      const steps = [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Order Completed' }];
      const r = await api('/api/v1/query', { method: 'POST', body: { kind: 'funnel', from, to, steps, window: { days: 7 } } });
      const counts = r.result.steps.map((x) => x.count);
      assert.ok(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > 0, JSON.stringify(counts));
    });
  });
});
