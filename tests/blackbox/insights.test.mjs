// Customer lifetime value end to end (docs/kpis.md): the raw CDNOW transactions (2,357
// customers, 1997-98) brought in with `rapport import` go through the normal pipeline into the
// warehouse; `POST /api/v1/insights/clv` and `rapport query` then fit BG/NBD and Gamma-Gamma on
// them and must give the published estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013),
// and the holdout report; unknown insights and bad specs are clear errors.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, RapportServer, cli, pollUntil, profilesCaughtUp } from '../lib/server.mjs';

const show = (x) => JSON.stringify(x, null, 2);
const SPEC = { calibration_end: '1997-10-01T00:00:00Z', holdout_end: '1998-07-01T00:00:00Z', top: 5 };

// CDNOW_sample.txt is space-aligned (customer id, sample id, YYYYMMDD, CDs, dollars): written as
// CSV for the importer, with the line number as a unique id (one customer may buy twice a day).
function cdnowCsv(file) {
  const lines = readFileSync(path.join(REPO, 'tests', 'data', 'cdnow', 'CDNOW_sample.txt'), 'utf8').trim().split('\n');
  const rows = lines.map((l, i) => {
    const [, sample, date, cds, dollars] = l.trim().split(/\s+/);
    return `${i + 1},${sample},${date},${cds},${dollars}`;
  });
  writeFileSync(file, ['line,customer,date,cds,dollars', ...rows, ''].join('\n'));
  return rows.length;
}

const MAPPING = `format = "csv"

[event]
type = "track"
name = "Order Completed"
timestamp = { column = "date", format = "%Y%m%d" }
message_id = { column = "line", prefix = "cdnow-" }

[identifiers]
user_id = "customer"

[properties]
revenue = { column = "dollars", type = "number" }
quantity = { column = "cds", type = "number" }
`;

