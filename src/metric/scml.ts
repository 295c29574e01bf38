/**
 * SCML: Sparse Compositional Metric Learning (global variant).
 * Y. Shi, A. Bellet, F. Sha, "Sparse compositional metric learning", AAAI 2014.
 *
 * The metric is a sparse non-negative combination of K rank-one bases b_i b_iᵀ:
 *   M = Σ_i w_i b_i b_iᵀ,  w ≥ 0,
 *   min_w  (1/|T|) Σ_{(a,p,n)∈T} [1 + d_w(a, p) − d_w(a, n)]₊ + β ‖w‖₁,
 * where d_w(x, y) = Σ_i w_i (b_iᵀ(x − y))² is linear in w, so each triplet contributes the
 * vector δ_t = ((b_iᵀ(a − p))² − (b_iᵀ(a − n))²)_i and the hinge's subgradient is δ_t where
 * 1 + δ_tᵀw > 0. Solved, as in the paper, by stochastic composite optimisation with regularised
 * dual averaging (Xiao 2010) in its AdaGrad form (Duchi et al. 2011), mini-batches of 10:
 *   ḡ_t = mean of the subgradients so far,  G_t = √(Σ g²) (per coordinate),
 *   w_{t+1} = (t / (γ (δ + G_t))) · max(−(ḡ_t + β), 0),
 * the closed form of the RDA step with the ℓ1 term and w ≥ 0. The objective is evaluated every
 * `outputIter` iterations and the best w is kept (as the authors' code does).
 *
 * The objective is not scale-free while k-NN ranks are: the weights scale about as 1 / γ, and at
 * the default γ the learned distances are hundreds to thousands of times the margin 1, so the
 * few triplets still violated weigh [1 + δ_tᵀw]₊ ≫ 1 and the iterates often score above the zero
 * metric's 1 (digits: 1.3 to 1.5 with 99 % of the triplets ordered). The zero metric is then
 * "best"; it is no metric, and the best nonzero iterate is kept instead. Whether that one is
 * degenerate is decided scale-free: f(s) = mean [1 + s δ_tᵀw]₊ + s β‖w‖₁ is convex in s with
 * f(0) = 1, so some multiple of w beats the zero metric iff f'(0) = mean δ_tᵀw + β‖w‖₁ < 0.
 * Only when none does is it reported.
 *
 * Bases (the paper's §4): 'triplet_diffs' = differences of points of pairs drawn from the
 * triplets; 'lda' (supervised form) = discriminant directions of Fisher LDA run on local
 * neighbourhoods: k-means centres, and around each the k nearest points of every class, at two
 * scales (k = 10 and 20, or 50 and 20 above 50 features).
 *
 * δ_t rows are never stored (|T| x K can be gigabytes; and where it would fit, a drawn row of it
 * is a cache miss per active basis, measured slower than recomputing): the data are projected
 * once on the bases, XB = X Bᵀ (n x K), and each δ_t is formed from three rows of XB when drawn.
 * The RDA step is kept in terms of the running sum of subgradients so that mini-batches with no
 * violated triplet (almost all of them once the margins hold) cost only the active weights.
 *
 * Forming the metric in a subspace (option rowSpace, default true). The fit needs M only at
 * the end: M = Σ_k w_k b_k b_kᵀ over the active bases, then its eigendecomposition for the
 * components. Its range is the span of the active bases, so when an orthonormal V (d x r) holds
 * every active basis, b_k = V c_k with c_k = Vᵀ b_k, M = V (Σ_k w_k c_k c_kᵀ) Vᵀ = V M_r Vᵀ
 * exactly, and M's nonzero eigenpairs are M_r's (λ, V u): the components √λ uᵀ Vᵀ are the ones
 * the d x d eigendecomposition gives (the same rule drops eigenvalues at most 1e-10 of the
 * largest), and every direction orthogonal to V, the ones new points may have outside the
 * training span included, gets weight 0 in both. Taken when the data are the case this is for
 * (fewer rows than features, or rank-deficient: the triplet points' differences span r ≤ 0.9 d
 * dimensions; iris, wine and digits keep the d x d path), with V either
 * - the span of the points' differences, for generated 'triplet_diffs' bases, which are
 *   differences x_i − x_j of triplet points (M_r costs nnz d r + nnz r² instead of nnz d²,
 *   and the eigendecomposition r³ instead of d³); or
 * - the span of the distinct active bases themselves, through their q x q Gram matrix
 *   G = A Aᵀ (A = diag(√w) B over the q distinct active rows, duplicates' weights summed):
 *   G = U Λ Uᵀ gives M = AᵀA's eigenpairs (λ, Aᵀu/√λ), so the components are uᵀA. Taken for
 *   the other bases when q ≤ 0.9 d (and for 'triplet_diffs' when q ≤ r). The 'lda' bases need
 *   this route: with fewer points in a region than features they are scikit-learn's
 *   standardised directions, D⁻² times vectors in the span of the local residuals (D the
 *   per-feature within-class deviations), which leave the differences' span (a fifth of
 *   their length on a 30 x 80 sample), so projecting them on it would change distances of new
 *   points. When no class has more points than the smaller scale (20; 10 up to 50 features)
 *   every region holds all the points, and the thousands of active bases are copies of the
 *   c − 1 global directions (a 320 x 4096 faces fold: 19 200 active of 24 960, 39 distinct).
 * The weights are the d x d path's bit for bit (the fit is unchanged); M and the components
 * agree to rounding. A given basis matrix is taken as it is, so only the second route applies.
 */
