// Deterministic generator of realistic analytics events for the warehouse benchmark and its
// cross-check (bench/warehouse/README.md). Writes one CSV, in time order:
//
//   ts_us,profile,type,event,context.campaign.source,properties.category,properties.revenue
//
// ts_us: event time, integer µs since the epoch (millisecond precision), in [end - days, end);
// profile: 1..P; type: track | page | identify; event: the event name (page calls are named
// "Page Viewed"; empty for identify); source: the session's campaign source (empty = none);
// category: on product and order events; revenue: on "Order Completed" only (2 decimals).
//
// The model: profile activity is Pareto-distributed (many profiles with 1-5 events, a few with
// thousands), each profile's events come in sessions (bursts with ≥ 30 min between them, more
// sessions soon after a profile is first seen), and a session is a journey through a Markov
// chain (Page Viewed → Product Viewed → Product Added → Cart Viewed → Checkout Started →
// Order Completed, e-mail sessions, sign-ups in a profile's first session, identify calls,
// returning to an abandoned cart in a later session). Invariants the cross-checks rely on:
//   * no two events of one profile fall in the same second, and all events of one profile have
//     the same sub-second part (so a window compared in µs or in whole seconds decides alike);
//   * at most one "Signed Up" per profile.
// The same options and seed give the same bytes. 10 M events (540 MB) take ~12 s of CPU and ~400 MB of
// memory (typed arrays, sorted by hour buckets, streamed out in 8 MB writes).
//
//   node bench/warehouse/generate.mjs [--events 10000000] [--profiles 1000000] [--days 90]
//        [--seed 1] [--end 2026-10-01T00:00:00Z] [--out events.csv] [--quiet]

import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

export const HEADER =
  'ts_us,profile,type,event,context.campaign.source,properties.category,properties.revenue';
export const DEFAULT_END = '2026-10-01T00:00:00Z';

// Event codes: [name, type].
const EV = [
  ['Page Viewed', 'page'], //           0
  ['Product Viewed', 'track'], //       1
  ['Products Searched', 'track'], //    2
  ['Product Added', 'track'], //        3
  ['Cart Viewed', 'track'], //          4
  ['Checkout Started', 'track'], //     5
  ['Order Completed', 'track'], //      6
  ['Signed Up', 'track'], //            7
  ['Signed In', 'track'], //            8
  ['Email Opened', 'track'], //         9
  ['Email Clicked', 'track'], //        10
  ['Support Ticket', 'track'], //       11
  ['', 'identify'], //                  12
  ['Product Removed', 'track'], //      13
];
const PV = 0, PRV = 1, SRCH = 2, ADD = 3, CART = 4, CHK = 5, ORD = 6, SIGNUP = 7, SIGNIN = 8;
const EOPEN = 9, ECLICK = 10, TICKET = 11, IDENT = 12, REMOVE = 13, END = 255;

// Campaign sources of a session (index 0: none). "newsletter" comes from e-mail sessions.
const SOURCES = ['', 'google', 'facebook', 'newsletter', 'direct', 'instagram', 'bing', 'tiktok',
  'affiliate', 'linkedin', 'twitter', 'partner'];
const SOURCE_WEIGHTS = [24, 28, 12, 0, 10, 6, 5, 4, 4, 2, 2, 3];
const NEWSLETTER = 3;
// Product categories (index 0: none), Zipf-like popularity.
const CATEGORIES = ['', 'electronics', 'clothing', 'books', 'home', 'beauty', 'sports', 'toys',
  'garden', 'grocery', 'music'];
const CATEGORY_WEIGHTS = [0, 22, 18, 14, 11, 9, 8, 6, 5, 4, 3];

