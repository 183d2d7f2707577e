// Black-box tests of `rapport import` against a running server: each example of examples/ is
// imported through the real binary and read back with GET /api/v1/events?source=...; malformed
// rows land in the rejects file with their line numbers; re-imports are de-duplicated; the exit
// codes (0 all imported, 1 rejects, 2 usage/mapping, 3 server); the import survives the server
// being killed mid-import and (as root) a full disk, losing and doubling nothing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, REPO, RapportServer, cli, freePort, request, sleep } from '../lib/server.mjs';

const EXAMPLES = path.join(REPO, 'examples');
const work = mkdtempSync(path.join(tmpdir(), 'rapport-import-'));

// Expected outcome of importing each example (see examples/README.md).
const EXAMPLE_CASES = [
  {
    name: 'crm_contacts', ext: 'csv', source: 'crm', read: 20, imported: 16,
    rejects: [
      [12, /^\[traits\] newsletter: column "Newsletter" value "maybe" is not a boolean/],
      [13, /^\[traits\] created_at: column "Created": "31\/02\/2024" is not a valid date/],
      [14, /^the row has 9 columns; the header has 10$/],
      [15, /^no identifier: email, phone, crm_id are all empty$/],
    ],
  },
  {
    name: 'orders', ext: 'csv', source: 'shop', read: 18, imported: 12,
    rejects: [
      [6, /^the row has 10 columns; the header has 9$/],
      [9, /^\[event\] message_id: column "order_id" is empty$/],
      [11, /^\[event\] timestamp: column "ordered_at": "yesterday" does not match/],
      [13, /^\[properties\] revenue: column "total" value "1,299.00" is not a number$/],
      [15, /^\[properties\] product_count: column "items" value "two" is not an integer$/],
      [17, /^no identifier: user_id, email are all empty$/],
    ],
  },
  {
    name: 'support_tickets', ext: 'jsonl', source: 'support', read: 14, imported: 10,
    rejects: [
      [6, /^not valid JSON: /],
      [8, /^the line is a JSON array, not an object$/],
      [9, /^\[event\] timestamp: column "created_at": "05\/03\/2024 17:00" is not an ISO-8601/],
      [11, /^no identifier: email, zendesk_id are all empty$/],
    ],
  },
  {
    name: 'social_mentions', ext: 'jsonl', source: 'social', read: 12, imported: 9,
    rejects: [
      [4, /^\[properties\] sentiment: column "sentiment" value "very positive" is not a number$/],
      [6, /^no identifier: twitter is empty$/],
      [8, /^\[event\] timestamp: column "posted_at": "2024-03-04T18:00:00Z" is not a number/],
    ],
  },
];