import { Matrix, asMatrix, describeValue, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { getBackend } from '../backend/index.js';
import type { ScmlRdaProblem, ScmlRdaState } from '../backend/backend.js';
import { MahalanobisLearner, componentsFromMetric, type BaseLearnerOptions } from './base.js';
import { checkXPartialY, type PartiallyLabelledData } from './supervised-tuples.js';
import { toTuples, type Tuples, type TuplesInput } from './tuples.js';
import { TripletLearner } from './weakly-supervised.js';
import { Constraints } from './constraints.js';
import { tripletDiffBasis, ldaBasis } from './scml-basis.js';
import { checkPositive, checkInt, checkBool } from './init.js';
import { weightedGram } from './pair-differences.js';
import { differenceSpan, fromSpanCoordinates, multiplyByTranspose, type RowSpan } from './row-span.js';
import { symmetrize } from '../linalg/index.js';

export interface ScmlOptions extends BaseLearnerOptions {
  /** ℓ1 weight β. Default 1e-5. */
  beta?: number;
  /** Learning-rate parameter γ of the dual averaging. Default 5e-3. */
  gamma?: number;
  /** Number of bases K. Default: 80 · nFeatures (triplet_diffs) or min(20 d, 2 n (c − 1)) (lda). */
  nBasis?: number;
  /**
   * Mini-batch iterations. Default 20000 (metric-learn 0.7: 10 000; on digits the objective
   * and the k-NN accuracy still improve between the two: 0.978 → 0.983).
   */
  maxIter?: number;
  /** Triplets per mini-batch. Default 10. */
  batchSize?: number;
  /** Evaluate the objective (and keep the best w) every this many iterations. Default 500. */
  outputIter?: number;
  /**
   * Given bases instead of generated ones (K x nFeatures), or the name of the generated kind
   * (metric-learn's spelling: "triplet_diffs", or for SCMLSupervised also "lda").
   */
  basis?: Matrix<FloatArray> | number[][] | 'lda' | 'triplet_diffs';
  /**
   * With fewer rows than features (or rank-deficient data), form the learned metric and its
   * components within a subspace holding every active basis instead of as a d x d matrix:
   * the same metric (see the module comment), without the nnz d² product and the d x d
   * eigendecomposition that took most of a 320 x 4096 fit. Default true; false keeps the
   * d x d path.
   */
  rowSpace?: boolean;
}

export interface ScmlResult {
  /** The learned metric, d x d (when formed in a subspace: formed when first read). */
  M: Float64Array;
  /** When formed in a subspace: a factor L of M (Lᵀ L = M, rank x d), without eigh(M). */
  components?: Matrix<Float64Array>;
  /**
   * The subspace the metric was formed in (see the module comment): 'differences' (the span
   * of the triplet points' differences) or 'bases' (of the distinct active bases), and its
   * dimension; null for the d x d path.
   */
  span: { kind: 'differences' | 'bases'; rank: number } | null;
  weights: Float64Array;
  nIter: number;
  objective: number;
  activeBases: number;
  warnings: string[];
}

/** The distinct pairs the triplets use: endpoints, and each triplet's (near, far) pair ids. */
export interface TripletPairs {
  a: Int32Array;
  b: Int32Array;
  /** 2 per triplet: id of (anchor, closer), id of (anchor, farther). */
  ids: Int32Array;
}

export function tripletPairs(T: Int32Array, nPoints: number): TripletPairs {
  const nT = T.length / 3;
  const map = new Map<number, number>();
  const a: number[] = [], b: number[] = [];
  const ids = new Int32Array(2 * nT);
  for (let t = 0; t < nT; t++) {
    for (let s = 0; s < 2; s++) {
      const i = T[3 * t], j = T[3 * t + 1 + s];
      const key = Math.min(i, j) * nPoints + Math.max(i, j);
      let id = map.get(key);
      if (id === undefined) {
        id = a.length;
        map.set(key, id);
        a.push(i);
        b.push(j);
      }
      ids[2 * t + s] = id;
    }
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), ids };
}

