// Black-box tests of the event log's partition count: a new data dir gets one partition; a log
// keeps the count it was created with when restarted with the default; it can grow, never shrink,
// and a refusal says why; `rapport admin log verify` finds the count by itself.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { RapportServer, cli } from '../lib/server.mjs';
import { assertOk } from '../lib/assert-http.mjs';

const partitionDirs = (s) =>
  readdirSync(path.join(s.dataDir, 'log'))
    .filter((n) => /^p-\d+$/.test(n))
    .sort();

describe('event log partitions', () => {
  const servers = [];
  after(async () => {
    for (const s of servers) await s.destroy();
  });

  test('a new data dir has one partition', async () => {
    const s = await RapportServer.start();
    servers.push(s);
    assert.deepEqual(partitionDirs(s), ['p-000']);
  });

  test('a log made with 3 partitions keeps them under the default, grows, and refuses to shrink', async () => {
    const s = await RapportServer.start({ env: { RAPPORT_LOG_PARTITIONS: '3' } });
    servers.push(s);
    assert.deepEqual(partitionDirs(s), ['p-000', 'p-001', 'p-002']);
    const batch = Array.from({ length: 60 }, (_, i) => ({
      type: 'track',
      event: 'Spread',
      userId: `user-${i}`,
      messageId: `part-${Date.now()}-${i}`,
    }));
    assertOk(await s.ingest('/v1/batch', { batch }));

    // Restarted with the default (0: as the log has): the same three partitions, every event.
    assert.equal((await s.stop()).code, 0);
    s.env = {};
    await s.launch();
    assert.deepEqual(partitionDirs(s), ['p-000', 'p-001', 'p-002']);
    const ids = new Set((await s.allEvents({ limit: 1000 })).map((e) => e.messageId));
    for (const e of batch) assert.ok(ids.has(e.messageId), `${e.messageId} after the restart`);

    // verify needs no --partitions: it checks the log as it is, and adds no partition.
    assert.equal((await s.stop()).code, 0);
    const verify = cli(['admin', 'log', 'verify', '--data', s.dataDir]);
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /log ok/);
    assert.deepEqual(partitionDirs(s), ['p-000', 'p-001', 'p-002']);

    // Fewer than the log has: refused, with the reason, and nothing changed.
    const shrink = cli(['serve', '--data', s.dataDir, '--http', '127.0.0.1:0', '--partitions', '2'], { timeoutMs: 20000 });
    assert.notEqual(shrink.status, 0);
    assert.match(shrink.stderr, /has 3 partitions but 2 were asked for; the partition count of a log cannot shrink/);

    // More: the log grows, and the events already stored stay readable.
    s.env = { RAPPORT_LOG_PARTITIONS: '4' };
    await s.launch();
    assert.deepEqual(partitionDirs(s), ['p-000', 'p-001', 'p-002', 'p-003']);
    const after4 = new Set((await s.allEvents({ limit: 1000 })).map((e) => e.messageId));
    for (const e of batch) assert.ok(after4.has(e.messageId), `${e.messageId} after growing to 4`);
  });
});
