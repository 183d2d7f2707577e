// Rapport's side of the warehouse benchmark, through the contract of its bench binary
// (build/bench/warehouse_bench, or RAPPORT_WAREHOUSE_BENCH):
//   warehouse_bench load --csv FILE --dir DIR
//       loads the generator's CSV into a warehouse directory; prints {"rows":N,"seconds":S}
//   warehouse_bench query --dir DIR --spec JSON --repeat R
//       runs the query R times; prints {"seconds":[...],"result":{...}}
// Each prints one JSON line on stdout (the last non-empty line is read); anything on stderr is
// shown when the command fails.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RAPPORT_BIN = process.env.RAPPORT_WAREHOUSE_BENCH ||
  path.join(ROOT, 'build/bench/warehouse_bench');

// Why the binary cannot be run, or null when it can.
export function rapportMissing(bin = DEFAULT_RAPPORT_BIN) {
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return null;
  } catch {
    return `${path.relative(process.cwd(), bin) || bin} does not exist yet (build it: cmake --build build --target warehouse_bench)`;
  }
}

function runJson(bin, args) {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      const line = out.trim().split('\n').filter(Boolean).pop() ?? '';
      const shown = `${path.basename(bin)} ${args.map((a) => (a.includes(' ') || a.includes('"') ? `'${a}'` : a)).join(' ')}`;
      if (code !== 0) {
        fail(new Error(`${shown} failed (${signal ?? `exit ${code}`}):\n${(err || out).trim().slice(-2000)}`));
        return;
      }
      try {
        ok(JSON.parse(line));
      } catch {
        fail(new Error(`${shown}: not a JSON line on stdout: ${line.slice(0, 500)}`));
      }
    });
  });
}

export async function rapportLoad(bin, csv, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  const r = await runJson(bin, ['load', '--csv', csv, '--dir', dir]);
  if (typeof r.rows !== 'number' || typeof r.seconds !== 'number') {
    throw new Error(`load: expected {"rows":N,"seconds":S}, got ${JSON.stringify(r).slice(0, 300)}`);
  }
  return r;
}

export async function rapportQuery(bin, dir, spec, repeat) {
  const r = await runJson(bin, ['query', '--dir', dir, '--spec', JSON.stringify(spec), '--repeat', String(repeat)]);
  if (!Array.isArray(r.seconds) || !r.seconds.length || typeof r.result !== 'object') {
    throw new Error(`query: expected {"seconds":[...],"result":{...}}, got ${JSON.stringify(r).slice(0, 300)}`);
  }
  return r;
}
