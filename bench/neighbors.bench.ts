/**
 * Search and evaluation benchmarks of the "Neighbours and evaluation" targets:
 *
 *   npm run bench -- neighbors
 *
 * 1. Exact k-NN, 10 000 queries × 10 000 references × 128-d, top-10: ExactIndex (backend's
 *    fused tiled kernel, float32) vs numpy brute force in the same run (float32 and float64:
 *    ‖q‖² − 2QRᵀ + ‖r‖², argpartition, sort of the k), both on one BLAS thread. Target ≤ 0.3×.
 * 2. LSH on 100 000 clustered 128-d vectors (1000 Gaussian clusters, σ = 0.3 around N(0, I)
 *    centres), 1000 fresh queries from the same clusters: SimHash (cosine) and E2LSH (L2),
 *    parameters chosen automatically from targetRecall 0.9; recall@10 against ExactIndex and
 *    queries per second against ExactIndex on the same queries (one thread both; all 1000
 *    queries in one search call: LSH gathers the candidates of all of them table by table and
 *    re-ranks them in one call of the backend's knnCandidates kernel). Targets:
 *    recall ≥ 0.9 at ≥ 5× exact QPS. QPS is given in wall time and in process CPU time (the
 *    machine is shared; CPU time is what another process cannot steal).
 * 3. MinHash, 128 permutations: |estimate − Jaccard| over 300 random set pairs. Target ±0.05.
 * 4. HNSW (usearch, M = 16, efConstruction 64, ef 40) on the same 100 000 vectors: recall@10
 *    and QPS, one thread and usearch's default threads, then ef 16, 24, 32 on the same graph
 *    (HnswIndex.withExpansionSearch). Target recall ≥ 0.95 at ≥ 10 000 QPS.
 * 5. Retrieval metrics, 10 000 queries × 10 000 references (64-d, 100 and 10 classes).
 *    Target < 2 s.
 * Writes bench/results/neighbors.md.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend } from '../src/backend/index.js';
import { Matrix } from '../src/matrix.js';
import { Random } from '../src/random.js';
import { ExactIndex } from '../src/neighbors/exact-index.js';
import { SimHashIndex } from '../src/neighbors/lsh/simhash-index.js';
import { E2LshIndex } from '../src/neighbors/lsh/e2lsh-index.js';
import { HnswIndex } from '../src/neighbors/hnsw-index.js';
import { MinHasher, estimateJaccard, jaccard } from '../src/neighbors/lsh/minhash.js';
import { retrievalMetrics } from '../src/evaluation/retrieval.js';
import type { Index, SearchResult } from '../src/neighbors/index-types.js';
import { searchRecall } from '../src/neighbors/recall.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const be = getBackend();
be.setThreads(1);
const lines: string[] = [];
const log = (s: string): void => { console.log(s); lines.push(s); };

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best of `reps` runs: [wall ms, cpu ms]. */
function time(f: () => unknown, reps = 3): [number, number] {
  let bw = Infinity, bc = Infinity;
  for (let i = 0; i < reps; i++) {
    const w = performance.now();
    const c = cpuMs();
    f();
    bc = Math.min(bc, cpuMs() - c);
    bw = Math.min(bw, performance.now() - w);
  }
  return [bw, bc];
}

function clustered(n: number, d: number, clusters: number, sigma: number, rng: Random, centres: Float32Array): Matrix<Float32Array> {
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    for (let j = 0; j < d; j++) X[i * d + j] = centres[c * d + j] + sigma * rng.normal();
  }
  return new Matrix(n, d, X);
}

function python(code: string, threads = 1): string | null {
  const t = String(threads);
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t }, timeout: 180_000 });
  if (r.status !== 0) {
    console.error(`python3 side failed or is missing: ${r.stderr?.slice(0, 300)}`);
    return null;
  }
  return r.stdout.trim();
}

log('## Neighbours and evaluation');
log('');
log(`Command: \`npm run bench -- neighbors\` · ${new Date().toISOString().slice(0, 10)} · backend ${be.name} (${be.blas}), 1 BLAS thread; machine shared while measuring, so figures are provisional.`);
log('');

