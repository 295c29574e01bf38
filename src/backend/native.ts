/**
 * Loader for the Node-API addon (native/, built by scripts/build-native.mjs). Returns null
 * when the addon is absent or fails to load; the reason is kept for `simlearn info` and for
 * SIMLEARN_BACKEND=native errors.
 *
 * The addon is found from the package root (the nearest package.json named "simlearn" above
 * this file), so the same code works from src/ under tsx and from dist/src/ after tsc.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloatArray } from '../matrix.js';
import { LinAlgError, type Backend, type KnnCandidatesOptions, type KnnCandidatesResult, type KnnOptions, type KnnResult, type LsmlDescent, type ItmlSweeps } from './backend.js';
import { knnCandidates as jsKnnCandidates } from './js-rerank.js';
import { graphicalLassoSweeps as jsGraphicalLassoSweeps } from './js-glasso.js';
import { affinityLaplacian as jsAffinityLaplacian, checkAffinityArgs } from './js-affinity.js';
import { checkLsmlArrays, lsmlDescent as jsLsmlDescent } from './js-lsml.js';
import { checkImpostorArgs, impostorCandidates as jsImpostorCandidates } from './js-impostors.js';
import { checkSoftmaxArgs, neighbourSoftmaxLaplacian as jsNeighbourSoftmaxLaplacian } from './js-softmax.js';
import { checkKernelRegressionArgs, kernelRegressionLaplacian as jsKernelRegressionLaplacian } from './js-kernel-regression.js';
import * as jsPairs from './js-pairs.js';
import { centreColumns as jsCentreColumns, condensedSqDistances as jsCondensedSqDistances, adamStep as jsAdamStep } from './js-kernels.js';
import { samplePairs as jsSamplePairs } from './js-sample-pairs.js';
import { itmlBregman as jsItmlBregman } from './js-itml.js';
import { scmlRdaIterations as jsScmlRdaIterations, tripletHingeSum as jsTripletHingeSum } from './js-scml.js';

const ADDON_FILE = join('native', 'build', 'Release', 'simlearn_native.node');
const DEFAULT_BUDGET = 64 * 1024 * 1024;

/** The addon's exports (native/src/*.cc); argument order follows the Backend methods. */
interface Addon extends Pick<Backend, 'eigh' | 'cholesky' | 'svd' | 'solve' | 'solveSpd' | 'inverse'> {
  blasInfo(): string;
  knnIsa(): string;
  getThreads(): number;
  setThreads(n: number): void;
  setLinAlgError(ctor: new (message: string) => Error): void;
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number, c: FloatArray, ldc: number): void;
  gemmAsync(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number, c: FloatArray, ldc: number): Promise<void>;
  gemv(trans: boolean, m: number, n: number, alpha: number, a: FloatArray, lda: number, x: FloatArray, beta: number, y: FloatArray): void;
  gram(x: FloatArray, n: number, d: number): FloatArray;
  dot(x: FloatArray, y: FloatArray): number;
  axpy(alpha: number, x: FloatArray, y: FloatArray): void;
  scal(alpha: number, x: FloatArray): void;
  rowSqNorms(x: FloatArray, n: number, d: number): FloatArray;
  centreColumns?: Backend['centreColumns'];
  adamStep?: Backend['adamStep'];
  condensedSqDistances?: Backend['condensedSqDistances'];
  sqeuclidean(a: FloatArray, n: number, b: FloatArray, m: number, d: number): FloatArray;
  knn(queries: FloatArray, nq: number, refs: FloatArray, nr: number, d: number, k: number, excludeSelf: boolean, memoryBudget: number): KnnResult;
  knnAsync(queries: FloatArray, nq: number, refs: FloatArray, nr: number, d: number, k: number, excludeSelf: boolean, memoryBudget: number): Promise<KnnResult>;
  /** Absent from addons built before it existed; the wrapper then uses the JS kernel. */
  knnCandidates?(queries: FloatArray, nq: number, refs: FloatArray, nr: number, d: number, candidates: Int32Array, candStart: Int32Array, k: number, metric: string): KnnCandidatesResult;
  rerankIsa?(): string;
  /** Absent from addons built before the AVX2 tile kernel. */
  knnTileIsa?(): string;
  /** Absent from addons built before it existed; the wrapper then uses the JS sweeps. */
  graphicalLassoSweeps?: Backend['graphicalLassoSweeps'];
  pairQuadForms?: Backend['pairQuadForms'];
  addPairLaplacian?: Backend['addPairLaplacian'];
  neighbourSoftmaxLaplacian?: Backend['neighbourSoftmaxLaplacian'];
  kernelRegressionLaplacian?: Backend['kernelRegressionLaplacian'];
  impostorCandidates?: Backend['impostorCandidates'];
  lsmlDescent?: (X: Float64Array, N: number, d: number, abFirst: Int32Array, abSecond: Int32Array, cdFirst: Int32Array, cdSecond: Int32Array, w: Float64Array, prior: Float64Array, priorInv: Float64Array, priorLogDet: number, maxIter: number, tol: number) => LsmlDescent;
  /** Positional form of Backend.scmlRdaIterations (native/src/scml.cc); returns the new nAct and dirty. */
  scmlRdaIterations?(T: Int32Array, XB: Float64Array, n: number, K: number, batch: number, beta: number, gamma: number, delta: number, w: Float64Array, sum: Float64Array, ada2: Float64Array, coef: Float64Array, g: Float64Array, act: Int32Array, nAct: number, dirty: boolean, rng: Uint32Array, from: number, to: number): { nAct: number; dirty: boolean };
  tripletHingeSum?: Backend['tripletHingeSum'];
  affinityLaplacian?: Backend['affinityLaplacian'];
  samplePairs?: Backend['samplePairs'];
  itmlBregman?: (V: Float64Array, n: number, d: number, dp: number, y: Int8Array, gamma: number, M: Float64Array, lambda: Float64Array, xi: Float64Array, maxIter: number, tol: number) => ItmlSweeps;
}