/**
 * (1/|T|) Σ [1 + d_w(a,p) − d_w(a,n)]₊ + β Σ w. Each distinct pair's d_w is computed once,
 * then looked up per triplet, by whichever of two routes costs less:
 * - through M = Bᵀ diag(w) B: d_M = x_aᵀMx_a + x_bᵀMx_b − 2 x_aᵀM x_b (about nnz d² + n d²
 *   + pairs d multiply-adds; the cheaper one for digits: 1 280 bases in 64 dimensions);
 * - given XB = X Bᵀ, through Y = XB diag(√w) over the nnz active bases, where d_w is the
 *   squared Euclidean distance between rows of Y (about (n + pairs) nnz). With thousands of
 *   bases in hundreds of dimensions (6 000 in 300) forming M cost ten times more.
 */
export function scmlObjective(points: Matrix<Float64Array>, T: Int32Array, B: Float64Array, K: number, w: Float64Array, beta: number, pairs: TripletPairs = tripletPairs(T, points.rows), XB?: Float64Array): number {
  const d = points.cols;
  const n = points.rows;
  const be = getBackend();
  let nnz = 0, l1 = 0;
  for (let i = 0; i < K; i++) {
    l1 += w[i];
    if (w[i] !== 0) nnz++;
  }
  const nPairs = pairs.a.length;
  let loss: number;
  if (XB && (n + nPairs) * nnz < nnz * d * d + n * d * d + (n + nPairs) * d) {
    const Y = new Float64Array(n * nnz);
    for (let i = 0, r = 0; i < K; i++) {
      if (w[i] === 0) continue;
      const s = Math.sqrt(w[i]);
      for (let p = 0; p < n; p++) Y[p * nnz + r] = XB[p * K + i] * s;
      r++;
    }
    loss = nnz === 0 ? T.length / 3 : be.tripletHingeSum(Y, Y, n, nnz, pairs.a, pairs.b, pairs.ids);
  } else {
    const M = metricOf(B, K, d, w);
    const XM = new Float64Array(n * d);
    be.gemm(false, false, n, d, d, 1, points.data, d, M, d, 0, XM, d);
    loss = be.tripletHingeSum(points.data, XM, n, d, pairs.a, pairs.b, pairs.ids);
  }
  return loss / (T.length / 3) + beta * l1;
}

/**
 * M = Σ_i w_i b_i b_iᵀ over the basis rows b_i (the metric the weights select), through the
 * active bases only: the ℓ1 term keeps most weights at zero, and with thousands of bases in
 * hundreds of dimensions the full product (K d² per objective evaluation) was a third of a fit.
 */
