// More of the console end to end (web/, served by `rapport serve` at /): Debian's chromium, driven
// by playwright-core, against a real server — the Analytics Paths tab draws a Sankey of the events
// sent; examples/orders.csv is imported with the orders mapping from the Sources page, its
// progress reaching "done" with the right counts (and a broken mapping names its line); a funnel
// is saved to a new dashboard and the paths to the same one, whose tiles draw their charts; a
// tile is removed, then the dashboard is deleted. Each step
// saves a screenshot (CONSOLE_SHOTS, default build/console-screenshots); a failing step names its
// page and step. The console is web/dist (RAPPORT_CONSOLE), whatever binary RAPPORT_BIN names.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO, RapportServer, profilesCaughtUp, stopAndRemove } from '../lib/server.mjs';
import { CHROMIUM, CONSOLE, launchBrowser, openTabWith as openTabWithLib, stepper } from '../lib/console.mjs';


describe('console: paths, imports, dashboards', { skip: CHROMIUM ? false : 'chromium is not installed (scripts/setup installs it)' }, () => {
  let browser;
  let s;
  let page;
  const errors = [];
  before(async () => {
    browser = await launchBrowser();
    s = await RapportServer.start({ sources: ['web', 'shop'], env: { RAPPORT_CONSOLE: CONSOLE } });
    // Three customers sign up, look at pricing, and two of them order; one more only signs up.
    const now = Date.now();
    const at = (minutes) => new Date(now - 3600e3 + minutes * 60e3).toISOString();
    const batch = [];
    for (const [i, user] of ['u1', 'u2', 'u3', 'u4'].entries()) {
      batch.push({ type: 'track', userId: user, event: 'Signed Up', timestamp: at(i) });
      if (user === 'u4') continue;
      batch.push({ type: 'page', userId: user, name: 'Pricing', timestamp: at(i + 10) });
      if (user !== 'u3') batch.push({ type: 'track', userId: user, event: 'Order Completed', timestamp: at(i + 20), properties: { revenue: 40 } });
    }
    const r = await s.ingest('/v1/batch', { batch }, { key: s.keys.web });
    assert.equal(r.status, 200, r.text);
    await profilesCaughtUp(s, { key: s.keys.web });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${s.base}/#token=${s.tokens.admin}`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15000 });
  });
  after(async () => {
    await browser?.close();
    await stopAndRemove(s);
  });

  const step = stepper(() => page);

  const openTabWith = (tab, select, event) => openTabWithLib(page, s.base, tab, select, event);

  test('the paths tab draws a Sankey of what customers did after an event', async () => {
    await step('paths: pick the start event', async () => {
      await openTabWith('paths', '#pa-event', 'Signed Up');
      await page.selectOption('#pa-event', 'Signed Up');
      await page.selectOption('#pa-steps', '3');
      await page.getByRole('heading', { name: 'What 4 customers did after “Signed Up”' }).waitFor({ timeout: 15000 });
    });
    await step('paths: the Sankey and its flows', async () => {
      const chart = page.locator('.sankey[role="img"]');
      await chart.locator('canvas').waitFor({ timeout: 15000 });
      const label = await chart.getAttribute('aria-label');
      assert.match(label, /Paths of 4 customers after “Signed Up”/, label);
      await page.getByText(/The \d+ flows as a table/).click();
      const table = await page.locator('main table').first().textContent();
      // Step by step: Signed Up → page: Pricing (3) and → (end) (1); Pricing → Order Completed (2).
      assert.match(table, /Signed Up.*page: Pricing3/s, table);
      assert.match(table, /page: Pricing.*Order Completed2/s, table);
      assert.match(table, /\(end\)/, table);
    });
    await step('paths: before the event', async () => {
      await page.selectOption('#pa-direction', 'before');
      await page.selectOption('#pa-event', 'Order Completed');
      await page.getByRole('heading', { name: 'What 2 customers did before “Order Completed”' }).waitFor({ timeout: 15000 });
      await page.locator('.sankey[role="img"] canvas').waitFor({ timeout: 15000 });
    });
    assert.deepEqual(errors, []);
  });

  test('examples/orders.csv imported with the orders mapping from the Sources page', async () => {
    await step('import: a broken mapping names its line', async () => {
      await page.goto(`${s.base}/#/connections/sources`);
      await page.getByRole('heading', { name: 'Import a file' }).waitFor({ timeout: 15000 });
      await page.getByLabel('Into source').selectOption('shop');
      await page.setInputFiles('#import-file', path.join(REPO, 'examples', 'orders.csv'));
      // No mapping yet: the file's own template is put in.
      assert.match(await page.inputValue('#import-mapping'), /name = "Order Completed"/);
      await page.fill('#import-mapping', 'format = "csv"\n\n[event]\ntype = "trak"\nname = "Order Completed"\n');
      await page.click('#import-start');
      await page.getByText('The mapping has a mistake on line 4.').waitFor({ timeout: 10000 });
      await page.getByRole('button', { name: 'Show line 4' }).click();
      // The line is selected in the mapping, for the keyboard as for the eye.
      const selected = await page.$eval('#import-mapping', (el) => el.value.slice(el.selectionStart, el.selectionEnd));
      assert.equal(selected, 'type = "trak"');
    });
    await step('import: orders.csv runs to done', async () => {
      await page.selectOption('#import-template', 'orders');
      await page.getByRole('button', { name: 'Use template' }).click();
      assert.match(await page.inputValue('#import-mapping'), /revenue = \{ column = "total", type = "number" \}/);
      await page.click('#import-start');
      await page.locator('.import-progress progress').waitFor({ timeout: 10000 });
      await page.locator('.import-progress.state-done').waitFor({ timeout: 20000 });
      const text = await page.locator('.import-progress').textContent();
      // examples/README.md: 18 orders, 12 imported, 6 deliberately bad rows.
      assert.match(text, /18 rows read: 12 imported, 6 rejected/, text);
      assert.match(text, /100%/, text);
      await page.getByRole('button', { name: 'Save the 6 rejected rows' }).first().waitFor();
    });
    await step('import: listed among the recent imports', async () => {
      const row = page.locator('#recent-imports tbody tr', { hasText: 'orders.csv' });
      await row.getByText('done').waitFor({ timeout: 10000 });
      assert.match(await row.textContent(), /shop.*done12/s);
    });
    const list = await s.api('/api/v1/imports');
    assert.equal(list.status, 200, list.text);
    const done = list.json.imports.find((j) => j.state === 'done');
    assert.equal(done?.rowsImported, 12, list.text);
    assert.equal(done?.rowsRejected, 6, list.text);
    assert.deepEqual(errors, []);
  });

  test('a funnel saved to a new dashboard draws its tile; the dashboard is deleted', async () => {
    await step('dashboards: a funnel to save', async () => {
      await openTabWith('funnel', '#fn-step-0', 'Signed Up');
      await page.selectOption('#fn-step-0', 'Signed Up');
      await page.selectOption('#fn-step-1', 'Order Completed');
      const third = await page.locator('#fn-step-2').count();
      if (third > 0) await page.getByRole('button', { name: /Remove step 3/ }).click();
      await page.getByRole('heading', { name: 'Customers reaching each step' }).waitFor({ timeout: 15000 });
    });
    await step('dashboards: save the funnel to a new dashboard', async () => {
      await page.getByText('Save to dashboard', { exact: true }).click();
      const form = page.getByRole('form', { name: 'Save to dashboard' });
      await form.getByLabel('Dashboard').selectOption({ label: 'A new dashboard…' });
      await form.getByLabel('named').fill('Growth');
      assert.equal(await form.getByLabel('Tile title').inputValue(), 'Funnel: Signed Up → Order Completed');
      await form.getByRole('button', { name: 'Save tile' }).click();
      await form.getByText('Saved “Funnel: Signed Up → Order Completed” to Growth.').waitFor({ timeout: 10000 });
    });
    const listed = await s.api('/api/v1/dashboards');
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json.dashboards.length, 1, listed.text);
    const saved = listed.json.dashboards[0];
    assert.equal(saved.name, 'Growth');
    assert.equal(saved.tiles[0].query.kind, 'funnel');
    assert.deepEqual(saved.tiles[0].view, { period: { kind: 'last', days: 30 } });
    await step('dashboards: add the paths Sankey to the same dashboard', async () => {
      await openTabWith('paths', '#pa-event', 'Signed Up');
      await page.selectOption('#pa-direction', 'after');
      await page.selectOption('#pa-event', 'Signed Up');
      await page.locator('.sankey[role="img"] canvas').waitFor({ timeout: 15000 });
      await page.getByText('Save to dashboard', { exact: true }).click();
      const form = page.getByRole('form', { name: 'Save to dashboard' });
      await form.getByLabel('Dashboard').selectOption({ label: 'Growth (1 tile)' });
      await form.getByRole('button', { name: 'Save tile' }).click();
      await form.getByText('Saved “Paths after “Signed Up”” to Growth.').waitFor({ timeout: 10000 });
    });
    await step('dashboards: the tiles draw the funnel and the paths', async () => {
      await page.getByRole('link', { name: 'Growth' }).click();
      await page.waitForURL(new RegExp(`#/dashboards/${saved.id}$`), { timeout: 10000 });
      await page.getByRole('heading', { name: 'Growth', level: 1 }).waitFor({ timeout: 10000 });
      const tile = page.locator('ul.tiles > li', { hasText: 'Funnel: Signed Up → Order Completed' });
      await tile.locator('canvas').waitFor({ timeout: 15000 });
      const chart = await tile.locator('[role="img"]').getAttribute('aria-label');
      assert.match(chart, /1\. Signed Up: 4 customers.*2\. Order Completed: 2 customers/, chart);      const paths = page.locator('ul.tiles > li', { hasText: 'Paths after “Signed Up”' });
      await paths.locator('.sankey canvas').waitFor({ timeout: 15000 });
    });
    await step('dashboards: remove the paths tile, after confirming', async () => {
      await page.getByRole('button', { name: 'Remove “Paths after “Signed Up””…' }).click();
      await page.getByRole('button', { name: 'Yes, remove “Paths after “Signed Up””' }).click();
      await page.locator('ul.tiles > li').nth(1).waitFor({ state: 'detached', timeout: 10000 });
      const d = await s.api(`/api/v1/dashboards/${saved.id}`);
      assert.deepEqual(d.json.tiles.map((t) => t.title), ['Funnel: Signed Up → Order Completed'], d.text);
    });
    await step('dashboards: listed in the nav page', async () => {
      await page.getByRole('link', { name: 'Dashboards', exact: true }).click();
      await page.locator('table.dashboard-list').getByRole('link', { name: 'Growth' }).click();
      await page.getByRole('heading', { name: 'Growth', level: 1 }).waitFor({ timeout: 10000 });
    });
    await step('dashboards: delete, after confirming', async () => {
      await page.getByRole('button', { name: 'Delete dashboard…' }).click();
      await page.getByRole('button', { name: 'Yes, delete Growth' }).click();
      await page.waitForURL(/#\/dashboards$/, { timeout: 10000 });
      await page.getByText('No dashboards yet.').waitFor({ timeout: 10000 });
    });
    const gone = await s.api(`/api/v1/dashboards/${saved.id}`);
    assert.equal(gone.status, 404, gone.text);
    assert.deepEqual(errors, []);
  });
});
