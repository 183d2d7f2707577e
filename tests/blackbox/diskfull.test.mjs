// Disk full: with the data dir on a small tmpfs that is then filled up, ingest answers 503
// `unavailable` with Retry-After, stores nothing half, keeps serving, and recovers by itself once
// space is freed. Needs root (mount); skipped otherwise.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RapportServer, minimalEvent, request, sleep } from '../lib/server.mjs';
import { assertError, assertOk, assertStatus, describeRes } from '../lib/assert-http.mjs';

const mountPoint = mkdtempSync(path.join(tmpdir(), 'rapport-full-'));
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'ignore' }).status === 0;
if (!mounted) rmSync(mountPoint, { recursive: true, force: true });

function fill(file) {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const buf = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, buf);
          written += size;
        } catch (e) {
          if (e.code !== 'ENOSPC') throw e;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

describe('disk full', { skip: mounted ? false : 'needs root and tmpfs mounts' }, () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['full'], dataDir: path.join(mountPoint, 'data') });
  });
  after(async () => {
    try {
      if (s) {
        const r = await s.stop();
        assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
      }
    } finally {
      await s?.kill();
      spawnSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  test('503 unavailable with Retry-After when full; recovers after space is freed', { timeout: 60000 }, async () => {
    const acked = [];
    const refused = [];
    const batchOf = () => Array.from({ length: 100 }, () => ({ type: 'track', ...minimalEvent('track', { properties: { pad: 'q'.repeat(900) } }) }));
    const first = batchOf();
    assertOk(await s.ingest('/v1/batch', { batch: first }), 'before the disk is full');
    acked.push(...first.map((e) => e.messageId));

    const filler = path.join(mountPoint, 'filler');
    fill(filler);
    let unavailable = null;
    for (let i = 0; i < 200 && !unavailable; i++) {
      const b = batchOf();
      const r = await s.ingest('/v1/batch', { batch: b });
      if (r.status === 200) acked.push(...b.map((e) => e.messageId));
      else {
        unavailable = r;
        refused.push(b.map((e) => e.messageId));
      }
    }
    assert.ok(unavailable, 'ingest never failed although the disk is full (20 MB sent)');
    assertError(unavailable, 503, 'unavailable', null, 'POST /v1/batch on a full disk');
    assert.ok(unavailable.headers.get('retry-after'), `503 carries Retry-After: ${describeRes(unavailable)}`);
    assertStatus(await request(s.url('/healthz')), 200, '/healthz while the disk is full');

    rmSync(filler);
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      const b = batchOf();
      const r = await s.ingest('/v1/batch', { batch: b });
      if (r.status === 200) {
        acked.push(...b.map((e) => e.messageId));
        recovered = true;
      } else {
        assertStatus(r, 503, 'while recovering');
        refused.push(b.map((e) => e.messageId));
        await sleep(200);
      }
    }
    assert.ok(recovered, 'ingest did not recover within ~20 s of freeing space');

    const m = await s.eventsById([...acked, ...refused.flat()]);
    const lost = acked.filter((id) => (m.get(id)?.length ?? 0) !== 1);
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged events lost or doubled`);
    for (const ids of refused) {
      const n = ids.filter((id) => m.has(id)).length;
      assert.ok(n === 0 || n === ids.length, `a refused batch was half stored: ${n} of ${ids.length}`);
    }

    // and it survives a restart in that state
    await s.kill();
    await s.launch();
    const m2 = await s.eventsById(acked);
    assert.equal(m2.size, acked.length, 'acknowledged events after a crash restart');
  });
});