function metricOf(B: Float64Array, K: number, d: number, w: Float64Array): Float64Array {
  let nnz = 0;
  for (let i = 0; i < K; i++) if (w[i] !== 0) nnz++;
  const Ba = new Float64Array(nnz * d), wa = new Float64Array(nnz);
  for (let i = 0, r = 0; i < K; i++) {
    if (w[i] === 0) continue;
    Ba.set(B.subarray(i * d, i * d + d), r * d);
    wa[r++] = w[i];
  }
  return weightedGram(Ba, nnz, d, wa);
}

/**
 * The weights w, then M = Σ_i w_i b_i b_iᵀ. basesAreDifferences: every row of B is a
 * difference of two points the triplets use (generated 'triplet_diffs' bases), which lets M be
 * formed in the span of the points' differences (option rowSpace; see the module comment).
 */
export function scmlSolve(points: Matrix<Float64Array>, T: Int32Array, B: Float64Array, K: number, options: ScmlOptions, rng: Random, onOutput?: (it: number, f: number) => void, basesAreDifferences = false): ScmlResult {
  const beta = checkPositive(options.beta ?? 1e-5, 'beta', 'scml', true);
  const gamma = checkPositive(options.gamma ?? 5e-3, 'gamma', 'scml');
  const maxIter = checkInt(options.maxIter ?? 20000, 'maxIter', 'scml');
  const batch = checkInt(options.batchSize ?? 10, 'batchSize', 'scml');
  const outputIter = checkInt(options.outputIter ?? 500, 'outputIter', 'scml');
  const rowSpace = checkBool(options.rowSpace ?? true, 'rowSpace', 'scml');
  const d = points.cols, n = points.rows;
  const nT = T.length / 3;
  if (nT === 0) throw new RangeError('scml: no triplets given');
  const XB = new Float64Array(n * K);
  getBackend().gemm(false, true, n, K, d, 1, points.data, d, B, d, 0, XB, K);
  const w = new Float64Array(K);
  const sum = new Float64Array(K);
  const ada2 = new Float64Array(K);
  const g = new Float64Array(K);
  const delta = 1e-3;
  const pairs = tripletPairs(T, n);
  let best: Float64Array = w.slice();
  // Given XB the zero metric's objective is 1 without forming the d x d zero M and X M (n d²
  // multiply-adds): every hinge is [1 + 0 − 0]₊ = 1 either way, so the value is the same.
  let bestObj = scmlObjective(points, T, B, K, w, beta, pairs, XB);
  // The zero metric (where the iterates start) can have the lowest objective when the steps
  // overshoot; it is no metric at all, so the best nonzero iterate is kept as well.
  let bestNz: Float64Array | null = null;
  let bestNzObj = Infinity;
  onOutput?.(0, bestObj);
  // Active (w_i > 0) coordinates: the slack of a triplet needs only these, and the full
  // δ_t row is added only for the triplets that violate the margin.
  const act = new Int32Array(K);
  // The RDA step in terms of the running sum S = Σ_k g_k (ḡ_t = S / t):
  //   w_i = max(−(S_i + t β), 0) / (γ (δ + G_i)),
  // so an iteration whose mini-batch has no violated triplet (g = 0, most of them once the
  // margins are met) changes only t: S, G and the active set stay, and only the active w_i are
  // refreshed. Inactive coordinates cannot become active then, since S_i + t β only grows.
  // The iterations run on the backend (js-scml.ts, or the native kernel with the same bits),
  // in chunks between objective evaluations; the triplet draws continue rng's stream.
  const be = getBackend();
  const problem: ScmlRdaProblem = { T, XB, n, K, batch, beta, gamma, delta };
  const st: ScmlRdaState = { w, sum, ada2, coef: new Float64Array(K).fill(1 / (gamma * delta)), g, act, nAct: 0, dirty: false, rng: rng.state() };
  for (let it0 = 0; it0 < maxIter; ) {
    const k1 = Math.min(maxIter, (Math.floor(it0 / outputIter) + 1) * outputIter);
    be.scmlRdaIterations(problem, st, it0, k1);
    rng.setState(st.rng);
    it0 = k1;
    const f = scmlObjective(points, T, B, K, w, beta, pairs, XB);
    onOutput?.(k1, f);
    if (f < bestObj) {
      bestObj = f;
      best = w.slice();
    }
    if (f < bestNzObj && w.some((v) => v > 0)) {
      bestNzObj = f;
      bestNz = w.slice();
    }
  }
  const warnings: string[] = [];
  if (!best.some((v) => v > 0) && bestNz) {
    // The zero metric scored best at the iterates' own scale; that alone says nothing (see the
    // header). Warn only if no rescaling of the kept metric beats the zero metric either.
    const r = rayAtZero(XB, K, bestNz, beta, pairs);
    if (!(r.slope < 0)) {
      warnings.push(`scml: the learned metric does not beat the zero metric on the training triplets at any scale (mean d(anchor, closer) − d(anchor, farther) is ${r.meanDelta.toPrecision(3)}, which with beta·Σw is ≥ 0, so every multiple of it scores at least the zero metric's 1; it puts the closer point nearer in ${(100 * r.ordered).toFixed(1)} % of the ${nT} triplets): its distances follow no structure the triplets ask for; check that the labels (or triplets) are consistent, e.g. no triplet also given reversed, or pass other bases (basis, nBasis)`);
    }
    best = bestNz;
    bestObj = bestNzObj;
  }
  let active = 0;
  for (let i = 0; i < K; i++) if (best[i] > 0) active++;
  if (active === 0) throw new RangeError('scml: no basis received a positive weight (the triplets are already satisfied by the zero metric or the steps were too small); raise maxIter or gamma, or check the triplets');
  const within = rowSpace ? metricInSpan(points, T, B, K, best, basesAreDifferences) : null;
  if (within) {
    let M: Float64Array | null = null;
    return {
      get M(): Float64Array {
        M ??= within.metric();
        return M;
      },
      components: within.components, span: within.span,
      weights: best, nIter: maxIter, objective: bestObj, activeBases: active, warnings,
    };
  }
  return { M: metricOf(B, K, d, best), span: null, weights: best, nIter: maxIter, objective: bestObj, activeBases: active, warnings };
}

