/**
 * Neighbourhood Components Analysis: Goldberger, Roweis, Hinton & Salakhutdinov,
 * "Neighbourhood Components Analysis", NIPS 2004.
 *
 * Maximises the expected leave-one-out accuracy of a stochastic nearest-neighbour rule,
 *   f(L) = Σ_i p_i,  p_i = Σ_{j: y_j = y_i} p_ij,  p_ij = softmax_{j≠i}(−‖L x_i − L x_j‖²),
 * with L-BFGS (as metric-learn and scikit-learn do). The paper's gradient
 *   ∂f/∂L = 2 L Σ_ij (p_i p_ij − [y_i = y_j] p_ij) (x_i − x_j)(x_i − x_j)ᵀ
 * is evaluated as a graph Laplacian product, ∂(−f)/∂L = 2 Zᵀ (D − W − Wᵀ) X with Z = X Lᵀ
 * (cf. scatter.ts), so one call costs one n x n x k GEMM for the distances, a pass over the
 * n² distances, and either an O(nnz·d) sparse pass or one n x n x d GEMM, not n² outer
 * products. Softmax weights below exp(−CUTOFF) of a row's largest are skipped: they are zero
 * to double precision in the row sum, so objective and gradient stay exact.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom } from '../random.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { initComponents, resolveNComponents, checkInt, checkPositive, type InitOption } from './init.js';
import { sparseDensity } from './scatter.js';
import { getBackend } from '../backend/index.js';
import { minimizeLbfgs } from './optim/lbfgs.js';

export interface NcaOptions extends BaseLearnerOptions {
  /** Output dimension (rows of L); default = number of features. */
  nComponents?: number;
  /** Initial L: 'auto' (identity, or PCA when reducing), 'identity', 'pca', 'random' or a matrix. */
  init?: InitOption;
  /** L-BFGS iterations (metric-learn: 100). */
  maxIter?: number;
  /** Gradient tolerance (max |∂f/∂L|). */
  tol?: number;
}

/** Softmax weights below exp(−40) ≈ 4e-18 of the row maximum vanish when added to the row sum (≥ 1) in double precision. */
const CUTOFF = 40;

/** Buffers reused across objective calls (one fit evaluates the objective ~100 times). */
export interface NcaWorkspace {
  n: number; d: number; k: number;
  Z: Float64Array; nrm: Float64Array; P: Float64Array; SX: Float64Array; acc: Float64Array; colSum: Float64Array;
  cand: Int32Array; candV: Float64Array; pj: Int32Array; pw: Float64Array; rowStart: Int32Array;
  /** W + Wᵀ for the dense gradient path, allocated on first use and kept zero between calls. */
  S?: Float64Array;
  /** Wᵀ as row lists (start offsets, columns, weights), for the dense path. */
  tStart?: Int32Array; ti?: Int32Array; tw?: Float64Array;
}

export function createNcaWorkspace(n: number, d: number, k: number): NcaWorkspace {
  return {
    n, d, k,
    Z: new Float64Array(n * k), nrm: new Float64Array(n), P: new Float64Array(n * n), SX: new Float64Array(n * d),
    acc: new Float64Array(d), colSum: new Float64Array(n), cand: new Int32Array(n), candV: new Float64Array(n),
    pj: new Int32Array(Math.max(1024, 8 * n)), pw: new Float64Array(Math.max(1024, 8 * n)), rowStart: new Int32Array(n + 1),
  };
}

/**
 * The negated NCA objective −Σ p_i and its gradient with respect to L (k x d, row-major).
 * Exported for the finite-difference test; `ws` (from createNcaWorkspace) avoids reallocating
 * the n x n buffer on every call.
 */
