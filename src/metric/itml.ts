/**
 * ITML: Information-Theoretic Metric Learning.
 * J. V. Davis, B. Kulis, P. Jain, S. Sra, I. S. Dhillon, "Information-theoretic metric
 * learning", ICML 2007 (Algorithm 1).
 *
 *   min_{M ⪰ 0, ξ}  D_ld(M, M₀) + γ D_ld(diag ξ, diag ξ₀)
 *   s.t. d_M(x_i, x_j) ≤ ξ_ij for similar pairs, d_M(x_i, x_j) ≥ ξ_ij for dissimilar ones,
 *
 * with d_M the squared Mahalanobis distance and ξ₀ = u (similar) or ℓ (dissimilar). Solved by
 * cyclic Bregman projections, one constraint at a time; each projection is the rank-one update
 * M ← M + β M v vᵀ M, O(d²) per constraint:
 *   p = vᵀ M v,  α = min(λ_c, δ γ/(γ+1) (1/p − 1/ξ_c)),  β = δ α / (1 − δ α p),
 *   ξ_c ← 1 / (1/ξ_c + δ α / γ),  λ_c ← λ_c − α,   δ = +1 similar, −1 dissimilar.
 * (The γ/(γ+1) factor is the exact projection with slack, as in the authors' released code; the
 * paper's printed step has the unscaled form.)
 *
 * Between full sweeps, 3 extra passes visit only the constraints with nonzero duals (the
 * others are satisfied and unchanged unless M moves across them, which the next full sweep
 * checks); every constraint is still visited at bounded intervals, so Bregman's method keeps
 * its convergence. Each projection runs on a row stride padded to a multiple of 4 with
 * four-way unrolled loops.
 *
 * Bounds: u, ℓ default to the 5th and 95th percentiles of the prior distances between the
 * points (the paper's rule). The authors' code takes percentiles of squared distances;
 * metric-learn takes them of plain distances and uses them as bounds on the squared d_M, which
 * asks similar pairs to come much closer and lets dissimilar ones be. We default to
 * metric-learn's reading (boundsFrom: 'distance'): with the squared one, k-NN accuracy on digits
 * fell to 0.968 (below Euclidean) and the sweeps needed to converge grew several-fold; both are
 * available. Percentiles use at most 600 distinct points (sampled with the seed); when their
 * pairs' differences would exceed 2^24 values (fewer rows than features: 320 x 4096 is 1.7 GB),
 * the prior distances are taken between the rows of P F for a factor M₀ = F Fᵀ instead (see
 * priorSqDistances). Stopping: relative change of the dual variables
 * Σ|λ − λ_old| / (Σ|λ| + Σ|λ_old|) < tol. Deviation: both norms are L1; the authors' code (and
 * metric-learn) divide an L1 norm by L2 norms, a ratio that grows with the number of
 * constraints and is why those implementations run to maxIter on digits.
 *
 * Row span (option rowSpace, default true). Every projection adds β (M v)(M v)ᵀ with v the
 * difference of two of the points, so when M₀ = c I + (a part within the points' span), M − c I
 * stays within the span of the points' differences: with V (d x r) an orthonormal basis of that
 * span (the thin SVD of the m distinct points, centred, r ≤ m − 1), M = c (I − V Vᵀ) + V M_r Vᵀ
 * throughout, and vᵀ M v = wᵀ M_r w with w = Vᵀ v. So with fewer distinct points than features
 * (m < d) the projections run on the r x r M_r and the r-dimensional w (the same iterates in
 * exact arithmetic: the duals, slacks and stopping rule see only the quadratic forms, and the
 * default bounds are taken from the same points), each O(r²) instead of O(d²). This holds for
 * the prior 'identity' and a given c·I (M₀ − c I = 0; V spans the points the pairs use) and for
 * 'covariance' (its eigenvalues are floored at 1e-10 of the largest, so the covariance's zero
 * eigenvalues outside the span of all the points' differences become one c = 1/(1e-10 ·
 * largest), and the rest is within that span; V then spans all the points). There the span path
 * is also the more accurate: the d x d path forms M₀ with that c ~ 1e10/largest along d − r
 * directions, and vᵀ M v then cancels to ~1e-8 relative. The learner's components are then the
 * symmetric square root L = √c (I − V Vᵀ) + V M_r^½ Vᵀ (Lᵀ L = M; for points outside the span,
 * too) instead of the eigenvector rows the d x d path takes, built with two products of r
 * columns instead of a d x d eigendecomposition. Both paths drop the eigenvalues at most 1e-10
 * of the largest one within the points' span, not of M's largest, which for 'covariance' is c
 * (see COMPONENT_CUT).
 *
 * Any other prior ('random', a given matrix not c·I) mixes all d directions, but the
 * projections still see M only through U (d x r, orthonormal, spanning the differences of the
 * points the pairs use; V above): with v = U a, vᵀ M v = aᵀ K a for K = Uᵀ M U, and
 * K ← K + β K a aᵀ K is the projection's update seen from U. In M, induction gives
 * M = M₀ + B C Bᵀ with B = M₀ U (M U = B (I + C K₀), so M v vᵀ M adds B (I + C K₀) a aᵀ (…)ᵀ
 * Bᵀ), and then K = K₀ + K₀ C K₀, K₀ = Uᵀ M₀ U: C = K₀⁻¹ (K − K₀) K₀⁻¹. So the projections run
 * on K (r x r; the same iterates in exact arithmetic, the bounds come from M₀ as on the d x d
 * path), and M follows. M ≻ 0 exactly when K ≻ 0 (M's Schur complement off U is M₀'s, whatever
 * K), so the PSD projection is K's. The components need a factor of M₀: M₀ = F Fᵀ (Cholesky,
 * d³/3, the factor the default bounds take past PAIR_DIFFS_MAX, formed once) gives
 * L = (I − Q Qᵀ + Q T^½ Qᵀ) Fᵀ with Q = Fᵀ U K₀^−½ and T = K₀^−½ K K₀^−½ (see
 * itmlSolveGeneralInSpan): three d x d x r products besides the factor, against the d x d
 * path's two d x d eigendecompositions (and O(d²) a projection). On a 320 x 4096 fold with
 * prior 'random' a fit went from ~400 s of CPU to ~7 s (3 s of it drawing M₀).
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { getBackend } from '../backend/index.js';
import { MahalanobisLearner, type BaseLearnerOptions } from './base.js';
import { tupleCount, type Tuples, type TuplesInput } from './tuples.js';
import { PairLearner } from './weakly-supervised.js';
import { pairsFromLabels, metricComponents } from './supervised-tuples.js';
import { priorMatrix, priorParam, type PriorOption } from './prior.js';
import { quadForms, tupleDiffs } from './pair-differences.js';
import { applyEigenFunction, covariance, eigh, projectPsd, symmetrize } from '../linalg/index.js';
import { checkPositive, checkInt, checkBool } from './init.js';
import { percentiles } from './percentiles.js';
import { multiplyByTranspose, differenceSpan, fromSpanCoordinates, type RowSpan } from './row-span.js';

export interface ItmlOptions extends BaseLearnerOptions {
  /** Slack trade-off γ (larger = constraints enforced harder). Default 1. */
  gamma?: number;
  /** Maximum sweeps over the constraints. Default 1000. */
  maxIter?: number;
  /** Convergence tolerance on the relative change of the dual variables. Default 1e-3. */
  tol?: number;
  /** Prior metric M₀. Default 'identity'. */
  prior?: PriorOption;
  /** [u, ℓ]: targets for d_M (squared) of similar / dissimilar pairs. Default: percentiles. */
  bounds?: [number, number];
  /**
   * Which prior distances the default bounds are percentiles of: 'distance' (metric-learn's
   * choice, the default) or 'squared' (the authors' code). See the module comment.
   */
  boundsFrom?: 'distance' | 'squared';
  /**
   * Project within the span of the points when there are fewer distinct points than features:
   * the same metric, O(r²) instead of O(d²) a projection, for any prior (see the module
   * comment). Default true; false keeps the d x d projections.
   */
  rowSpace?: boolean;
}

