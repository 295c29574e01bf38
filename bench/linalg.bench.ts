/**
 * Native backend vs numpy, one BLAS thread each, in the same run: GEMM, symmetric
 * eigendecomposition, Cholesky, SVD, solve, and exact distance + top-10 search.
 *
 *   npm run bench -- linalg
 *
 * numpy runs in a python3 child with OPENBLAS_NUM_THREADS=1 (and the MKL/OMP equivalents);
 * our side calls setThreads(1). The sides alternate run by run and every figure is the best
 * of a few repetitions after a warm-up, in process CPU time (robust on a shared machine).
 * The k-NN case shares its data with numpy through temporary files so the answers can be
 * compared too. Writes bench/results/linalg.md.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsBackend } from '../src/backend/js-backend.js';
import { loadNativeBackend, nativeKnnIsa, nativeKnnTileIsa, nativeLoadError } from '../src/backend/native.js';
import type { Backend } from '../src/backend/backend.js';
import { Random } from '../src/random.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// The numpy side: a small server that prepares each case once and then times single runs on
// request, so the two sides can alternate repetition by repetition on a shared machine.
const PYTHON = String.raw`
import json, sys, time
import numpy as np

rng = np.random.default_rng(7)
cases = {}

def spd(n):
    x = rng.standard_normal((2 * n, n))
    return x.T @ x / (2 * n) + 0.5 * np.eye(n)

def prepare(c):
    kind = c['kind']
    if kind == 'gemm':
        n, dt = c['n'], c['dtype']
        a = rng.standard_normal((n, n)).astype(dt); b = rng.standard_normal((n, n)).astype(dt); out = np.empty((n, n), dt)
        return lambda: np.matmul(a, b, out=out)
    if kind == 'eigh':
        a = rng.standard_normal((c['n'], c['n'])); a = (a + a.T) / 2
        return lambda: np.linalg.eigh(a)
    if kind == 'cholesky':
        a = spd(c['n'])
        return lambda: np.linalg.cholesky(a)
    n = c.get('n', 0)
    g = rng.standard_normal((n, n)) + n ** 0.5 * np.eye(n) if n else None
    if kind == 'svd':
        return lambda: np.linalg.svd(g, full_matrices=False)
    if kind == 'solve':
        rhs = rng.standard_normal(n)
        return lambda: np.linalg.solve(g, rhs)
    if kind == 'knn':
        nq, nr, d, k = c['nq'], c['nr'], c['d'], c['k']
        Q = np.fromfile(c['queries'], dtype=np.float32).reshape(nq, d)
        X = np.fromfile(c['refs'], dtype=np.float32).reshape(nr, d)
        def knn():
            # The usual numpy recipe: the full distance matrix from norms + one matmul (in
            # place), argpartition for the k smallest of each row, then a sort of those k.
            qn = np.einsum('ij,ij->i', Q, Q); xn = np.einsum('ij,ij->i', X, X)
            D = Q @ X.T
            D *= -2; D += qn[:, None]; D += xn[None, :]
            np.maximum(D, 0, out=D)
            idx = np.argpartition(D, k - 1, axis=1)[:, :k]
            dd = np.take_along_axis(D, idx, axis=1)
            order = np.argsort(dd, axis=1, kind='stable')
            res = np.take_along_axis(idx, order, axis=1)
            res.astype(np.int32).tofile(c['out'])
        return knn
    raise ValueError(kind)

info = {'numpy': np.__version__}
try:
    info['blas'] = np.show_config(mode='dicts')['Build Dependencies']['blas'].get('openblas configuration', '')
except Exception:
    info['blas'] = 'unknown'
print(json.dumps(info), flush=True)
for line in sys.stdin:
    c = json.loads(line)
    key = json.dumps(c, sort_keys=True)
    if key not in cases:
        cases[key] = prepare(c)
    fn = cases[key]
    w, t = time.perf_counter(), time.process_time()
    fn()
    print(json.dumps({'cpu': time.process_time() - t, 'wall': time.perf_counter() - w}), flush=True)
`;

interface Timing {
  cpu: number;
  wall: number;
}

/** The python3 child, answering one timing per request line. */
class NumpySide {
  private lines: string[] = [];
  private waiters: Array<(line: string) => void> = [];
  private child: ChildProcessWithoutNullStreams;
  private stderr = '';
  constructor() {
    this.child = spawn('python3', ['-c', PYTHON], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    });
    this.child.stderr.on('data', (d) => (this.stderr += String(d)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiters.splice(0)) w(JSON.stringify({ error: `python3 exited with ${code}: ${this.stderr.trim().split('\n').at(-1) ?? ''}` }));
    });
  }
  private next(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((resolve) => this.waiters.push(resolve));
  }
  async info(): Promise<{ numpy: string; blas: string }> {
    return this.parse(await this.next());
  }
  async time(c: Record<string, unknown>): Promise<Timing> {
    this.child.stdin.write(JSON.stringify(c) + '\n');
    return this.parse(await this.next());
  }
  private parse<R>(line: string): R {
    const v = JSON.parse(line);
    if (v.error) throw new Error(v.error);
    return v as R;
  }
  close(): void {
    this.child.stdin.end();
  }
}

