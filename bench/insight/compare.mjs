// The CLV benchmark (DESIGN.md: BG/NBD + Gamma-Gamma fit and scoring of 1 M customers ≤ 2 s):
// Rapport's clv_bench against the peer (clv_peer.py: lifetimes' method on NumPy/SciPy) on the
// same simulated customers, in one run; prints both and the ratio. Never fails on a time.
//   node bench/insight/compare.mjs [--customers N] [--bin build/bench/clv_bench] [--work DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((out, a, i, all) => (a.startsWith('--') ? [...out, [a.slice(2), all[i + 1]]] : out), []));
const customers = Number(args.customers ?? 1000000);
const bin = args.bin ?? process.env.RAPPORT_CLV_BENCH ?? path.join(here, '..', '..', 'build', 'bench', 'clv_bench');
const work = args.work ?? '/tmp/rapport-clv-bench';
mkdirSync(work, { recursive: true });
const csv = path.join(work, `customers-${customers}.csv`);

const run = (cmd, argv) => JSON.parse(execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').pop());
const rapport = run(bin, ['--customers', String(customers), '--csv', csv]);
console.log(`rapport: ${JSON.stringify(rapport)}`);
let peer;
try {
  peer = run('/usr/bin/python3', [path.join(here, 'clv_peer.py'), csv]);
  console.log(`peer:    ${JSON.stringify(peer)}`);
} catch (e) {
  console.log(`peer: not run (${e.message.split('\n')[0]}); scripts/setup --bench installs python3-scipy`);
}
const row = (name, key) => {
  const r = rapport[key];
  const p = peer?.[key];
  return `| ${name} | ${r.toFixed(3)} s | ${p === undefined ? '—' : p.toFixed(3) + ' s'} | ${p === undefined ? '—' : (p / r).toFixed(1) + '×'} |`;
};
console.log(`\nCLV, ${customers.toLocaleString('en')} customers (${rapport.cells.toLocaleString('en')} distinct (x, t_x, T)); target ≤ 2 s in all\n`);
console.log('| step | Rapport | NumPy/SciPy (lifetimes\' method) | ratio |');
console.log('| --- | --- | --- | --- |');
for (const [name, key] of [['BG/NBD fit', 'fit_bgnbd_s'], ['Gamma-Gamma fit', 'fit_gamma_gamma_s'], ['scoring (P(alive), 12-month purchases, CLV)', 'score_s'], ['total', 'total_s']]) console.log(row(name, key));
console.log(`\nparameters: Rapport ${JSON.stringify(rapport.bgnbd)} ${JSON.stringify(rapport.gamma_gamma)}`);
if (peer) console.log(`            peer    ${JSON.stringify(peer.bgnbd)} ${JSON.stringify(peer.gamma_gamma)}`);
if (peer) console.log(`mean 12-month CLV: Rapport ${rapport.mean_clv_12m}, peer ${peer.mean_clv_12m}`);
