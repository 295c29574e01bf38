/**
 * Large Margin Nearest Neighbour: Weinberger & Saul, "Distance Metric Learning for Large
 * Margin Nearest Neighbor Classification", JMLR 10 (2009).
 *
 * Loss (eq. 14 of the paper, in terms of L with M = LᵀL):
 *   ε(L) = (1 − μ) Σ_{i, j⇝i} D_ij + μ Σ_{i, j⇝i, l: y_l ≠ y_i} [1 + D_ij − D_il]_+ ,
 * D_ab = ‖L(x_a − x_b)‖², j⇝i the k target neighbours of i (same class, Euclidean nearest in
 * the input space, fixed during the fit), μ = `regularization`.
 * Minimised by (sub)gradient descent on L with the step-size adaptation of the paper's solver
 * and metric-learn (grow the step after a decrease, halve it and retry after an increase).
 * The paper optimises over M with a PSD projection; optimising L is the metric-learn form and
 * needs no projection. The gradient is 2 L Σ w_ab (x_a − x_b)(x_a − x_b)ᵀ over the target
 * and active impostor pairs, evaluated as a Laplacian product (scatter.ts).
 *
 * Impostor search (the expensive part) is exact yet rarely touches all n² pairs: at a
 * "snapshot" L₀ every point keeps the differently labelled points within a slack radius as
 * candidates, and the distance to the nearest non-candidate. Since
 *   ‖L δ‖ ≥ ‖L₀ δ‖ − ‖L − L₀‖_F ‖δ‖,
 * a point's non-candidates provably stay outside its margin while
 *   minOut_i − ‖L − L₀‖_F · maxRaw_i > sqrt(1 + max_j D_ij),
 * with maxRaw_i the largest input-space distance from i to another class; when L₀ is square
 * and invertible the sharper relative form ‖L δ‖ ≥ (1 − ‖(L − L₀) L₀⁻¹‖₂) ‖L₀ δ‖ is used.
 * Only points whose bound fails are searched again (all of them when many fail, taking a new
 * snapshot), so most iterations cost O(n·k·d) instead of O(n²·k).
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { rowSqDist } from '../backend/js-augmented.js';
import { toRandom } from '../random.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { initComponents, resolveNComponents, classCounts, checkInt, checkPositive, checkBool, type InitOption } from './init.js';
import { pairScatter, leftMultiply, project } from './scatter.js';
import { descentSpan, multiplyByTranspose, fromSpan, leftFactor, fromLeftFactor } from './row-span.js';

export interface LmnnOptions extends BaseLearnerOptions {
  /** Target neighbours per point (paper and metric-learn: 3). */
  k?: number;
  /** μ: weight of the push (impostor) term against the pull term (paper: 0.5). */
  regularization?: number;
  nComponents?: number;
  init?: InitOption;
  maxIter?: number;
  /** Iterations before convergence may be declared. */
  minIter?: number;
  /** Stop when the relative objective decrease of an accepted step falls below this. */
  convergenceTol?: number;
  /** Initial step; default chooses one that moves L by 1% of its norm. */
  learnRate?: number;
  /**
   * With fewer points than features, descend within the span of the training rows, and with
   * rank-deficient data (r ≤ 0.9 d) within the span of their differences (default true;
   * row-span.ts `descentSpan`): the same iterates in exact arithmetic, at r columns instead of d.
   */
  rowSpace?: boolean;
}

/** Target neighbours: for each point, its k nearest same-class points (input space), n x k. */
export function selectTargets(X: Matrix<Float64Array>, y: Int32Array, nClasses: number, k: number): Int32Array {
  const n = X.rows, d = X.cols;
  const targets = new Int32Array(n * k);
  for (let c = 0; c < nClasses; c++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (y[i] === c) members.push(i);
    const sub = X.takeRows(members).data;
    const r = getBackend().knn(sub, members.length, sub, members.length, d, k, { excludeSelf: true });
    members.forEach((i, a) => {
      for (let t = 0; t < k; t++) targets[i * k + t] = members[r.indices[a * k + t]];
    });
  }
  return targets;
}

/**
 * The LMNN loss and gradient for a fixed list of impostor triples (i, j, l) treated as active
 * (the hinge replaced by its linear part). Exported for the finite-difference test.
 */