export interface ItmlResult {
  /** The learned metric, d x d (when solved within the span, formed when first read). */
  M: Float64Array;
  /**
   * A factor L of M (Lᵀ L = M up to the eigenvalues cut, see COMPONENT_CUT): when solved within
   * the span, d x d, formed without eigh(M) (for a prior not c·I nor 'covariance', from M₀'s
   * Cholesky factor); from the d x d projections, M's eigenvector rows when the points do not
   * span all d directions (else undefined: metricComponents(M)).
   */
  components?: Matrix<Float64Array>;
  nIter: number;
  converged: boolean;
  bounds: [number, number];
  /** r when the projections ran within the points' span (r x r), else null. */
  spanRank: number | null;
}

/** A hash of row i's values (−0 and 0 alike, as the string key used to treat them). */
function rowHash(x: Float64Array, i: number, d: number): number {
  let h = 0x811c9dc5;
  for (let c = 0; c < d; c++) {
    const v = x[i * d + c];
    const f = v === 0 ? 0 : v; // −0 → 0
    const lo = (f * 2654435761) | 0;
    h = Math.imul(h ^ lo ^ Math.floor(f * 1e6), 16777619);
  }
  return h;
}

function isIdentity(M: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (M[i * d + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

/**
 * The rows among `candidates` with distinct contents (first occurrence kept, −0 and 0 alike):
 * rows are bucketed by a hash of their values and compared in full only within a bucket.
 */
function distinctRows(x: Float64Array, nRows: number, d: number, candidates: Iterable<number>): number[] {
  const seenIndex = new Uint8Array(nRows);
  const buckets = new Map<number, number[]>();
  const rows: number[] = [];
  const sameRow = (a: number, b: number): boolean => {
    for (let c = 0; c < d; c++) if (!Object.is(x[a * d + c] + 0, x[b * d + c] + 0)) return false;
    return true;
  };
  for (const i of candidates) {
    if (seenIndex[i]) continue;
    seenIndex[i] = 1;
    const h = rowHash(x, i, d);
    const bucket = buckets.get(h);
    if (bucket?.some((j) => sameRow(i, j))) continue;
    if (bucket) bucket.push(i);
    else buckets.set(h, [i]);
    rows.push(i);
  }
  return rows;
}

/** The points the default bounds are percentiles of: the distinct points the tuples use, at most 600 (sampled with the seed). */
function boundsRows(used: number[], rng: Random): number[] {
  let pick = used;
  const cap = 600;
  if (used.length > cap) {
    const s = rng.sample(used.length, cap);
    pick = Array.from(s, (k) => used[k]);
  }
  if (pick.length < 2) throw new RangeError('itml: the pairs contain fewer than 2 distinct points; cannot derive bounds (pass bounds: [u, l])');
  return pick;
}

/**
 * Above this many values (pairs x features) the default bounds do not form the pairs'
 * differences (see priorSqDistances): 2^24 values, 128 MiB, and as much again for their
 * product with M₀. Below it (iris, wine, digits: 600 points x 64 features is 11.5 million) the
 * bounds keep the bits they had.
 */
const PAIR_DIFFS_MAX = 1 << 24;

/** Differences of all pairs i < j of the m rows of P (m x d). */
function allPairDiffs(P: Float64Array, m: number, d: number): Float64Array {
  const diffs = new Float64Array(((m * (m - 1)) / 2) * d);
  let k = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++, k++) {
    for (let c = 0; c < d; c++) diffs[k * d + c] = P[i * d + c] - P[j * d + c];
  }
  return diffs;
}

/**
 * F (d x d) with M₀ = F Fᵀ: the lower Cholesky factor, or, if M₀ has none in floating point
 * (positive definite, but barely), U diag(√λ) from its eigendecomposition (λ < 0 taken as 0).
 */
function priorFactor(M0: Float64Array, d: number): Float64Array {
  const be = getBackend();
  try {
    return be.cholesky(M0, d);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  const { values, vectors } = be.eigh(M0.slice(), d);
  const F = vectors.slice();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) F[i * d + j] *= Math.sqrt(Math.max(0, values[j]));
  return F;
}

/**
 * (x_i − x_j)ᵀ M₀ (x_i − x_j) for every pair i < j of the m rows of P, without the m²/2 x d
 * differences (1.7 GB at 320 points x 4096 features): with M₀ = F Fᵀ (F = factor(), priorFactor),
 * they are the squared Euclidean distances between the rows of P F, each summed from its
 * differences. The rows are centred first (distances do not change; a common offset would cancel
 * in them). O(d³/3 + m d² + m² d) time, O(d² + m d + m²) memory.
 */
function priorSqDistances(P: Float64Array, m: number, d: number, factor: () => Float64Array): Float64Array {
  const be = getBackend();
  const Pc = new Float64Array(m * d);
  be.centreColumns(P, m, d, Pc);
  const Z = new Float64Array(m * d);
  be.gemm(false, false, m, d, d, 1, Pc, d, factor(), d, 0, Z, d);
  return be.condensedSqDistances(Z, m, d);
}

/** [u, ℓ]: the 5th and 95th percentiles of the squared prior distances (or of their roots). */
function percentileBounds(dist: Float64Array, scale: 'distance' | 'squared'): [number, number] {
  if (scale === 'distance') for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i]);
  const [lo, hi] = percentiles(dist, [5, 95]);
  return [lo, hi];
}

