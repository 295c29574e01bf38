/**
 * Deep similarity heads on digits, the protocol of record of shared/peers/deep.md: the three
 * reference configurations (examples/train-digits-*.json) trained with `runTraining`, seeds 0–4,
 * against pytorch-metric-learning's recorded figures.
 *
 *   npm run bench -- deep
 *
 * pytorch-metric-learning cannot be installed here (no PyPI), so the reference side is the
 * figures recorded in deep.md (measured on a machine of this type, one thread), not a
 * side-by-side run; bench/torch-check runs the same protocol in torch (Debian's python3-torch)
 * step by step against ours and over 30 seeds. The split is
 * scikit-learn's (examples/digits.split.csv); when python3 + numpy are present the bench
 * recomputes it with bench/deep-split.py and checks it byte for byte, and it always checks
 * that the standardised raw features give deep.md's "no training" row on that split.
 * Seconds per epoch = training time / epochs (validation excluded), after one warm-up run
 * per configuration; one BLAS thread. Writes bench/results/deep.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend, nativeLoadError } from '../src/backend/index.js';
import { readDataset, readFolds } from '../src/io/index.js';
import { retrievalMetrics } from '../src/evaluation/retrieval.js';
import { readTrainConfig } from '../src/deep/config.js';
import { runTraining } from '../src/deep/pipeline.js';
import { applyStandardization, fitStandardization } from '../src/deep/head.js';
import { foldSplit } from '../src/deep/split.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = [0, 1, 2, 3, 4];

/** pytorch-metric-learning 2.8.1, torch 1.13.1 CPU one thread, seed 0 (shared/peers/deep.md). */
const PML = {
  triplet: { label: 'triplet margin 0.2 + semihard miner', p1: 0.9722, rp: 0.9332, map: 0.9228, sec: 0.16, mapMean: 0.922, mapSd: 0.006 },
  contrastive: { label: 'contrastive (0, 1) + batch-hard miner', p1: 0.9833, rp: 0.9404, map: 0.9332, sec: 0.037, mapMean: 0.935, mapSd: 0.006 },
  multisimilarity: { label: 'multi-similarity (2, 50, 0.5) + MS miner (0.1)', p1: 0.9796, rp: 0.919, map: 0.9062, sec: 0.048, mapMean: 0.912, mapSd: 0.007 },
} as const;
const NO_TRAINING = { p1: 0.9426, rp: 0.5381, map: 0.4571 };

type Name = keyof typeof PML;

function checkSplit(): string[] {
  const notes: string[] = [];
  const splitFile = join(ROOT, 'examples', 'digits.split.csv');
  const py = spawnSync('python3', [join(ROOT, 'bench', 'deep-split.py'), join(ROOT, 'data', 'digits.csv')], { encoding: 'utf8' });
  if (py.status === 0) {
    const same = py.stdout === readFileSync(splitFile, 'utf8');
    notes.push(same ? 'split: examples/digits.split.csv is identical to scikit-learn\'s train_test_split(test_size=0.3, stratify=y, random_state=0) (recomputed with numpy by bench/deep-split.py)' : 'split: WARNING examples/digits.split.csv differs from the recomputed scikit-learn split');
  } else notes.push('split: python3/numpy unavailable, scikit-learn split not recomputed');
  const ds = readDataset(join(ROOT, 'data', 'digits.csv'));
  const s = foldSplit(readFolds(splitFile), 1);
  const st = fitStandardization(ds.X.takeRows(s.train));
  const r = retrievalMetrics(applyStandardization(ds.X.takeRows(s.test), st), Array.from(s.test, (i) => ds.y![i]));
  const match = Math.abs(r.precisionAt1 - NO_TRAINING.p1) < 5e-5 && Math.abs(r.rPrecision - NO_TRAINING.rp) < 5e-5 && Math.abs(r.mapAtR - NO_TRAINING.map) < 5e-5;
  notes.push(`no training (standardised features) on this split: P@1 ${r.precisionAt1.toFixed(4)}, R-precision ${r.rPrecision.toFixed(4)}, MAP@R ${r.mapAtR.toFixed(4)} — ${match ? 'equal to' : 'DIFFERENT from'} deep.md's row (${NO_TRAINING.p1}, ${NO_TRAINING.rp}, ${NO_TRAINING.map})`);
  return notes;
}

interface Run { p1: number; rp: number; map: number; sec: number; cpu: number; phases: Record<string, number> }