let loaded: Backend | null | undefined;
let loadedAddon: Addon | null = null;
let reason: string | null = null;

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  let fallback: string | null = null;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      fallback ??= dir;
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'simlearn') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return fallback ?? process.cwd();
    dir = parent;
  }
}

/** Threads from SIMLEARN_THREADS (a positive integer), else 1. */
function threadsFromEnv(): number {
  const raw = process.env.SIMLEARN_THREADS?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.emitWarning(`SIMLEARN_THREADS must be a positive integer, got "${raw}"; using 1 thread`);
    return 1;
  }
  return Math.min(n, 1024);
}

function knnArgs(options: KnnOptions | undefined): [boolean, number] {
  const excludeSelf = options?.excludeSelf ?? false;
  const budget = options?.memoryBudget ?? DEFAULT_BUDGET;
  if (typeof excludeSelf !== 'boolean') throw new TypeError(`knn: options.excludeSelf must be a boolean, got ${typeof excludeSelf}`);
  if (typeof budget !== 'number' || !(budget >= 1) || !Number.isFinite(budget)) throw new RangeError(`knn: options.memoryBudget must be a positive number of bytes, got ${String(budget)}`);
  return [excludeSelf, budget];
}

function wrap(addon: Addon): Backend {
  return {
    name: 'native',
    blas: addon.blasInfo(),
    getThreads: () => addon.getThreads(),
    setThreads: (n: number) => addon.setThreads(n),
    gemm: addon.gemm,
    gemv: addon.gemv,
    gram: addon.gram as Backend['gram'],
    dot: addon.dot,
    axpy: addon.axpy,
    scal: addon.scal,
    rowSqNorms: addon.rowSqNorms as Backend['rowSqNorms'],
    centreColumns: addon.centreColumns ?? jsCentreColumns,
    adamStep: addon.adamStep ?? jsAdamStep,
    condensedSqDistances: addon.condensedSqDistances ?? jsCondensedSqDistances,
    sqeuclidean: addon.sqeuclidean as Backend['sqeuclidean'],
    knn<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, k: number, options?: KnnOptions): KnnResult<T> {
      return addon.knn(queries, nq, refs, nr, d, k, ...knnArgs(options)) as KnnResult<T>;
    },
    knnCandidates<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, candidates: Int32Array, candStart: Int32Array, k: number, options?: KnnCandidatesOptions): KnnCandidatesResult<T> {
      if (!addon.knnCandidates) return jsKnnCandidates(queries, nq, refs, nr, d, candidates, candStart, k, options);
      return addon.knnCandidates(queries, nq, refs, nr, d, candidates, candStart, k, options?.metric ?? 'sqeuclidean') as KnnCandidatesResult<T>;
    },
    async knnAsync<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, k: number, options?: KnnOptions): Promise<KnnResult<T>> {
      return (await addon.knnAsync(queries, nq, refs, nr, d, k, ...knnArgs(options))) as KnnResult<T>;
    },
    async gemmAsync(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): Promise<void> {
      await addon.gemmAsync(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    },
    graphicalLassoSweeps(S, d, rho, maxIter, tol, lassoMaxIter) {
      return (addon.graphicalLassoSweeps ?? jsGraphicalLassoSweeps)(S, d, rho, maxIter, tol, lassoMaxIter);
    },
    pairQuadForms: addon.pairQuadForms ?? jsPairs.pairQuadForms,
    addPairLaplacian: addon.addPairLaplacian ?? jsPairs.addPairLaplacian,
    neighbourSoftmaxLaplacian(X, Z, n, d, k, y, cutoff, SX) {
      if (!addon.neighbourSoftmaxLaplacian) return jsNeighbourSoftmaxLaplacian(X, Z, n, d, k, y, cutoff, SX);
      checkSoftmaxArgs(X, Z, n, d, k, y, cutoff, SX);
      return addon.neighbourSoftmaxLaplacian(X, Z, n, d, k, y, cutoff, SX);
    },
    kernelRegressionLaplacian(X, Z, n, d, k, y, cutoff, SX) {
      if (!addon.kernelRegressionLaplacian) return jsKernelRegressionLaplacian(X, Z, n, d, k, y, cutoff, SX);
      checkKernelRegressionArgs(X, Z, n, d, k, y, cutoff, SX);
      return addon.kernelRegressionLaplacian(X, Z, n, d, k, y, cutoff, SX);
    },
    impostorCandidates(Z, n, k, y, rows, radius2, exactBelow) {
      if (!addon.impostorCandidates) return jsImpostorCandidates(Z, n, k, y, rows, radius2, exactBelow);
      checkImpostorArgs(Z, n, k, y, rows, radius2, exactBelow);
      return addon.impostorCandidates(Z, n, k, y, rows, radius2, exactBelow);
    },
    affinityLaplacian(X, m, d, k, out) {
      if (!addon.affinityLaplacian) return jsAffinityLaplacian(X, m, d, k, out);
      checkAffinityArgs(X, m, d, k, out);
      return addon.affinityLaplacian(X, m, d, k, out);
    },
    lsmlDescent(P, maxIter, tol) {
      if (!addon.lsmlDescent) return jsLsmlDescent(P, maxIter, tol);
      checkLsmlArrays(P, maxIter, tol);
      return addon.lsmlDescent(P.X, P.N, P.d, P.abFirst, P.abSecond, P.cdFirst, P.cdSecond, P.w, P.prior, P.priorInv, P.priorLogDet, maxIter, tol);
    },
    scmlRdaIterations(p, st, from, to) {
      // The addon checks its arguments itself: the JS checks' pass over T would cost more
      // than a chunk of iterations.
      if (!addon.scmlRdaIterations) return jsScmlRdaIterations(p, st, from, to);
      const r = addon.scmlRdaIterations(p.T, p.XB, p.n, p.K, p.batch, p.beta, p.gamma, p.delta, st.w, st.sum, st.ada2, st.coef, st.g, st.act, st.nAct, st.dirty, st.rng, from, to);
      st.nAct = r.nAct;
      st.dirty = r.dirty;
    },
    // The addon makes every check itself.
    samplePairs: addon.samplePairs ?? jsSamplePairs,
    itmlBregman(P, S, maxIter, tol) {
      if (!addon.itmlBregman) return jsItmlBregman(P, S, maxIter, tol);
      return addon.itmlBregman(P.V, P.n, P.d, P.dp, P.y, P.gamma, S.M, S.lambda, S.xi, maxIter, tol);
    },
    tripletHingeSum(X, XM, n, d, pairA, pairB, ids) {
      if (!addon.tripletHingeSum) return jsTripletHingeSum(X, XM, n, d, pairA, pairB, ids);
      return addon.tripletHingeSum(X, XM, n, d, pairA, pairB, ids);
    },
    eigh: addon.eigh,
    cholesky: addon.cholesky,
    svd: addon.svd,
    solve: addon.solve,
    solveSpd: addon.solveSpd,
    inverse: addon.inverse,
  };
}