/** Largest subspace dimension, as a fraction of d, worth forming the metric in (see the module comment). */
const SPAN_FRACTION = 0.9;

interface SpanMetric {
  components: Matrix<Float64Array>;
  /** The d x d metric, formed on demand. */
  metric: () => Float64Array;
  span: { kind: 'differences' | 'bases'; rank: number };
}

/**
 * M = Σ_i w_i b_i b_iᵀ and its components within a subspace holding every active basis, when
 * the triplet points' differences span at most 0.9 d dimensions and such a subspace is that
 * small (see the module comment); else null (the d x d path).
 */
function metricInSpan(points: Matrix<Float64Array>, T: Int32Array, B: Float64Array, K: number, w: Float64Array, basesAreDifferences: boolean): SpanMetric | null {
  const d = points.cols;
  const limit = SPAN_FRACTION * d;
  const usedMask = new Uint8Array(points.rows);
  for (let i = 0; i < T.length; i++) usedMask[T[i]] = 1;
  const used: number[] = [];
  for (let i = 0; i < points.rows; i++) if (usedMask[i]) used.push(i);
  // m points' differences span at most m − 1 dimensions; beyond that only the SVD tells.
  let span: RowSpan | null = null;
  const differences = (): RowSpan | null => (span ??= differenceSpan(points.takeRows(used)));
  if (used.length - 1 > limit) {
    const s = differences();
    if (!s || s.r > limit) return null;
  }
  const { A, wu, q } = distinctActive(B, K, d, w);
  if (basesAreDifferences) {
    const s = differences();
    if (!s) return null;
    if (q > s.r) return metricInDifferenceSpan(A, wu, q, d, s);
  } else if (q > limit) {
    return null;
  }
  return metricInBasisSpan(A, wu, q, d);
}

/**
 * The distinct active bases (q x d) with their weights summed (w₁ b bᵀ + w₂ b bᵀ = (w₁ + w₂) b bᵀ):
 * the 'lda' bases repeat the same directions wherever the regions hold the same points.
 */