export function lmnnActiveLossGrad(X: Matrix<Float64Array>, targets: Int32Array, k: number, triples: Int32Array, mu: number, L: Float64Array, kd: number, grad: Float64Array): number {
  const n = X.rows;
  const Z = project(X, L, kd);
  const a: number[] = [], b: number[] = [], w: number[] = [];
  let f = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
    const j = targets[i * k + t];
    f += (1 - mu) * rowSqDist(Z, i, j, kd);
    a.push(i); b.push(j); w.push(1 - mu);
  }
  for (let p = 0; p < triples.length; p += 3) {
    const i = triples[p], j = triples[p + 1], l = triples[p + 2];
    f += mu * (1 + rowSqDist(Z, i, j, kd) - rowSqDist(Z, i, l, kd));
    a.push(i, i); b.push(j, l); w.push(mu, -mu);
  }
  grad.set(leftMultiply(L, kd, X.cols, pairScatter(X, a, b, w), 2));
  return f;
}

/** The exact LMNN loss by brute force over all triples (for tests). */
export function lmnnBruteLoss(X: Matrix<Float64Array>, y: Int32Array, targets: Int32Array, k: number, mu: number, L: Float64Array, kd: number): number {
  const n = X.rows;
  const Z = project(X, L, kd);
  let f = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
    const dij = rowSqDist(Z, i, targets[i * k + t], kd);
    f += (1 - mu) * dij;
    for (let l = 0; l < n; l++) {
      if (y[l] === y[i]) continue;
      const h = 1 + dij - rowSqDist(Z, i, l, kd);
      if (h > 0) f += mu * h;
    }
  }
  return f;
}

/** Snapshots in a row whose bounds served no further evaluation before dense mode is taken. */
const FAILED_SNAPSHOTS_FOR_DENSE = 4;

/**
 * Exact, bound-accelerated evaluation of the LMNN loss and gradient along a fit.
 *
 * Internally the points are reordered by class, so "every point of another class" is two
 * contiguous ranges. Impostor searches are the backend's impostorCandidates (a GEMM on
 * augmented rows, float32 on the native backend, with a rigorous rounding margin); it only
 * selects candidates, and every distance that enters the loss is float64, so the loss is exact.
 */
export class LmnnEvaluator {
  private readonly n: number;
  private readonly X: Matrix<Float64Array>;
  private readonly y: Int32Array;
  private readonly targets: Int32Array;
  /** Class c occupies rows [classStart[c], classStart[c + 1]) of the reordered data. */
  private readonly classStart: Int32Array;
  private readonly maxRaw: Float64Array;
  private readonly otherPairs: number;
  private snap: Float64Array | null = null;
  private snapInv: Float64Array | null = null;
  private cand: Int32Array[] = [];
  /**
   * Float64 squared distances of the candidates (Infinity: provably inactive), valid only in
   * the evaluation that computed them.
   */
  private candD: Float64Array[] = [];
  private minOut: Float64Array;
  private stale: Uint8Array;
  /**
   * Dense mode: every evaluation searches all pairs at slack 0 and no bound is kept. Taken
   * when most other-class points sit inside the slack radius (high dimensions concentrate
   * distances), where candidate lists cost more than a GEMM, and when the bounds failed on
   * several snapshots in a row (steps that outgrow them, as on small sets), where computing
   * them (an inverse and a spectral bound per evaluation) buys nothing. Sparse mode is
   * retried every so often.
   */
  private dense = false;
  /**
   * The bounds cost more than the searches they would save: checking them takes a few d x d
   * products per evaluation (the relative bound's L⁻¹ product and the spectral norm's
   * squarings), about 6 d³, while a full impostor search is one n x n x kd GEMM. With few
   * points in many dimensions (160 x 300: 160 M against 8 M multiply-adds) dense mode is
   * simply cheaper, so it is kept throughout.
   */
  private readonly boundsNeverPay: boolean;
  /** Snapshots in a row that served no evaluation but their own. */
  private failedSnapshots = 0;
  /** Evaluations served by the current snapshot's bounds. */
  private snapshotUses = 0;
  private shortSnapshots = 0;
  private denseEvals = 0;
  private readonly allRows: Int32Array;
  /** Weighted pair list of the gradient, reused across evaluations. */
  private pa = new Int32Array(0);
  private pb = new Int32Array(0);
  private pw = new Float64Array(0);
  /** Counters for diagnostics and tests. */
  fullRefreshes = 0;
  rowRefreshes = 0;
  /** Times dense mode was taken because the bounds kept failing. */
  failedBoundSwitches = 0;
  lastActive = 0;

