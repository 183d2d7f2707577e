// The console end to end on the demo shop: `rapport demo` (5 % of the customers, 60 days) fills a
// data dir whose webhook destination "email_tool" points at a receiver started here, which refuses
// (400) at first so that the journeys' sends become dead letters at once; `rapport serve` then
// prints its first-start link. In Debian's chromium, driven by playwright-core: sign in with the
// link; the Overview shows events, the Profiles card and the Predicted CLV card (or its reason);
// a customer found by email shows their merged identities; audience pro_plan shows its size and
// its membership chart; the builder previews traits.plan = "business"; a funnel Product Viewed →
// Product Added → Order Completed draws; the retention heatmap shows; Insights › Channel ROI lists
// Paid Search; a bad event posted with the website's write key shows in Live events › Rejected
// with its reason and body; once the receiver answers 200, the email_tool dead letters are
// replayed from the destinations page and reach it; the keyboard alone (skip link, navigation,
// Enter in the search) reaches Audiences and a customer. Each step saves a screenshot (CONSOLE_SHOTS,
// default build/console-screenshots); a failing step names its page and step. The console is
// web/dist (RAPPORT_CONSOLE), whatever binary RAPPORT_BIN names.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, RapportServer, pollUntil, requireBinary, stopAndRemove, uid } from '../lib/server.mjs';
import { CHROMIUM, CONSOLE, findProfile, launchBrowser, openTabWith as openTabWithLib, stepper, waitForIdentities } from '../lib/console.mjs';