export function ncaLossGrad(X: Matrix<Float64Array>, y: Int32Array, L: Float64Array, k: number, grad: Float64Array, ws?: NcaWorkspace): number {
  const n = X.rows, d = X.cols;
  if (!ws || ws.n !== n || ws.d !== d || ws.k !== k) ws = createNcaWorkspace(n, d, k);
  const be = getBackend();
  const { Z, nrm, P, cand, candV, rowStart } = ws;
  be.gemm(false, true, n, k, d, 1, X.data, d, L, d, 0, Z, k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) { const v = Z[i * k + c]; s += v * v; }
    nrm[i] = s;
  }
  // Inner products by a plain GEMM: on both backends it outruns the symmetric rank-k product
  // (whose output must be mirrored), and the distances are formed row by row below.
  be.gemm(false, true, n, n, k, 1, Z, k, Z, k, 0, P, n);
  // The softmax is sparse in practice (weights beyond CUTOFF are zero to double precision), so
  // the weights are collected per row as a list. One pass per row: an entry is a candidate
  // while it lies within CUTOFF of the running minimum; the final minimum filters them again.
  let pj = ws.pj, pw = ws.pw;
  let np = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const ni = nrm[i];
    let dmin = Infinity, cnt = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue; // excluded from its own softmax
      let v = ni + nrm[j] - 2 * P[row + j];
      if (v < 0) v = 0;
      if (v > dmin + CUTOFF) continue;
      if (v < dmin) dmin = v;
      cand[cnt] = j; candV[cnt] = v; cnt++;
    }
    const lim = dmin + CUTOFF;
    const yi = y[i];
    if (np + cnt > pj.length) {
      const cap = Math.max(2 * pj.length, np + cnt);
      const na = new Int32Array(cap), nw = new Float64Array(cap);
      na.set(pj); nw.set(pw);
      pj = ws.pj = na; pw = ws.pw = nw;
    }
    rowStart[i] = np;
    let s = 0, same = 0;
    const start = np;
    for (let q = 0; q < cnt; q++) {
      const v = candV[q];
      if (v > lim) continue;
      const e = Math.exp(dmin - v);
      const j = cand[q];
      pj[np] = j; pw[np] = e; np++;
      s += e;
      if (y[j] === yi) same += e;
    }
    const pi = same / s;
    f += pi;
    // W_ij = p_ij ([y_i = y_j] − p_i): the weight of (x_i − x_j)(x_i − x_j)ᵀ in ∂(−f)/∂M.
    const inv = 1 / s;
    for (let q = start; q < np; q++) pw[q] *= inv * ((y[pj[q]] === yi ? 1 : 0) - pi);
  }
  rowStart[n] = np;
  // ∂(−f)/∂L = 2 L Xᵀ Lap(W) X = 2 Zᵀ (Lap(W) X), Lap(W) = diag(W1 + Wᵀ1) − W − Wᵀ.
  const SX = ws.SX;
  if (np < denseFrom(be.name) * n * n) laplacianTimesSparse(X.data, n, d, pj, pw, rowStart, ws);
  else laplacianTimesDense(X.data, n, d, pj, pw, rowStart, ws);
  be.gemm(true, false, k, d, n, 2, Z, k, SX, d, 0, grad, d);
  return -f;
}

/**
 * Buckets the pairs by column (a counting sort), giving Wᵀ row by row in ws.tStart/ti/tw,
 * and the degrees W1 + Wᵀ1 in ws.colSum.
 */
function transposePairs(n: number, pj: Int32Array, pw: Float64Array, rowStart: Int32Array, ws: NcaWorkspace): void {
  const nnz = rowStart[n];
  if (!ws.tStart || ws.ti!.length < nnz) { ws.tStart = new Int32Array(n + 1); ws.ti = new Int32Array(pj.length); ws.tw = new Float64Array(pj.length); }
  const { colSum: deg, tStart } = ws;
  const ti = ws.ti!, tw = ws.tw!;
  tStart.fill(0);
  for (let q = 0; q < nnz; q++) tStart[pj[q] + 1]++;
  for (let j = 0; j < n; j++) tStart[j + 1] += tStart[j];
  const fillPos = ws.cand; // free here: a cursor per bucket
  for (let j = 0; j < n; j++) fillPos[j] = tStart[j];
  deg.fill(0);
  for (let i = 0; i < n; i++) {
    for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
      const j = pj[q], w = pw[q];
      const at = fillPos[j]++;
      ti[at] = i; tw[at] = w;
      deg[i] += w;
      deg[j] += w;
    }
  }
}

