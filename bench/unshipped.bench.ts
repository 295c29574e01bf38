/**
 * A data set we do not ship, beside metric-learn in the same run: scikit-learn's breast
 * cancer data (569 × 30, two classes; bundled with scikit-learn, so python3 writes it here
 * without a download), 5 stratified folds with seed 0, the protocol of record on both sides.
 * Ours runs as a user runs it: one fresh `simlearn cv` process per algorithm.
 *
 *   SIMLEARN_PEER_PYTHONPATH=<metric-learn copy> npm run bench -- unshipped
 *   BENCH_ALGOS=nca,itml npm run bench -- unshipped
 *
 * Without scikit-learn the bench says so and stops; without metric-learn, our side alone is
 * reported. Writes bench/results/unshipped.md (unfiltered runs only).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel } from './cpu-model.mjs';
import { TOO_SHORT, type LivePeerRun } from './metric-peer.js';
import { buildDist, runCv } from './cli-run.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = 'breast_cancer';
const ALGOS = ['euclidean', 'covariance', 'lmnn', 'nca', 'lfda', 'rca', 'itml', 'lsml', 'mmc', 'sdml', 'scml'];
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const WRITE_SET = `
import sys
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold
X, y = load_breast_cancer(return_X_y=True)
out = sys.argv[1]
with open(out + '/${NAME}.csv', 'w') as f:
    f.write(','.join('f%d' % i for i in range(X.shape[1])) + ',label\\n')
    for row, label in zip(X, y):
        f.write(','.join(repr(float(v)) for v in row) + ',%d\\n' % label)
with open(out + '/${NAME}.folds.csv', 'w') as f:
    f.write('row,fold\\n')
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)):
        for i in test:
            f.write('%d,%d\\n' % (i, k))
`;

function peerRun(dir: string, algos: string[]): LivePeerRun | null {
  if (process.env.BENCH_PEER === 'off') return null;
  const extra = process.env.SIMLEARN_PEER_PYTHONPATH;
  const env = { ...process.env, ...(extra ? { PYTHONPATH: [extra, process.env.PYTHONPATH].filter(Boolean).join(':') } : {}) };
  if (spawnSync(PYTHON, ['-c', 'import metric_learn'], { env }).status !== 0) {
    console.error('metric-learn is not importable here (set SIMLEARN_PEER_PYTHONPATH to a copy of it): our side only');
    return null;
  }
  console.error(`running metric-learn side by side (${algos.join(', ')}); its MMC takes about 25 s per fold`);
  const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'metric-learn-peer.py'), '--data-dir', dir, '--datasets', NAME, '--algos', algos.join(',')],
    { env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    console.error(`metric-learn side-by-side run failed (exit ${r.status}): our side only`);
    return null;
  }
  return JSON.parse(r.stdout) as LivePeerRun;
}

function main(): void {
  const filtered = process.env.BENCH_ALGOS !== undefined;
  const algos = filtered ? process.env.BENCH_ALGOS!.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : ALGOS;
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-unshipped-'));
  try {
    const w = spawnSync(PYTHON, ['-c', WRITE_SET, dir], { encoding: 'utf8' });
    if (w.status !== 0) {
      console.error(`scikit-learn is not importable by ${PYTHON}, so the breast cancer data cannot be written: bench skipped`);
      return;
    }
    buildDist();
    const live = peerRun(dir, algos.filter((a) => a !== 'euclidean'));
    const rows = ['| algorithm | accuracy (ours) | metric-learn | accuracy target | fit s (ours) | metric-learn s | ratio | speed target ≤ 0.2× |', '|---|---|---|---|---|---|---|---|'];
    console.log(rows[0]);
    let misses = 0;
    for (const algo of algos) {
      const r = runCv(algo, join(dir, `${NAME}.csv`), join(dir, `${NAME}.folds.csv`));
      const p = live?.results[algo]?.[NAME];
      const acc = r.accuracy;
      let accTarget = '–', peerAcc = '–', peerSec = '–', ratio = '–', speed = '–';
      if (p?.accuracy) {
        const floor = p.accuracy.mean - 0.5 * p.accuracy.std;
        const ok = acc.mean >= floor - 1e-9;
        if (!ok) misses++;
        accTarget = `≥ ${floor.toFixed(4)} ${ok ? '✓' : '✗'}`;
        peerAcc = `${p.accuracy.mean.toFixed(4)} ± ${p.accuracy.std.toFixed(4)}`;
      } else if (p?.error) peerAcc = `fails (${p.error.slice(0, 50)})`;
      const theirs = p?.fitSeconds?.median;
      if (theirs !== undefined && algo !== 'euclidean') {
        peerSec = theirs.toPrecision(3);
        ratio = (r.fitSeconds.median / theirs).toFixed(3);
        const ok = r.fitSeconds.median <= 0.2 * theirs;
        if (!ok && theirs >= TOO_SHORT) misses++;
        speed = ok ? '✓' : theirs < TOO_SHORT ? '✗ (below 0.05 s: not comparable)' : '✗';
      }
      const line = `| ${algo} | ${acc.mean.toFixed(4)} ± ${acc.std.toFixed(4)} | ${peerAcc} | ${accTarget} | ${r.fitSeconds.median.toPrecision(3)} | ${peerSec} | ${ratio} | ${speed} |`;
      rows.push(line);
      console.log(line);
    }
    if (filtered) {
      console.log('filtered run: bench/results/unshipped.md left unchanged');
      return;
    }
    const out = [
      '## A data set we do not ship: breast cancer, beside metric-learn',
      '',
      `Command: \`SIMLEARN_PEER_PYTHONPATH=<metric-learn copy> npm run bench -- unshipped\`. Date: ${new Date().toISOString().slice(0, 10)}. CPU: ${cpuModel()}. One BLAS thread on both sides.`,
      '',
      `scikit-learn's breast cancer data (569 × 30, two classes), 5 stratified folds (seed 0), the protocol of record (z-score per fold, default options, 3-NN). Ours: one fresh \`simlearn cv\` process per algorithm, fit time = median over folds of CPU seconds. metric-learn ${live ? `${live.version}` : '(not importable in this run)'}: bench/metric-learn-peer.py on the same files. Targets as for the shipped sets: mean ≥ metric-learn's mean − ½ std, fit ≤ 0.2× where metric-learn takes 0.05 s or more.`,
      '',
      ...rows,
      '',
      `Targets missed: ${misses}. MMC: see docs/mmc-on-digits.md §6 (our MMC solves Xing et al.'s problem to its optimum, which on this set scores below Euclidean distance; metric-learn's metric hardly leaves the identity because its projection loop never reaches its tolerance).`,
      '',
    ];
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'unshipped.md'), out.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