  constructor(X: Matrix<Float64Array>, y: Int32Array, targets: Int32Array, private readonly k: number, private readonly mu: number,
    private readonly kd: number, private slack = 0.5) {
    const n = X.rows;
    this.n = n;
    let nClasses = 0;
    for (let i = 0; i < n; i++) nClasses = Math.max(nClasses, y[i] + 1);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
    const rank = new Int32Array(n);
    order.forEach((i, r) => { rank[i] = r; });
    this.X = X.takeRows(order);
    this.y = Int32Array.from(order, (i) => y[i]);
    this.targets = new Int32Array(n * k);
    for (let r = 0; r < n; r++) for (let t = 0; t < k; t++) this.targets[r * k + t] = rank[targets[order[r] * k + t]];
    this.classStart = new Int32Array(nClasses + 1);
    for (let r = 0; r < n; r++) this.classStart[this.y[r] + 1]++;
    for (let c = 0; c < nClasses; c++) this.classStart[c + 1] += this.classStart[c];
    this.allRows = Int32Array.from({ length: n }, (_, i) => i);
    this.minOut = new Float64Array(n);
    this.stale = new Uint8Array(n);
    this.maxRaw = new Float64Array(n);
    let other = 0;
    for (let c = 0; c < nClasses; c++) { const m = this.classStart[c + 1] - this.classStart[c]; other += m * (n - m); }
    this.otherPairs = other;
    const d = X.cols;
    this.boundsNeverPay = 6 * d * d * d >= n * n * kd;
    this.dense = this.boundsNeverPay;
    // Largest input-space distance to another class, for the absolute bound (once, float64).
    const block = Math.max(1, Math.floor(4_000_000 / n));
    for (let s = 0; s < n; s += block) {
      const e = Math.min(n, s + block);
      const D = getBackend().sqeuclidean(this.X.data.subarray(s * d, e * d), e - s, this.X.data, n, d);
      for (let i = s; i < e; i++) {
        const c = this.y[i];
        let m = 0;
        for (let l = 0; l < n; l++) {
          if (l === this.classStart[c]) { l = this.classStart[c + 1] - 1; continue; }
          const v = D[(i - s) * n + l];
          if (v > m) m = v;
        }
        this.maxRaw[i] = Math.sqrt(m);
      }
    }
  }