async function runOne(name: Name, seed: number, epochs?: number): Promise<Run> {
  const { config, baseDir } = readTrainConfig(join(ROOT, 'examples', `train-digits-${name}.json`));
  const r = await runTraining(config, { baseDir, seed, epochs, progress: false });
  const m = r.training.final!;
  const phases: Record<string, number> = {};
  for (const h of r.training.history) for (const [k, v] of Object.entries(h.phases)) phases[k] = (phases[k] ?? 0) + v;
  return { p1: m.precisionAt1, rp: m.rPrecision, map: m.mapAtR, sec: r.training.epochSeconds, cpu: r.training.epochCpuSeconds, phases };
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
const f4 = (x: number) => x.toFixed(4);

async function main(): Promise<void> {
  const be = getBackend();
  be.setThreads(1);
  const notes = checkSplit();
  if (be.name !== 'native') notes.push(`backend ${be.name}: the native addon did not load (${nativeLoadError() ?? 'SIMLEARN_BACKEND=js'}), so these times are not the figures of record`);
  for (const n of notes) console.log(n);
  const rows: string[] = [];
  const seedRows: string[] = [];
  const phaseRows: string[] = [];
  for (const name of Object.keys(PML) as Name[]) {
    await runOne(name, 0, 3); // warm-up: JIT and allocation pools, not timed
    const runs: Run[] = [];
    for (const seed of SEEDS) runs.push(await runOne(name, seed));
    const ref = PML[name];
    const r0 = runs[0];
    const median = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const secMedian = median(runs.map((r) => r.sec));
    const cpuMedian = median(runs.map((r) => r.cpu));
    const ok = (ours: number, theirs: number) => (ours >= theirs ? '✓' : '✗');
    rows.push(`| ${ref.label} | ${f4(r0.p1)} / ${ref.p1} ${ok(r0.p1, ref.p1)} | ${f4(r0.rp)} / ${ref.rp} | ${f4(r0.map)} / ${ref.map} ${ok(r0.map, ref.map)} | ${secMedian.toFixed(4)} / ${ref.sec} | ${cpuMedian.toFixed(4)} | ${(secMedian / ref.sec).toFixed(2)} ${secMedian <= 0.5 * ref.sec ? '✓' : '✗'} | ${(cpuMedian / ref.sec).toFixed(2)} ${cpuMedian <= 0.5 * ref.sec ? '✓' : '✗'} |`);
    const maps = runs.map((r) => r.map), p1s = runs.map((r) => r.p1);
    const tot: Record<string, number> = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.phases)) tot[k] = (tot[k] ?? 0) + v;
    const all = Object.values(tot).reduce((a, b) => a + b, 0);
    const pct = (k: string) => `${((100 * tot[k]) / all).toFixed(0)} %`;
    phaseRows.push(`| ${ref.label} | ${pct('batch')} | ${pct('forward')} | ${pct('mine')} | ${pct('loss')} | ${pct('backward')} | ${pct('step')} |`);
    seedRows.push(`| ${ref.label} | ${f4(mean(maps))} ± ${f4(sd(maps))} | ${ref.mapMean} ± ${ref.mapSd} | ${f4(mean(p1s))} ± ${f4(sd(p1s))} | ${ref.p1} | ${maps.map(f4).join(', ')} | ${p1s.map(f4).join(', ')} |`);
    console.log(`${name}: seed 0 P@1 ${f4(r0.p1)} (PML ${ref.p1}), MAP@R ${f4(r0.map)} (PML ${ref.map}), s/epoch median over seeds ${secMedian.toFixed(4)} wall, ${cpuMedian.toFixed(4)} CPU (PML ${ref.sec}); MAP@R seeds 0-4 ${f4(mean(maps))} ± ${f4(sd(maps))}`);
  }
  const md = [
    '## Deep similarity heads on digits (vs pytorch-metric-learning)',
    '',
    `Command: \`npm run bench -- deep\` · ${new Date().toISOString().slice(0, 10)} · backend ${be.name} (${be.blas}), ${be.getThreads()} thread`,
    '',
    'Protocol of record (shared/peers/deep.md): digits, scikit-learn\'s stratified 70/30 split with seed 0 (examples/digits.split.csv), z-score with the training part\'s statistics, MLP 64 → 128 → ReLU → 32, L2-normalised, batches of 128 from groups of 8 per class (1200 samples = 10 batches per epoch), Adam 1e-3, 30 epochs, test-vs-test evaluation with the query excluded, Euclidean; metrics after the last epoch. Configs: examples/train-digits-{triplet,contrastive,multisimilarity}.json.',
    'The reference side is the figures recorded in deep.md (pytorch-metric-learning cannot be installed here; not a side-by-side run — bench/torch-check compares our training with the same protocol in torch step by step and over 30 seeds, see the section after this one). Seconds per epoch: training time / 30 (validation excluded), median over seeds 0–4, after a warm-up run. The machine is shared, so wall times are provisional; our process CPU time per epoch is given as well (one thread, so on a quiet machine wall ≈ CPU), and its ratio to PML\'s wall figure.',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '### Seed 0 (ours / pytorch-metric-learning)',
    '',
    '| configuration | P@1 | R-precision | MAP@R | s per epoch, wall (ours / PML) | CPU s per epoch | wall ratio (target ≤ 0.5) | CPU-time ratio |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '### Where the training time goes (all seeds, wall clock)',
    '',
    'Forward, backward and step are the autodiff engine and Adam; mining and loss are the similarity parts; batch = sampler and gathering rows.',
    '',
    '| configuration | batch | forward | mine | loss | backward | Adam step |',
    '|---|---|---|---|---|---|---|',
    ...phaseRows,
    '',
    '### Seeds 0–4',
    '',
    'P@1 is over 540 queries, so one query is 0.0019; deep.md gives PML\'s P@1 for seed 0 only.',
    '',
    '| configuration | MAP@R ours | MAP@R PML | P@1 ours | P@1 PML, seed 0 | MAP@R per seed | P@1 per seed |',
    '|---|---|---|---|---|---|---|',
    ...seedRows,
    '',
  ].join('\n');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'deep.md'), md);
  console.log('\n' + md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
