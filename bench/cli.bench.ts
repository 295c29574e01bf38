/**
 * `simlearn cv` as a user, or anyone checking our figures, runs it: a fresh process per run,
 * so each fit pays what a short-lived process pays (V8 compiling our JavaScript, first calls
 * into the addon) on top of the fit itself. The metric bench runs every fold in one warm
 * process; this one shows how far that is from a cold start.
 *
 *   npm run bench -- cli
 *   BENCH_ALGOS=lsml,sdml BENCH_DATA=digits BENCH_RUNS=6 npm run bench -- cli
 *   BENCH_PEER_RESULTS=<saved run of bench/metric-learn-peer.py> npm run bench -- cli
 *
 * Each run prints the median of its folds' fit CPU seconds; the table gives the median of
 * BENCH_RUNS (default 3) runs and their range. The reference is a saved same-machine run of
 * metric-learn when BENCH_PEER_RESULTS names one, else the figures quoted from
 * shared/peers/metric-learn.md. Builds dist/ first (the CLI runs the compiled code).
 * Writes bench/results/cli.md (unfiltered runs only).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel } from './cpu-model.mjs';
import { PEER, TOO_SHORT, savedPeerRun } from './metric-peer.js';
import { buildDist, runCv } from './cli-run.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALGOS = ['covariance', 'lmnn', 'nca', 'itml', 'lsml', 'mmc', 'sdml', 'rca', 'lfda', 'scml'];
const SETS = ['iris', 'wine', 'digits'];

function list(env: string | undefined): string[] | null {
  return env ? env.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : null;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function main(): void {
  const started = performance.now();
  const algos = list(process.env.BENCH_ALGOS) ?? ALGOS;
  const sets = list(process.env.BENCH_DATA) ?? SETS;
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`BENCH_RUNS must be a positive integer, got ${process.env.BENCH_RUNS}`);
  buildDist();
  const live = savedPeerRun();
  const rows = [
    '| algorithm | data | accuracy | fit s, median of runs | range over runs | metric-learn s | ratio | target ≤ 0.2 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  console.log(rows[0]);
  let misses = 0;
  for (const algo of algos) {
    for (const data of sets) {
      const peer = PEER[algo]?.[data];
      const fits: number[] = [];
      let acc = '';
      for (let r = 0; r < runs; r++) {
        const j = runCv(algo, join(ROOT, 'data', `${data}.csv`), join(ROOT, 'data', `${data}.folds.csv`));
        fits.push(j.fitSeconds.median);
        acc = `${j.accuracy.mean.toFixed(4)} ± ${j.accuracy.std.toFixed(4)}`;
      }
      const fit = median(fits);
      const ref = live?.results[algo]?.[data]?.fitSeconds?.median ?? peer?.seconds;
      let ratio = '–', target = peer === null ? 'metric-learn fails' : '–', refText = '–';
      if (ref !== undefined) {
        refText = ref.toPrecision(3);
        ratio = (fit / ref).toFixed(3);
        const ok = fit <= 0.2 * ref;
        if (!ok && ref >= TOO_SHORT) misses++;
        target = ok ? '✓' : ref < TOO_SHORT ? '✗ (below 0.05 s: not comparable)' : '✗';
      }
      const line = `| ${algo} | ${data} | ${acc} | ${fit.toFixed(4)} | ${Math.min(...fits).toFixed(4)}–${Math.max(...fits).toFixed(4)} | ${refText} | ${ratio} | ${target} |`;
      rows.push(line);
      console.log(line);
    }
  }
  const md = [
    '## `simlearn cv` in fresh processes',
    '',
    `Command: \`${process.env.BENCH_PEER_RESULTS ? 'BENCH_PEER_RESULTS=<saved peer run> ' : ''}npm run bench -- cli\`. Date: ${new Date().toISOString().slice(0, 10)}. CPU: ${cpuModel()}. One BLAS thread.`,
    '',
    `Each cell runs \`simlearn cv --data data/NAME.csv --folds data/NAME.folds.csv --algo A --json\` ${runs} times, each in a new process, and gives the median of the runs' fit medians (CPU seconds, the process's background threads included; see src/evaluation/cpu-time.ts). So every fit here pays a cold process's costs, which the metric section, run in one warm process, does not. Reference: ${live ? `metric-learn ${live.version} on this machine (a saved run of bench/metric-learn-peer.py)` : 'metric-learn\'s figures quoted from shared/peers/metric-learn.md'}.`,
    '',
    ...rows,
    '',
    `Targets missed (comparable ones): ${misses}. Bench wall time: ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    '',
  ].join('\n');
  if (process.env.BENCH_ALGOS || process.env.BENCH_DATA || process.env.BENCH_RUNS) {
    console.error('filtered run: bench/results/cli.md left unchanged');
    return;
  }
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'cli.md'), md);
}

main();
