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
import { toRandom } from '../random.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { initComponents, resolveNComponents, classCounts, checkInt, checkPositive, type InitOption } from './init.js';
import { pairScatter, leftMultiply, project } from './scatter.js';

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

function sqDist(Z: Float64Array, a: number, b: number, kd: number): number {
  let s = 0;
  const ra = a * kd, rb = b * kd;
  for (let c = 0; c < kd; c++) {
    const v = Z[ra + c] - Z[rb + c];
    s += v * v;
  }
  return s;
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
    f += (1 - mu) * sqDist(Z, i, j, kd);
    a.push(i); b.push(j); w.push(1 - mu);
  }
  for (let p = 0; p < triples.length; p += 3) {
    const i = triples[p], j = triples[p + 1], l = triples[p + 2];
    f += mu * (1 + sqDist(Z, i, j, kd) - sqDist(Z, i, l, kd));
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
    const dij = sqDist(Z, i, targets[i * k + t], kd);
    f += (1 - mu) * dij;
    for (let l = 0; l < n; l++) {
      if (y[l] === y[i]) continue;
      const h = 1 + dij - sqDist(Z, i, l, kd);
      if (h > 0) f += mu * h;
    }
  }
  return f;
}

/** Exact, bound-accelerated evaluation of the LMNN loss and gradient along a fit. */
export class LmnnEvaluator {
  private readonly n: number;
  private readonly maxRaw: Float64Array;
  private snap: Float64Array | null = null;
  private snapInv: Float64Array | null = null;
  private cand: Int32Array[] = [];
  private minOut: Float64Array;
  private stale: Uint8Array;
  /** Counters for diagnostics and tests. */
  fullRefreshes = 0;
  rowRefreshes = 0;
  lastActive = 0;
  private evalsSinceSnap = 0;

  constructor(private readonly X: Matrix<Float64Array>, private readonly y: Int32Array, private readonly targets: Int32Array, private readonly k: number, private readonly mu: number, private readonly kd: number, private readonly slack = 0.25) {
    this.n = X.rows;
    this.minOut = new Float64Array(this.n);
    this.stale = new Uint8Array(this.n);
    this.maxRaw = new Float64Array(this.n);
    this.forEachDistanceBlock(X.data, X.cols, (i, row) => {
      let m = 0;
      for (let l = 0; l < this.n; l++) if (y[l] !== y[i] && row[l] > m) m = row[l];
      this.maxRaw[i] = Math.sqrt(m);
    });
  }

  /** Calls fn(i, squared distances from row i to all rows) for every i, in GEMM-sized blocks. */
  private forEachDistanceBlock(Z: Float64Array, kd: number, fn: (i: number, row: Float64Array) => void, rows?: number[]): void {
    const n = this.n;
    const list = rows ?? null;
    const total = list ? list.length : n;
    const block = Math.max(1, Math.min(total, Math.floor(4_000_000 / Math.max(1, n))));
    const be = getBackend();
    for (let s = 0; s < total; s += block) {
      const e = Math.min(total, s + block);
      let Q: Float64Array;
      if (list) {
        Q = new Float64Array((e - s) * kd);
        for (let r = s; r < e; r++) Q.set(Z.subarray(list[r] * kd, list[r] * kd + kd), (r - s) * kd);
      } else Q = Z.subarray(s * kd, e * kd);
      const D = be.sqeuclidean(Q, e - s, Z, n, kd);
      for (let r = s; r < e; r++) fn(list ? list[r] : r, D.subarray((r - s) * n, (r - s + 1) * n));
    }
  }

  private fullRefresh(L: Float64Array, Z: Float64Array, maxT: Float64Array): void {
    this.fullRefreshes++;
    // A snapshot that lasted only a few evaluations had too little slack (steps are large
    // now); one that lasted long had more than needed (every candidate costs each evaluation).
    if (this.snap) {
      if (this.evalsSinceSnap <= 3) this.slack = Math.min(this.slack * 1.25, 1);
      else if (this.evalsSinceSnap > 12) this.slack = Math.max(this.slack / 1.25, 0.25);
    }
    this.evalsSinceSnap = 0;
    this.snap = L.slice();
    this.snapInv = null;
    if (this.kd === this.X.cols) {
      try {
        this.snapInv = getBackend().inverse(L, this.kd);
      } catch {
        this.snapInv = null; // singular L: the absolute bound still applies
      }
    }
    this.stale.fill(0);
    const y = this.y;
    this.forEachDistanceBlock(Z, this.kd, (i, row) => {
      const radius = Math.sqrt(1 + maxT[i]) * (1 + this.slack);
      const r2 = radius * radius;
      const list: number[] = [];
      let mo = Infinity;
      for (let l = 0; l < this.n; l++) {
        if (y[l] === y[i]) continue;
        const v = row[l];
        if (v < r2) list.push(l);
        else if (v < mo) mo = v;
      }
      this.cand[i] = Int32Array.from(list);
      this.minOut[i] = Math.sqrt(mo);
    });
  }