function readRejects(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** An orders CSV of `n` rows whose order ids start with `prefix`; optional padding per row. */
function ordersCsv(file, n, { prefix = 'o', pad = 0 } = {}) {
  const lines = ['order_id,customer_id,email,ordered_at,total,currency,items,coupon,channel'];
  for (let i = 0; i < n; i++) {
    const minute = String(i % 60).padStart(2, '0');
    lines.push(`${prefix}${i},cus_${i % 97},u${i % 97}@example.com,2024-03-05 10:${minute}:00,` +
      `${(i % 500) + 0.5},EUR,${1 + (i % 9)},${'x'.repeat(pad)},web`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const importedOnly = (events) => events.filter((e) => e.context?.library?.name === 'rapport-import');

describe('rapport import', () => {
  let s;
  let run; // (args, opts) => cli result, against `s` with the marketer token
  before(async () => {
    s = await RapportServer.start({ sources: ['crm', 'shop', 'support', 'social', 'bulk', 'clean'] });
    run = (args, { token = s.tokens.marketer, env = {}, server = s.base } = {}) =>
      cli(['import', ...(server ? ['--server', server] : []), ...(token ? ['--token', token] : []), ...args],
        { env, timeoutMs: 120000 });
  });
  after(async () => {
    try {
      const r = await s?.stop();
      if (r) assert.equal(r.code, 0, `server exit on SIGTERM: ${JSON.stringify(r)}\n${s.log}`);
    } finally {
      await s?.destroy();
      rmSync(work, { recursive: true, force: true });
    }
  });

  for (const c of EXAMPLE_CASES) {
    test(`example ${c.name}: good rows stored, bad rows in the rejects file with their lines`, async () => {
      const rejects = path.join(work, `${c.name}.rejects.jsonl`);
      const args = ['--source', c.source, '--file', path.join(EXAMPLES, `${c.name}.${c.ext}`),
        '--mapping', path.join(EXAMPLES, `${c.name}.toml`), '--rejects', rejects];
      const r = run(args);
      assert.equal(r.status, 1, `exit 1 (some rows rejected): ${r.stderr}${r.stdout}`);
      assert.match(r.stdout, new RegExp(`${c.read} rows read, ${c.imported} imported into "${c.source}", ` +
        `${c.rejects.length} rejected`));
      assert.match(r.stdout, new RegExp(`rejected rows, with line numbers and reasons: ${rejects}`));

      const got = readRejects(rejects);
      assert.deepEqual(got.map((x) => x.line), c.rejects.map(([line]) => line), JSON.stringify(got, null, 1));
      for (const [i, [, reason]] of c.rejects.entries()) {
        assert.match(got[i].reason, reason, `line ${got[i].line}`);
        assert.ok(got[i].row.length > 0, `line ${got[i].line}: the raw row is kept`);
      }

      const events = importedOnly(await s.allEvents({ source: c.source }));
      assert.equal(events.length, c.imported, `stored events of source ${c.source}`);
      const badLines = new Set(c.rejects.map(([line]) => line));
      for (const e of events) {
        assert.equal(e.context.import.file, `${c.name}.${c.ext}`);
        assert.ok(!badLines.has(e.context.import.line), `a rejected line was stored: ${JSON.stringify(e)}`);
        assert.ok(e.userId || e.anonymousId, `userId or anonymousId: ${JSON.stringify(e)}`);
        assert.ok(e.messageId);
      }

      // Running the same import again stores nothing new: every messageId is deterministic.
      const again = run(args);
      assert.equal(again.status, 1, again.stderr);
      assert.equal(importedOnly(await s.allEvents({ source: c.source })).length, c.imported, 're-import de-duplicated');
    });
  }

  test('example events carry the mapped fields', async () => {
    const orders = importedOnly(await s.allEvents({ source: 'shop' }));
    const o1001 = orders.find((e) => e.messageId === 'shop-order-1001');
    assert.ok(o1001, 'order 1001 stored under messageId shop-order-1001');
    assert.equal(o1001.type, 'track');
    assert.equal(o1001.event, 'Order Completed');
    assert.equal(o1001.userId, 'cus_8841');
    assert.deepEqual(o1001.properties, { channel: 'web', currency: 'EUR', order_id: '1001', product_count: 2, revenue: 59.9 });
    assert.equal(o1001.timestamp, '2024-03-01T08:14:22.000Z', 'local CET time converted to UTC');
    assert.deepEqual(o1001.context.import, { file: 'orders.csv', line: 2 });
    assert.deepEqual(o1001.context.library, { name: 'rapport-import', version: '0.1.0' });
    assert.equal(o1001.context.traits.email, 'ada@analytical.example');
    const o1013 = orders.find((e) => e.messageId === 'shop-order-1013');
    assert.equal(o1013.userId, undefined);
    assert.match(o1013.anonymousId, /^imp-[0-9a-f]{32}$/, 'derived from the email');

    const contacts = importedOnly(await s.allEvents({ source: 'crm' }));
    const ada = contacts.find((e) => e.traits?.email === 'ada@analytical.example');
    assert.equal(ada.type, 'identify');
    assert.equal(ada.traits.phone, '+44 20 7946 0101');
    assert.equal(ada.traits.company, 'Analytical Engines Ltd');
    assert.equal(ada.traits.newsletter, true);
    assert.equal(ada.traits.created_at, '2023-03-14T00:00:00.000Z');
    assert.equal(ada.traits.source, 'crm-export');
    assert.deepEqual(ada.context.externalIds, [{ id: 'C-1001', type: 'crm_id', collection: 'users', encoding: 'none' }]);
    const grace = contacts.find((e) => e.traits?.email === 'grace@cobol.example');
    assert.equal(grace.traits.company, 'Navy Computing, Inc.', 'quoted field with a comma');
    const katherine = contacts.find((e) => e.traits?.email === 'katherine@langley.example');
    assert.equal(katherine.traits.notes, 'Met at the Hampton expo.\nWants a demo in Q3.', 'multi-line quoted field');
    assert.equal(katherine.context.import.line, 5);
    const don = contacts.find((e) => e.traits?.email === 'don@taocp.example');
    assert.equal(don.traits.notes, 'Asked for the "annual" plan');
    assert.equal(don.context.import.line, 9, 'lines count the embedded newline');

    const tickets = importedOnly(await s.allEvents({ source: 'support' }));
    const t1 = tickets.find((e) => e.messageId === 'zendesk-ticket-48211');
    assert.equal(t1.event, 'Ticket Opened');
    assert.deepEqual(t1.properties, { channel: 'email', priority: 'high', subject: 'Invoice shows the wrong VAT number', tags: ['billing', 'vat'], ticket_id: '48211' });
    assert.deepEqual(t1.context.externalIds, [{ id: '90011', type: 'zendesk_id', collection: 'users', encoding: 'none' }]);
    assert.equal(tickets.find((e) => e.messageId === 'zendesk-ticket-48213').timestamp, '2024-03-04T10:47:30.000Z');
    assert.equal(tickets.find((e) => e.messageId === 'zendesk-ticket-48223').properties.subject, 'Ünïcödé in my name is shown as ??');

    const mentions = importedOnly(await s.allEvents({ source: 'social' }));
    const m1 = mentions.find((e) => e.messageId === 'mention-1765001001');
    assert.equal(m1.event, 'Social Mention');
    assert.equal(m1.timestamp, '2024-03-04T10:00:00.000Z');
    assert.deepEqual(m1.context.externalIds, [{ id: 'ada_codes', type: 'twitter', collection: 'users', encoding: 'none' }]);
    assert.equal(m1.properties.sentiment, 0.82);
    assert.equal(m1.properties.followers, 12840);
    assert.equal(mentions.find((e) => e.messageId === 'mention-1765001007').properties.text.slice(-2), '😄');
  });

  test('exit 0 when every row is imported; the token from RAPPORT_TOKEN; no rejects file', async () => {
    const file = ordersCsv(path.join(work, 'clean.csv'), 30, { prefix: 'clean-' });
    const rejects = path.join(work, 'clean.rejects.jsonl');
    const r = run(['--source', 'clean', '--file', file, '--mapping', path.join(EXAMPLES, 'orders.toml'), '--rejects', rejects],
      { token: null, env: { RAPPORT_TOKEN: s.tokens.admin } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /30 rows read, 30 imported into "clean", 0 rejected/);
    assert.ok(!existsSync(rejects), 'no rejects file without rejects');
    assert.equal(importedOnly(await s.allEvents({ source: 'clean' })).length, 30);
  });

  test('a file of many batches', async () => {
    const file = ordersCsv(path.join(work, 'bulk.csv'), 5000, { prefix: 'bulk-' });
    const r = run(['--source', 'bulk', '--file', file, '--mapping', path.join(EXAMPLES, 'orders.toml'), '--batch-size', '200']);
    assert.equal(r.status, 0, r.stderr);
    const events = importedOnly(await s.allEvents({ source: 'bulk' }));
    assert.equal(events.length, 5000);
    assert.equal(new Set(events.map((e) => e.messageId)).size, 5000);
    assert.equal(events.find((e) => e.messageId === 'shop-order-bulk-4999').context.import.line, 5001);
  });

  test('--dry-run prints the events and sends nothing', async () => {
    const file = ordersCsv(path.join(work, 'dry.csv'), 5, { prefix: 'dry-' });
    const r = run(['--source', 'clean', '--file', file, '--mapping', path.join(EXAMPLES, 'orders.toml'), '--dry-run'],
      { token: null, server: null });
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.messageId), [0, 1, 2, 3, 4].map((i) => `shop-order-dry-${i}`));
    assert.match(r.stderr, /dry run of dry.csv: 5 rows read, 5 mapped/);
    const stored = await s.allEvents({ source: 'clean' });
    assert.ok(!stored.some((e) => e.messageId.startsWith('shop-order-dry-')));
  });

  test('exit 2 for usage, mapping and file errors, before anything is sent', async () => {
    const orders = path.join(EXAMPLES, 'orders.csv');
    const badColumn = path.join(work, 'bad-column.toml');
    writeFileSync(badColumn, readFileSync(path.join(EXAMPLES, 'orders.toml'), 'utf8').replace('"total"', '"Total"'));
    let r = run(['--source', 'shop', '--file', orders, '--mapping', badColumn]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /bad-column.toml:\d+: \[properties\] revenue: column "Total" is not in the header of orders.csv .*did you mean "total"\?/);

    const typo = path.join(work, 'typo.toml');
    writeFileSync(typo, '[event]\ntype = "track"\nname = "X"\ntimestamp = "t"\nmesage_id = "id"\n[identifiers]\nemail = "e"\n');
    r = run(['--source', 'shop', '--file', orders, '--mapping', typo]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /typo.toml:5: unknown key "mesage_id" in \[event\]/);

    const syntax = path.join(work, 'syntax.toml');
    writeFileSync(syntax, '[event]\ntype = "track\n');
    r = run(['--source', 'shop', '--file', orders, '--mapping', syntax]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /syntax.toml:2:/);

    r = run(['--source', 'shop', '--file', path.join(work, 'missing.csv'), '--mapping', path.join(EXAMPLES, 'orders.toml')]);
    assert.equal(r.status, 2, r.stderr);
    r = run(['--source', 'shop', '--file', orders, '--mapping', path.join(work, 'missing.toml')]);
    assert.equal(r.status, 2, r.stderr);
    r = run(['--source', 'shop', '--file', orders, '--mapping', path.join(EXAMPLES, 'orders.toml')], { token: null, env: { RAPPORT_TOKEN: '' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /an API token is needed/);
    r = run(['--source', 'shop', '--file', orders, '--mapping', path.join(EXAMPLES, 'orders.toml')], { server: 'https://example.invalid' });
    assert.equal(r.status, 2, r.stderr);
    r = cli(['import', '--file', orders, '--mapping', path.join(EXAMPLES, 'orders.toml')]);
    assert.notEqual(r.status, 0, 'a missing --source is a usage error');
  });

  test('exit 3 when the server cannot be reached or refuses', async () => {
    const args = ['--source', 'shop', '--file', path.join(EXAMPLES, 'orders.csv'), '--mapping', path.join(EXAMPLES, 'orders.toml'),
      '--rejects', path.join(work, 'refused.rejects.jsonl')];
    let r = run(args, { token: 'rpt_not_a_token' });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /refused the token \(401/);
    r = run(args, { token: s.tokens.analyst });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /analyst role/);
    r = run(['--source', 'no-such-source', ...args.slice(2)]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /no source named "no-such-source"/);
    r = run(args, { server: `http://127.0.0.1:${await freePort()}` });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /cannot reach the server/);
  });
});

/** Starts `rapport serve` for `s` again on the same port (after a kill), like RapportServer.launch. */
async function relaunchOnSamePort(s) {
  const proc = spawn(BIN, ['serve', '--data', s.dataDir, '--http', `127.0.0.1:${s.port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  s.proc = proc;
  proc.stdout.on('data', (d) => { s.log += d; });
  proc.stderr.on('data', (d) => { s.log += d; });
  proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 400; i++) {
    try {
      if ((await request(s.url('/readyz'), { timeoutMs: 1000 })).status === 200) return;
    } catch { /* not yet */ }
    if (proc.exitCode !== null) throw new Error(`serve exited ${proc.exitCode}: ${s.log}`);
    await sleep(50);
  }
  throw new Error(`serve not ready again: ${s.log}`);
}

/** Spawns an import; resolves {code, stdout, stderr} when it exits. */
function spawnImport(args) {
  const proc = spawn(BIN, ['import', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (d) => { out.stdout += d; });
  proc.stderr.on('data', (d) => { out.stderr += d; });
  const done = new Promise((resolve) => proc.on('exit', (code) => resolve({ code, ...out })));
  return { proc, done, out };
}

async function assertEveryOrderOnce(s, source, n, prefix) {
  const events = importedOnly(await s.allEvents({ source }));
  const counts = new Map();
  for (const e of events) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
  const missing = [];
  for (let i = 0; i < n; i++) if (counts.get(`shop-order-${prefix}${i}`) !== 1) missing.push(i);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} orders missing or doubled`);
  assert.equal(events.length, n);
}

describe('rapport import when the server goes away', () => {
  let s;
  before(async () => { s = await RapportServer.start({ sources: ['shop'] }); });
  after(async () => { await s?.destroy(); });

  test('killed mid-import and restarted: the import waits, resumes, loses and doubles nothing', { timeout: 120000 }, async () => {
    const n = 20000;
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-import-kill-'));
    let imp;
    try {
      const file = ordersCsv(path.join(dir, 'orders.csv'), n, { prefix: 'k-' });
      imp = spawnImport(['--server', s.base, '--token', s.tokens.marketer, '--source', 'shop', '--file', file,
        '--mapping', path.join(EXAMPLES, 'orders.toml'), '--batch-size', '50', '--retry-seconds', '60']);
      let exited = null;
      imp.done.then((r) => { exited = r; });
      for (let i = 0; i < 200; i++) {
        const r = await s.api('/api/v1/events?limit=1&source=shop', { token: 'admin' });
        if (r.json?.events?.length) break;
        await sleep(20);
      }
      assert.equal(exited, null, 'the import is still running when the server is killed');
      await s.kill();
      await sleep(1000);
      await relaunchOnSamePort(s);
      const r = await imp.done;
      assert.equal(r.code, 0, `import exit: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`${n} rows read, ${n} imported`));
      await assertEveryOrderOnce(s, 'shop', n, 'k-');
    } finally {
      if (imp && imp.proc.exitCode === null) imp.proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const mountPoint = mkdtempSync(path.join(tmpdir(), 'rapport-import-full-'));
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'ignore' }).status === 0;
if (!mounted) rmSync(mountPoint, { recursive: true, force: true });

describe('rapport import on a full disk', { skip: mounted ? false : 'needs root and tmpfs mounts' }, () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['shop'], dataDir: path.join(mountPoint, 'data') });
  });
  after(async () => {
    try {
      await s?.kill();
    } finally {
      spawnSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  test('503 while the disk is full: the import retries and completes once space is freed', { timeout: 180000 }, async () => {
    const n = 6000;
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-import-full-data-'));
    let imp;
    try {
      const file = ordersCsv(path.join(dir, 'full.csv'), n, { prefix: 'f-', pad: 1500 });
      const filler = path.join(mountPoint, 'filler');
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=64'], { stdio: 'ignore' });
      imp = spawnImport(['--server', s.base, '--token', s.tokens.marketer, '--source', 'shop', '--file', file,
        '--mapping', path.join(EXAMPLES, 'orders.toml'), '--batch-size', '100', '--retry-seconds', '120']);
      let exited = null;
      imp.done.then((r) => { exited = r; });
      let refused = 0;
      for (let i = 0; i < 600 && !refused && !exited; i++) {
        refused = (await s.metrics()).sum('rapport_events_rejected_total', { reason: 'unavailable' });
        if (!refused) await sleep(50);
      }
      assert.ok(refused > 0, `the server never answered 503 (import: ${JSON.stringify(exited)})`);
      await sleep(1500);
      assert.equal(exited, null, `the import waits instead of giving up: ${imp.out.stderr}`);
      rmSync(filler);
      const r = await imp.done;
      assert.equal(r.code, 0, `import exit: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`${n} rows read, ${n} imported`));
      await assertEveryOrderOnce(s, 'shop', n, 'f-');
    } finally {
      if (imp && imp.proc.exitCode === null) imp.proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The console's path: the same runner inside the server, driven over /api/v1/imports.
describe('imports over HTTP (/api/v1/imports)', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['crm'] });
  });
  after(async () => {
    const r = await s?.stop();
    await s?.destroy();
    if (r) assert.equal(r.code, 0, `server exit on SIGTERM: ${JSON.stringify(r)}`);
  });

  test('create, upload, follow progress, download rejects; the rows become profiles', async () => {
    const mapping = readFileSync(path.join(EXAMPLES, 'crm_contacts.toml'), 'utf8');
    const created = await s.api('/api/v1/imports', {
      token: 'marketer', method: 'POST', body: { source: 'crm', fileName: 'contacts.csv', mapping },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.state, 'waiting_for_data');
    const id = created.json.id;
    assert.match(id, /^imp_/);

    const data = readFileSync(path.join(EXAMPLES, 'crm_contacts.csv'));
    const upload = await request(s.url(created.json.uploadUrl), {
      method: 'PUT', body: data, headers: { Authorization: `Bearer ${s.tokens.marketer}` },
    });
    assert.equal(upload.status, 202, upload.text);
    const again = await request(s.url(created.json.uploadUrl), {
      method: 'PUT', body: data, headers: { Authorization: `Bearer ${s.tokens.marketer}` },
    });
    assert.equal(again.status, 409, `a second upload is refused: ${again.text}`);

    let job;
    for (let i = 0; i < 400; i++) {
      job = (await s.api(`/api/v1/imports/${id}`)).json;
      if (job.state === 'done' || job.state === 'failed') break;
      await sleep(25);
    }
    assert.equal(job.state, 'done', JSON.stringify(job));
    assert.equal(job.rowsRead, 20);
    assert.equal(job.rowsImported, 16);
    assert.equal(job.rowsRejected, 4);
    assert.equal(job.bytesRead, data.length);
    assert.equal(job.bytesTotal, data.length);
    const listed = await s.api('/api/v1/imports');
    assert.deepEqual(listed.json.imports.map((x) => x.id), [id]);

    const rejects = await s.api(job.rejectsUrl);
    assert.equal(rejects.status, 200);
    const rows = rejects.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.line), [12, 13, 14, 15]);
    assert.match(rows[3].reason, /^no identifier/);

    // The imported contacts are profiles, found by their normalised email.
    let profile;
    for (let i = 0; i < 400 && !profile; i++) {
      const r = await s.api('/api/v1/profiles?identifier=email:ADA@analytical.example');
      if (r.status === 200) profile = r.json;
      else await sleep(25);
    }
    assert.ok(profile, 'the contact became a profile');
    assert.equal(profile.traits.first_name, 'Ada');
    assert.ok(profile.identities.some((i) => i.type === 'phone' && i.value === '442079460101'),
      JSON.stringify(profile.identities));
  });

  test('bad requests say what is wrong and create nothing', async () => {
    const mapping = readFileSync(path.join(EXAMPLES, 'crm_contacts.toml'), 'utf8');
    const unknown = await s.api('/api/v1/imports', {
      method: 'POST', body: { source: 'nope', fileName: 'c.csv', mapping },
    });
    assert.equal(unknown.status, 404, unknown.text);
    const badMapping = await s.api('/api/v1/imports', {
      method: 'POST', body: { source: 'crm', fileName: 'c.csv', mapping: '[event]\ntype = "purchase"\n' },
    });
    assert.equal(badMapping.status, 400, badMapping.text);
    assert.match(badMapping.json.message, /mapping:2/);
    const noFile = await s.api('/api/v1/imports', { method: 'POST', body: { source: 'crm', mapping } });
    assert.equal(noFile.status, 400);
    assert.match(noFile.json.message, /"fileName" is required/);
    const missing = await s.api('/api/v1/imports/imp_nothing');
    assert.equal(missing.status, 404);
    const analyst = await s.api('/api/v1/imports', { token: 'analyst' });
    assert.equal(analyst.status, 403);
  });
});