  /**
   * Recomputes the candidates of the given rows (all when omitted) at the current Z: the
   * backend's impostorCandidates within the slack radius, with exact distances for those
   * that may be active now (within 1 + max_j D_ij).
   */
  private refresh(Z: Float64Array, maxT: Float64Array, slack: number, rows?: number[]): number {
    const { n, kd } = this;
    const list = rows ? Int32Array.from(rows) : this.allRows;
    const radius2 = new Float64Array(n), exactBelow = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = Math.sqrt(1 + maxT[i]) * (1 + slack);
      radius2[i] = r * r;
      exactBelow[i] = 1 + maxT[i];
    }
    const res = getBackend().impostorCandidates(Z, n, kd, this.y, list, radius2, exactBelow);
    for (let r = 0; r < list.length; r++) {
      const i = list[r], s = res.start[r], e = res.start[r + 1];
      this.cand[i] = res.index.subarray(s, e);
      this.candD[i] = res.dist.subarray(s, e);
      this.minOut[i] = Math.sqrt(res.minOut[r]);
    }
    return res.start[list.length];
  }

  private takeSnapshot(L: Float64Array, Z: Float64Array, maxT: Float64Array): void {
    this.fullRefreshes++;
    this.stale.fill(0);
    if (this.boundsNeverPay) {
      this.refresh(Z, maxT, 0);
      this.snap = null;
      return;
    }
    if (this.dense) {
      this.denseEvals++;
      if (this.denseEvals % 25 !== 0) {
        this.refresh(Z, maxT, 0);
        this.snap = null; // no bound is kept in dense mode
        return;
      }
    }
    // The slack adapts to how long snapshots last: a wide radius costs candidates on every
    // evaluation and only pays off when the bounds then hold for several steps.
    // Two short-lived snapshots in a row shrink it; one big step alone does not.
    if (this.snap) {
      if (this.snapshotUses > 1) this.shortSnapshots = 0;
      else if (++this.shortSnapshots >= 2) { this.slack = Math.max(0.02, this.slack / 2); this.shortSnapshots = 0; }
      if (this.snapshotUses >= 4) this.slack = Math.min(0.5, this.slack * 1.5);
      this.failedSnapshots = this.snapshotUses === 0 ? this.failedSnapshots + 1 : 0;
    }
    this.snapshotUses = 0;
    if (this.failedSnapshots >= FAILED_SNAPSHOTS_FOR_DENSE) {
      // The retry after a dense stretch gets one chance: a single failure goes back.
      this.failedSnapshots = FAILED_SNAPSHOTS_FOR_DENSE - 1;
      this.failedBoundSwitches++;
      this.dense = true;
      this.denseEvals = 1;
      this.refresh(Z, maxT, 0);
      this.snap = null;
      return;
    }
    const total = this.refresh(Z, maxT, this.slack);
    this.dense = total > this.otherPairs / 4;
    this.snap = L.slice();
    this.snapInv = null;
    if (this.kd === this.X.cols) {
      try {
        this.snapInv = getBackend().inverse(L, this.kd);
      } catch {
        this.snapInv = null; // singular L: the absolute bound still applies
      }
    }
  }

  /** Loss at L; writes the gradient into grad. */
  evaluate(L: Float64Array, grad: Float64Array): number {
    const { n, k, kd, mu, targets } = this;
    const Z = project(this.X, L, kd);
    const DT = new Float64Array(n * k);
    const maxT = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
      const v = rowSqDist(Z, i, targets[i * k + t], kd);
      DT[i * k + t] = v;
      if (v > maxT[i]) maxT[i] = v;
    }
    // Which points may have new impostors beyond their candidate lists?
    const unsafe: number[] = [];
    if (this.snap && !this.dense) {
      let eps = Infinity, rho = Infinity;
      const d = this.X.cols;
      const dL = new Float64Array(L.length);
      for (let p = 0; p < L.length; p++) dL[p] = L[p] - this.snap[p];
      if (this.snapInv) {
        const E = new Float64Array(kd * d);
        getBackend().gemm(false, false, kd, d, d, 1, dL, d, this.snapInv, d, 0, E, d);
        rho = spectralBound(E, kd, d);
      } else eps = spectralBound(dL, kd, d);
      for (let i = 0; i < n; i++) {
        if (this.stale[i]) { unsafe.push(i); continue; }
        const mo = this.minOut[i];
        if (mo === Infinity) continue;
        const lower = Math.max(mo - eps * this.maxRaw[i], (1 - rho) * mo);
        if (!(lower > Math.sqrt(1 + maxT[i]))) unsafe.push(i);
      }
    }
    // fresh[i]: candD[i] holds distances at this very L.
    const fresh = new Uint8Array(n);
    if (!this.snap || this.dense || unsafe.length > 0.2 * n) {
      this.takeSnapshot(L, Z, maxT);
      fresh.fill(1);
    } else {
      this.snapshotUses++;
      if (unsafe.length > 0) {
        // Their lists become exact (slack 0) at this L; they stay stale until the next snapshot.
        this.rowRefreshes += unsafe.length;
        const keepMin = unsafe.map((i) => this.minOut[i]);
        this.refresh(Z, maxT, 0, unsafe);
        unsafe.forEach((i, r) => { this.stale[i] = 1; fresh[i] = 1; this.minOut[i] = keepMin[r]; });
      }
    }
    let np = 0;
    const addPair = (i: number, j: number, wt: number) => {
      if (np === this.pa.length) {
        const cap = Math.max(1024, 2 * np);
        const na = new Int32Array(cap), nb = new Int32Array(cap), nw = new Float64Array(cap);
        na.set(this.pa); nb.set(this.pb); nw.set(this.pw);
        this.pa = na; this.pb = nb; this.pw = nw;
      }
      this.pa[np] = i; this.pb[np] = j; this.pw[np] = wt; np++;
    };
    let pull = 0, push = 0, active = 0;
    const wl = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const cands = this.cand[i];
      const cd = this.candD[i];
      const isFresh = fresh[i] === 1;
      const lim = 1 + maxT[i];
      for (let c = 0; c < cands.length; c++) {
        const l = cands[c];
        const dil = isFresh ? cd[c] : rowSqDist(Z, i, l, kd);
        if (!(dil < lim)) continue;
        let cnt = 0;
        for (let t = 0; t < k; t++) {
          const h = 1 + DT[i * k + t] - dil;
          if (h > 0) {
            push += h;
            cnt++;
            wl[t]++;
          }
        }
        if (cnt > 0) { addPair(i, l, -mu * cnt); active += cnt; }
      }
      for (let t = 0; t < k; t++) {
        pull += DT[i * k + t];
        addPair(i, targets[i * k + t], 1 - mu + mu * wl[t]);
        wl[t] = 0;
      }
    }
    this.lastActive = active;
    const d = this.X.cols;
    if (4 * kd > n) {
      // ∂/∂L = 2 L Xᵀ Lap X = 2 Zᵀ (Lap X): one kd x d x n product instead of forming the
      // d x d scatter (d² n) and multiplying by L (kd d²), which dominated with few points in
      // many dimensions. Where n is large against kd the two cost the same; the scatter form is
      // kept there, so those fits keep their bits.
      const SX = new Float64Array(n * d);
      getBackend().addPairLaplacian(SX, this.X.data, n, d, this.pa.subarray(0, np), this.pb.subarray(0, np), this.pw.subarray(0, np));
      getBackend().gemm(true, false, kd, d, n, 2, Z, kd, SX, d, 0, grad, d);
    } else {
      grad.set(leftMultiply(L, kd, d, pairScatter(this.X, this.pa, this.pb, this.pw, np), 2));
    }
    return (1 - mu) * pull + mu * push;
  }
}

