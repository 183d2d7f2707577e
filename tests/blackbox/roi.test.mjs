// Channel ROI end to end (docs/kpis.md, "Channel ROI"): journeys sent with the Segment SDK
// (campaign fields in context.campaign and in a page URL's utm_ parameters), spend imported with
// `rapport spend import`, then `POST /api/v1/insights/roi` and `rapport query` credit spend,
// revenue and new customers to channels and campaigns — figures worked out by hand below.
//
//   u1: Paid Search (google / cpc, "brand") Sep 1 → first order, 100, Sep 2
//   u2: Email (newsletter / email, "sept", through the URL) Sep 3, Paid Search "brand" Sep 4
//       → first order, 60, Sep 5
//   u3: Paid Social (facebook / paid_social, "launch") Sep 2, never orders
//   u4: first order, 30, Sep 6, no touchpoint: "(none)"
// Spend: Paid Search "brand" 50 + 30, Email "sept" 10, Paid Social "launch" 40.
// Linear: Paid Search 1.5 conversions, 130 revenue (ROAS 1.625), 1.5 new customers (CAC 53.33);
// Email 0.5, 30 (ROAS 3), 0.5 new (CAC 20); Paid Social ROAS 0.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Analytics } from '@segment/analytics-node';
import { RapportServer, cli, pollUntil, profilesCaughtUp, stopAndRemove } from '../lib/server.mjs';

const show = (x) => JSON.stringify(x, null, 2);
const day = (d, h = 10) => new Date(Date.UTC(2026, 8, d, h));
const RANGE = { from: '2026-09-01T00:00:00Z', to: '2026-10-01T00:00:00Z' };
const SPEND = `date,channel,campaign,cost
2026-09-01,Paid Search,brand,50
2026-09-04,Paid Search,brand,30
2026-09-03,Email,sept,10
2026-09-02,Paid Social,launch,40
`;