// ---------- 1. exact k-NN vs numpy
{
  const rng = new Random(0);
  const Q = new Matrix(10000, 128, rng.fillNormal(new Float32Array(10000 * 128)));
  const R = new Matrix(10000, 128, rng.fillNormal(new Float32Array(10000 * 128)));
  const idx = new ExactIndex();
  idx.add(R);
  idx.search(Q.sliceRows(0, 100), 10);
  const [ours] = time(() => idx.search(Q, 10));
  const npCode = (dt: string): string => `
import numpy as np, time
rng = np.random.default_rng(0)
Q = rng.standard_normal((10000,128)).astype(np.${dt}); R = rng.standard_normal((10000,128)).astype(np.${dt})
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    d = (Q*Q).sum(1)[:,None] - 2*Q@R.T + (R*R).sum(1)[None,:]
    i = np.argpartition(d, 10, axis=1)[:, :10]
    o = np.argsort(np.take_along_axis(d, i, 1), 1); i = np.take_along_axis(i, o, 1)
    best = min(best, time.perf_counter()-t)
print(best*1000)`;
  const np32 = python(npCode('float32'));
  const np64 = python(npCode('float64'));
  // Both sides on every core as well: numpy's BLAS threads against ExactIndex's search threads
  // (numpy's argpartition stays on one core, as it does by default).
  const cores = availableParallelism();
  let ours2 = NaN, np32all: string | null = null;
  if (cores > 1) {
    be.setThreads(cores);
    try {
      idx.search(Q.sliceRows(0, 100), 10);
      [ours2] = time(() => idx.search(Q, 10));
    } finally {
      be.setThreads(1);
    }
    np32all = python(npCode('float32'), cores);
  }
  log('### Exact k-NN, 10 000 × 10 000 × 128, top-10 (best of 3, wall time)');
  log('');
  log('| implementation | threads | time | ratio to numpy float32 (same threads) |');
  log('|---|---|---|---|');
  log(`| simlearn ExactIndex (float32, fused tiled top-k) | 1 | ${(ours / 1000).toFixed(3)} s | ${np32 ? (ours / Number(np32)).toFixed(3) : 'n/a'} |`);
  if (np32) log(`| numpy float32 brute force (GEMM + argpartition) | 1 | ${(Number(np32) / 1000).toFixed(3)} s | 1 |`);
  if (np64) log(`| numpy float64 brute force | 1 | ${(Number(np64) / 1000).toFixed(3)} s | ${np32 ? (Number(np64) / Number(np32)).toFixed(2) : 'n/a'} |`);
  if (cores > 1) {
    log(`| simlearn ExactIndex, search threads | ${cores} | ${(ours2 / 1000).toFixed(3)} s | ${np32all ? (ours2 / Number(np32all)).toFixed(3) : 'n/a'} |`);
    if (np32all) log(`| numpy float32 brute force, BLAS threads | ${cores} | ${(Number(np32all) / 1000).toFixed(3)} s | 1 |`);
  }
  log('');
  const verdict = (a: number, b: string | null): string => (b ? (a / Number(b) <= 0.3 ? 'met' : 'NOT met') + ` (${(a / Number(b)).toFixed(2)}×)` : 'numpy unavailable');
  log(`Target ≤ 0.3 × numpy: one thread each ${verdict(ours, np32)}${cores > 1 ? `; ${cores} threads each ${verdict(ours2, np32all)}` : ''}. On one core the search is bound by the FMA units: 10 000 × 10 000 × 128 is 25.6 GFLOP, 0.27 s at the 96 GFLOP/s float32 peak of a 3 GHz AVX2 core (two 8-wide FMAs per cycle; AVX-512 doubles it), so on AVX2 the one-thread ratio is set mostly by how long numpy takes beyond its GEMM.`);
  log('');
}

