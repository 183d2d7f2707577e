// ClickHouse as a peer: a clickhouse-server (Debian's 18.16) started here, on 127.0.0.1 only,
// with its own config, data and logs in a fresh directory under the OS temp dir and two free
// ports (never the default 8123/9000), UTC, max_threads = 2. Data goes in through
// clickhouse-client (native protocol), queries through the HTTP interface. stop() shuts the
// server down and removes the directory; a server still running when this process exits is
// killed. Runs as root as well as any other user.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const running = new Set();
let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const s of running) s.killNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const s of running) s.killNow();
      process.exit(128 + os.constants.signals[sig]);
    });
  }
}

function onPath(cmd) {
  return (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .concat(['/usr/sbin', '/usr/bin'])
    .some((d) => d && fs.existsSync(path.join(d, cmd)));
}

// Why ClickHouse cannot be used here, or null when it can.
export function clickhouseMissing() {
  for (const cmd of ['clickhouse-server', 'clickhouse-client']) {
    if (!onPath(cmd)) return `${cmd} is not installed (apt-get install clickhouse-server clickhouse-client)`;
  }
  return null;
}

function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// The events table: the CSV's columns (dots dropped from the names) plus ts, the second.
// Strings are LowCardinality (18.16: experimental, enabled in the profile below); absent
// source/category are '' and absent revenue 0, as ClickHouse users store them.
export const EVENTS_DDL = `CREATE TABLE events (
  ts_us Int64,
  ts DateTime DEFAULT toDateTime(intDiv(ts_us, 1000000)),
  profile UInt32,
  type LowCardinality(String),
  event LowCardinality(String),
  source LowCardinality(String),
  category LowCardinality(String),
  revenue Float64
) ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (profile, ts)`;

export class ClickHouse {
  static async start({ threads = 2, log = () => {} } = {}) {
    const missing = clickhouseMissing();
    if (missing) throw new Error(missing);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-clickhouse-'));
    const httpPort = await freePort();
    let tcpPort = await freePort();
    while (tcpPort === httpPort) tcpPort = await freePort();
    for (const d of ['data', 'tmp', 'user_files', 'log']) fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, 'config.xml'), `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/error.log</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>2147483648</mark_cache_size>
  <uncompressed_cache_size>2147483648</uncompressed_cache_size>
  <max_concurrent_queries>16</max_concurrent_queries>
</yandex>
`);
    fs.writeFileSync(path.join(dir, 'users.xml'), `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_threads>${threads}</max_threads>
      <max_memory_usage>12000000000</max_memory_usage>
      <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`);
    const out = fs.openSync(path.join(dir, 'log', 'stdout.log'), 'w');
    const child = spawn('clickhouse-server', [`--config-file=${dir}/config.xml`], {
      stdio: ['ignore', out, out],
      cwd: dir,
    });
    fs.closeSync(out);
    const ch = new ClickHouse(child, dir, httpPort, tcpPort);
    installHandlers();
    running.add(ch);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (ch.exited) {
        const tail = ch.logTail();
        ch.cleanup();
        throw new Error(`clickhouse-server exited at start:\n${tail}`);
      }
      try {
        const r = await fetch(`http://127.0.0.1:${httpPort}/ping`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        const tail = ch.logTail();
        await ch.stop();
        throw new Error(`clickhouse-server did not answer within 60 s:\n${tail}`);
      }
      await sleep(100);
    }
    log(`clickhouse-server ${(await ch.query('SELECT version()')).trim()} on 127.0.0.1:${httpPort}/${tcpPort}, dir ${dir}`);
    return ch;
  }

  constructor(child, dir, httpPort, tcpPort) {
    this.child = child;
    this.dir = dir;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
    this.exited = false;
    child.on('exit', () => {
      this.exited = true;
    });
  }

  logTail() {
    let s = '';
    for (const f of ['stdout.log', 'error.log']) {
      try {
        s += fs.readFileSync(path.join(this.dir, 'log', f), 'utf8').split('\n').slice(-15).join('\n');
      } catch {
        // no such log
      }
    }
    return s;
  }

  // The answer's text (TabSeparated unless the query says otherwise); throws with the server's
  // message on an error.
  async query(sql) {
    const r = await fetch(`http://127.0.0.1:${this.httpPort}/?database=default`, { method: 'POST', body: sql });
    const text = await r.text();
    if (!r.ok) throw new Error(`clickhouse: ${text.trim()}\nquery: ${sql}`);
    return text;
  }

  // Rows of a TabSeparated answer, as arrays of strings.
  async rows(sql) {
    const text = await this.query(`${sql}\nFORMAT TabSeparated`);
    return text.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  }

  // Creates `events` and loads the CSV through clickhouse-client; then merges the parts
  // (OPTIMIZE ... FINAL) so that every run reads the same layout. Returns
  // {rows, seconds (the INSERT), optimize_seconds}.
  async load(csv) {
    await this.query('DROP TABLE IF EXISTS events');
    await this.query(EVENTS_DDL);
    const t0 = performance.now();
    const fd = fs.openSync(csv, 'r');
    const client = spawn('clickhouse-client', ['--host', '127.0.0.1', '--port', String(this.tcpPort),
      '--query', 'INSERT INTO events (ts_us, profile, type, event, source, category, revenue) FORMAT CSVWithNames'],
    { stdio: [fd, 'ignore', 'pipe'] });
    fs.closeSync(fd);
    let err = '';
    client.stderr.on('data', (d) => (err += d));
    const code = await new Promise((ok) => client.on('exit', ok));
    if (code !== 0) throw new Error(`clickhouse-client INSERT failed (${code}): ${err.trim()}`);
    const seconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    await this.query('OPTIMIZE TABLE events FINAL');
    const optimize = (performance.now() - t1) / 1000;
    const rows = Number((await this.query('SELECT count() FROM events')).trim());
    return { rows, seconds, optimize_seconds: optimize };
  }

  killNow() {
    if (!this.exited) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    this.cleanup();
  }

  cleanup() {
    running.delete(this);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async stop() {
    if (!this.exited) {
      // The data is thrown away: a short grace period (the server waits for idle keep-alive
      // connections), then SIGKILL.
      this.child.kill('SIGTERM');
      const deadline = Date.now() + 2_000;
      while (!this.exited && Date.now() < deadline) await sleep(100);
      if (!this.exited) this.child.kill('SIGKILL');
      while (!this.exited) await sleep(50);
    }
    this.cleanup();
  }
}
