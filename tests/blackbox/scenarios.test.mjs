// Scenarios of profiles, audiences and analytics: every tests/scenarios/**/*.scenario file is one
// test, run on a fresh server (format: docs/scenarios.md; runner: tests/scenarios/runner.mjs). A
// file with a `todo REASON` line runs but is reported as a known discrepancy;
// `SCENARIO=substring` runs only matching files.

import { test } from 'node:test';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../lib/server.mjs';
import { runScenarioFile, scenarioOptions } from '../scenarios/runner.mjs';

const ROOT = path.join(REPO, 'tests', 'scenarios');

function scenarioFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...scenarioFiles(p));
    else if (e.name.endsWith('.scenario')) out.push(p);
  }
  return out.sort();
}

const filter = process.env.SCENARIO;
for (const file of scenarioFiles(ROOT)) {
  const name = path.relative(ROOT, file);
  if (filter && !name.includes(filter)) continue;
  test(name, { ...scenarioOptions(file, name), timeout: 60000 }, async () => {
    await runScenarioFile(file, name);
  });
}