/** The native backend, or null if the addon is not built or cannot load (see nativeLoadError). */
/**
 * Loads the addon with OpenBLAS told the thread count through its environment variable,
 * which it reads once, when the library loads. Without it OpenBLAS starts a worker per core
 * that spins for its first ~0.1 s of waiting even when we then set one thread: CPU time that
 * lands on whatever runs first. The variable is put back afterwards so child processes
 * don't inherit it; setThreads can still raise the count later (OpenBLAS adds workers then).
 */
function loadWithBlasThreads(file: string, threads: number): Addon {
  const name = 'OPENBLAS_NUM_THREADS';
  const previous = process.env[name];
  if (previous === undefined) process.env[name] = String(threads);
  try {
    return createRequire(import.meta.url)(file) as Addon;
  } finally {
    if (previous === undefined) delete process.env[name];
  }
}

export function loadNativeBackend(): Backend | null {
  if (loaded !== undefined) return loaded;
  const file = join(packageRoot(), ADDON_FILE);
  if (!existsSync(file)) {
    reason = `${ADDON_FILE} does not exist (the addon was not built)`;
    loaded = null;
    return null;
  }
  try {
    const threads = threadsFromEnv();
    const addon = loadWithBlasThreads(file, threads);
    addon.setLinAlgError(LinAlgError);
    addon.setThreads(threads);
    loaded = wrap(addon);
    loadedAddon = addon;
    reason = null;
  } catch (e) {
    reason = `loading ${ADDON_FILE} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    loaded = null;
  }
  return loaded;
}

/** Why the native backend is unavailable, or null once it has loaded. */
export function nativeLoadError(): string | null {
  if (loaded === undefined) loadNativeBackend();
  return reason;
}

/**
 * The vector instruction set of the native k-NN kernels ("avx512", "avx2", "sse" or
 * "scalar"; SIMLEARN_KNN_ISA can force a lower one), or null without the addon.
 */
export function nativeKnnIsa(): string | null {
  loadNativeBackend();
  return loadedAddon ? loadedAddon.knnIsa() : null;
}

/**
 * What computes the float32 distance tiles of native knn and sqeuclidean: our own "avx512" or
 * "avx2" kernel, or "blas" (OpenBLAS sgemm; SIMLEARN_KNN_ISA=sse or scalar forces it), or null
 * without the addon. Our kernels give the same bits however the queries are split into threads.
 */
export function nativeKnnTileIsa(): string | null {
  loadNativeBackend();
  if (!loadedAddon) return null;
  return loadedAddon.knnTileIsa ? loadedAddon.knnTileIsa() : loadedAddon.knnIsa() === 'avx512' ? 'avx512' : 'blas';
}

/** The vector instruction set of the native knnCandidates kernel (follows nativeKnnIsa's choice), or null without it. */
export function nativeRerankIsa(): string | null {
  loadNativeBackend();
  return loadedAddon?.rerankIsa ? loadedAddon.rerankIsa() : null;
}