  /** Loss at L; writes the gradient into grad. */
  evaluate(L: Float64Array, grad: Float64Array): number {
    const { n, k, kd, mu, y, targets } = this;
    this.evalsSinceSnap++;
    const Z = project(this.X, L, kd);
    const DT = new Float64Array(n * k);
    const maxT = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
      const v = sqDist(Z, i, targets[i * k + t], kd);
      DT[i * k + t] = v;
      if (v > maxT[i]) maxT[i] = v;
    }
    // Which points may have new impostors beyond their candidate lists?
    let eps = Infinity, rho = Infinity;
    if (this.snap) {
      const d = this.X.cols;
      const dL = new Float64Array(L.length);
      for (let p = 0; p < L.length; p++) dL[p] = L[p] - this.snap[p];
      if (this.snapInv) {
        const E = new Float64Array(kd * d);
        getBackend().gemm(false, false, kd, d, d, 1, dL, d, this.snapInv, d, 0, E, d);
        rho = spectralBound(E, kd, d);
      } else eps = spectralBound(dL, kd, d);
    }
    const unsafe: number[] = [];
    if (this.snap) {
      for (let i = 0; i < n; i++) {
        if (this.stale[i]) { unsafe.push(i); continue; }
        const mo = this.minOut[i];
        if (mo === Infinity) continue;
        const lower = Math.max(mo - eps * this.maxRaw[i], (1 - rho) * mo);
        if (!(lower > Math.sqrt(1 + maxT[i]))) unsafe.push(i);
      }
    }
    const exactRows = new Map<number, Int32Array>();
    if (!this.snap || unsafe.length > 0.2 * n) this.fullRefresh(L, Z, maxT);
    else if (unsafe.length > 0) {
      this.rowRefreshes += unsafe.length;
      this.forEachDistanceBlock(Z, kd, (i, row) => {
        this.stale[i] = 1;
        const list: number[] = [];
        const lim = 1 + maxT[i];
        for (let l = 0; l < n; l++) if (y[l] !== y[i] && row[l] < lim) list.push(l);
        exactRows.set(i, Int32Array.from(list));
      }, unsafe);
    }
    const a: number[] = [], b: number[] = [], w: number[] = [];
    let pull = 0, push = 0, active = 0;
    const wl = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cands = exactRows.get(i) ?? this.cand[i];
      for (let c = 0; c < cands.length; c++) {
        const l = cands[c];
        const dil = sqDist(Z, i, l, kd);
        let cnt = 0;
        for (let t = 0; t < k; t++) {
          const h = 1 + DT[i * k + t] - dil;
          if (h > 0) {
            push += h;
            cnt++;
            wl[t]++;
          }
        }
        if (cnt > 0) { a.push(i); b.push(l); w.push(-mu * cnt); active += cnt; }
      }
      for (let t = 0; t < k; t++) {
        pull += DT[i * k + t];
        a.push(i); b.push(targets[i * k + t]); w.push(1 - mu + mu * wl[t]);
        wl[t] = 0;
      }
    }
    this.lastActive = active;
    grad.set(leftMultiply(L, kd, this.X.cols, pairScatter(this.X, a, b, w), 2));
    return (1 - mu) * pull + mu * push;
  }
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
    if (!(mu >= 0 && mu <= 1)) throw new RangeError(`lmnn: regularization must be in [0, 1], got ${mu}`);
    const maxIter = checkInt(o.maxIter ?? 1000, 'maxIter', 'lmnn');
    const minIter = checkInt(o.minIter ?? 50, 'minIter', 'lmnn', 0);
    const tol = checkPositive(o.convergenceTol ?? 1e-5, 'convergenceTol', 'lmnn', true);
    const counts = classCounts(data.y, data.classes.length);
    counts.forEach((c, ci) => {
      if (c <= k) throw new RangeError(`lmnn: class ${JSON.stringify(data.classes[ci])} has ${c} sample${c === 1 ? '' : 's'}, but k = ${k} target neighbours need at least ${k + 1} per class; lower k to ${Math.max(1, Math.min(...counts) - 1)} or add samples`);
    });
    const kd = resolveNComponents(o.nComponents, x.cols, 'lmnn');
    let L = initComponents(x, kd, o.init ?? 'auto', toRandom(o.seed ?? 0), 'lmnn');
    const targets = selectTargets(x, data.y, data.classes.length, k);
    const ev = new LmnnEvaluator(x, data.y, targets, k, mu, kd);
    let g = new Float64Array(L.length);
    let f = ev.evaluate(L, g);
    const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, t) => s + t * t, 0));
    let eta = o.learnRate ?? 0.01 * norm(L) / Math.max(norm(g), 1e-300);
    checkPositive(eta, 'learnRate', 'lmnn');
    let converged = false;
    let it = 0;
    const gNext = new Float64Array(L.length);
    while (it < maxIter) {
      it++;
      let accepted = false;
      let Lnext = L;
      let fNext = f;
      for (let tries = 0; tries < 60; tries++) {
        Lnext = new Float64Array(L.length);
        for (let p = 0; p < L.length; p++) Lnext[p] = L[p] - eta * g[p];
        fNext = ev.evaluate(Lnext, gNext);
        if (fNext < f) { accepted = true; break; }
        eta *= 0.5;
      }
      if (!accepted) { converged = true; break; }
      const rel = (f - fNext) / Math.max(Math.abs(f), 1e-300);
      L = Lnext;
      f = fNext;
      g = gNext.slice();
      eta *= 1.1;
      this.progress({ iteration: it, maxIter, objective: f, message: `active ${ev.lastActive}` });
      if (it >= minIter && rel < tol) { converged = true; break; }
    }
    return this.setFitted(new Matrix(kd, x.cols, L), { nIter: it, converged });
  }
}
