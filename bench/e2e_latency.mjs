// End to end, from the ingest request to the webhook received by a local receiver: DESIGN.md's
// target "event → audience change → webhook delivered: p99 ≤ 10 ms at 10,000 events/s", with
// 100 audiences and 10 journeys defined. The load is a steady stream of ordinary events (batches of 100 through
// /v1/batch) plus "Ping" events from new customers, each of which enters the audience `pinged`,
// synced to a webhook destination; the ping carries its send time as a trait, and the receiver
// measures the delay when the "Audience Entered" request arrives. Prints one figure per line.
//
// The first seconds are a cold start: every customer is new, so each event evaluates every
// audience for a new profile, customers enter audiences at once, the journeys send thousands of
// first messages, and the profile pipeline runs behind ingest for a second or two. The pings of
// the first --warmup seconds are reported apart from the steady state, which the target is about,
// with how many other webhooks were delivered while the slowest were on their way.
//
//   node bench/e2e_latency.mjs [--rate 10000] [--seconds 20] [--pings 100] [--warmup 3]
// Needs the built binary (build/src/cli/rapport, or RAPPORT_BIN).

import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { RapportServer } from '../tests/lib/server.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const RATE = Number(args.rate ?? 10000); // events per second, pings included
const SECONDS = Number(args.seconds ?? 20);
const PINGS = Number(args.pings ?? 100); // pings per second
const WARMUP = Number(args.warmup ?? 3); // seconds of pings reported as the cold start
if (!(WARMUP >= 0)) throw new Error(`--warmup must be a number of seconds >= 0, not ${args.warmup}`);
const EVENTS = ['Order Completed', 'Product Viewed', 'Cart Viewed', 'Ticket Opened', 'Email Opened', 'Signed In'];
const PLANS = ['free', 'pro', 'enterprise'];

// 99 audiences of the shapes bench/audiences.cc uses, and `pinged`.
function audienceText(i) {
  const e = EVENTS[i % 6];
  const n = 1 + (i % 3);
  const days = 7 * (1 + (i % 4));
  switch (i % 7) {
    case 0: return `traits.plan = "${PLANS[i % 3]}" and performed "${e}" at least ${n} times within ${days} days`;
    case 1: return `performed "${e}" where revenue > ${10 * n} within ${days} days`;
    case 2: return `traits.plan in ["pro", "enterprise"] and not performed "${e}" within ${days} days`;
    case 3: return `performed "${e}" at most ${n} times within ${days} days and consented to "Email"`;
    case 4: return `traits.country = "DE" and performed page "Pricing" within ${days} days`;
    case 5: return `in audience "a${i - 5}" and traits.plan != "free"`;
    default: return `performed "${e}" exactly ${n} times within ${days} days or traits.vip = true`;
  }
}