function distinctActive(B: Float64Array, K: number, d: number, w: Float64Array): { A: Float64Array; wu: Float64Array; q: number } {
  const bits = new Int32Array(B.buffer, B.byteOffset, B.length * 2);
  const buckets = new Map<number, number[]>();
  const rows: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < K; i++) {
    if (w[i] === 0) continue;
    let h = 0x811c9dc5;
    for (let c = 2 * i * d, e = c + 2 * d; c < e; c++) h = Math.imul(h ^ bits[c], 16777619);
    let bucket = buckets.get(h);
    if (!bucket) buckets.set(h, (bucket = []));
    let u = -1;
    for (const j of bucket) {
      const a = rows[j] * d;
      let same = true;
      for (let c = 0; c < d && same; c++) same = B[a + c] === B[i * d + c];
      if (same) {
        u = j;
        break;
      }
    }
    if (u >= 0) {
      weights[u] += w[i];
    } else {
      bucket.push(rows.length);
      rows.push(i);
      weights.push(w[i]);
    }
  }
  const q = rows.length;
  const A = new Float64Array(q * d);
  rows.forEach((i, u) => A.set(B.subarray(i * d, i * d + d), u * d));
  return { A, wu: Float64Array.from(weights), q };
}

/**
 * The rows √λ_j u_jᵀ F (k x d) of the eigenpairs of the symmetric p x p S = U Λ Uᵀ with
 * λ_j > 1e-10 λ_max, largest first (componentsFromMetric's rule, and its one row when none
 * passes); F is p x d. scaleBy: multiply row j by √λ_j (false when F's rows carry it).
 */
function eigenRows(S: Float64Array, p: number, F: Float64Array, d: number, scaleBy: boolean): Matrix<Float64Array> {
  const be = getBackend();
  const { values, vectors } = be.eigh(S, p);
  const top = Math.max(0, values[p - 1]);
  const keep: number[] = [];
  for (let j = p - 1; j >= 0; j--) if (values[j] > 1e-10 * top) keep.push(j);
  if (keep.length === 0) keep.push(p - 1);
  const k = keep.length;
  const Uk = new Float64Array(k * p);
  keep.forEach((j, r) => {
    const s = scaleBy ? Math.sqrt(Math.max(0, values[j])) : 1;
    for (let i = 0; i < p; i++) Uk[r * p + i] = s * vectors[i * p + j];
  });
  const L = new Float64Array(k * d);
  be.gemm(false, false, k, d, p, 1, Uk, p, F, d, 0, L, d);
  return new Matrix(k, d, L);
}

/** In the span of the distinct active bases: G = As Asᵀ (As = diag(√w) A), components uᵀ As. */
function metricInBasisSpan(A: Float64Array, wu: Float64Array, q: number, d: number): SpanMetric {
  const As = A.slice();
  for (let u = 0; u < q; u++) {
    const s = Math.sqrt(wu[u]);
    for (let c = 0; c < d; c++) As[u * d + c] *= s;
  }
  const G = new Float64Array(q * q);
  getBackend().gemm(false, true, q, q, d, 1, As, d, As, d, 0, G, q);
  return {
    components: eigenRows(symmetrize(new Matrix(q, q, G)).data, q, As, d, false),
    metric: () => weightedGram(A, q, d, wu),
    span: { kind: 'bases', rank: q },
  };
}

/** In the span V of the points' differences: M_r = Σ w (Vᵀb)(Vᵀb)ᵀ (r x r), components √λ uᵀ Vᵀ. */
function metricInDifferenceSpan(A: Float64Array, wu: Float64Array, q: number, d: number, span: RowSpan): SpanMetric {
  const C = multiplyByTranspose(A, q, d, span.vt, span.r);
  const Mr = weightedGram(C, q, span.r, wu);
  return {
    components: eigenRows(Mr, span.r, span.vt, d, true),
    metric: () => fromSpanCoordinates(Mr, 0, span, d),
    span: { kind: 'differences', rank: span.r },
  };
}