// ---------- 2 and 4. LSH and HNSW on 100k clustered vectors
{
  const rng = new Random(1);
  const d = 128;
  const centres = rng.fillNormal(new Float32Array(1000 * d));
  const X = clustered(100000, d, 1000, 0.3, rng, centres);
  const Q = clustered(1000, d, 1000, 0.3, rng, centres);
  log('### Approximate search, 100 000 clustered 128-d vectors, 1000 queries, k = 10');
  log('');
  log('| index | parameters | build | recall@10 | QPS (wall) | QPS (CPU time) | × exact QPS (wall / CPU) |');
  log('|---|---|---|---|---|---|---|');
  const exactRow = (metric: 'cosine' | 'euclidean'): { truth: SearchResult; wall: number; cpu: number } => {
    const ex = new ExactIndex({ metric });
    ex.add(X);
    let truth: SearchResult = { ids: [], distances: [] };
    const [w, c] = time(() => { truth = ex.search(Q, 10); }, 8);
    return { truth, wall: (1000 / w) * 1000, cpu: (1000 / c) * 1000 };
  };
  const row = (name: string, params: string, idx: Index, buildS: number, ex: { truth: SearchResult; wall: number; cpu: number }): { recall: number; wall: number; cpu: number } => {
    let r: SearchResult = { ids: [], distances: [] };
    idx.search(Q.sliceRows(0, 50), 10);
    // best of 8, as for the exact baseline: searches take tens of milliseconds, and on a
    // shared machine a single descheduling (or the garbage collector's background threads,
    // still busy with what building the index left, which process CPU time counts) would
    // otherwise decide the ratio
    const [w, c] = time(() => { r = idx.search(Q, 10); }, 8);
    const recall = searchRecall(r, ex.truth);
    const wall = (1000 / w) * 1000;
    const cpu = (1000 / c) * 1000;
    log(`| ${name} | ${params} | ${buildS.toFixed(1)} s | ${recall.toFixed(3)} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} | ${(wall / ex.wall).toFixed(2)} / ${(cpu / ex.cpu).toFixed(2)} |`);
    return { recall, wall, cpu };
  };
  const exCos = exactRow('cosine');
  log(`| ExactIndex (cosine) | brute force | – | 1 | ${exCos.wall.toFixed(0)} | ${exCos.cpu.toFixed(0)} | 1 / 1 |`);
  const tb = performance.now();
  const sim = new SimHashIndex({ seed: 1, targetRecall: 0.9 });
  sim.add(X);
  const simS = (performance.now() - tb) / 1000;
  const simR = row('SimHash', `K=${sim.K}, L=${sim.L}, probes=${sim.probes} (predicted recall ${sim.plan?.predictedRecall.toFixed(3)}, ${sim.plan?.predictedCandidates.toFixed(0)} candidates)`, sim, simS, exCos);
  const simCand = sim.lastCandidates;
  const exL2 = exactRow('euclidean');
  log(`| ExactIndex (euclidean) | brute force | – | 1 | ${exL2.wall.toFixed(0)} | ${exL2.cpu.toFixed(0)} | 1 / 1 |`);
  const te = performance.now();
  const e2 = new E2LshIndex({ seed: 1, targetRecall: 0.9 });
  e2.add(X);
  const e2S = (performance.now() - te) / 1000;
  const e2R = row('E2LSH', `K=${e2.K}, L=${e2.L}, probes=${e2.probes}, w=${e2.w.toFixed(2)} (predicted recall ${e2.plan?.predictedRecall.toFixed(3)}, ${e2.plan?.predictedCandidates.toFixed(0)} candidates)`, e2, e2S, exL2);
  const e2Cand = e2.lastCandidates;
  const th = performance.now();
  const h = new HnswIndex({ metric: 'euclidean', threads: 0, connectivity: 16, expansionAdd: 64, expansionSearch: 40 });
  h.add(X);
  const hS = (performance.now() - th) / 1000;
  const h0 = row('HNSW (usearch, default threads)', 'M=16, efC=64, ef=40', h, hS, exL2);
  const oneThread = (idx: HnswIndex): HnswIndex => Object.assign(Object.create(Object.getPrototypeOf(idx)), idx, { threads: 1 }) as HnswIndex;
  const h1 = row('HNSW (usearch, 1 thread)', 'same graph', oneThread(h), hS, exL2);
  // ef is a query-time knob (withExpansionSearch reloads the same graph): the curve, as
  // ann-benchmarks reports it, and the fastest point that keeps recall ≥ 0.95
  const sweep: Array<{ ef: number; recall: number; wall: number; threads: string }> = [];
  for (const ef of [16, 24, 32]) {
    const he = h.withExpansionSearch(ef);
    const r1 = row('HNSW (usearch, 1 thread)', `same graph, ef=${ef}`, oneThread(he), hS, exL2);
    sweep.push({ ef, ...r1, threads: 'one thread' });
    const r0 = row('HNSW (usearch, default threads)', `same graph, ef=${ef}`, he, hS, exL2);
    sweep.push({ ef, ...r0, threads: 'default threads' });
  }
  sweep.push({ ef: 40, ...h1, threads: 'one thread' }, { ef: 40, ...h0, threads: 'default threads' });
  const operatingPoint = (threads: string) => sweep.filter((p) => p.threads === threads && p.recall >= 0.95).sort((a, b) => b.wall - a.wall)[0];
  const hnswMet = (threads: string): boolean => (operatingPoint(threads)?.wall ?? 0) >= 10000;
  const fastest = (threads: string): string => {
    const ok = operatingPoint(threads);
    return ok ? `${hnswMet(threads) ? 'met' : 'NOT met'} on ${threads} (ef=${ok.ef}: recall ${ok.recall.toFixed(3)}, ${ok.wall.toFixed(0)} QPS)` : `NOT met on ${threads} (no ef kept recall ≥ 0.95)`;
  };
  log('');
  log(`HNSW operating point (fastest ef with recall@10 ≥ 0.95, target ≥ 10 000 QPS): ${fastest('one thread')}; ${fastest('default threads')}.`);
  log('');
  log(`Candidates re-ranked per query: SimHash ${simCand.toFixed(0)}, E2LSH ${e2Cand.toFixed(0)} (of 100 000). Targets: LSH recall ≥ 0.9 at ≥ 5× exact QPS — SimHash ${simR.recall >= 0.9 ? 'recall met' : 'recall NOT met'} (${simR.recall.toFixed(3)}), ${simR.cpu / exCos.cpu >= 5 ? 'speed met' : 'speed NOT met'} (${(simR.cpu / exCos.cpu).toFixed(1)}×); E2LSH ${e2R.recall >= 0.9 ? 'recall met' : 'recall NOT met'} (${e2R.recall.toFixed(3)}), ${e2R.cpu / exL2.cpu >= 5 ? 'speed met' : 'speed NOT met'} (${(e2R.cpu / exL2.cpu).toFixed(1)}×) (CPU-time ratios). HNSW recall ≥ 0.95 at ≥ 10 000 QPS (at the operating point above): ${hnswMet('default threads') ? 'met' : 'NOT met'} with default threads, ${hnswMet('one thread') ? 'met' : 'NOT met'} on one thread.`);
  log('');
}