/**
 * Squared prior distances between distinct points (at most 600 of them, sampled with the seed:
 * see boundsRows), and their percentiles. Memory: O(m d + m²) besides M₀ and its factor, or the
 * pairs' differences when they are at most PAIR_DIFFS_MAX values. `factor` gives M₀'s factor
 * (priorFactor; the general span path keeps it for the components).
 */
function defaultBounds(t: Tuples, M0: Float64Array, rng: Random, scale: 'distance' | 'squared', factor: () => Float64Array): [number, number] {
  const d = t.points.cols;
  const pick = boundsRows(distinctRows(t.points.data, t.points.rows, d, t.indices), rng);
  const m = pick.length;
  const P = t.points.takeRows(pick);
  const pairs = (m * (m - 1)) / 2;
  let dist: Float64Array;
  if (isIdentity(M0, d)) {
    // The default prior: plain squared distances, from a kernel that sums each pair's
    // differences in the order the general path below does (same bits, no m² x d array).
    dist = getBackend().condensedSqDistances(P.data, m, d);
  } else if (pairs * d <= PAIR_DIFFS_MAX) {
    // Small enough to form the differences: vᵀ M₀ v through one GEMM (the bits these bounds
    // have always had; priorSqDistances sums in another order).
    dist = quadForms(allPairDiffs(P.data, m, d), pairs, d, M0);
  } else {
    dist = priorSqDistances(P.data, m, d, factor);
  }
  return percentileBounds(dist, scale);
}