describe('insights: customer lifetime value', () => {
  let s;
  let ordersImported = 0;
  const work = mkdtempSync(path.join(tmpdir(), 'rapport-insights-'));
  before(async () => {
    s = await RapportServer.start({ sources: ['shop'] });
    const csv = path.join(work, 'cdnow.csv');
    const rows = cdnowCsv(csv);
    ordersImported = rows;
    writeFileSync(path.join(work, 'cdnow.toml'), MAPPING);
    const imported = cli(['import', '--server', s.base, '--token', s.tokens.marketer, '--source', 'shop', '--file', csv, '--mapping', path.join(work, 'cdnow.toml')], { timeoutMs: 120000 });
    assert.equal(imported.status, 0, `${imported.stdout}\n${imported.stderr}`);
    // Until the warehouse holds every order.
    let count = 0;
    await pollUntil(
      async () => {
        const r = await s.api('/api/v1/query', { method: 'POST', body: { kind: 'events', from: '1996-01-01T00:00:00Z', to: '1999-01-01T00:00:00Z' } });
        if (r.status !== 200) throw new Error(r.text);
        count = r.json.result.events.find((e) => e.name === 'Order Completed')?.count ?? 0;
        return count === rows;
      },
      { timeoutMs: 60000, describe: () => `the warehouse holds ${count} of ${rows} orders` },
    );
  });
  after(async () => {
    try {
      const r = await s?.stop();
      if (r) assert.equal(r.code, 0, `SIGTERM: ${JSON.stringify(r)}`);
    } finally {
      await s?.destroy();
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('the imported transactions give the published CDNOW estimates', async () => {
    const r = await s.api('/api/v1/insights/clv', { method: 'POST', body: SPEC, token: 'analyst' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.kind, 'clv');
    const c = r.json.result;
    assert.equal(c.customers, 2357, show(c));
    assert.equal(c.repeat_buyers, 946);
    const near = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, published ${want}\n${show(c)}`);
    near(c.bgnbd.r, 0.243, 0.0005, 'r');
    near(c.bgnbd.alpha, 4.414, 0.0005, 'alpha');
    near(c.bgnbd.a, 0.793, 0.0005, 'a');
    near(c.bgnbd.b, 2.426, 0.0005, 'b');
    near(c.bgnbd.log_likelihood, -9582.4, 0.05, 'BG/NBD log-likelihood');
    near(c.gamma_gamma.p, 6.25, 0.005, 'p');
    near(c.gamma_gamma.q, 3.74, 0.005, 'q');
    near(c.gamma_gamma.gamma, 15.44, 0.01, 'gamma');
    near(c.gamma_gamma.log_likelihood, -4055.9, 0.05, 'Gamma-Gamma log-likelihood');
    // The holdout: 39 weeks, purchases on 1,882 customer-days, 1,653.4 predicted.
    assert.equal(c.holdout.units, 39);
    assert.equal(c.holdout.actual, 1882);
    near(c.holdout.predicted, 1653.4, 0.5, 'predicted holdout purchases');
    assert.equal(c.top.length, 5);
    for (const t of c.top) {
      assert.match(t.profile, /^p\d+$/);
      assert.ok(t.clv > 0 && t.p_alive > 0 && t.p_alive <= 1, show(t));
    }
    // The top customer is a real profile holding one of the CDNOW ids.
    const p = await s.api(`/api/v1/profiles/${c.top[0].profile}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.identities.find((i) => i.type === 'user_id') !== undefined, true, show(p.json));
    // The same through the query endpoint.
    const q = await s.api('/api/v1/query', { method: 'POST', body: { kind: 'clv', ...SPEC } });
    assert.equal(q.status, 200, q.text);
    assert.deepEqual(q.json.result.bgnbd, c.bgnbd);
  });

  test('rapport query prints the fit as a table', () => {
    const spec = JSON.stringify({ kind: 'clv', ...SPEC });
    const r = cli(['query', '--server', s.base, '--token', s.tokens.analyst, '--spec', spec]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^measure\s+value/m);
    assert.match(r.stdout, /BG\/NBD r\s+0\.2426/);
    assert.match(r.stdout, /holdout purchases actual\s+1882/);
  });

  test('scores written to profiles are traits that audiences use', async () => {
    const fit = (await s.api('/api/v1/insights/clv', { method: 'POST', body: { ...SPEC, top: 1 } })).json.result;
    const analyst = await s.api('/api/v1/insights/clv/apply', { method: 'POST', body: SPEC, token: 'analyst' });
    assert.equal(analyst.status, 403, analyst.text); // writing to profiles is for admins and marketers
    const r = await s.api('/api/v1/insights/clv/apply', { method: 'POST', body: SPEC, token: 'marketer' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.profiles, 2357, r.text);
    assert.equal(r.json.skipped, 0);
    assert.deepEqual(r.json.traits, ['p_alive', 'churn_risk', 'expected_purchases_12m', 'expected_spend', 'predicted_clv_12m']);
    await profilesCaughtUp(s);
    // The most valuable customer carries the query's numbers.
    const top = fit.top[0];
    const p = await s.api(`/api/v1/profiles/${top.profile}`);
    assert.equal(p.status, 200, p.text);
    const near = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
    assert.ok(near(p.json.traits.p_alive, top.p_alive), show(p.json.traits));
    assert.ok(near(p.json.traits.predicted_clv_12m, top.clv), show(p.json.traits));
    assert.ok(near(p.json.traits.churn_risk, 1 - top.p_alive), show(p.json.traits));
    // An audience of the customers more likely gone than not: exactly the fit's count.
    const preview = await s.api('/api/v1/audiences/preview', { method: 'POST', body: { definition: 'traits.p_alive < 0.5' } });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.json.size, fit.p_alive.below_half, show(preview.json));
    assert.ok(fit.p_alive.below_half > 0);
  });

  test('RFM segments, on profiles and in audiences', async () => {
    const q = await s.api('/api/v1/insights/rfm', { method: 'POST', body: { as_of: '1998-07-01T00:00:00Z' } });
    assert.equal(q.status, 200, q.text);
    const rfm = q.json.result;
    assert.equal(rfm.customers, 2357);
    assert.equal(rfm.segments.reduce((n, x) => n + x.customers, 0), 2357, show(rfm));
    const champions = rfm.segments.find((x) => x.segment === 'champions');
    assert.ok(champions.customers > 0, show(rfm));
    const r = await s.api('/api/v1/insights/rfm/apply', { method: 'POST', body: { as_of: '1998-07-01T00:00:00Z' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.profiles, 2357);
    assert.deepEqual(r.json.traits, ['rfm_recency', 'rfm_frequency', 'rfm_monetary', 'rfm_segment']);
    await profilesCaughtUp(s);
    const preview = await s.api('/api/v1/audiences/preview', { method: 'POST', body: { definition: 'traits.rfm_segment = "champions"' } });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.json.size, champions.customers, show(preview.json));
    const table = cli(['query', '--server', s.base, '--token', s.tokens.analyst, '--spec', '{"kind":"rfm","as_of":"1998-07-01T00:00:00Z"}']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`^champions\\s+${champions.customers}\\s`, 'm'));
  });

  test('attribution: orders without marketing touchpoints are credited to "(none)"', async () => {
    const r = await s.api('/api/v1/insights/attribution', { method: 'POST', body: { from: '1997-01-01T00:00:00Z', to: '1998-07-01T00:00:00Z' } });
    assert.equal(r.status, 200, r.text);
    const a = r.json.result;
    assert.equal(a.conversions, ordersImported, show(a));
    assert.equal(a.no_touch_conversions, ordersImported);
    assert.deepEqual(a.channels.map((c) => c.channel), ['(none)']);
    assert.equal(a.channels[0].conversions.markov_1, ordersImported);
    assert.deepEqual(a.models, ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'markov_1', 'shapley']);
  });

  test('unknown insights and bad specs are refused, saying why', async () => {
    const unknown = await s.api('/api/v1/insights/ltv', { method: 'POST', body: {} });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.json.message, 'there is no insight "ltv"; the insights are: "clv", "rfm", "attribution", "roi", "engagement", "nps", "csat", "kfactor"');
    const bad = await s.api('/api/v1/insights/clv', { method: 'POST', body: { ...SPEC, unit: 'month' } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.message, '"unit" must be "week" or "day"');
    const early = await s.api('/api/v1/insights/clv', { method: 'POST', body: { calibration_end: '1990-01-01T00:00:00Z' } });
    assert.equal(early.status, 400, early.text);
    assert.equal(early.json.message, 'no purchases before "calibration_end" match "purchase"');
    const noScores = await s.api('/api/v1/insights/nps/apply', { method: 'POST', body: {} });
    assert.equal(noScores.json.message, '"nps" has no scores to write to profiles; these have: "clv", "rfm", "engagement"');
    assert.equal(noScores.status, 404, noScores.text);
    const noToken = await s.api('/api/v1/insights/clv', { method: 'POST', body: SPEC, token: null });
    assert.equal(noToken.status, 401, noToken.text);
  });
});
