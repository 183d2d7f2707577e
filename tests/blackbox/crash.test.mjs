// Crash test: rounds of concurrent ingest load, SIGKILL of the server mid-load, restart on the same
// data dir, resend of some unacknowledged batches (same messageIds). In the end every acknowledged
// event must be stored exactly once, and no event at all twice.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RapportServer, sleep } from '../lib/server.mjs';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 4);
const SENDERS = 4;
const BATCH = 25;

describe('crash safety', () => {
  let s;
  before(async () => {
    s = await RapportServer.start({ sources: ['crash'] });
  });
  after(async () => {
    if (!s) return;
    const r = await s.stop();
    await s.destroy();
    assert.equal(r.code, 0, `SIGTERM: expected exit 0, got ${JSON.stringify(r)}`);
  });

  test(`${ROUNDS} rounds of SIGKILL under load: every acknowledged event present exactly once`, { timeout: 90000 }, async (t) => {
    const acked = new Set();
    const sentEver = new Set();
    const unacked = []; // batches whose answer was not 200
    const statusCounts = {};
    const tag = Date.now().toString(36);

    function makeBatch(round, sender, n) {
      return Array.from({ length: BATCH }, (_, i) => ({
        type: 'track',
        userId: `u-${sender}-${i % 7}`,
        event: 'Crash Test',
        messageId: `crash-${tag}-r${round}-s${sender}-b${n}-${i}`,
        properties: { round, sender, n, i, pad: 'z'.repeat(300) },
      }));
    }

    async function send(batch) {
      for (const e of batch) sentEver.add(e.messageId);
      let status;
      try {
        const r = await s.ingest('/v1/batch', { batch }, { key: s.keys.crash });
        status = r.status;
      } catch (e) {
        status = 'conn';
      }
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status === 200) for (const e of batch) acked.add(e.messageId);
      return status;
    }

    for (let round = 0; round < ROUNDS; round++) {
      let stop = false;
      const senders = Array.from({ length: SENDERS }, async (_, k) => {
        for (let n = 0; !stop; n++) {
          const batch = makeBatch(round, k, n);
          const status = await send(batch);
          if (status !== 200) {
            unacked.push(batch);
            if (status === 'conn') return; // the server is gone
          }
        }
      });
      await sleep(400 + Math.floor(Math.random() * 600));
      await s.kill();
      stop = true;
      await Promise.all(senders);
      await s.launch();
      // resend every other unacknowledged batch, with the same messageIds
      const retry = unacked.splice(0).filter((_, i) => i % 2 === 0);
      for (const batch of retry) {
        const st = await send(batch);
        assert.equal(st, 200, `resend after restart of round ${round} answered ${st}`);
      }
      // resend an already acknowledged batch: must not be stored twice
      if (acked.size >= BATCH) {
        const some = [...acked].slice(-BATCH);
        const batch = some.map((id) => ({ type: 'track', userId: 'u-again', event: 'Crash Test', messageId: id }));
        assert.equal(await send(batch), 200);
      }
    }

    const counts = new Map();
    for (const e of await s.allEvents({ source: 'crash' })) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
    const missing = [...acked].filter((id) => !counts.has(id));
    const doubled = [...counts].filter(([, c]) => c > 1).map(([id, c]) => `${id}×${c}`);
    const unknown = [...counts.keys()].filter((id) => !sentEver.has(id));
    t.diagnostic(`acked ${acked.size} events; stored ${counts.size}; answers ${JSON.stringify(statusCounts)}`);
    assert.ok(acked.size > ROUNDS * BATCH, `too little load to mean anything: ${acked.size} acked`);
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} acknowledged events lost after kill -9`);
    assert.deepEqual(doubled.slice(0, 20), [], `${doubled.length} events stored more than once`);
    assert.deepEqual(unknown.slice(0, 20), [], 'events never sent were stored');
  });
});
