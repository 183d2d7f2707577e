// The console end to end (web/, served by `rapport serve` at /): Debian's chromium, driven by
// playwright-core, against a real server. A first start prints a sign-in link that opens the
// console signed in; a token can be pasted; a profile is found by email with its merged
// identities; an audience is built without code and shows its size; a journey counts who enters
// it; channel ROI, a funnel and
// a retention table show; a source is created; a dead letter is replayed; a bad token says so. Each step saves a screenshot (CONSOLE_SHOTS, default
// build/console-screenshots); a failing step names its page and step.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RapportServer, pollUntil, profilesCaughtUp, stopAndRemove } from '../lib/server.mjs';
import { CHROMIUM, findProfile, launchBrowser, stepper, waitForIdentities } from '../lib/console.mjs';


describe('console', { skip: CHROMIUM ? false : 'chromium is not installed (scripts/setup installs it)' }, () => {
  let browser;
  let s;
  let page;
  before(async () => {
    browser = await launchBrowser();
    // A first start: no token exists, so `rapport serve` creates one and prints the link.
    s = new RapportServer();
    s.dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-console-'));
    s.env = {};
    await s.launch();
  });
  after(async () => {
    await browser?.close();
    await stopAndRemove(s);
  });

  const step = stepper(() => page);

  test('the first start prints a link that opens the console signed in as admin', async () => {
    const link = await pollUntil(() => s.log.match(/http:\/\/127\.0\.0\.1:\d+\/#token=(rpt_[A-Za-z0-9_-]+)/) ?? undefined, {
      timeoutMs: 5000,
      describe: () => `no sign-in link in the server's output:\n${s.log}`,
    });
    s.tokens = { admin: link[1] };
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await step('overview after the sign-in link', async () => {
      await page.goto(link[0]);
      await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15000 });
      await page.getByText('Signed in as').waitFor();
      assert.equal(await page.locator('.whoami strong').textContent(), 'admin');
      assert.doesNotMatch(page.url(), /token=/, 'the token stays in the address bar');
    });
    assert.deepEqual(errors, []);
    // A second start creates no other token.
    await s.restart();
    assert.doesNotMatch(s.log, /#token=/);
  });

  test('find a profile by email and see its merged identities', async () => {
    const source = await s.api('/api/v1/sources', { method: 'POST', body: { name: 'web' }, token: s.tokens.admin });
    assert.equal(source.status, 201, source.text);
    s.key = source.json.writeKey;
    const r = await s.ingest('/v1/batch', {
      batch: [
        { type: 'page', anonymousId: 'visitor-7', name: 'Pricing' },
        { type: 'identify', anonymousId: 'visitor-7', userId: 'u7', traits: { email: 'Ada@Example.com', plan: 'pro' } },
      ],
    });
    assert.equal(r.status, 200, r.text);
    await profilesCaughtUp(s);
    await step('profiles search by email', async () => {
      // The restart moved the server to another port: another origin, so sign in there.
      await page.goto(`${s.base}/#token=${s.tokens.admin}`);
      await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15000 });
      await findProfile(page, s.base, 'email', 'ada@example.com');
    });
    await step('profile 360 view with merged identities', async () => {
      await waitForIdentities(page, ['u7', 'visitor-7', 'ada@example.com']);
    });
  });

  test('an audience built without code shows its language and its size', async () => {
    await step('audiences: build traits.plan = "pro"', async () => {
      await page.goto(`${s.base}/#/audiences`);
      await page.getByRole('heading', { name: 'Build an audience' }).waitFor({ timeout: 15000 });
      await page.getByLabel('Trait name').fill('plan');
      await page.getByLabel('Value', { exact: true }).fill('pro');
      await page.locator('#audience-text').getByText('traits.plan = "pro"').waitFor({ timeout: 10000 });
      // u7 (identified with plan "pro" above) is the one member.
      await page.locator('#audience-preview-size').getByText(/^1$/).waitFor({ timeout: 10000 });
    });
    await step('audiences: save and open it', async () => {
      await page.getByLabel('Name', { exact: true }).fill('pro_plan');
      await page.getByRole('button', { name: 'Save audience' }).click();
      await page.waitForURL(/#\/audiences\/pro_plan$/, { timeout: 10000 });
      await page.locator('#audience-definition').getByText('traits.plan = "pro"').waitFor({ timeout: 10000 });
    });
  });

  test('a journey built in the console counts the customers who enter it', async () => {
    await step('journeys: build one', async () => {
      await page.goto(`${s.base}/#/journeys`);
      await page.locator('#journey-builder').waitFor({ timeout: 15000 });
      await page.fill('#journey-name', 'welcome');
      await page.check('#trigger-event');
      await page.fill('#journey-event', 'Signed Up');
      await page.selectOption('#add-step-kind', 'wait');
      await page.click('#add-step');
      await page.fill('#step-0-amount', '2');
      await page.click('#journey-create');
      await page.waitForURL(/#\/journeys\/welcome$/, { timeout: 10000 });
    });
    const r = await s.ingest('/v1/track', { userId: 'u9', event: 'Signed Up' });
    assert.equal(r.status, 200, r.text);
    await step('journeys: the step counts', async () => {
      await page.waitForFunction(() => document.querySelector('#journey-entered')?.textContent?.trim() === '1', null, { timeout: 20000 });
    });
    await step('journeys: delete, after confirming', async () => {
      await page.getByRole('button', { name: 'Delete journey…' }).click();
      await page.getByRole('button', { name: 'Yes, delete welcome' }).click();
      await page.waitForURL(/#\/journeys$/, { timeout: 10000 });
    });
    const gone = await s.api('/api/v1/journeys/welcome');
    assert.equal(gone.status, 404, gone.text);
  });

  test('channel ROI on the insights page: spend and credited revenue per channel', async () => {
    const now = new Date();
    const r = await s.ingest('/v1/batch', {
      batch: [
        { type: 'page', userId: 'u7', name: 'Landing', timestamp: new Date(now - 3600e3).toISOString(), context: { campaign: { source: 'google', medium: 'cpc', name: 'brand' } } },
        { type: 'track', userId: 'u7', event: 'Order Completed', timestamp: now.toISOString(), properties: { revenue: 120 } },
      ],
    });
    assert.equal(r.status, 200, r.text);
    const spend = await s.api('/api/v1/spend', { method: 'POST', body: { rows: [{ date: now.toISOString().slice(0, 10), channel: 'Paid Search', campaign: 'brand', cost: 40 }] } });
    assert.equal(spend.status, 200, spend.text);
    await profilesCaughtUp(s);
    await step('insights: channel ROI', async () => {
      await page.goto(`${s.base}/#/insights/roi`);
      await page.getByRole('heading', { name: 'Channel ROI' }).waitFor({ timeout: 15000 });
      await page.getByRole('heading', { name: 'Where the next unit of budget returns most' }).waitFor({ timeout: 15000 });
      // The order reaches the warehouse a moment after the pipeline: refresh until it shows.
      await pollUntil(async () => {
        const text = await page.locator('main').textContent();
        if (text.includes('Paid Search') && text.includes('120')) return true;
        await page.reload();
        await page.getByRole('heading', { name: 'Channel ROI' }).waitFor({ timeout: 15000 });
        return false;
      }, { timeoutMs: 20000, intervalMs: 500 });
    });
  });

  test('analytics: a funnel chart and a retention table from the events sent', async () => {
    await step('analytics: funnel', async () => {
      await page.goto(`${s.base}/#/analytics/funnel`);
      await page.locator('#fn-step-1').waitFor({ timeout: 15000 });
      await page.selectOption('#fn-step-0', 'Landing');
      await page.selectOption('#fn-step-1', 'Order Completed');
      await page.getByRole('heading', { name: 'Customers reaching each step' }).waitFor({ timeout: 15000 });
      const text = await page.locator('main').textContent();
      assert.match(text, /Landing[\s\S]*Order Completed/, text);
    });
    await step('analytics: retention', async () => {
      await page.goto(`${s.base}/#/analytics/retention`);
      await page.locator('#rt-start').waitFor({ timeout: 15000 });
      await page.selectOption('#rt-start', 'Pricing');
      await page.selectOption('#rt-return', 'Order Completed');
      await page.getByRole('heading', { name: /Customers who came back, per (day|week) after their first “Pricing”/ }).waitFor({ timeout: 15000 });
    });
  });

  test('an admin creates a source and gets its write key with SDK snippets', async () => {
    await step('sources: create one', async () => {
      await page.goto(`${s.base}/#/connections/sources`);
      await page.fill('#new-source-name', 'mobile-app');
      await page.getByRole('button', { name: 'Create source' }).click();
      await page.getByText(/wk_[A-Za-z0-9_-]{8,}/).first().waitFor({ timeout: 10000 });
    });
    const sources = await s.api('/api/v1/sources');
    assert.ok(sources.json.sources.some((x) => x.name === 'mobile-app'), sources.text);
  });

  test('a dead letter is replayed from the destinations page once the receiver is back', async () => {
    // A receiver that refuses (400: a dead letter at once) until told otherwise.
    let status = 400;
    let received = 0;
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (status === 200) received += 1;
        res.writeHead(status).end();
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/hook`;
      const created = await s.api('/api/v1/destinations', { method: 'POST', body: { name: 'crm', type: 'webhook', url } });
      assert.equal(created.status, 201, created.text);
      const sent = await s.api('/api/v1/destinations/crm/test', { method: 'POST', body: {} });
      assert.equal(sent.status, 202, sent.text);
      const letter = await pollUntil(async () => (await s.api('/api/v1/destinations/crm/dead-letters')).json?.deadLetters?.[0], {
        timeoutMs: 15000,
        describe: () => 'the test message did not become a dead letter',
      });
      status = 200;
      await step('destinations: dead letter listed', async () => {
        await page.goto(`${s.base}/#/connections/destinations`);
        await page.locator(`#dl-crm-${letter.id}`).waitFor({ timeout: 15000 });
      });
      await step('destinations: dead letter replayed', async () => {
        await page.getByRole('button', { name: `Replay dead letter ${letter.id}` }).click();
        await page.locator('#dest-crm-status').getByText(/Replayed 1 dead letter/).waitFor({ timeout: 10000 });
        await pollUntil(() => received >= 1, { timeoutMs: 15000, describe: () => 'the replayed message never reached the receiver' });
      });
    } finally {
      receiver.close();
    }
  });

  test('a pasted token signs in; a wrong one is refused, saying so', async () => {
    await page.evaluate(() => localStorage.clear());
    await step('sign-in page', async () => {
      await page.goto(s.base);
      await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    });
    await step('wrong token refused', async () => {
      await page.fill('#token', 'rpt_not_a_token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This server does not know that token.').waitFor({ timeout: 10000 });
    });
    await step('right token signs in', async () => {
      await page.fill('#token', s.tokens.admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 10000 });
    });
  });
});