/**
 * The ray s·w (s ≥ 0) of the objective at s = 0: f(s) = (1/|T|) Σ [1 + s δ_tᵀw]₊ + s β‖w‖₁ has
 * f(0) = 1 (the zero metric) and, every hinge being active there, the right slope
 * mean δ_tᵀw + β‖w‖₁. f is convex, so some multiple of w scores below 1 iff the slope is
 * negative. Also the fraction of triplets w orders strictly (δ_tᵀw < 0). δ_tᵀw = d_w(a,p) − d_w(a,n),
 * each distinct pair's d_w taken once from the active columns of XB = X Bᵀ.
 */
function rayAtZero(XB: Float64Array, K: number, w: Float64Array, beta: number, pairs: TripletPairs): { slope: number; meanDelta: number; ordered: number } {
  const active: number[] = [];
  let l1 = 0;
  for (let i = 0; i < K; i++) {
    if (w[i] === 0) continue;
    active.push(i);
    l1 += w[i];
  }
  const nPairs = pairs.a.length;
  const dist = new Float64Array(nPairs);
  for (let p = 0; p < nPairs; p++) {
    const ra = pairs.a[p] * K, rb = pairs.b[p] * K;
    let s = 0;
    for (const i of active) {
      const u = XB[ra + i] - XB[rb + i];
      s += w[i] * u * u;
    }
    dist[p] = s;
  }
  const nT = pairs.ids.length / 2;
  let sum = 0, ordered = 0;
  for (let t = 0; t < nT; t++) {
    const delta = dist[pairs.ids[2 * t]] - dist[pairs.ids[2 * t + 1]];
    sum += delta;
    if (delta < 0) ordered++;
  }
  const meanDelta = sum / nT;
  return { slope: meanDelta + beta * l1, meanDelta, ordered: ordered / nT };
}

/**
 * The `basis` option: not given (null or undefined: generated), the name of a generated kind
 * (metric-learn's spelling), or a K x nFeatures matrix. Anything else is an error here, since
 * 0 or NaN would read as "not given" and a string would be taken for a 1-row matrix.
 */
function basisOption(basis: unknown, kinds: readonly string[], algorithm: string): { kind?: string; matrix?: Matrix<FloatArray> | number[][] } {
  if (basis === undefined || basis === null) return {};
  if (typeof basis === 'string' && kinds.includes(basis)) return { kind: basis };
  if (basis instanceof Matrix || Array.isArray(basis)) return { matrix: basis as Matrix<FloatArray> | number[][] };
  throw new RangeError(`${algorithm}: basis must be ${kinds.map((k) => JSON.stringify(k)).join(' or ')} or a K x nFeatures matrix of bases, got ${describeValue(basis)}`);
}

function givenBasis(basis: Matrix<FloatArray> | number[][], d: number): { B: Float64Array; K: number } {
  const m = asMatrix(basis, 'scml: basis').toFloat64();
  if (m.cols !== d) throw new RangeError(`scml: basis has ${m.cols} columns but the data have ${d} features`);
  if (m.rows < 1) throw new RangeError('scml: basis has no rows');
  return { B: m.data.slice(), K: m.rows };
}

/** Local-LDA bases from the labelled rows only: unlabelled rows belong to no class. */
function knownRowsLdaBasis(data: PartiallyLabelledData, nBasis: number | undefined, rng: Random): { B: Float64Array; K: number } {
  const rows: number[] = [];
  for (let i = 0; i < data.codes.length; i++) if (data.codes[i] >= 0) rows.push(i);
  return ldaBasis(data.X.takeRows(rows), Int32Array.from(rows, (i) => data.codes[i]), data.classes.length, nBasis, rng);
}

function paramsOf(o: ScmlOptions, basis: string): Record<string, unknown> {
  return { beta: o.beta ?? 1e-5, gamma: o.gamma ?? 5e-3, nBasis: o.nBasis ?? null, maxIter: o.maxIter ?? 20000, batchSize: o.batchSize ?? 10, outputIter: o.outputIter ?? 500, basis: typeof o.basis === 'string' ? o.basis : o.basis != null ? 'matrix' : basis, rowSpace: o.rowSpace ?? true, seed: o.seed ?? 0 };
}