function timeOurs(fn: () => void): Timing {
  const w = performance.now();
  const c = process.cpuUsage();
  fn();
  const used = process.cpuUsage(c);
  return { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - w) / 1000 };
}

const bestOf = (ts: Timing[]): Timing => ({ cpu: Math.min(...ts.map((t) => t.cpu)), wall: Math.min(...ts.map((t) => t.wall)) });

/** Warm-up, then `reps` alternating runs of numpy and ours; best CPU and wall time of each. */
async function duel(np: NumpySide, c: Record<string, unknown>, ours: () => void, reps: number): Promise<{ np: Timing; ours: Timing }> {
  await np.time(c);
  ours();
  const a: Timing[] = [], b: Timing[] = [];
  for (let i = 0; i < reps; i++) {
    a.push(await np.time(c));
    b.push(timeOurs(ours));
  }
  return { np: bestOf(a), ours: bestOf(b) };
}

const GEMM_CASES: Array<[number, 'float32' | 'float64', number]> = [[1024, 'float32', 5], [1024, 'float64', 5], [2048, 'float32', 3], [2048, 'float64', 3]];
const EIGH_CASES: Array<[number, number]> = [[256, 5], [784, 3]];
const DEC_N = 784;
const DEC_REPS = 3;
const KNN = { nq: 10000, nr: 10000, d: 128, k: 10, reps: 3 };

function symmetric(n: number, r: Random): Float64Array {
  const a = r.fillNormal(new Float64Array(n * n));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j] = (a[i * n + j] + a[j * n + i]) / 2;
  return a;
}

function spd(n: number, r: Random, b: Backend): Float64Array {
  const x = r.fillNormal(new Float64Array(2 * n * n));
  const g = b.gram(x, 2 * n, n);
  for (let i = 0; i < n * n; i++) g[i] /= 2 * n;
  for (let i = 0; i < n; i++) g[i * n + i] += 0.5;
  return g;
}

function gemmCall(b: Backend, n: number, dtype: 'float32' | 'float64', r: Random): () => void {
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  const a = r.fillNormal(new Ctor(n * n));
  const x = r.fillNormal(new Ctor(n * n));
  const c = new Ctor(n * n);
  return () => b.gemm(false, false, n, n, n, 1, a, n, x, n, 0, c, n);
}

const fmt = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
const gf = (n: number, s: number) => (2 * n * n * n) / s / 1e9;

