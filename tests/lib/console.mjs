// Shared pieces of the console's browser tests (tests/blackbox/console*.test.mjs): where Debian's
// chromium and the built console are, where screenshots go, and helpers that drive pages —
// a step runner that screenshots every step and names page and step when one fails, opening an
// analytics tab once the warehouse offers an event, and finding a profile by an identifier.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, pollUntil } from './server.mjs';

export const SHOTS = process.env.CONSOLE_SHOTS || path.join(REPO, 'build', 'console-screenshots');
export const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
export const CONSOLE = process.env.RAPPORT_CONSOLE || path.join(REPO, 'web', 'dist');

/** Debian's chromium, headless (screenshots directory created). */
export async function launchBrowser() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

/**
 * A step runner for the page `getPage()` returns: step(name, fn) runs fn, then saves a
 * screenshot (also when it fails, and the error names the step, the page's address and the file).
 */
export function stepper(getPage, prefix = '') {
  return async function step(name, fn) {
    const file = path.join(SHOTS, `${prefix}${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    const page = getPage();
    try {
      await fn();
      await getPage().screenshot({ path: file });
    } catch (e) {
      await getPage()?.screenshot({ path: file }).catch(() => {});
      throw new Error(`console step "${name}" failed on ${page?.url()} (screenshot: ${file}): ${e.message}`);
    }
  };
}

/** Opens an analytics tab, reloading until the warehouse (a moment behind the pipeline) offers `event` in `select`. */
export async function openTabWith(page, base, tab, select, event) {
  await page.goto(`${base}/#/analytics/${tab}`);
  await pollUntil(async () => {
    if ((await page.locator(`${select} option`, { hasText: event }).count().catch(() => 0)) > 0) return true;
    await page.reload();
    await page.locator(select).or(page.getByText('No events in')).first().waitFor({ timeout: 15000 });
    return false;
  }, { timeoutMs: 20000, intervalMs: 500, describe: () => `${select} never offered "${event}"` });
}

/** On the Profiles page, looks up a profile by `type` (e.g. 'email') and `value`. */
export async function findProfile(page, base, type, value) {
  await page.goto(`${base}/#/profiles`);
  await page.getByRole('heading', { name: 'Profiles' }).waitFor();
  await page.selectOption('#id-type', type);
  await page.fill('#id-value', value);
  await page.getByRole('button', { name: 'Find' }).click();
}

/** Waits until the profile's identities section lists every one of `values`. */
export async function waitForIdentities(page, values) {
  const identities = page.locator('section[aria-labelledby="h-identities"]');
  await identities.waitFor({ timeout: 10000 });
  let text = '';
  await pollUntil(async () => {
    text = await identities.textContent();
    return values.every((v) => text.includes(v));
  }, { timeoutMs: 10000, describe: () => `identities: ${text}` });
}
