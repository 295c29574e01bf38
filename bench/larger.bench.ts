/**
 * Metric learners on a larger set than the shipped ones, beside metric-learn 0.7 in the same
 * run: how the speed targets hold where every fit is long enough to compare. The set is
 * synthetic and regenerated from a seed each run (6000 points, 50 features, 10 Gaussian
 * classes: centres N(0, 1.5²) per feature, unit noise; 5 random folds), written with its folds
 * to a temporary folder, and run through the protocol of record (src/evaluation/cross-
 * validate.ts) on our side and bench/metric-learn-peer.py on the other.
 *
 *   SIMLEARN_PEER_PYTHONPATH=<metric-learn copy> npm run bench -- larger
 *   BENCH_ALGOS=nca,lfda npm run bench -- larger
 *
 * LMNN and SCML are left out by default: metric-learn takes ~110 s and ~19 s per fold on them.
 * Without metric-learn, our side alone is reported. Fit times are CPU seconds, one BLAS thread.
 * Writes bench/results/larger.md (unfiltered runs only).
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readdirSync } from 'node:fs';
import { getBackend } from '../src/backend/index.js';
import { readDataset, readFolds } from '../src/io/index.js';
import { crossValidate } from '../src/evaluation/cross-validate.js';
import { Random } from '../src/random.js';
import { cpuModel } from './cpu-model.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_ALGOS = ['covariance', 'nca', 'lfda', 'rca', 'itml', 'lsml', 'mmc', 'sdml'];
const NAME = 'gauss6000';

/** The set and its folds as CSV files in dir (label last, as data/*.csv). */
function writeSet(dir: string): void {
  const n = 6000, d = 50, classes = 10;
  const r = new Random(0);
  const centres = r.fillNormal(new Float64Array(classes * d), 0, 1.5);
  const lines = [[...Array.from({ length: d }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let i = 0; i < n; i++) {
    const c = r.int(classes);
    const row: string[] = [];
    for (let j = 0; j < d; j++) row.push((centres[c * d + j] + r.normal()).toFixed(5));
    lines.push(`${row.join(',')},${c}`);
  }
  writeFileSync(join(dir, `${NAME}.csv`), lines.join('\n') + '\n');
  const perm = r.permutation(n);
  writeFileSync(join(dir, `${NAME}.folds.csv`), ['row,fold', ...Array.from(perm, (row, k) => `${row},${k % 5}`)].join('\n') + '\n');
}

interface PeerCell { accuracy: { mean: number } | null; fitSeconds: { median: number } | null; error: string | null }

interface PeerRun { version: string; results: Record<string, Record<string, PeerCell>> }

function runPeer(dir: string, algos: string[]): PeerRun | null {
  if (process.env.BENCH_PEER === 'off') return null;
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const extra = process.env.SIMLEARN_PEER_PYTHONPATH;
  const env = { ...process.env, ...(extra ? { PYTHONPATH: [extra, process.env.PYTHONPATH].filter(Boolean).join(':') } : {}) };
  if (spawnSync(python, ['-c', 'import metric_learn'], { env }).status !== 0) {
    console.error('metric-learn is not importable here (set SIMLEARN_PEER_PYTHONPATH to a copy of it): our side only');
    return null;
  }
  console.error(`running metric-learn side by side (${algos.join(', ')}); BENCH_PEER=off skips this`);
  const r = spawnSync(python, [join(ROOT, 'bench', 'metric-learn-peer.py'), '--data-dir', dir, '--datasets', NAME, '--algos', algos.join(',')],
    { env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    console.error(`metric-learn side-by-side run failed (exit ${r.status}): our side only`);
    return null;
  }
  return JSON.parse(r.stdout) as PeerRun;
}

async function main(): Promise<void> {
  for (const f of readdirSync(join(ROOT, 'src', 'metric'))) if (f.endsWith('.ts') && !f.endsWith('.d.ts')) await import(pathToFileURL(join(ROOT, 'src', 'metric', f)).href);
  getBackend().setThreads(1);
  const filtered = process.env.BENCH_ALGOS !== undefined;
  const algos = filtered ? process.env.BENCH_ALGOS!.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : DEFAULT_ALGOS;
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-larger-'));
  try {
    writeSet(dir);
    const ds = readDataset(join(dir, `${NAME}.csv`));
    const folds = readFolds(join(dir, `${NAME}.folds.csv`), ds.X.rows);
    const peer = runPeer(dir, algos.filter((a) => a !== 'euclidean' && a !== 'mlkr'));
    const rows = ['| algorithm | accuracy (ours) | metric-learn | fit s (ours, median) | metric-learn s (median) | ratio | speed target ≤ 0.2× |', '|---|---|---|---|---|---|---|'];
    console.log(rows[0]);
    for (const algo of algos) {
      const r = crossValidate(ds.X, ds.y as (number | string)[], { algorithm: algo, folds, task: 'classification' });
      const p = peer?.results[algo]?.[NAME];
      const ours = r.fitSeconds.median;
      const theirs = p?.fitSeconds?.median;
      let verdict = '–';
      if (theirs !== undefined) verdict = theirs < 0.05 ? 'below 0.05 s: not comparable' : ours <= 0.2 * theirs ? '✓' : '✗';
      const line = `| ${algo} | ${r.accuracy!.mean.toFixed(4)} | ${p ? (p.accuracy ? p.accuracy.mean.toFixed(4) : `fails (${(p.error ?? '').slice(0, 60)})`) : '–'} | ${ours.toPrecision(3)} | ${theirs !== undefined ? theirs.toPrecision(3) : '–'} | ${theirs ? (ours / theirs).toFixed(3) : '–'} | ${verdict} |`;
      rows.push(line);
      console.log(line);
    }
    if (filtered) {
      console.log('filtered run: bench/results/larger.md left unchanged');
      return;
    }
    const out = [
      '## Metric learning on a larger synthetic set, beside metric-learn',
      '',
      `Command: \`SIMLEARN_PEER_PYTHONPATH=<metric-learn copy> npm run bench -- larger\`. Date: ${new Date().toISOString().slice(0, 10)}. Backend: ${getBackend().name}, 1 thread. CPU: ${cpuModel()}. Peer: ${peer ? `metric-learn ${peer.version}, run in the same bench` : 'none (metric-learn not importable): our side only'}.`,
      '',
      'Data: 6000 points, 50 features, 10 Gaussian classes (centres N(0, 1.5²) per feature, unit noise), regenerated from seed 0 each run; 5 random folds; the protocol of record on both sides (z-score per fold, default options, 3-NN). Fit time = median over folds of CPU seconds, ours in one process. LMNN and SCML are left out by default: on a similar set (numpy-generated, 2026-12-07) metric-learn took 112 s and 19 s on a fold, ours 8.2 s and 1.5 s (BENCH_ALGOS=lmnn,scml runs them).',
      '',
      ...rows,
      '',
    ];
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'larger.md'), out.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
