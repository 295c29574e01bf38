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
 * available. Percentiles use at most 600 distinct points (sampled with the seed). Stopping: relative change of the dual variables
 * Σ|λ − λ_old| / (Σ|λ| + Σ|λ_old|) < tol. Deviation: both norms are L1; the authors' code (and
 * metric-learn) divide an L1 norm by L2 norms, a ratio that grows with the number of
 * constraints and is why those implementations run to maxIter on digits.
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
import { projectPsd } from '../linalg/index.js';
import { checkPositive, checkInt } from './init.js';
import { percentiles } from './percentiles.js';

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
}

export interface ItmlResult {
  M: Float64Array;
  nIter: number;
  converged: boolean;
  bounds: [number, number];
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

/** Squared prior distances between distinct points (sampled when there are many). */
function isIdentity(M: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (M[i * d + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

function defaultBounds(t: Tuples, M0: Float64Array, rng: Random, scale: 'distance' | 'squared'): [number, number] {
  const d = t.points.cols;
  // Deduplicate the points the tuples refer to by content (first occurrence kept): rows are
  // bucketed by a hash of their values and compared in full only within a bucket.
  const x = t.points.data;
  const seenIndex = new Uint8Array(t.points.rows);
  const buckets = new Map<number, number[]>();
  const rows: number[] = [];
  const sameRow = (a: number, b: number): boolean => {
    for (let c = 0; c < d; c++) if (!Object.is(x[a * d + c] + 0, x[b * d + c] + 0)) return false;
    return true;
  };
  for (const i of t.indices) {
    if (seenIndex[i]) continue;
    seenIndex[i] = 1;
    const h = rowHash(x, i, d);
    const bucket = buckets.get(h);
    if (bucket?.some((j) => sameRow(i, j))) continue;
    if (bucket) bucket.push(i);
    else buckets.set(h, [i]);
    rows.push(i);
  }
  let pick = rows;
  const cap = 600;
  if (rows.length > cap) {
    const s = rng.sample(rows.length, cap);
    pick = Array.from(s, (k) => rows[k]);
  }
  const m = pick.length;
  if (m < 2) throw new RangeError('itml: the pairs contain fewer than 2 distinct points; cannot derive bounds (pass bounds: [u, l])');
  const P = t.points.takeRows(pick);
  const nPairs = (m * (m - 1)) / 2;
  let dist: Float64Array;
  if (isIdentity(M0, d)) {
    // The default prior: plain squared distances, from a kernel that sums each pair's
    // differences in the order the general path below does (same bits, no m² x d array).
    dist = getBackend().condensedSqDistances(P.data, m, d);
  } else {
    const diffs = new Float64Array(nPairs * d);
    let k = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++, k++) {
      for (let c = 0; c < d; c++) diffs[k * d + c] = P.data[i * d + c] - P.data[j * d + c];
    }
    dist = quadForms(diffs, nPairs, d, M0);
  }
  if (scale === 'distance') for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i]);
  const [lo, hi] = percentiles(dist, [5, 95]);
  return [lo, hi];
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

export function itmlSolve(t: Tuples, y: Int8Array, options: ItmlOptions, rng: Random, onIter?: (it: number, conv: number) => void): ItmlResult {
  const gamma = checkPositive(options.gamma ?? 1, 'gamma', 'itml');
  const maxIter = checkInt(options.maxIter ?? 1000, 'maxIter', 'itml');
  const tol = checkPositive(options.tol ?? 1e-3, 'tol', 'itml');
  const d = t.points.cols;
  const n = tupleCount(t);
  const M = priorMatrix(options.prior ?? 'identity', t.points.data, t.points.rows, d, rng, 'itml');
  let bounds: [number, number];
  if (options.bounds !== undefined && options.bounds !== null) {
    bounds = checkBounds(options.bounds);
  } else {
    const scale = options.boundsFrom ?? 'distance';
    if (scale !== 'distance' && scale !== 'squared') throw new RangeError(`itml: boundsFrom must be "distance" or "squared", got "${String(scale)}"`);
    bounds = defaultBounds(t, M, rng, scale);
  }
  // The row stride is padded to a multiple of 4 so that the projections' two O(d²) loops can
  // be unrolled by four; the padding stays zero throughout.
  const dp = (d + 3) & ~3;
  const Vraw = tupleDiffs(t.points.data, d, t.indices, 2, 0, 1);
  const V = new Float64Array(n * dp);
  for (let c = 0; c < n; c++) for (let j = 0; j < d; j++) V[c * dp + j] = Vraw[c * d + j];
  const Mp = new Float64Array(dp * dp);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Mp[i * dp + j] = M[i * d + j];
  const lambda = new Float64Array(n);
  const xi = new Float64Array(n);
  for (let c = 0; c < n; c++) xi[c] = y[c] > 0 ? bounds[0] : bounds[1];
  // The projections run in one backend call (js-itml.ts, native/src/itml.cc); progress is
  // reported once it returns.
  const r = getBackend().itmlBregman({ V, n, d, dp, y, gamma }, { M: Mp, lambda, xi }, maxIter, tol);
  if (onIter) r.history.forEach((conv, i) => onIter(i + 1, conv));
  const it = r.nIter, converged = r.converged;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] = Mp[i * dp + j];
  return { M: projectPsd(new Matrix(d, d, M)).data, nIter: it, converged, bounds };
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
    return { gamma: o.gamma ?? 1, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-3, prior: priorParam(o.prior), bounds: o.bounds ?? null, boundsFrom: o.boundsFrom ?? 'distance', seed: o.seed ?? 0 };
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
    return { gamma: o.gamma ?? 1, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-3, prior: priorParam(o.prior), bounds: o.bounds ?? null, numConstraints: o.numConstraints ?? null, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const { tuples: t, labels, rng } = pairsFromLabels(X, y, this.algorithm, this.options);
    const r = itmlSolve(t, labels, this.options, rng, (i, conv) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, message: `dual change ${conv.toPrecision(3)}` }));
    this.setFitted(metricComponents(r.M, t.points.cols), { nIter: r.nIter, converged: r.converged });
    return this;
  }
}