/** ws.SX = Lap(W) X for W given row by row as (column, weight) lists: O(nnz·d). */
function laplacianTimesSparse(x: Float64Array, n: number, d: number, pj: Int32Array, pw: Float64Array, rowStart: Int32Array, ws: NcaWorkspace): void {
  const { SX, acc, colSum } = ws;
  SX.fill(0);
  colSum.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * d;
    acc.fill(0);
    let rowSum = 0;
    for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
      const w = pw[q];
      const j = pj[q];
      const rj = j * d;
      rowSum += w;
      colSum[j] += w;
      for (let c = 0; c < d; c++) {
        acc[c] += w * x[rj + c];
        SX[rj + c] -= w * x[ri + c];
      }
    }
    for (let c = 0; c < d; c++) SX[ri + c] += rowSum * x[ri + c] - acc[c];
  }
  for (let j = 0; j < n; j++) {
    const w = colSum[j], rj = j * d;
    if (w !== 0) for (let c = 0; c < d; c++) SX[rj + c] += w * x[rj + c];
  }
}

/**
 * ws.SX = Lap(W) X through W + Wᵀ stored densely: one n x n x d GEMM. ws.S is kept all-zero
 * between calls (only the entries set here are cleared), so no n x n fill per call. Wᵀ's
 * entries are bucketed by row first (a counting sort), so every write into the n x n buffer
 * goes in memory order instead of striding a column (cache and TLB misses dominated).
 */
function laplacianTimesDense(x: Float64Array, n: number, d: number, pj: Int32Array, pw: Float64Array, rowStart: Int32Array, ws: NcaWorkspace): void {
  if (!ws.S) ws.S = new Float64Array(n * n);
  transposePairs(n, pj, pw, rowStart, ws);
  const { S, SX, colSum: deg } = ws;
  const tStart = ws.tStart!, ti = ws.ti!, tw = ws.tw!;
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let q = rowStart[i]; q < rowStart[i + 1]; q++) S[r + pj[q]] += pw[q];
    for (let q = tStart[i]; q < tStart[i + 1]; q++) S[r + ti[q]] += tw[q];
  }
  getBackend().gemm(false, false, n, d, n, -1, S, n, x, d, 0, SX, d);
  for (let i = 0; i < n; i++) {
    const r = i * n;
    for (let q = rowStart[i]; q < rowStart[i + 1]; q++) S[r + pj[q]] = 0;
    for (let q = tStart[i]; q < tStart[i + 1]; q++) S[r + ti[q]] = 0;
    const di = deg[i], ri = i * d;
    for (let c = 0; c < d; c++) SX[ri + c] += di * x[ri + c];
  }
}

/**
 * Softmax density from which the dense Laplacian product beats the sparse pass. The sparse
 * pass costs ~2·nnz·d scalar updates in JS; the dense one n²·d multiply-adds in the backend's
 * GEMM plus ~4·nnz scattered writes; on digits (d = 64) the two cross near 2–3% density.
 */
function denseFrom(backend: string): number {
  return backend === 'native' ? 0.025 : sparseDensity();
}

export class NCA extends MahalanobisLearner<NcaOptions> {
  readonly algorithm = 'nca';

  constructor(options: NcaOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, init: typeof o.init === 'string' || o.init === undefined ? (o.init ?? 'auto') : 'matrix', maxIter: o.maxIter ?? 100, tol: o.tol ?? 1e-5, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'nca');
    const x = data.X;
    const k = resolveNComponents(this.options.nComponents, x.cols, 'nca');
    const maxIter = checkInt(this.options.maxIter ?? 100, 'maxIter', 'nca');
    const tol = checkPositive(this.options.tol ?? 1e-5, 'tol', 'nca', true);
    if (x.rows < 2) throw new RangeError('nca: needs at least 2 samples');
    const L0 = initComponents(x, k, this.options.init ?? 'auto', toRandom(this.options.seed ?? 0), 'nca');
    const ws = createNcaWorkspace(x.rows, x.cols, k);
    const res = minimizeLbfgs((L, g) => ncaLossGrad(x, data.y, L, k, g, ws), L0, {
      maxIter, gtol: tol,
      onIter: (iteration, objective) => this.progress({ iteration, maxIter, objective }),
    });
    return this.setFitted(new Matrix(k, x.cols, res.x), { nIter: res.nIter, converged: res.converged });
  }
}