// sfc32: small, fast, good enough; seeded through splitmix32.
function makeRandom(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

function cumulative(weights) {
  const total = weights.reduce((x, y) => x + y, 0);
  let acc = 0;
  return Float64Array.from(weights, (w) => (acc += w / total));
}
function pick(cum, u) {
  let i = 0;
  while (i < cum.length - 1 && u >= cum[i]) i++;
  return i;
}

// Events per profile: Pareto(alpha) weights scaled so that the counts, each clamped to
// [min, cap], add up to exactly `events`.
function eventsPerProfile(events, profiles, cap, rnd) {
  const alpha = 1.2;
  const w = new Float64Array(profiles);
  for (let i = 0; i < profiles; i++) w[i] = Math.pow(1 - rnd(), -1 / alpha);
  const min = events >= profiles ? 1 : 0;
  const total = (k) => {
    let s = 0;
    for (let i = 0; i < profiles; i++) s += Math.min(cap, Math.max(min, Math.floor(k * w[i])));
    return s;
  };
  let lo = 0, hi = events;
  for (let it = 0; it < 64 && hi - lo > 1e-9 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (total(mid) <= events) lo = mid;
    else hi = mid;
  }
  const counts = new Uint32Array(profiles);
  let sum = 0;
  for (let i = 0; i < profiles; i++) {
    counts[i] = Math.min(cap, Math.max(min, Math.floor(lo * w[i])));
    sum += counts[i];
  }
  while (sum < events) {
    const i = Math.floor(rnd() * profiles);
    if (counts[i] < cap) {
      counts[i]++;
      sum++;
    }
  }
  return counts;
}

export function dataRange({ days = 90, end = DEFAULT_END } = {}) {
  const toMs = Date.parse(end);
  if (!Number.isFinite(toMs) || toMs % 1000 !== 0) throw new Error(`bad --end ${end}`);
  const fromMs = toMs - days * 86400000;
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return { from: iso(fromMs), to: iso(toMs), fromMs, toMs };
}

// Generates and writes the CSV; returns a summary (rows, seconds, mix, profile activity).
export function generate({ events = 10_000_000, profiles = 1_000_000, days = 90, seed = 1,
  end = DEFAULT_END, out, quiet = false } = {}) {
  if (!out) throw new Error('generate: out is required');
  if (!(events >= 1 && profiles >= 1 && days >= 1)) throw new Error('generate: bad sizes');
  const t0 = Date.now();
  const log = quiet ? () => {} : (m) => process.stderr.write(`generate: ${m}\n`);
  const rnd = makeRandom(seed);
  const { fromMs } = dataRange({ days, end });
  const startSec = fromMs / 1000;
  const rangeSec = days * 86400;
  const cap = Math.max(50, Math.min(5000, 60 * days), Math.ceil((4 * events) / profiles));
  if (events > profiles * cap || cap * 200 > rangeSec) {
    throw new Error(`generate: ${events} events do not fit ${profiles} profiles over ${days} days`);
  }
  const counts = eventsPerProfile(events, profiles, cap, rnd);
  log(`${events} events, ${profiles} profiles, ${days} days, seed ${seed}; counts ready`);

  // All events, in profile order: relative second, profile, code, source, category, revenue.
  const sec = new Uint32Array(events);
  const prof = new Uint32Array(events);
  const code = new Uint8Array(events);
  const src = new Uint8Array(events);
  const cat = new Uint8Array(events);
  const rev = new Uint32Array(events); // cents
  const subMs = new Uint16Array(profiles + 1); // each profile's sub-second part, in ms

  const sourceCum = cumulative(SOURCE_WEIGHTS);
  const categoryCum = cumulative(CATEGORY_WEIGHTS);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());

  // The rhythm of activity: an hourly weight (low at 04:00 UTC, high at 16:00; weekends 80 %),
  // its cumulative sum, and warp(a, b, v): the time in [a, b] (seconds into the range) below
  // which a fraction v of the activity between a and b falls.
  const hours = days * 24;
  const weight = new Float64Array(hours);
  const cdf = new Float64Array(hours + 1);
  for (let h = 0; h < hours; h++) {
    const at = new Date((startSec + h * 3600) * 1000);
    const dow = at.getUTCDay();
    weight[h] = (0.35 + 0.65 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (at.getUTCHours() - 4)) / 24))) *
      (dow === 0 || dow === 6 ? 0.8 : 1);
    cdf[h + 1] = cdf[h] + weight[h];
  }
  const cdfAt = (t) => {
    const h = Math.min(hours - 1, Math.floor(t / 3600));
    return cdf[h] + (weight[h] * (t - h * 3600)) / 3600;
  };
  const warp = (a, b, v) => {
    const ca = cdfAt(a), target = ca + v * (cdfAt(b) - ca);
    let lo = 0, hi = hours; // cdf[lo] <= target < cdf[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] <= target) lo = mid;
      else hi = mid;
    }
    return Math.min(b, Math.max(a, lo * 3600 + ((target - cdf[lo]) / weight[lo]) * 3600));
  };

  // Scratch for one profile: event offsets within their session, and session boundaries.
  const off = new Uint32Array(cap);
  const sessStart = new Uint32Array(cap + 1); // index of a session's first event
  const sessDur = new Uint32Array(cap);
  const place = new Float64Array(cap);

  let n = 0; // events written so far
  for (let p = 1; p <= profiles; p++) {
    const c = counts[p - 1];
    if (c === 0) continue;
    subMs[p] = Math.floor(rnd() * 1000);
    const first = n;
    const existing = rnd() < 0.25; // a customer from before the range: no sign-up, known
    const signsUp = !existing && rnd() < 0.4;
    let known = existing;
    const buy = Math.exp(0.6 * normal() - 0.1); // propensity to buy
    const favourite = pick(categoryCum, rnd());
    let pendingCart = false;
    let signedUp = false;
    let sessions = 0;

    // Sessions until the profile's events are spent.
    while (n - first < c) {
      const limit = first + c;
      sessStart[sessions] = n - first;
      let t = 0; // seconds since the session's start
      const emit = (e, s, k) => {
        if (n >= limit) return false;
        off[n - first] = t;
        prof[n] = p;
        code[n] = e;
        src[n] = s;
        cat[n] = k;
        if (e === ORD) rev[n] = Math.max(199, Math.round(100 * Math.exp(3.6 + 0.7 * normal())));
        n++;
        t += 3 + Math.floor(rnd() * rnd() * 150);
        return true;
      };
      let source = pick(sourceCum, rnd());
      let category = rnd() < 0.6 ? favourite : pick(categoryCum, rnd());
      let state;
      const u = rnd();
      if (known && rnd() < 0.3) emit(IDENT, 0, 0);
      if (sessions > 0 && pendingCart && u < 0.35) {
        state = CART; // back for the abandoned cart
      } else if (u < 0.50 && u >= 0.35) {
        source = NEWSLETTER;
        emit(EOPEN, source, 0);
        state = rnd() < 0.3 ? ECLICK : END;
      } else {
        state = PV;
      }
      let pageViews = 0;
      while (state !== END && n < limit) {
        emit(state, source, state === PV || state === SIGNUP || state === SIGNIN ||
          state === ECLICK ? 0 : category);
        const r = rnd();
        switch (state) {
          case PV:
            pageViews++;
            if (signsUp && !signedUp && r < 0.6) state = SIGNUP;
            else if (known && r < 0.03) state = SIGNIN;
            else if (r < 0.27) state = PV;
            else if (r < 0.66) state = PRV;
            else if (r < 0.76) state = SRCH;
            else state = END;
            break;
          case SRCH:
            state = r < 0.65 ? PRV : r < 0.85 ? PV : END;
            break;
          case PRV:
            if (rnd() < 0.15) category = pick(categoryCum, rnd());
            if (r < 0.30 * Math.min(buy, 2.5)) state = ADD;
            else if (r < 0.50) state = PRV;
            else if (r < 0.80) state = PV;
            else state = END;
            break;
          case ADD:
            pendingCart = true;
            state = r < 0.30 ? CART : r < 0.50 ? CHK : r < 0.70 ? PRV : r < 0.75 ? REMOVE : END;
            break;
          case REMOVE:
            state = r < 0.5 ? PRV : END;
            break;
          case CART:
            state = r < 0.45 ? CHK : r < 0.65 ? PRV : END;
            break;
          case CHK:
            state = r < Math.min(0.9, 0.55 * buy) ? ORD : r < 0.8 ? END : PV;
            break;
          case ORD:
            pendingCart = false;
            state = r < 0.25 ? PV : END;
            break;
          case SIGNUP:
            signedUp = true;
            known = true;
            state = IDENT;
            break;
          case SIGNIN:
            state = r < 0.6 ? IDENT : PV;
            break;
          case IDENT:
            state = PV;
            break;
          case ECLICK:
            state = PV;
            break;
          default:
            state = END;
        }
      }
      if (n < limit && rnd() < 0.02) emit(TICKET, 0, 0);
      if (n - first === sessStart[sessions]) continue; // nothing emitted (cannot happen)
      sessDur[sessions] = off[n - first - 1] + 1;
      sessions++;
    }

    // Place the sessions: ≥ 30 min apart (less when they would not fit). A new profile's first
    // session is anywhere in the range and later ones cluster after it; an existing customer's
    // (or a very active profile's) sessions spread over the whole range. Times follow the
    // daily and weekly rhythm (warp).
    let busy = 0;
    for (let j = 0; j < sessions; j++) busy += sessDur[j];
    let gap = 1800;
    if (busy + (sessions - 1) * gap > rangeSec) gap = Math.floor((rangeSec - busy) / Math.max(1, sessions - 1));
    const slack = rangeSec - busy - (sessions - 1) * gap;
    const spreadOut = existing || sessions > 20;
    const firstSeen = spreadOut ? 0 : Math.floor(warp(0, slack, rnd()));
    for (let j = 0; j < sessions; j++) place[j] = spreadOut ? rnd() : j === 0 ? 0 : Math.pow(rnd(), 1.6);
    const sorted = place.subarray(0, sessions).sort();
    let base = 0;
    for (let j = 0; j < sessions; j++) {
      const s0 = base + Math.floor(warp(firstSeen, slack, sorted[j]));
      const a = sessStart[j], b = j + 1 < sessions ? sessStart[j + 1] : c;
      for (let i = a; i < b; i++) sec[first + i] = s0 + off[i];
      base += sessDur[j] + gap;
    }
  }
  if (n !== events) throw new Error(`generate: internal: ${n} events made, ${events} wanted`);
  log(`events made in ${((Date.now() - t0) / 1000).toFixed(1)} s; sorting by time`);

  // Time order: counting sort into hour buckets, then each bucket by (ms in hour, index).
  const bucketStart = new Uint32Array(hours + 1);
  for (let i = 0; i < events; i++) bucketStart[Math.floor(sec[i] / 3600) + 1]++;
  let maxBucket = 0;
  for (let h = 0; h < hours; h++) {
    maxBucket = Math.max(maxBucket, bucketStart[h + 1]);
    bucketStart[h + 1] += bucketStart[h];
  }
  const order = new Uint32Array(events);
  const fill = bucketStart.slice(0, hours);
  for (let i = 0; i < events; i++) order[fill[Math.floor(sec[i] / 3600)]++] = i;
  const shift = 2 ** Math.max(1, Math.ceil(Math.log2(maxBucket + 1)));
  const keys = new Float64Array(maxBucket);

  // Rows are written as bytes into a buffer (no strings per row), flushed every 8 MB.
  const tmp = `${out}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  const enc = (s) => new Uint8Array(Buffer.from(s));
  const middle = EV.map((e) => enc(`,${e[1]},${e[0]},`)); // ",type,event,"
  const srcBytes = SOURCES.map((x) => enc(`${x},`));
  const catBytes = CATEGORIES.map((x) => enc(`${x},`));
  const mix = new Float64Array(EV.length);
  const buf = Buffer.allocUnsafe(1 << 23);
  let pos = 0;
  const put = (b) => {
    for (let k = 0; k < b.length; k++) buf[pos++] = b[k];
  };
  const putUint = (x) => {
    let digits = 1;
    for (let p = 10; p <= x; p *= 10) digits++;
    for (let k = pos + digits - 1; k >= pos; k--) {
      const q = Math.floor(x / 10);
      buf[k] = 48 + x - q * 10;
      x = q;
    }
    pos += digits;
  };
  put(enc(HEADER + '\n'));
  for (let h = 0; h < hours; h++) {
    const a = bucketStart[h], len = bucketStart[h + 1] - a;
    for (let j = 0; j < len; j++) {
      const i = order[a + j];
      keys[j] = ((sec[i] % 3600) * 1000 + subMs[prof[i]]) * shift + j;
    }
    const ks = keys.subarray(0, len).sort();
    for (let j = 0; j < len; j++) {
      const i = order[a + (ks[j] % shift)];
      const e = code[i];
      mix[e]++;
      // ts_us: the second, then the millisecond (3 digits), then "000".
      putUint(startSec + sec[i]);
      const ms = subMs[prof[i]];
      buf[pos++] = 48 + Math.floor(ms / 100);
      buf[pos++] = 48 + (Math.floor(ms / 10) % 10);
      buf[pos++] = 48 + (ms % 10);
      buf[pos++] = 48;
      buf[pos++] = 48;
      buf[pos++] = 48;
      buf[pos++] = 44; // ,
      putUint(prof[i]);
      put(middle[e]);
      put(srcBytes[src[i]]);
      put(catBytes[cat[i]]);
      if (rev[i]) {
        putUint(Math.floor(rev[i] / 100));
        buf[pos++] = 46; // .
        buf[pos++] = 48 + (Math.floor(rev[i] / 10) % 10);
        buf[pos++] = 48 + (rev[i] % 10);
      }
      buf[pos++] = 10;
      if (pos > buf.length - 512) {
        fs.writeSync(fd, buf, 0, pos);
        pos = 0;
      }
    }
  }
  fs.writeSync(fd, buf, 0, pos);
  fs.closeSync(fd);
  fs.renameSync(tmp, out);

  const seconds = (Date.now() - t0) / 1000;
  let few = 0, max = 0;
  for (let i = 0; i < profiles; i++) {
    if (counts[i] >= 1 && counts[i] <= 5) few++;
    max = Math.max(max, counts[i]);
  }
  const summary = {
    rows: events, profiles, days, seed, seconds, out,
    mix: Object.fromEntries(EV.map((e, i) => [e[0] || '(identify)', +(100 * mix[i] / events).toFixed(2)])),
    profiles_with_1_to_5_events: +(100 * few / profiles).toFixed(1),
    max_events_of_a_profile: max,
  };
  log(`${events} rows in ${seconds.toFixed(1)} s → ${out}`);
  return summary;
}

export function parseArgs(argv, defaults) {
  const args = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (!(key in defaults)) throw new Error(`unknown option ${a}`);
    if (typeof defaults[key] === 'boolean') args[key] = true;
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      args[key] = typeof defaults[key] === 'number' ? Number(v) : v;
      if (typeof defaults[key] === 'number' && !Number.isFinite(args[key])) throw new Error(`${a}: not a number`);
    }
  }
  return args;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const a = parseArgs(process.argv.slice(2), {
      events: 10_000_000, profiles: 1_000_000, days: 90, seed: 1, end: DEFAULT_END,
      out: 'events.csv', quiet: false,
    });
    const summary = generate(a);
    console.log(JSON.stringify(summary));
  } catch (e) {
    console.error(`generate: ${e.message}`);
    process.exit(2);
  }
}