/** Runs `rapport ARGS` without blocking the event loop (the receiver must answer meanwhile). */
function run(args, { timeoutMs = 180000 } = {}) {
  requireBinary();
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** A webhook receiver answering `status` (400 until told otherwise), keeping what it was sent. */
async function startReceiver() {
  const r = { status: 400, requests: [] };
  r.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.requests.push({ answered: r.status, key: req.headers['idempotency-key'] ?? null, body: Buffer.concat(chunks).toString() });
      res.writeHead(r.status).end();
    });
  });
  await new Promise((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${r.server.address().port}/hook`;
  return r;
}

/** The figure of an Overview card, once it is no longer loading ("…"). */
async function cardValue(page, label) {
  const card = page.locator(`section.kpi[aria-label="${label}"]`);
  await card.waitFor({ timeout: 15000 });
  let value = '';
  await pollUntil(async () => {
    value = (await card.locator('.kpi-value').textContent()).trim();
    return value !== '…';
  }, { timeoutMs: 20000, intervalMs: 200, describe: () => `the ${label} card still loads` });
  return { value, detail: (await card.locator('.kpi-detail').textContent()).trim() };
}

describe('console on the demo shop', { skip: CHROMIUM ? false : 'chromium is not installed (scripts/setup installs it)' }, () => {
  let browser;
  let s;
  let page;
  let receiver;
  let writeKey;
  const errors = [];
  before(async () => {
    receiver = await startReceiver();
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-console-demo-'));
    const demo = await run(['demo', '--data', dir, '--scale', '0.05', '--days', '60', '--seed', '11', '--webhook', receiver.url]);
    assert.equal(demo.status, 0, `rapport demo failed: ${demo.stderr}\n${demo.stdout}`);
    writeKey = demo.stdout.match(/the write key of the source "website" \(shown only now\): (wk_\S+)/)?.[1];
    assert.ok(writeKey, `no write key in the demo's output:\n${demo.stdout}`);
    // The demo leaves no token: the first start creates one and prints the sign-in link.
    s = new RapportServer();
    s.dataDir = dir;
    s.env = { RAPPORT_CONSOLE: CONSOLE };
    s.keys = { website: writeKey };
    s.key = writeKey;
    await s.launch();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await stopAndRemove(s);
    receiver?.server.close();
  });

  const step = stepper(() => page, 'demo-');

  async function api(p, init) {
    const r = await s.api(p, init);
    assert.equal(r.status, 200, `${p}: ${r.status} ${r.text.slice(0, 400)}`);
    return r.json;
  }

  const openTabWith = (tab, select, event) => openTabWithLib(page, s.base, tab, select, event);

  test('the printed link signs in; the overview shows events, profiles and predicted CLV', async () => {
    const link = await pollUntil(() => s.log.match(/http:\/\/127\.0\.0\.1:\d+\/#token=(rpt_[A-Za-z0-9_-]+)/) ?? undefined, {
      timeoutMs: 5000,
      describe: () => `no sign-in link in the server's output:\n${s.log}`,
    });
    s.tokens = { admin: link[1] };
    await step('overview: sign in with the printed link', async () => {
      await page.goto(link[0]);
      await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15000 });
      assert.equal(await page.locator('.whoami strong').textContent(), 'admin');
    });
    await step('overview: events, profiles and predicted CLV cards', async () => {
      const events = await cardValue(page, 'Events');
      assert.match(events.value, /^[1-9][\d.,]*k?$/, `events: ${events.value}`);
      const profiles = await cardValue(page, 'Profiles');
      assert.match(profiles.value, /^[1-9][\d.,]*k?$/, `profiles: ${profiles.value}`);
      assert.match(profiles.detail, /\d+(\.\d)?% identified \([\d,]+\), all time/, profiles.detail);
      const clv = await cardValue(page, 'Predicted CLV');
      // A figure per customer, or in one line why the models cannot be fitted.
      assert.ok(/per customer over \d+ months/.test(clv.detail) || (clv.value === '–' && clv.detail.length > 10), `CLV: ${clv.value} / ${clv.detail}`);
      await page.getByRole('heading', { name: 'Recent validation errors' }).waitFor();
      await page.getByRole('heading', { name: 'Delivery failures' }).waitFor();
    });
    const stats = await api('/api/v1/profiles/stats');
    assert.ok(stats.profiles > 0 && stats.identified > 0, JSON.stringify(stats));
    assert.deepEqual(errors, []);
  });

  test('a customer found by email shows their merged identities', async () => {
    const { members } = await api('/api/v1/audiences/pro_plan/members?limit=100');
    let profile;
    for (const m of members) {
      const p = await api(`/api/v1/profiles/${m.id}`);
      const types = new Set(p.identities.map((i) => i.type));
      if (typeof p.traits.email === 'string' && ['user_id', 'anonymous_id', 'email'].every((t) => types.has(t))) {
        profile = p;
        break;
      }
    }
    assert.ok(profile, `no pro_plan member with a user id, an anonymous id and an email among ${members.length}`);
    const id = (type) => profile.identities.find((i) => i.type === type).value;
    await step('profiles: find by email', async () => {
      await findProfile(page, s.base, 'email', profile.traits.email);
    });
    await step('profiles: merged identities', async () => {
      await waitForIdentities(page, [id('user_id'), id('anonymous_id'), id('email')]);
    });
    assert.deepEqual(errors, []);
  });

  test('audience pro_plan shows its size and its membership over time', async () => {
    const audience = await api('/api/v1/audiences/pro_plan');
    assert.ok(audience.size > 0, JSON.stringify(audience));
    await step('audience: pro_plan size', async () => {
      await page.goto(`${s.base}/#/audiences/pro_plan`);
      await page.locator('#audience-size').getByText(String(audience.size)).waitFor({ timeout: 15000 });
    });
    await step('audience: pro_plan membership chart', async () => {
      const chart = page.locator('#audience-history .history-chart');
      await chart.locator('canvas').waitFor({ timeout: 15000 });
      const label = await chart.getAttribute('aria-label');
      assert.match(label, /^Members of pro_plan per day over 90 days/, label);
      assert.match(label, new RegExp(`: ${audience.size.toLocaleString('en-US')} now`), label);
    });
    assert.deepEqual(errors, []);
  });

  test('the builder previews traits.plan = "business"', async () => {
    await step('audiences: build traits.plan = "business"', async () => {
      await page.goto(`${s.base}/#/audiences`);
      await page.getByRole('heading', { name: 'Build an audience' }).waitFor({ timeout: 15000 });
      await page.getByLabel('Trait name').fill('plan');
      await page.getByLabel('Value', { exact: true }).fill('business');
      await page.locator('#audience-text').getByText('traits.plan = "business"').waitFor({ timeout: 10000 });
    });
    await step('audiences: preview size above zero', async () => {
      const size = page.locator('#audience-preview-size');
      await size.getByText(/^[1-9][\d,]*$/).waitFor({ timeout: 15000 });
    });
    assert.deepEqual(errors, []);
  });

  test('a funnel, the retention heatmap and channel ROI draw', async () => {
    await step('analytics: funnel Product Viewed → Product Added → Order Completed', async () => {
      await openTabWith('funnel', '#fn-step-0', 'Product Viewed');
      await page.selectOption('#fn-step-0', 'Product Viewed');
      await page.selectOption('#fn-step-1', 'Product Added');
      if ((await page.locator('#fn-step-2').count()) === 0) await page.getByRole('button', { name: 'Add a step' }).click();
      await page.selectOption('#fn-step-2', 'Order Completed');
      const chart = page.locator('section', { has: page.getByRole('heading', { name: 'Customers reaching each step' }) });
      await chart.locator('canvas').waitFor({ timeout: 15000 });
      const table = await page.locator('main table').first().textContent();
      assert.match(table, /Product Viewed.*Product Added.*Order Completed/s, table);
    });
    await step('analytics: retention heatmap', async () => {
      await openTabWith('retention', '#rt-start', 'Product Viewed');
      await page.selectOption('#rt-start', 'Product Viewed');
      await page.selectOption('#rt-return', 'Order Completed');
      await page.getByRole('heading', { name: /Customers who came back, per (day|week) after their first “Product Viewed”/ }).waitFor({ timeout: 15000 });
      await page.locator('table.retention tbody tr').first().waitFor({ timeout: 15000 });
    });
    await step('insights: channel ROI lists Paid Search', async () => {
      await page.goto(`${s.base}/#/insights/roi`);
      await page.getByRole('heading', { name: 'Where the next unit of budget returns most' }).waitFor({ timeout: 20000 });
      await page.locator('main').getByText('Paid Search').first().waitFor({ timeout: 10000 });
    });
    assert.deepEqual(errors, []);
  });

  test('a bad event shows in Live events › Rejected with its reason and body', async () => {
    const marker = uid('bad');
    const r = await s.ingest('/v1/track', { type: 'track', userId: marker, properties: { marker } }, { key: writeKey });
    assert.equal(r.status, 400, r.text);
    const reason = r.json.message;
    assert.ok(reason, r.text);
    await step('live events: the rejected request and why', async () => {
      await page.goto(`${s.base}/#/events/rejected`);
      await page.getByRole('link', { name: 'Rejected', exact: true }).waitFor({ timeout: 15000 });
      const row = page.locator('li.rejection', { hasText: reason }).first();
      await row.waitFor({ timeout: 15000 });
      assert.match(await row.textContent(), /website.*\/v1\/track.*HTTP 400/s);
    });
    await step('live events: the rejected body, pretty-printed', async () => {
      const row = page.locator('li.rejection', { hasText: reason }).first();
      await row.getByText(/Request body/).click();
      const body = await row.locator('pre').textContent();
      assert.match(body, new RegExp(`"marker": "${marker}"`), body);
    });
    assert.deepEqual(errors, []);
  });

  test("email_tool's dead letters are replayed from the destinations page once the receiver answers 200", async () => {
    const lettersNow = async () => (await api('/api/v1/destinations/email_tool/dead-letters?limit=200')).deadLetters;
    let letters = await lettersNow();
    if (letters.length === 0) {
      // No journey send in the demo's last day: make one with "Send a test" while the receiver refuses.
      await step('destinations: send a test into the refusing receiver', async () => {
        await page.goto(`${s.base}/#/connections/destinations`);
        await page.getByRole('button', { name: 'Send a test to email_tool' }).click();
        await page.getByText(/Test message \d+ queued/).waitFor({ timeout: 10000 });
      });
      letters = await pollUntil(async () => {
        const l = await lettersNow();
        return l.length > 0 ? l : undefined;
      }, { timeoutMs: 15000, describe: () => 'the test message did not become a dead letter' });
    }
    await step('overview: email_tool among the delivery failures', async () => {
      await page.goto(`${s.base}/#/overview`);
      const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Delivery failures' }) });
      await panel.getByRole('link', { name: 'email_tool' }).waitFor({ timeout: 15000 });
    });
    receiver.status = 200;
    await step('destinations: replay every dead letter of email_tool', async () => {
      await page.goto(`${s.base}/#/connections/destinations`);
      await page.locator(`#dl-email_tool-${letters[0].id}`).waitFor({ timeout: 15000 });
      await page.locator('#dest-email_tool').getByRole('button', { name: /^Replay all/ }).click();
      await page.locator('#dest-email_tool-status').getByText(/Replayed \d+ dead letters?/).waitFor({ timeout: 10000 });
    });
    const keys = new Set(letters.map((l) => l.idempotencyKey));
    await pollUntil(() => [...keys].every((k) => receiver.requests.some((q) => q.answered === 200 && q.key === k)), {
      timeoutMs: 20000,
      describe: () => `replayed ${keys.size} letters; the receiver got ${receiver.requests.filter((q) => q.answered === 200).length} with 200`,
    });
    assert.deepEqual(errors, []);
  });

  test('the keyboard alone reaches a page and a customer', async () => {
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    await step('keyboard: skip link, then the navigation to Audiences', async () => {
      await page.goto(`${s.base}/#/overview`);
      await page.reload();  // focus starts at the top of the document
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'Skip to content');
      let seen = [];
      for (let i = 0; i < 15 && (await focused()) !== 'Audiences'; i++) {
        await page.keyboard.press('Tab');
        seen.push(await focused());
      }
      assert.equal(await focused(), 'Audiences', `tabbed through: ${seen.join(' | ')}`);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Audiences', level: 1 }).waitFor({ timeout: 10000 });
    });
    await step('keyboard: a profile found by typing and Enter', async () => {
      const members = await api('/api/v1/audiences/pro_plan/members?limit=1');
      const p = await api(`/api/v1/profiles/${members.members[0].id}`);
      await page.goto(`${s.base}/#/profiles`);
      await page.locator('#id-value').focus();
      await page.keyboard.type(p.traits.email);  // e-mail is the default kind of identifier
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: new RegExp(`Profile ${p.id}`) }).waitFor({ timeout: 10000 });
    });
    assert.deepEqual(errors, []);
  });
});