async function main(): Promise<void> {
  const native = loadNativeBackend();
  if (!native) {
    console.error(`linalg bench needs the native addon: ${nativeLoadError()}`);
    process.exit(1);
  }
  native.setThreads(1);
  const r = new Random(7);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-linalg-'));
  const np = new NumpySide();
  try {
    const npInfo = await np.info();
    const rows: string[][] = [];
    const verdicts: string[] = [];
    const verdict = (name: string, ok: boolean, detail: string) => verdicts.push(`- ${ok ? 'met' : 'MISSED'}: ${name} (${detail})`);
    const log = (what: string) => console.error(`  ${what}`);

    // The pure-TypeScript backend, for context only.
    {
      const n = 512;
      const jsT = bestOf([timeOurs(gemmCall(jsBackend, n, 'float64', r)), timeOurs(gemmCall(jsBackend, n, 'float64', r))]);
      const d = await duel(np, { kind: 'gemm', n, dtype: 'float64' }, gemmCall(native, n, 'float64', r), 5);
      rows.push([`GEMM ${n}³ float64`, `${gf(n, d.ours.cpu).toFixed(1)} GFLOP/s (js backend: ${gf(n, jsT.cpu).toFixed(2)})`, `${gf(n, d.np.cpu).toFixed(1)} GFLOP/s`, `${(d.np.cpu / d.ours.cpu).toFixed(2)}x`, 'context']);
      log(`gemm 512 done`);
    }
    for (const [n, dtype, reps] of GEMM_CASES) {
      const d = await duel(np, { kind: 'gemm', n, dtype }, gemmCall(native, n, dtype, r), reps);
      const ratio = d.np.cpu / d.ours.cpu;
      rows.push([`GEMM ${n}³ ${dtype}`, `${gf(n, d.ours.cpu).toFixed(1)} GFLOP/s`, `${gf(n, d.np.cpu).toFixed(1)} GFLOP/s`, `${ratio.toFixed(2)}x`, '>= 0.9x throughput']);
      verdict(`GEMM ${n}³ ${dtype} >= 0.9x numpy GFLOP/s`, ratio >= 0.9, `${ratio.toFixed(2)}x`);
      log(`gemm ${n} ${dtype} done`);
    }
    for (const [n, reps] of EIGH_CASES) {
      const a = symmetric(n, r);
      const d = await duel(np, { kind: 'eigh', n }, () => native.eigh(a, n), reps);
      const ratio = d.ours.cpu / d.np.cpu;
      rows.push([`eigh ${n}`, fmt(d.ours.cpu), fmt(d.np.cpu), `${ratio.toFixed(2)}x time`, '<= 1.2x time']);
      verdict(`eigh ${n} <= 1.2x numpy time`, ratio <= 1.2, `${ratio.toFixed(2)}x`);
      log(`eigh ${n} done`);
    }
    const n = DEC_N;
    const a = spd(n, r, native);
    const g = r.fillNormal(new Float64Array(n * n));
    for (let i = 0; i < n; i++) g[i * n + i] += Math.sqrt(n);
    const rhs = r.fillNormal(new Float64Array(n));
    for (const [kind, fn] of [['cholesky', () => native.cholesky(a, n)], ['svd', () => native.svd(g, n, n)], ['solve', () => native.solve(g, n, rhs, 1)]] as const) {
      const d = await duel(np, { kind, n }, fn, DEC_REPS);
      rows.push([`${kind} ${n}`, fmt(d.ours.cpu), fmt(d.np.cpu), `${(d.ours.cpu / d.np.cpu).toFixed(2)}x time`, 'context']);
      log(`${kind} done`);
    }

    const queries = r.fillNormal(new Float32Array(KNN.nq * KNN.d));
    const refs = r.fillNormal(new Float32Array(KNN.nr * KNN.d));
    writeFileSync(join(dir, 'q.f32'), queries);
    writeFileSync(join(dir, 'x.f32'), refs);
    const knnCase = { kind: 'knn', ...KNN, queries: join(dir, 'q.f32'), refs: join(dir, 'x.f32'), out: join(dir, 'idx.i32') };
    let ours = native.knn(queries, KNN.nq, refs, KNN.nr, KNN.d, KNN.k);
    const d = await duel(np, knnCase, () => (ours = native.knn(queries, KNN.nq, refs, KNN.nr, KNN.d, KNN.k)), KNN.reps);
    const npIdx = new Int32Array(readFileSync(knnCase.out).buffer.slice(0));
    let same = 0;
    for (let i = 0; i < ours.indices.length; i++) if (ours.indices[i] === npIdx[i]) same++;
    const agree = same / ours.indices.length;
    const knnRatio = d.ours.cpu / d.np.cpu;
    rows.push([`distance + top-${KNN.k}, ${KNN.nq} x ${KNN.nr} x ${KNN.d} float32`, `${fmt(d.ours.cpu)} (fused, tiled; wall ${fmt(d.ours.wall)})`, `${fmt(d.np.cpu)} (full matrix; wall ${fmt(d.np.wall)})`, `${knnRatio.toFixed(2)}x time (wall ${(d.ours.wall / d.np.wall).toFixed(2)}x)`, '<= 0.3x time']);
    verdict('distance + top-10 <= 0.3x numpy full-matrix time', knnRatio <= 0.3, `${knnRatio.toFixed(2)}x CPU time, ${(d.ours.wall / d.np.wall).toFixed(2)}x wall time; ${(agree * 100).toFixed(2)}% of neighbour slots identical to numpy's`);
    log('knn done');

    const table = [
      '| kernel | simlearn native | numpy | ratio | target |',
      '|---|---|---|---|---|',
      ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    ].join('\n');
    const md = [
      '## Linear algebra: native backend vs numpy',
      '',
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench -- linalg\`. One BLAS thread on both sides; numpy runs in a python3 child and the two sides alternate repetition by repetition; each figure is the best of 3-5 runs after a warm-up.`,
      '',
      `- simlearn: backend \`native\`, ${native.blas}, threads ${native.getThreads()}, k-NN kernels: ${nativeKnnIsa()}, float32 distance tiles: ${nativeKnnTileIsa()}`,
      `- numpy ${npInfo.numpy}: ${npInfo.blas}`,
      `- OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'} (applies to both sides)`,
      '',
      table,
      '',
      'Times are process CPU seconds (user + system), which a busy shared machine inflates far less than wall-clock time; both sides are single-threaded, so on an idle machine the two agree. GEMM ratios are throughput (higher is better), the others time (lower is better). The k-NN row compares a fused, tiled search (a 256 x 512 tile of dot products, then a per-row threshold scan into sorted top-k lists, so the 10 000 x 10 000 matrix never exists) with numpy materialising the full distance matrix, then argpartition + a sort of the top 10, on the same data. On AVX-512 and on AVX2 + FMA CPUs the float32 tiles come from a register-blocked kernel in simlearn (AVX-512 8 x 32 or AVX2 6 x 16 blocks, chosen at run time), not from OpenBLAS sgemm: it packs each block of references once for all query blocks, and OPENBLAS_CORETYPE, which may pin the OpenBLAS kernels lower (for both sides), does not touch it.',
      '',
      'Targets:',
      ...verdicts,
      '',
    ].join('\n');
    console.log(md);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'linalg.md'), md);
  } finally {
    np.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
