// DuckDB as a peer: @duckdb/node-api (declared in tests/package.json, installed by
// scripts/setup), two threads, one `events` table loaded from the generator's CSV with
// read_csv. The database is in memory by default (DuckDB at its fastest here: scans of
// uncompressed in-memory columns beat its compressed file format, warm or not), or in a file in
// a temporary directory with {memory: false}. Owns the instance; close() releases it and removes
// the directory.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/package.json', import.meta.url));

// Why DuckDB cannot be used here, or null when it can.
export function duckdbMissing() {
  try {
    require.resolve('@duckdb/node-api');
    return null;
  } catch {
    return '@duckdb/node-api is not installed (run scripts/setup: npm ci in tests/)';
  }
}

// The table, with the CSV's columns renamed: ts TIMESTAMP (µs), profile, type, event, source
// (context.campaign.source), category (properties.category), revenue (properties.revenue).
// Empty CSV fields are NULL.
const CSV_COLUMNS = `{'ts_us': 'BIGINT', 'profile': 'UINTEGER', 'type': 'VARCHAR', 'event': 'VARCHAR',
  'context.campaign.source': 'VARCHAR', 'properties.category': 'VARCHAR',
  'properties.revenue': 'DECIMAL(12,2)'}`;

export class DuckDB {
  static async open({ memory = true, threads = 2, dir } = {}) {
    const missing = duckdbMissing();
    if (missing) throw new Error(missing);
    const { DuckDBInstance } = require('@duckdb/node-api');
    const tmp = fs.mkdtempSync(path.join(dir ?? os.tmpdir(), 'rapport-duckdb-'));
    const file = memory ? ':memory:' : path.join(tmp, 'events.duckdb');
    const instance = await DuckDBInstance.create(file, { threads: String(threads) });
    const conn = await instance.connect();
    const db = new DuckDB(instance, conn, tmp);
    await db.run(`SET threads = ${threads}`);
    await db.run(`SET temp_directory = '${tmp}/spill'`);
    return db;
  }

  constructor(instance, conn, tmp) {
    this.instance = instance;
    this.conn = conn;
    this.tmp = tmp;
  }

  async run(sql) {
    await this.conn.run(sql);
  }

  // Rows as arrays of JS values (BIGINT as Number: every count here is < 2^53).
  async rows(sql) {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRows().map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
  }

  // Loads the CSV into `events`; returns {rows, seconds}.
  async load(csv) {
    const t0 = performance.now();
    await this.run('DROP TABLE IF EXISTS events');
    await this.run(`CREATE TABLE events AS
      SELECT make_timestamp(ts_us) AS ts, profile, type, event,
             "context.campaign.source" AS source, "properties.category" AS category,
             "properties.revenue" AS revenue
      FROM read_csv('${csv.replaceAll("'", "''")}', header = true, delim = ',', quote = '"',
                    columns = ${CSV_COLUMNS})`);
    await this.run('CHECKPOINT');
    const seconds = (performance.now() - t0) / 1000;
    const [[rows]] = await this.rows('SELECT count(*) FROM events');
    return { rows, seconds };
  }

  close() {
    try {
      this.conn.closeSync();
      this.instance.closeSync();
    } finally {
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}