/**
 * bounds = [u, l]: similar pairs are pulled within u, dissimilar ones pushed beyond l, so u < l
 * (swapped, the two kinds of pairs would trade places). Both must be positive: the
 * projections divide by them.
 */
function checkBounds(b: unknown): [number, number] {
  const shown = Array.isArray(b) ? `[${b.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(b);
  if (!Array.isArray(b) || b.length !== 2 || !b.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RangeError(`itml: bounds must be two finite numbers [u, l] (u for similar pairs, l for dissimilar ones), got ${shown}`);
  }
  const [u, l] = b as [number, number];
  if (!(u > 0 && u < l)) throw new RangeError(`itml: bounds must satisfy 0 < u < l (similar pairs within u, dissimilar ones beyond l), got ${shown}${u > l && l > 0 ? `; did you mean [${l}, ${u}]?` : ''}`);
  return [u, l];
}

/** c when the prior is c·I with c > 0 ('identity', or a given matrix that is exactly that), else null. */
function scalarPrior(prior: PriorOption, d: number): number | null {
  if (prior === 'identity') return 1;
  const at = prior instanceof Float64Array
    ? (prior.length === d * d ? (i: number, j: number) => prior[i * d + j] : null)
    : Array.isArray(prior) && prior.length === d && prior.every((r) => Array.isArray(r) && r.length === d) ? (i: number, j: number) => prior[i][j] : null;
  if (!at) return null;
  const c = at(0, 0);
  if (typeof c !== 'number' || !(c > 0) || !Number.isFinite(c)) return null;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (at(i, j) !== (i === j ? c : 0)) return null;
  return c;
}

/**
 * The distinct rows whose differences span where the metric moves (allPoints false: the points
 * the pairs use, enough for a prior c·I and for the general span path) or, with allPoints
 * ('covariance': its M₀ − c I lies in the span of all the points), all of them.
 */
function spanRows(t: Tuples, allPoints: boolean): number[] {
  const { rows: n, cols: d, data: x } = t.points;
  return distinctRows(x, n, d, allPoints ? Array.from({ length: n }, (_, i) => i) : t.indices);
}

/**
 * How the projections run within the points' span (see the module comment): 'scalar' for a
 * prior c·I (scale = c), 'covariance', 'general' for any other prior ('random', a given matrix
 * not c·I: the projections on Uᵀ M U).
 */
type SpanKind = 'scalar' | 'covariance' | 'general';

/** The points' span when the projections can run within it (see the module comment), else null. */
function priorSpan(t: Tuples, prior: PriorOption): { span: RowSpan; scale: number | null; kind: SpanKind } | null {
  const d = t.points.cols;
  const scale = scalarPrior(prior, d);
  const kind: SpanKind = scale !== null ? 'scalar' : prior === 'covariance' ? 'covariance' : 'general';
  const rows = spanRows(t, kind === 'covariance');
  if (rows.length >= d) return null;
  const span = differenceSpan(t.points.takeRows(rows));
  return span ? { span, scale, kind } : null;
}

/**
 * Which eigenvalues the components keep. A prior can put eigenvalues far above the learned
 * ones on directions in which the points do not vary: 'covariance' floors the covariance's zero
 * eigenvalues (fewer points than features, constant columns) at 1e-10 of the largest, so M₀ is
 * c = 1/(1e-10 · largest) there, 1e10 times its smallest eigenvalue within the points' span.
 * A cut at 1e-10 of M's largest eigenvalue (c) then fell on that smallest one, and dropped
 * every direction the similar pairs shrank below it (on all of digits, 33 of 64; the components
 * no longer gave the fitted metric's distances between the training points). So the cut is
 * 1e-10 of the largest eigenvalue of the metric within the span of the points' differences (V),
 * and the directions outside it keep theirs; both paths take it so.
 */
const COMPONENT_CUT = 1e-10;

/**
 * L = √c (I − V Vᵀ) + V M_r^½ Vᵀ (Lᵀ L = c (I − V Vᵀ) + V M_r Vᵀ), dropping the eigenvalues of
 * M_r at most COMPONENT_CUT of its largest (c is kept unless it is below that too).
 */
function spanFactor(Mr: Float64Array, c: number, span: RowSpan, d: number): Matrix<Float64Array> {
  const r = span.r;
  const { values, vectors } = eigh(new Matrix(r, r, Mr), { assumeSymmetric: true });
  const cut = COMPONENT_CUT * Math.max(0, values[r - 1]);
  const S = applyEigenFunction(values, vectors, (l) => (l > cut ? Math.sqrt(l) : 0)).data;
  return new Matrix(d, d, fromSpanCoordinates(S, c > cut ? Math.sqrt(c) : 0, span, d));
}

/**
 * Components of the d x d projections' metric M: componentsFromMetric's rows √λ uᵀ (largest λ
 * first), keeping the eigenvalues above COMPONENT_CUT of the largest eigenvalue of Vᵀ M V, V
 * spanning the differences of the points (spanRows). When they span all d directions that is
 * M's largest, and this is undefined: metricComponents gives the same rows.
 */
function fullComponents(t: Tuples, prior: PriorOption, M: Float64Array, d: number): Matrix<Float64Array> | undefined {
  const rows = spanRows(t, scalarPrior(prior, d) === null);
  const span = rows.length >= 2 ? differenceSpan(t.points.takeRows(rows)) : null;
  if (span === null || span.r >= d) return undefined;
  const { vt, r } = span;
  const be = getBackend();
  const MV = multiplyByTranspose(M, d, d, vt, r);
  const K = new Float64Array(r * r);
  be.gemm(false, false, r, r, d, 1, vt, d, MV, r, 0, K, r);
  const top = eigh(new Matrix(r, r, K), { assumeSymmetric: true }).values[r - 1];
  const cut = COMPONENT_CUT * Math.max(0, top);
  const { values, vectors } = be.eigh(M.slice(), d);
  const keep: number[] = [];
  for (let j = d - 1; j >= 0; j--) if (values[j] > cut) keep.push(j);
  if (keep.length === 0) keep.push(d - 1);
  const L = Matrix.zeros(keep.length, d);
  keep.forEach((j, k) => {
    const s = Math.sqrt(Math.max(0, values[j]));
    for (let c = 0; c < d; c++) L.data[k * d + c] = s * vectors[c * d + j];
  });
  return L;
}

/**
 * prior 'covariance' as seen from the span (priorMatrix's rule): M₀ = c (I − V Vᵀ) + V M0_r Vᵀ,
 * M0_r from the covariance of the coordinates Z = X V (n x r), whose eigenvalues are the
 * covariance's within the span; the ones outside it are 0, floored like the small ones.
 */
function covariancePriorInSpan(Z: Float64Array, n: number, r: number): { c: number; M0: Float64Array; root: Float64Array } {
  if (n < 2) throw new RangeError('itml: prior "covariance" needs at least 2 points');
  const { values, vectors } = eigh(covariance(new Matrix(n, r, Z)), { assumeSymmetric: true });
  const max = Math.max(0, values[r - 1]);
  if (!(max > 0)) throw new RangeError('itml: prior "covariance": the points have zero variance');
  const g = (l: number) => 1 / Math.max(l, 1e-10 * max);
  // root = U diag(√g): M0_r = root rootᵀ, so prior distances are Euclidean ones of Z root.
  const root = vectors.data.slice();
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) root[i * r + j] *= Math.sqrt(g(values[j]));
  return { c: g(0), M0: applyEigenFunction(values, vectors, g).data, root };
}

/** Cyclic Bregman projections on the metric M (q x q) for the constraint vectors W (n x q), in place. */
function bregman(W: Float64Array, n: number, q: number, y: Int8Array, gamma: number, M: Float64Array, bounds: [number, number], maxIter: number, tol: number, onIter?: (it: number, conv: number) => void): { nIter: number; converged: boolean } {
  // The row stride is padded to a multiple of 4 so that the projections' two O(q²) loops can
  // be unrolled by four; the padding stays zero throughout.
  const qp = (q + 3) & ~3;
  const V = new Float64Array(n * qp);
  for (let c = 0; c < n; c++) for (let j = 0; j < q; j++) V[c * qp + j] = W[c * q + j];
  const Mp = new Float64Array(qp * qp);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) Mp[i * qp + j] = M[i * q + j];
  const lambda = new Float64Array(n);
  const xi = new Float64Array(n);
  for (let c = 0; c < n; c++) xi[c] = y[c] > 0 ? bounds[0] : bounds[1];
  // The projections run in one backend call (js-itml.ts, native/src/itml.cc); progress is
  // reported once it returns.
  const r = getBackend().itmlBregman({ V, n, d: q, dp: qp, y, gamma }, { M: Mp, lambda, xi }, maxIter, tol);
  if (onIter) r.history.forEach((conv, i) => onIter(i + 1, conv));
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) M[i * q + j] = Mp[i * qp + j];
  return { nIter: r.nIter, converged: r.converged };
}

export function itmlSolve(t: Tuples, y: Int8Array, options: ItmlOptions, rng: Random, onIter?: (it: number, conv: number) => void): ItmlResult {
  const gamma = checkPositive(options.gamma ?? 1, 'gamma', 'itml');
  const maxIter = checkInt(options.maxIter ?? 1000, 'maxIter', 'itml');
  const tol = checkPositive(options.tol ?? 1e-3, 'tol', 'itml');
  const rowSpace = checkBool(options.rowSpace ?? true, 'rowSpace', 'itml');
  const prior = options.prior ?? 'identity';
  const within = rowSpace ? priorSpan(t, prior) : null;
  if (within && within.kind !== 'general') return itmlSolveInSpan(t, y, options, rng, within.span, within.scale, { gamma, maxIter, tol }, onIter);
  const d = t.points.cols;
  const n = tupleCount(t);
  const M = priorMatrix(prior, t.points.data, t.points.rows, d, rng, 'itml');
  // M₀'s factor, formed at most once: for the default bounds past PAIR_DIFFS_MAX and for the
  // general span path's components.
  let F: Float64Array | null = null;
  const factor = (): Float64Array => (F ??= priorFactor(M, d));
  const bounds = resolveBounds(options, (scale) => defaultBounds(t, M, rng, scale, factor));
  if (within) {
    const r = itmlSolveGeneralInSpan(t, y, M, factor, bounds, within.span, { gamma, maxIter, tol }, onIter);
    if (r) return r;
  }
  const Vraw = tupleDiffs(t.points.data, d, t.indices, 2, 0, 1);
  const r = bregman(Vraw, n, d, y, gamma, M, bounds, maxIter, tol, onIter);
  const Mpsd = projectPsd(new Matrix(d, d, M)).data;
  return { M: Mpsd, components: fullComponents(t, prior, Mpsd, d), nIter: r.nIter, converged: r.converged, bounds, spanRank: null };
}

/** options.bounds, checked, or the default ones (computed only then). */
function resolveBounds(options: ItmlOptions, defaults: (scale: 'distance' | 'squared') => [number, number]): [number, number] {
  if (options.bounds !== undefined && options.bounds !== null) return checkBounds(options.bounds);
  const scale = options.boundsFrom ?? 'distance';
  if (scale !== 'distance' && scale !== 'squared') throw new RangeError(`itml: boundsFrom must be "distance" or "squared", got "${String(scale)}"`);
  return defaults(scale);
}

/** itmlSolve within the points' span (see the module comment); scale = c for a prior c·I, null for 'covariance'. */
function itmlSolveInSpan(t: Tuples, y: Int8Array, options: ItmlOptions, rng: Random, span: RowSpan, scale: number | null, o: { gamma: number; maxIter: number; tol: number }, onIter?: (it: number, conv: number) => void): ItmlResult {
  const { rows: nPoints, cols: d, data: x } = t.points;
  const { vt, r } = span;
  const n = tupleCount(t);
  let c: number, M0: Float64Array, root: Float64Array | null = null;
  if (scale !== null) {
    c = scale;
    M0 = new Float64Array(r * r);
    for (let i = 0; i < r; i++) M0[i * r + i] = c;
  } else {
    ({ c, M0, root } = covariancePriorInSpan(multiplyByTranspose(x, nPoints, d, vt, r), nPoints, r));
  }
  const bounds = resolveBounds(options, (boundsScale) => {
    const pick = boundsRows(distinctRows(x, nPoints, d, t.indices), rng);
    const m = pick.length;
    const P = t.points.takeRows(pick);
    let dist: Float64Array;
    if (scale !== null) {
      // As the d x d path computes them for the identity (the same bits when c = 1).
      dist = getBackend().condensedSqDistances(P.data, m, d);
      if (c !== 1) for (let i = 0; i < dist.length; i++) dist[i] *= c;
    } else {
      const Y = new Float64Array(m * r);
      getBackend().gemm(false, false, m, r, r, 1, multiplyByTranspose(P.data, m, d, vt, r), r, root!, r, 0, Y, r);
      dist = getBackend().condensedSqDistances(Y, m, r);
    }
    return percentileBounds(dist, boundsScale);
  });
  // w = Vᵀ v for each constraint's difference v, projected as a difference (a pair of equal
  // points gives w = 0 exactly, and is skipped as the d x d path skips it).
  const W = multiplyByTranspose(tupleDiffs(x, d, t.indices, 2, 0, 1), n, d, vt, r);
  const Mr = M0;
  const res = bregman(W, n, r, y, o.gamma, Mr, bounds, o.maxIter, o.tol, onIter);
  const MrPsd = projectPsd(new Matrix(r, r, Mr)).data;
  let M: Float64Array | null = null;
  return {
    get M(): Float64Array {
      M ??= fromSpanCoordinates(MrPsd, c, span, d);
      return M;
    },
    components: spanFactor(MrPsd, c, span, d),
    nIter: res.nIter, converged: res.converged, bounds, spanRank: r,
  };
}

/** H A H for symmetric r x r H and A. */
function congruence(H: Float64Array, A: Float64Array, r: number): Float64Array {
  const be = getBackend();
  const HA = new Float64Array(r * r);
  be.gemm(false, false, r, r, r, 1, H, r, A, r, 0, HA, r);
  const out = new Float64Array(r * r);
  be.gemm(false, false, r, r, r, 1, HA, r, H, r, 0, out, r);
  return symmetrize(new Matrix(r, r, out)).data;
}

/**
 * itmlSolve within the span of the pairs' differences for a prior M₀ that is not c·I ('random',
 * a given matrix; see the module comment): the projections run on K = Uᵀ M U from
 * K₀ = Uᵀ M₀ U, and M = M₀ + B K₀⁻¹ (K − K₀) K₀⁻¹ Bᵀ with B = M₀ U. The components are
 * L = (s (I − Q Qᵀ) + Q T^½ Qᵀ) Fᵀ with M₀ = F Fᵀ (factor()), Q = Fᵀ U K₀^−½ (orthonormal
 * columns) and T = K₀^−½ K K₀^−½, so Lᵀ L = M₀ + F Q (T − I) Qᵀ Fᵀ = M; formed as
 * s Fᵀ + (Fᵀ U) K₀^−½ (T^½ − s I) K₀^−½ Bᵀ (Q Qᵀ Fᵀ = Fᵀ U K₀⁻¹ Bᵀ): three products of r columns
 * and F, no d x d eigendecomposition. s = 1 and T's eigenvalues are cut as spanFactor cuts c and
 * M_r's (COMPONENT_CUT of T's largest). Null when K₀ is not numerically positive definite (M₀
 * singular to rounding within the span): the caller runs the d x d projections.
 */
function itmlSolveGeneralInSpan(t: Tuples, y: Int8Array, M0: Float64Array, factor: () => Float64Array, bounds: [number, number], span: RowSpan, o: { gamma: number; maxIter: number; tol: number }, onIter?: (it: number, conv: number) => void): ItmlResult | null {
  const { cols: d, data: x } = t.points;
  const { vt, r } = span;
  const n = tupleCount(t);
  const be = getBackend();
  const B = multiplyByTranspose(M0, d, d, vt, r); // M₀ U, d x r
  const K0raw = new Float64Array(r * r);
  be.gemm(false, false, r, r, d, 1, vt, d, B, r, 0, K0raw, r);
  const K0 = symmetrize(new Matrix(r, r, K0raw)).data;
  const k0 = eigh(new Matrix(r, r, K0), { assumeSymmetric: true });
  if (!(k0.values[0] > 0)) return null;
  // w = Uᵀ v for each constraint's difference v, as in itmlSolveInSpan.
  const W = multiplyByTranspose(tupleDiffs(x, d, t.indices, 2, 0, 1), n, d, vt, r);
  const K = K0.slice();
  const res = bregman(W, n, r, y, o.gamma, K, bounds, o.maxIter, o.tol, onIter);
  const Kpsd = projectPsd(new Matrix(r, r, K)).data;
  // H = K₀^−½; T − I = H (K − K₀) H (exactly 0 where no constraint moved K).
  const H = applyEigenFunction(k0.values, k0.vectors, (l) => 1 / Math.sqrt(l)).data;
  const TI = congruence(H, Kpsd.map((v, i) => v - K0[i]), r);
  const T = TI.slice();
  for (let i = 0; i < r; i++) T[i * r + i] += 1;
  const { values, vectors } = eigh(new Matrix(r, r, T), { assumeSymmetric: true });
  const cut = COMPONENT_CUT * Math.max(0, values[r - 1]);
  const s = 1 > cut ? 1 : 0;
  // Z = H (T^½ − s I) H; L = s Fᵀ + (Fᵀ U) Z Bᵀ.
  const Z = congruence(H, applyEigenFunction(values, vectors, (l) => (l > cut ? Math.sqrt(l) : 0) - s).data, r);
  const F = factor();
  const Gt = new Float64Array(r * d); // (Fᵀ U)ᵀ = Uᵀ F
  be.gemm(false, false, r, d, d, 1, vt, d, F, d, 0, Gt, d);
  const ZBt = new Float64Array(r * d);
  be.gemm(false, true, r, d, r, 1, Z, r, B, r, 0, ZBt, d);
  const L = new Float64Array(d * d);
  if (s !== 0) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) L[i * d + j] = F[j * d + i];
  be.gemm(true, false, d, d, r, 1, Gt, d, ZBt, d, 1, L, d);
  return generalSpanResult(M0, B, congruence(H, TI, r), d, r, new Matrix(d, d, L), res, bounds);
}

/** The general span path's result: M = M₀ + B C Bᵀ (C = K₀⁻¹ (K − K₀) K₀⁻¹), formed when first read. */
function generalSpanResult(M0: Float64Array, B: Float64Array, C: Float64Array, d: number, r: number, components: Matrix<Float64Array>, res: { nIter: number; converged: boolean }, bounds: [number, number]): ItmlResult {
  let M: Float64Array | null = null;
  return {
    get M(): Float64Array {
      if (M === null) {
        const be = getBackend();
        const BC = new Float64Array(d * r);
        be.gemm(false, false, d, r, r, 1, B, r, C, r, 0, BC, r);
        M = M0.slice();
        be.gemm(false, true, d, d, r, 1, BC, r, B, r, 1, M, d);
      }
      return M;
    },
    components, nIter: res.nIter, converged: res.converged, bounds, spanRank: r,
  };
}

/** ITML from pairs labelled +1 (similar) / −1 (dissimilar). */
export class ITML extends PairLearner<ItmlOptions> {
  readonly algorithm = 'itml-pairs';
  private _bounds: [number, number] | null = null;

  constructor(options: ItmlOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { gamma: o.gamma ?? 1, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-3, prior: priorParam(o.prior), bounds: o.bounds ?? null, boundsFrom: o.boundsFrom ?? 'distance', rowSpace: o.rowSpace ?? true, seed: o.seed ?? 0 };
  }

  /** The [u, ℓ] used in the last fit. */
  get bounds(): [number, number] {
    this.requireFitted();
    return this._bounds as [number, number];
  }

  fit(pairs: TuplesInput, y: ArrayLike<number | boolean>): this {
    return this.fitPairs(pairs, y, (t, labels) => {
      const r = itmlSolve(t, labels, this.options, toRandom(this.options.seed), (i, conv) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, message: `dual change ${conv.toPrecision(3)}` }));
      this._bounds = r.bounds;
      return r;
    });
  }
}

export interface ItmlSupervisedOptions extends ItmlOptions {
  /** Positive and negative pairs drawn from the labels (each). Default 20 · nClasses². */
  numConstraints?: number;
}

/**
 * ITML with its pairs generated from class labels (metric-learn's ITML_Supervised). Rows labelled
 * null, undefined or NaN are unlabelled: they take part in no generated pair (-1 is a class;
 * see supervised-tuples.ts).
 */
export class ITMLSupervised extends MahalanobisLearner<ItmlSupervisedOptions> {
  readonly algorithm = 'itml';

  constructor(options: ItmlSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { gamma: o.gamma ?? 1, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-3, prior: priorParam(o.prior), bounds: o.bounds ?? null, numConstraints: o.numConstraints ?? null, rowSpace: o.rowSpace ?? true, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const { tuples: t, labels, rng } = pairsFromLabels(X, y, this.algorithm, this.options);
    const r = itmlSolve(t, labels, this.options, rng, (i, conv) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, message: `dual change ${conv.toPrecision(3)}` }));
    this.setFitted(r.components ?? metricComponents(r.M, t.points.cols), { nIter: r.nIter, converged: r.converged });
    return this;
  }
}