/** out = L − eta g (a function of its own so that it is optimised early; see lbfgs.ts). */
function descentStep(L: Float64Array, eta: number, g: Float64Array, out: Float64Array): void {
  for (let p = 0; p < L.length; p++) out[p] = L[p] - eta * g[p];
}

/**
 * A rigorous, tight upper bound on the spectral norm of an m x n matrix A:
 * ‖A‖₂² = λmax(AᵀA) ≤ tr((AᵀA)^16)^{1/16}, which overestimates ‖A‖₂ by at most n^{1/32}.
 */
function spectralBound(A: Float64Array, m: number, n: number): number {
  const be = getBackend();
  let B = new Float64Array(n * n);
  be.gemm(true, false, n, n, m, 1, A, n, A, n, 0, B, n);
  let logScale = 0; // B holds (AᵀA)^p / exp(logScale)
  let p = 1;
  for (let step = 0; step < 4; step++) {
    let tr = 0;
    for (let i = 0; i < n; i++) tr += B[i * n + i];
    if (!(tr > 0)) return 0;
    for (let i = 0; i < B.length; i++) B[i] /= tr;
    logScale += Math.log(tr);
    const B2 = new Float64Array(n * n);
    be.gemm(false, false, n, n, n, 1, B, n, B, n, 0, B2, n);
    B = B2;
    logScale *= 2;
    p *= 2;
  }
  let tr = 0;
  for (let i = 0; i < n; i++) tr += B[i * n + i];
  if (!(tr > 0)) return 0;
  // λmax ≤ (tr(B) · exp(logScale))^{1/p}; a hair of slack covers rounding.
  return Math.sqrt(Math.exp((Math.log(tr) + logScale) / p)) * (1 + 1e-9);
}

export class LMNN extends MahalanobisLearner<LmnnOptions> {
  readonly algorithm = 'lmnn';

