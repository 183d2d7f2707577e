// Black-box tests of how `rapport serve` takes its settings: a TOML file (--config or
// RAPPORT_CONFIG), RAPPORT_* environment variables, flags — each later one wins — and clear
// errors for bad settings.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, RapportServer, cli, freePort, requireBinary, sleep } from '../lib/server.mjs';

const dirs = [];
function tempDir() {
  const d = mkdtempSync(path.join(tmpdir(), 'rapport-settings-'));
  dirs.push(d);
  return d;
}

// Starts `rapport serve` with args and env; resolves with the port /readyz answered on.
async function serveAndFindPort(args, env, candidates) {
  requireBinary();
  const proc = spawn(BIN, ['serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  try {
    for (let i = 0; i < 100; i++) {
      for (const port of candidates) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/readyz`);
          if (r.status === 200) return port;
        } catch { /* not listening there */ }
      }
      if (proc.exitCode !== null) throw new Error(`serve exited ${proc.exitCode}: ${stderr}`);
      await sleep(50);
    }
    throw new Error(`serve never became ready on ${candidates}: ${stderr}`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.on('exit', resolve)));
  }
}

describe('settings', () => {
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  test('TOML file < RAPPORT_* environment < flags', async () => {
    const [pFile, pEnv, pFlag] = [await freePort(), await freePort(), await freePort()];
    const dir = tempDir();
    const config = path.join(dir, 'rapport.toml');
    writeFileSync(config, `[server]\nhttp = "127.0.0.1:${pFile}"\ndata = "${path.join(dir, 'data')}"\n`);
    const all = [pFile, pEnv, pFlag];
    assert.equal(await serveAndFindPort(['--config', config], {}, all), pFile);
    assert.equal(await serveAndFindPort([], { RAPPORT_CONFIG: config }, all), pFile);
    assert.equal(await serveAndFindPort(['--config', config], { RAPPORT_HTTP: `127.0.0.1:${pEnv}` }, all), pEnv);
    assert.equal(
      await serveAndFindPort(['--config', config, '--http', `127.0.0.1:${pFlag}`], { RAPPORT_HTTP: `127.0.0.1:${pEnv}` }, all),
      pFlag);
  });

  // With the kernel's transparent huge pages on request (madvise, Debian's default), the server's
  // heap asks for them unless told not to (common/huge_pages.h); /proc shows what it got.
  const thp = '/sys/kernel/mm/transparent_hugepage/enabled';
  const madvise = existsSync(thp) && readFileSync(thp, 'utf8').includes('[madvise]');
  test('the heap uses huge pages unless [server] huge_pages is off', { skip: !madvise && 'the kernel has no THP on request' }, async () => {
    const hugeKb = (pid) => Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]);
    for (const [setting, on] of [['1', true], ['off', false]]) {
      const s = await RapportServer.start({ env: { RAPPORT_HUGE_PAGES: setting } });
      try {
        assert.match(s.log, on ? /heap huge pages: on/ : /heap huge pages: off \(\[server\] huge_pages\)/);
        let kb = hugeKb(s.proc.pid);
        // The kernel may first fall back to small pages and collapse them a moment later.
        for (let i = 0; on && kb < 2048 && i < 50; i++) {
          await sleep(100);
          kb = hugeKb(s.proc.pid);
        }
        if (on) assert.ok(kb >= 2048, `${kb} kB of huge pages`);
        else assert.equal(kb, 0);
        assert.equal((await s.stop()).code, 0);
      } finally {
        await s.destroy();
      }
    }
  });

  test('a typo in the config file, a bad variable or a bad flag is refused with its name', () => {
    const dir = tempDir();
    const config = path.join(dir, 'bad.toml');
    writeFileSync(config, '[server]\nhttp_port = 8080\n');
    let r = cli(['serve', '--config', config, '--data', path.join(dir, 'data')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /unknown setting "http_port" in \[server\]/);
    r = cli(['serve', '--data', path.join(dir, 'data')], { env: { RAPPORT_THREADS: 'two' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /RAPPORT_THREADS: "two" is not an integer/);
    r = cli(['serve', '--data', path.join(dir, 'data'), '--http', 'no-port']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /http/);
  });
});
