// Marketing spend end to end (docs/api.md, "Spend"): `rapport spend import` of examples/spend.csv,
// a re-import that replaces rather than doubles, a bad file refused whole with its lines named,
// JSON over HTTP, GET with a range and per-channel totals, DELETE of a range, the roles, the
// size limit, and the rows still there after a restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, RapportServer, cli, request, stopAndRemove } from '../lib/server.mjs';
import { assertError, assertStatus } from '../lib/assert-http.mjs';

const SAMPLE = path.join(REPO, 'examples', 'spend.csv');
// examples/spend.csv: 31 rows, 2024-03-01..07, these totals per channel.
const SAMPLE_TOTALS = { Display: 217.06, Email: 36, 'Paid Search': 1131.33, 'Paid Social': 651.7 };
const SAMPLE_COST = 2036.09;

const near = (a, b) => Math.abs(a - b) < 1e-6;

describe('marketing spend', () => {
  let s;
  const work = mkdtempSync(path.join(tmpdir(), 'rapport-spend-'));
  const spendCli = (args, token = 'marketer') => cli(['spend', ...args, '--server', s.base, '--token', s.tokens[token] ?? token]);
  const list = async (query = '', token = 'admin') => {
    const r = await s.api(`/api/v1/spend${query}`, { token });
    assertStatus(r, 200, `GET /api/v1/spend${query}`);
    return r.json;
  };
  const post = (body, contentType, token = 'admin') =>
    request(s.url('/api/v1/spend'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.tokens[token] ?? token}`, 'Content-Type': contentType },
      body,
    });

  before(async () => {
    s = await RapportServer.start({ sources: ['web'] });
  });
  after(() => stopAndRemove(s, work));

  test('rapport spend import of a CSV; importing it again replaces, never doubles', async () => {
    for (let round = 0; round < 2; round++) {
      const r = spendCli(['import', '--file', SAMPLE]);
      assert.equal(r.status, 0, `round ${round}: ${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /imported 31 spend rows over 7 days \(2024-03-01 to 2024-03-07\), cost 2036\.09/);
      const all = await list();
      assert.equal(all.rows.length, 31, `round ${round}: ${JSON.stringify(all).slice(0, 400)}`);
      assert.ok(near(all.cost, SAMPLE_COST), `total ${all.cost}`);
    }
    const all = await list();
    assert.deepEqual(
      all.rows.find((x) => x.campaign === 'spring sale, 10% off' && x.date === '2024-03-01'),
      { date: '2024-03-01', channel: 'Paid Social', campaign: 'spring sale, 10% off', cost: 95 },
    );
    // A changed cost in a re-import replaces the stored one.
    const fix = path.join(work, 'fix.csv');
    writeFileSync(fix, 'channel,date,cost,campaign\r\nEmail,2024-03-01,20,\r\n');
    const r = spendCli(['import', '--file', fix]);
    assert.equal(r.status, 0, r.stderr);
    const after = await list('?from=2024-03-01&to=2024-03-01&channel=Email');
    assert.deepEqual(after.rows, [{ date: '2024-03-01', channel: 'Email', campaign: '', cost: 20 }]);
    assert.equal(spendCli(['import', '--file', SAMPLE]).status, 0);
  });

  test('a bad file exits 1, names each bad line, and stores nothing', async () => {
    const bad = path.join(work, 'bad.csv');
    writeFileSync(
      bad,
      [
        'date,channel,campaign,cost',
        '2030-01-01,Email,,5',
        '2030-01-02,Email,,"1,234"',
        '2030-02-30,Email,,1',
        '2030-01-01,Email,,6',
        '2030-01-03,,,-3',
        '',
      ].join('\n'),
    );
    const r = spendCli(['import', '--file', bad]);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /4 bad rows, nothing was imported/);
    assert.match(r.stderr, /line 3: cost "1,234" is not a plain decimal number/);
    assert.match(r.stderr, /line 4: date "2030-02-30" is not a calendar date/);
    assert.match(r.stderr, /line 5: the same date, channel and campaign .* as line 2/);
    assert.match(r.stderr, /line 6: channel is empty, cost "-3" is negative/);
    assert.deepEqual((await list('?from=2030-01-01&to=2030-12-31')).rows, []);
    assert.equal((await list()).rows.length, 31);
  });

  test('JSON over HTTP; JSON Lines through the CLI', async () => {
    const body = JSON.stringify({
      rows: [
        { date: '2024-04-01', channel: 'Affiliates', campaign: 'partner-a', cost: 10.5 },
        { date: '2024-04-02', channel: 'Affiliates', cost: 4 },
      ],
    });
    const r = await post(body, 'application/json');
    assertStatus(r, 200, 'POST /api/v1/spend JSON');
    assert.deepEqual(r.json, { imported: 2, days: 2, from: '2024-04-01', to: '2024-04-02', cost: 14.5 });
    const badJson = await post(JSON.stringify({ rows: [{ date: '2024-04-03', channel: 'Affiliates', cost: 1 }, { date: '2024-04-03', channel: 'Affiliates', cost: '1' }] }), 'application/json');
    assertError(badJson, 400, 'invalid_argument', /rows\[1\]: cost must be a number/, 'bad JSON row');
    const csv = await post('date,channel,cost\n2024-04-03,Affiliates,2\n', 'text/csv; charset=utf-8');
    assertStatus(csv, 200, 'POST CSV');
    const form = await post('date,channel,cost\n2024-04-03,Affiliates,2\n', 'application/x-www-form-urlencoded');
    assertError(form, 400, 'invalid_argument', /text\/csv/, 'form-encoded body');

    const jsonl = path.join(work, 'more.jsonl');
    writeFileSync(jsonl, '{"date":"2024-04-04","channel":"Affiliates","cost":1}\n{"date":"2024-04-05","channel":"Affiliates","cost":2}\n');
    const c = spendCli(['import', '--file', jsonl]);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /imported 2 spend rows over 2 days/);
    const aff = await list('?channel=Affiliates');
    assert.equal(aff.rows.length, 5, JSON.stringify(aff));
    assert.deepEqual(aff.channels, [{ channel: 'Affiliates', cost: 19.5 }]);
  });

  test('GET with a range gives the rows in order and the totals per channel', async () => {
    const r = await list('?from=2024-03-02&to=2024-03-03', 'analyst');
    assert.equal(r.rows.length, 8);
    assert.ok(near(r.cost, 578.22), `range total ${r.cost}`);
    const keys = r.rows.map((x) => `${x.date}|${x.channel}|${x.campaign}`);
    assert.deepEqual(keys, [...keys].sort(), 'ordered by date, channel, campaign');
    assert.ok(r.rows.every((x) => x.date >= '2024-03-02' && x.date <= '2024-03-03'));
    const march = await list('?from=2024-03-01&to=2024-03-31');
    assert.deepEqual(march.channels.map((c) => c.channel), Object.keys(SAMPLE_TOTALS));
    for (const c of march.channels) assert.ok(near(c.cost, SAMPLE_TOTALS[c.channel]), JSON.stringify(c));
    assert.equal(march.truncated, false);
    assertError(await s.api('/api/v1/spend?from=2024-3-1'), 400, 'invalid_argument', /from: date "2024-3-1" is not written YYYY-MM-DD/);
    assertError(await s.api('/api/v1/spend?from=2024-03-05&to=2024-03-01'), 400, 'invalid_argument', /after/);

    const table = spendCli(['list', '--from', '2024-03-01', '--to', '2024-03-31'], 'analyst');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /2024-03-01 +Paid Social +spring sale, 10% off +95/);
    assert.match(table.stdout, /total +2036\.09/);
    const json = spendCli(['list', '--channel', 'Email', '--json'], 'analyst');
    assert.equal(json.status, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).rows.length, 3);
  });

  test('DELETE needs both ends of the range and removes only it', async () => {
    assertError(await s.api('/api/v1/spend', { method: 'DELETE' }), 400, 'invalid_argument', /both from and to/);
    assertError(await s.api('/api/v1/spend?from=2024-04-01', { method: 'DELETE' }), 400, 'invalid_argument', /both from and to/);
    const one = await s.api('/api/v1/spend?from=2024-04-01&to=2024-04-30&channel=Affiliates', { method: 'DELETE', token: 'marketer' });
    assertStatus(one, 200, 'DELETE Affiliates');
    assert.deepEqual(one.json, { deleted: 5 });
    const cliDelete = spendCli(['delete', '--from', '2024-03-07', '--to', '2024-03-07']);
    assert.equal(cliDelete.status, 0, cliDelete.stderr);
    assert.match(cliDelete.stdout, /deleted 5 spend rows/);
    const left = await list();
    assert.equal(left.rows.length, 26);
    assert.ok(left.rows.every((x) => x.date < '2024-03-07'));
  });

  test('roles: analysts read; only admins and marketers write; no token is 401', async () => {
    const csv = 'date,channel,cost\n2024-05-01,Email,1\n';
    assertError(await post(csv, 'text/csv', 'analyst'), 403, 'permission_denied', null, 'POST as analyst');
    assertError(await s.api('/api/v1/spend?from=2024-03-01&to=2024-03-31', { method: 'DELETE', token: 'analyst' }), 403, 'permission_denied', null, 'DELETE as analyst');
    assertStatus(await s.api('/api/v1/spend', { token: 'analyst' }), 200, 'GET as analyst');
    for (const method of ['GET', 'POST', 'DELETE']) {
      const r = await request(s.url('/api/v1/spend?from=2024-03-01&to=2024-03-31'), { method, body: method === 'POST' ? csv : undefined });
      assertError(r, 401, 'unauthenticated', null, `${method} without a token`);
    }
    const c = spendCli(['import', '--file', SAMPLE], 'analyst');
    assert.equal(c.status, 3, `${c.stdout}\n${c.stderr}`);
    assert.match(c.stderr, /refused the token \(403/);
    assert.equal((await list()).rows.length, 26, 'nothing written by the refused calls');
  });

  test('an upload over 20 MB is 413 at once; the rows survive a restart', async () => {
    // Only the head, announcing one byte over the limit: the server answers without the body.
    const head = await new Promise((resolve, reject) => {
      const socket = connect(s.port, '127.0.0.1', () => {
        socket.write(
          `POST /api/v1/spend HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.tokens.admin}\r\n` +
            `Content-Type: text/csv\r\nContent-Length: ${20 * 1024 * 1024 + 1}\r\n\r\n`,
        );
      });
      let text = '';
      socket.setTimeout(10000, () => reject(new Error(`no answer to the head; got ${text}`)));
      socket.on('data', (d) => {
        text += d;
        if (text.includes('}')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
    });
    assert.match(head, /^HTTP\/1\.1 413/);
    assert.match(head, /"error":"too_large".*20 MB/);
    // Just under the limit goes through the body limit to the parser.
    const ok = await post('date,channel,cost\n2024-06-01,Email,1\n' + '\n'.repeat(1024 * 1024), 'text/csv');
    assertStatus(ok, 200, 'a 1 MB upload (over the default 500 KB body limit)');
    const before = await list();
    await s.restart();
    assert.deepEqual(await list(), before);
  });
});