// 10 journeys: half triggered by a big order-like event, half by entering one of the audiences;
// each sends to the bench destination, waits for an order for a day, and branches on the plan.
function journey(i) {
  const trigger =
    i % 2 === 0
      ? { event: EVENTS[i % 6], where: [{ path: 'properties.revenue', op: 'gt', value: 80 }] }
      : { audience: `a${i * 9}` };
  return {
    name: `j${i}`,
    trigger,
    reentry: 'after_exit',
    frequency_cap: { max_sends: 2, per_days: 7 },
    steps: [
      { name: 'first', type: 'send', destination: 'bench', data: { journey: i } },
      { name: 'wait_order', type: 'wait_for', event: 'Order Completed', timeout: '1 day', on_event: 'exit', on_timeout: 'pro' },
      { name: 'pro', type: 'branch', condition: 'traits.plan = "pro"', else: 'exit' },
      { name: 'second', type: 'send', destination: 'bench', data: { journey: i, second: true } },
    ],
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const pingsSeen = []; // [received at, latency, sent at] per ping's webhook (ms, epoch-based)
  const otherArrivals = []; // when each other webhook (a journey's send) arrived
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = performance.timeOrigin + performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const sent = body.profile?.traits?.sent_at;
      if (body.event === 'Audience Entered' && typeof sent === 'number') pingsSeen.push([now, now - sent, sent]);
      else otherArrivals.push(now);
      res.writeHead(200);
      res.end();
    });
  });
  receiver.keepAliveTimeout = 60000;
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));

  const s = await RapportServer.start({ sources: ['web'] });
  try {
    const dest = await s.api('/api/v1/destinations', {
      method: 'POST',
      body: { name: 'bench', type: 'webhook', url: `http://127.0.0.1:${receiver.address().port}/hook`, rate_limit_per_second: 100000, concurrency: 16 },
    });
    if (dest.status !== 201) throw new Error(`destination: ${dest.status} ${dest.text}`);
    for (let i = 0; i < 99; i++) {
      const r = await s.api('/api/v1/audiences', { method: 'POST', body: { name: `a${i}`, definition: audienceText(i) } });
      if (r.status !== 201) throw new Error(`audience a${i}: ${r.status} ${r.text}`);
    }
    const pinged = await s.api('/api/v1/audiences', { method: 'POST', body: { name: 'pinged', definition: 'performed "Ping"' } });
    if (pinged.status !== 201) throw new Error(`pinged: ${pinged.text}`);
    await s.api('/api/v1/audiences/pinged/destinations', { method: 'PUT', body: { destinations: ['bench'] } });
    for (let i = 0; i < 10; i++) {
      const r = await s.api('/api/v1/journeys', { method: 'POST', body: journey(i) });
      if (r.status !== 201) throw new Error(`journey j${i}: ${r.status} ${r.text}`);
    }

    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const auth = 'Basic ' + Buffer.from(`${s.key}:`).toString('base64');
    const post = (batch) =>
      new Promise((ok, fail) => {
        const body = JSON.stringify({ batch });
        const req = http.request(
          { host: '127.0.0.1', port: s.port, path: '/v1/batch', method: 'POST', agent, headers: { 'Content-Type': 'application/json', Authorization: auth, 'Content-Length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? ok() : fail(new Error(`ingest ${res.statusCode}`))));
          },
        );
        req.on('error', fail);
        req.end(body);
      });

    // Every 10 ms: RATE/100 events, of which PINGS/100 pings (each from a new customer).
    const tickMs = 10;
    const perTick = Math.round(RATE / (1000 / tickMs));
    const pingsPerTick = Math.max(1, Math.round(PINGS / (1000 / tickMs)));
    let sent = 0, pings = 0, tick = 0, inFlight = 0, ingestErrors = 0;
    const answered = []; // ms from a ping's send time to the 200 of its batch
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const start = performance.now();
    const startEpoch = performance.timeOrigin + start;
    const users = 20000;
    await new Promise((done) => {
      const step = () => {
        const elapsed = performance.now() - start;
        if (elapsed >= SECONDS * 1000) return done();
        const due = Math.floor(elapsed / tickMs) + 1;
        while (tick < due) {
          tick++;
          const batch = [];
          for (let k = 0; k < perTick - pingsPerTick; k++) {
            const u = Math.floor(Math.random() * users);
            batch.push({ type: 'track', userId: `u${u}`, event: EVENTS[u % 6], properties: { revenue: u % 100 } });
          }
          for (let k = 0; k < pingsPerTick; k++) {
            pings++;
            batch.push({ type: 'track', userId: `ping-${process.pid}-${pings}`, event: 'Ping', context: { traits: { sent_at: performance.timeOrigin + performance.now() } } });
          }
          sent += batch.length;
          // Batches of at most 100 events, sent at once.
          for (let i = 0; i < batch.length; i += 100) {
            inFlight++;
            const part = batch.slice(i, i + 100);
            const pingAt = part.find((e) => e.event === 'Ping')?.context.traits.sent_at;
            post(part)
              .then(() => pingAt && answered.push(performance.timeOrigin + performance.now() - pingAt))
              .catch(() => ingestErrors++)
              .finally(() => inFlight--);
          }
        }
        setTimeout(step, 1);
      };
      step();
    });
    const wall = (performance.now() - start) / 1000;
    const deadline = Date.now() + 30000;
    while (pingsSeen.length < pings && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
    loopDelay.disable();
    const sorted = (xs) => [...xs].sort((a, b) => a - b);
    const figures = (xs) => xs.length === 0 ? 'none' : `p50 ${percentile(xs, 50).toFixed(2)}, p90 ${percentile(xs, 90).toFixed(2)}, p99 ${percentile(xs, 99).toFixed(2)}, max ${xs.at(-1)?.toFixed(2)}`;
    const latencies = sorted(pingsSeen.map(([, l]) => l));
    const cold = sorted(pingsSeen.filter(([, , sentAt]) => sentAt - startEpoch < WARMUP * 1000).map(([, l]) => l));
    const steady = sorted(pingsSeen.filter(([, , sentAt]) => sentAt - startEpoch >= WARMUP * 1000).map(([, l]) => l));
    console.log(`events sent: ${sent} in ${wall.toFixed(1)} s = ${(sent / wall).toFixed(0)} events/s (target ${RATE}), ingest errors ${ingestErrors}`);
    console.log(`audiences defined: 100; journeys: 10; pings: ${pings}; audience webhooks received: ${latencies.length}; other webhooks (journey sends): ${otherArrivals.length}`);
    console.log(`ingest → webhook latency ms, all pings: ${figures(latencies)}`);
    console.log(`  cold start, pings sent in the first ${WARMUP} s (${cold.length}): ${figures(cold)}`);
    console.log(`  steady state, pings sent after ${WARMUP} s (${steady.length}): ${figures(steady)} (target p99 ≤ 10)`);
    // What the slowest pings waited behind: the journeys' sends delivered while each was on its way.
    for (const [at, l, sentAt] of [...pingsSeen].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
      const behind = otherArrivals.filter((o) => o > sentAt && o <= at).length;
      console.log(`  slow ping: sent at ${((sentAt - startEpoch) / 1000).toFixed(2)} s, ${l.toFixed(1)} ms; ${behind} other webhooks delivered meanwhile`);
    }
    const perSecond = new Array(Math.ceil(wall) + 1).fill(0);
    for (const o of otherArrivals) perSecond[Math.max(0, Math.min(perSecond.length - 1, Math.floor((o - startEpoch) / 1000)))]++;
    console.log(`other webhooks per second of the run: ${perSecond.join(' ')}`);
    // The client's own share: ping batches answered (fsync, the agent's queue) and its event loop.
    const acked = sorted(answered);
    console.log(`ping batch answered (200) ms: ${figures(acked)}; load generator's event-loop delay ms: p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)}, max ${(loopDelay.max / 1e6).toFixed(1)}`);
    // Where a ping's time goes, first part: the log's group-commit fsync it waits for.
    const m = await s.metrics();
    const buckets = m.samples
      .filter((x) => x.name === 'rapport_log_fsync_seconds_bucket')
      .map((x) => [x.labels.le === '+Inf' ? Infinity : Number(x.labels.le), x.value])
      .sort((a, b) => a[0] - b[0]);
    const total = buckets.at(-1)?.[1] ?? 0;
    const upTo = (q) => (buckets.find(([, n]) => n >= q * total)?.[0] ?? NaN) * 1000;
    console.log(`log fsync ms (histogram bucket bounds): p50 ≤ ${upTo(0.5)}, p99 ≤ ${upTo(0.99)}, p99.9 ≤ ${upTo(0.999)} (${total} fsyncs)`);
    // Derived state pauses only when ingest saturates the cores (common/pacing.h): none expected.
    const paused = m.samples.find((x) => x.name === 'rapport_background_paused_milliseconds')?.value;
    const compactionPaced = m.samples.find(
      (x) => x.name === 'rapport_background_compaction_paced_milliseconds',
    )?.value;
    console.log(
      `derived-state pauses for ingest: ${paused} ms; RocksDB writes paced: ${compactionPaced} ms`,
    );
    // Second part: outbox enqueue → 2xx, over the destination's last 1024 deliveries.
    const health = (await s.api('/api/v1/destinations/bench')).json?.health;
    const d = health?.latencyMs ?? {};
    console.log(`outbox enqueue → webhook answered ms (last ${d.samples} deliveries): p50 ${d.p50}, p90 ${d.p90}, p99 ${d.p99}`);
    agent.destroy();
  } finally {
    receiver.close();
    await s.stop();
    await s.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