// ---------- 3. MinHash accuracy
{
  const rng = new Random(3);
  const mh = new MinHasher(128, 1);
  const errs: number[] = [];
  const t0 = performance.now();
  for (let t = 0; t < 300; t++) {
    const a = 20 + rng.int(300);
    const b = 20 + rng.int(300);
    const common = rng.int(Math.min(a, b) + 1);
    const toks = rng.sample(1_000_000, a + b - common);
    const A = Array.from(toks.subarray(0, a), (v) => `t${v}`);
    const B = [...Array.from(toks.subarray(0, common), (v) => `t${v}`), ...Array.from(toks.subarray(a, a + b - common), (v) => `t${v}`)];
    errs.push(Math.abs(estimateJaccard(mh.signature(A), mh.signature(B)) - jaccard(A, B)));
  }
  const ms = performance.now() - t0;
  errs.sort((x, y) => x - y);
  const within = errs.filter((e) => e <= 0.05).length / errs.length;
  log('### MinHash, 128 permutations, 300 random set pairs (Jaccard 0–1)');
  log('');
  log(`mean |error| ${(errs.reduce((s, e) => s + e, 0) / errs.length).toFixed(4)}, median ${errs[150].toFixed(4)}, 95th percentile ${errs[284].toFixed(4)}, max ${errs[299].toFixed(4)}; ${(within * 100).toFixed(1)} % of pairs within ±0.05 (the standard error √(J(1−J)/128) is ≤ 0.044, so a few pairs beyond 0.05 are expected). ${ms.toFixed(0)} ms for 600 signatures.`);
  log('');
}

// ---------- 5. retrieval metrics
{
  log('### Retrieval metrics, 10 000 queries × 10 000 references, 64-d');
  log('');
  log('| classes | neighbours retrieved (largest class) | time (wall) | CPU time | target < 2 s |');
  log('|---|---|---|---|---|');
  for (const classes of [100, 10]) {
    const rng = new Random(5);
    const centres = rng.fillNormal(new Float32Array(classes * 64));
    const mk = (n: number): { X: Matrix<Float32Array>; y: number[] } => {
      const y = Array.from({ length: n }, () => rng.int(classes));
      const X = new Float32Array(n * 64);
      for (let i = 0; i < n; i++) for (let j = 0; j < 64; j++) X[i * 64 + j] = centres[y[i] * 64 + j] + 2 * rng.normal();
      return { X: new Matrix(n, 64, X), y };
    };
    const q = mk(10000);
    const r = mk(10000);
    let depth = 0;
    const [w, c] = time(() => { depth = retrievalMetrics(q.X, q.y, { references: r.X, referenceLabels: r.y }).depth; }, 2);
    log(`| ${classes} | ${depth} | ${(w / 1000).toFixed(2)} s | ${(c / 1000).toFixed(2)} s | ${w < 2000 ? 'met' : c < 2000 ? 'met in CPU time' : 'NOT met'} |`);
  }
  log('');
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'neighbors.md'), lines.join('\n') + '\n');
