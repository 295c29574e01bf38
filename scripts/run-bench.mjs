#!/usr/bin/env node
// Runs every bench/*.bench.ts (or those whose name contains one of the arguments), then
// assembles bench/RESULTS.md from the sections the benches wrote to bench/results/*.md.
// `--assemble` only reassembles (after a section was edited by hand from a filtered run).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpuModel } from '../bench/cpu-model.mjs';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'bench');
const assembleOnly = process.argv.includes('--assemble');
const filters = process.argv.slice(2).filter((a) => a !== '--assemble');
const files = assembleOnly ? [] : readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0 && !assembleOnly) {
  console.error(`no bench matches ${filters.join(' ')}`);
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${f} failed with exit code ${r.status}`);
  }
}
const resultsDir = join(benchDir, 'results');

// Sections in the order of the architecture: compute, metric learning, search, deep, product.
const order = ['linalg', 'metric', 'cli', 'unshipped', 'larger', 'sweep', 'weak', 'neighbors', 'deep', 'torch-check', 'deep-similarity', 'service'];
const rank = (f) => { const i = order.indexOf(f.replace(/\.md$/, '')); return i < 0 ? order.length : i; };
const sections = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.md')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)) : [];
const header = [
  '# Benchmark results',
  '',
  'Made by `npm run bench` (all) or `npm run bench -- NAME` (one section); each section names its command, date and backend.',
  'Machine: 2-core x86-64, 24 GiB, one BLAS thread on both sides unless a section says otherwise.',
  `Assembled on: ${cpuModel()}. Machines of this kind differ in CPU from one boot to the next (an Intel core with AVX-512 for the 2026-11-22 figures, an AMD EPYC with AVX2 for those of 2026-12-06/07, and one with AVX-512 for the figures a section marks as session 11), and absolute times move with it; ratios to a peer measured in the same run do not.`,
  '',
  '',
].join('\n');
writeFileSync(join(benchDir, 'RESULTS.md'), header + sections.map((f) => readFileSync(join(resultsDir, f), 'utf8').trim() + '\n').join('\n'));
process.exit(failed ? 1 : 0);