  constructor(options: LmnnOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return {
      k: o.k ?? 3, regularization: o.regularization ?? 0.5, nComponents: o.nComponents ?? null,
      init: typeof o.init === 'string' || o.init === undefined ? (o.init ?? 'auto') : 'matrix',
      maxIter: o.maxIter ?? 1000, minIter: o.minIter ?? 50, convergenceTol: o.convergenceTol ?? 1e-5,
      learnRate: o.learnRate ?? null, seed: o.seed ?? 0,
    };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'lmnn');
    const x = data.X;
    const o = this.options;
    const k = checkInt(o.k ?? 3, 'k', 'lmnn');
    const mu = o.regularization ?? 0.5;
    if (typeof mu !== 'number' || !(mu >= 0 && mu <= 1)) throw new RangeError(`lmnn: regularization must be in [0, 1], got ${mu}`);
    const maxIter = checkInt(o.maxIter ?? 1000, 'maxIter', 'lmnn');
    const minIter = checkInt(o.minIter ?? 50, 'minIter', 'lmnn', 0);
    const tol = checkPositive(o.convergenceTol ?? 1e-5, 'convergenceTol', 'lmnn', true);
    const rowSpace = checkBool(o.rowSpace ?? true, 'rowSpace', 'lmnn');
    const counts = classCounts(data.y, data.classes.length);
    counts.forEach((c, ci) => {
      if (c <= k) throw new RangeError(`lmnn: class ${JSON.stringify(data.classes[ci])} has ${c} sample${c === 1 ? '' : 's'}, but k = ${k} target neighbours need at least ${k + 1} per class; ${Math.min(...counts) >= 2 ? `lower k to ${Math.min(...counts) - 1}` : 'a class with a single sample has no target neighbour at any k; drop or merge it'} or add samples`);
    });
    const kd = resolveNComponents(o.nComponents, x.cols, 'lmnn');
    const L0 = initComponents(x, kd, o.init ?? 'auto', toRandom(o.seed ?? 0), 'lmnn');
    const targets = selectTargets(x, data.y, data.classes.length, k);
    // Every gradient 2 L Xᵀ Lap X lies in the span of the rows of X (X = X V Vᵀ for the
    // right singular vectors V, d x r), and of their differences, so with fewer points than
    // features, or rank-deficient data, the descent runs on X V with L V, and the part of L
    // outside the span, L0 (I − V Vᵀ), stays as it started: the products of an evaluation
    // shrink from d to r columns (160 x 300: about half; MNIST's 784 pixels: about 590).
    const span = rowSpace ? descentSpan(x) : null;
    const xs = span ? new Matrix(x.rows, span.r, multiplyByTranspose(x.data, x.rows, x.cols, span.vt, span.r)) : x;
    let L: Float64Array = span ? multiplyByTranspose(L0, kd, x.cols, span.vt, span.r) : L0;
    // More outputs than rows: descend on R in L V = Q R (row-span.ts), r x r instead of kd x r.
    const factor = span && kd > span.r ? leftFactor(L, kd, span.r) : null;
    if (factor) L = factor.r0;
    const ev = new LmnnEvaluator(xs, data.y, targets, k, mu, factor ? factor.r : kd);
    let g: Float64Array = new Float64Array(L.length);
    let f = ev.evaluate(L, g);
    const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, t) => s + t * t, 0));
    // ‖L0‖ and ‖∇‖ are the same in both coordinates (V has orthonormal columns and the
    // gradient lies in its span), so the default first step is too.
    let eta = o.learnRate ?? 0.1 * norm(L0) / Math.max(norm(g), 1e-300);
    checkPositive(eta, 'learnRate', 'lmnn');
    let converged = false;
    let it = 0;
    let gNext: Float64Array = new Float64Array(L.length);
    // Two iterates and two gradients, swapped on acceptance (fresh n-vectors per step cost
    // page faults and collections comparable to the step itself in high dimensions).
    let Lnext: Float64Array = new Float64Array(L.length);
    while (it < maxIter) {
      it++;
      let accepted = false;
      let fNext = f;
      for (let tries = 0; tries < 60; tries++) {
        descentStep(L, eta, g, Lnext);
        fNext = ev.evaluate(Lnext, gNext);
        if (fNext < f) { accepted = true; break; }
        eta *= 0.5;
      }
      if (!accepted) { converged = true; break; }
      const rel = (f - fNext) / Math.max(Math.abs(f), 1e-300);
      [L, Lnext] = [Lnext, L];
      [g, gNext] = [gNext, g];
      f = fNext;
      eta *= 1.2;
      this.progress({ iteration: it, maxIter, objective: f, message: `active ${ev.lastActive}` });
      if (it >= minIter && rel < tol) { converged = true; break; }
    }
    if (factor) L = fromLeftFactor(factor, L);
    return this.setFitted(new Matrix(kd, x.cols, span ? fromSpan(L, L0, kd, x.cols, span) : L), { nIter: it, converged });
  }
}