describe('insights: channel ROI', () => {
  let s;
  const work = mkdtempSync(path.join(tmpdir(), 'rapport-roi-'));
  before(async () => {
    s = await RapportServer.start({ sources: ['web'] });
    const analytics = new Analytics({ writeKey: s.key, host: s.base, flushAt: 20, flushInterval: 100, maxRetries: 1 });
    const campaign = (source, medium, name) => ({ campaign: { source, medium, name } });
    analytics.page({ userId: 'u1', name: 'Home', timestamp: day(1), context: campaign('google', 'cpc', 'brand') });
    analytics.track({ userId: 'u1', event: 'Order Completed', timestamp: day(2), properties: { revenue: 100 } });
    analytics.page({
      userId: 'u2', name: 'Offer', timestamp: day(3),
      context: { page: { url: 'https://shop.example/offer?utm_source=newsletter&utm_medium=email&utm_campaign=sept' } },
    });
    analytics.page({ userId: 'u2', name: 'Home', timestamp: day(4), context: campaign('google', 'cpc', 'brand') });
    analytics.track({ userId: 'u2', event: 'Order Completed', timestamp: day(5), properties: { revenue: 60 } });
    analytics.page({ userId: 'u3', name: 'Home', timestamp: day(2), context: campaign('facebook', 'paid_social', 'launch') });
    analytics.track({ userId: 'u4', event: 'Order Completed', timestamp: day(6), properties: { revenue: 30 } });
    await analytics.closeAndFlush({ timeout: 15000 });
    await profilesCaughtUp(s);
    let counts = {};
    await pollUntil(
      async () => {
        const r = await s.api('/api/v1/query', { method: 'POST', body: { kind: 'events', ...RANGE } });
        if (r.status !== 200) throw new Error(r.text);
        counts = Object.fromEntries(r.json.result.events.map((e) => [e.name, e.count]));
        return counts['Order Completed'] === 3 && counts.Home === 3 && counts.Offer === 1;
      },
      { timeoutMs: 20000, describe: () => `the warehouse holds ${show(counts)}` },
    );
  });
  after(() => stopAndRemove(s, work));

  const roi = async (extra = {}, token = 'analyst') => {
    const r = await s.api('/api/v1/insights/roi', { method: 'POST', body: { ...RANGE, ...extra }, token });
    assert.equal(r.status, 200, r.text);
    return r.json.result;
  };
  const line = (lines, channel, campaign) => {
    const l = lines.find((x) => x.channel === channel && (campaign === undefined || x.campaign === campaign));
    assert.ok(l, `no line ${channel} ${campaign ?? ''} in ${show(lines)}`);
    return l;
  };

  test('without spend the answer says how to import it', async () => {
    const r = await roi();
    assert.equal(r.spend_rows, 0);
    assert.match(r.note, /rapport spend import/);
    assert.equal(line(r.channels, 'Paid Search').roas, null);
    assert.equal(line(r.channels, 'Paid Search').conversions, 1.5);
  });

  test('imported spend gives CAC, ROAS, LTV:CAC and the next budget per channel and campaign', async () => {
    const file = path.join(work, 'spend.csv');
    writeFileSync(file, SPEND);
    for (let i = 0; i < 2; i++) {
      // Twice: a re-import replaces the days, it never doubles them.
      const imported = cli(['spend', 'import', '--server', s.base, '--token', s.tokens.marketer, '--file', file]);
      assert.equal(imported.status, 0, `${imported.stdout}\n${imported.stderr}`);
    }
    const r = await roi();
    assert.equal(r.model, 'linear');
    assert.equal(r.spend_rows, 4);
    const search = line(r.channels, 'Paid Search');
    assert.equal(search.spend, 80, show(r));
    assert.equal(search.revenue, 130);
    assert.equal(search.new_customers, 1.5);
    assert.equal(search.roas, 1.625);
    assert.ok(Math.abs(search.cac - 80 / 1.5) < 1e-6, show(search));
    assert.ok(search.ltv_cac > 0);
    const email = line(r.channels, 'Email');
    assert.equal(email.roas, 3);
    assert.equal(email.cac, 20);
    assert.equal(line(r.channels, 'Paid Social').roas, 0);
    assert.equal(line(r.channels, '(none)').cac, null);
    assert.equal(line(r.campaigns, 'Email', 'sept').roas, 3);
    assert.equal(line(r.campaigns, 'Paid Search', 'brand').spend, 80);
    assert.deepEqual(r.next_budget.channels.map((x) => x.channel), ['Email', 'Paid Search', 'Paid Social']);
    assert.equal(r.total.spend, 130);
    assert.equal(r.total.revenue, 190);
    assert.ok(Math.abs(r.total.cac - 130 / 3) < 1e-6, show(r.total));

    // Under first touch u2's order belongs to Email.
    const first = await roi({ model: 'first_touch' });
    assert.equal(line(first.channels, 'Email').revenue, 60);
    assert.equal(line(first.channels, 'Email').roas, 6);

    // The CLI's table: each channel, then its campaigns.
    const table = cli(['query', '--server', s.base, '--token', s.tokens.analyst, '--spec', JSON.stringify({ kind: 'roi', ...RANGE })]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^Email\s+\(all\)\s+10\s/m, table.stdout);
    assert.match(table.stdout, /^Email\s+sept\s+10\s/m, table.stdout);
    assert.match(table.stdout, /^total\s/m, table.stdout);
  });

  test('bad ROI specs are refused, saying why', async () => {
    const bad = await s.api('/api/v1/insights/roi', { method: 'POST', body: { ...RANGE, model: 'data_driven' } });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.json.message, /^"model" must be one of "first_touch"/);
    const margin = await s.api('/api/v1/insights/roi', { method: 'POST', body: { ...RANGE, margin: 2 } });
    assert.equal(margin.status, 400, margin.text);
    assert.equal(margin.json.message, '"margin" must be a number above 0 and at most 1');
  });
});