/** SCML from triplets (anchor, closer, farther), with 'triplet_diffs' bases by default. */
export class SCML extends TripletLearner<ScmlOptions> {
  readonly algorithm = 'scml-triplets';
  private _weights: Float64Array | null = null;

  constructor(options: ScmlOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    return paramsOf(this.options, 'triplet_diffs');
  }

  /** The learned basis weights of the last fit (sparse, non-negative). */
  get weights(): Float64Array {
    this.requireFitted();
    return (this._weights as Float64Array).slice();
  }

  fit(triplets: TuplesInput): this {
    const given = basisOption(this.options.basis, ['triplet_diffs'], this.algorithm);
    const t: Tuples = toTuples(triplets, 3, 'triplets');
    const rng = toRandom(this.options.seed);
    const d = t.points.cols;
    const { B, K } = given.matrix ? givenBasis(given.matrix, d) : tripletDiffBasis(t, this.options.nBasis, rng);
    const r = scmlSolve(t.points, t.indices, B, K, this.options, rng, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 20000, objective: f }), !given.matrix);
    this._weights = r.weights;
    this.setFitted(r.components ?? componentsFromMetric(new Matrix(d, d, r.M)), { nIter: r.nIter, converged: true, warnings: r.warnings });
    return this;
  }
}

export interface ScmlSupervisedOptions extends ScmlOptions {
  /** Same-class neighbours per point in the generated triplets. Default 3. */
  kGenuine?: number;
  /** Other-class neighbours per point. Default 10. */
  kImpostor?: number;
  /** 'lda' (default) or 'triplet_diffs'. */
  basisKind?: 'lda' | 'triplet_diffs';
}

/**
 * SCML with k-NN triplets from labels and local-LDA bases (metric-learn's SCML_Supervised).
 * Rows labelled null, undefined or NaN are unlabelled: they are in no triplet and in no LDA
 * neighbourhood (-1 is a class; see supervised-tuples.ts). Labels are compared by their text.
 */
export class SCMLSupervised extends MahalanobisLearner<ScmlSupervisedOptions> {
  readonly algorithm = 'scml';

  constructor(options: ScmlSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { ...paramsOf(o, o.basisKind ?? 'lda'), kGenuine: o.kGenuine ?? 3, kImpostor: o.kImpostor ?? 10 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>): this {
    const given = basisOption(this.options.basis, ['lda', 'triplet_diffs'], this.algorithm);
    if (given.kind !== undefined && this.options.basisKind !== undefined && given.kind !== this.options.basisKind) throw new RangeError(`${this.algorithm}: basis "${given.kind}" and basisKind "${String(this.options.basisKind)}" disagree; give one of them`);
    const data = checkXPartialY(X, y, this.algorithm);
    const rng = toRandom(this.options.seed);
    const d = data.X.cols;
    const T = new Constraints(data.codes).knnTriplets(data.X, this.options.kGenuine ?? 3, this.options.kImpostor ?? 10);
    const kind = given.kind ?? this.options.basisKind ?? 'lda';
    let basis: { B: Float64Array; K: number };
    if (given.matrix) basis = givenBasis(given.matrix, d);
    else if (kind === 'lda') basis = data.nKnown === data.X.rows ? ldaBasis(data.X, data.codes, data.classes.length, this.options.nBasis, rng) : knownRowsLdaBasis(data, this.options.nBasis, rng);
    else if (kind === 'triplet_diffs') basis = tripletDiffBasis({ points: data.X, indices: T, arity: 3 }, this.options.nBasis, rng);
    else throw new RangeError(`scml: basisKind must be "lda" or "triplet_diffs", got "${String(kind)}"`);
    const r = scmlSolve(data.X, T, basis.B, basis.K, this.options, rng, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 20000, objective: f }), !given.matrix && kind === 'triplet_diffs');
    this.setFitted(r.components ?? componentsFromMetric(new Matrix(d, d, r.M)), { nIter: r.nIter, converged: true, warnings: r.warnings });
    return this;
  }
}
