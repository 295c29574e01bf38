/**
 * LSML: Least Squared-residual Metric Learning.
 * E. Y. Liu, Z. Guo, X. Zhang, V. Jojic, W. Wang, "Metric learning from relative comparisons
 * by minimizing squared residual", ICDM 2012.
 *
 * From quadruplets q = (a, b, c, d) meaning "a is closer to b than c is to d":
 *   f(M) = Σ_q w_q H(d_M(a, b) − d_M(c, d)) + D_ld(M, M₀),
 *   d_M(x, y) = √((x − y)ᵀ M (x − y)),  H(r) = r² for r > 0 and 0 otherwise,
 *   D_ld(M, M₀) = tr(M M₀⁻¹) − log det M + log det M₀ − d  (the LogDet divergence to the prior).
 * Weights are normalised to sum to 1 (metric-learn's convention, so the data term does not
 * grow with the number of constraints). Gradient, for the violated quadruplets only:
 *   ∇f = Σ_q w_q [(1 − d_cd/d_ab) v_ab v_abᵀ + (1 − d_ab/d_cd) v_cd v_cdᵀ] + M₀⁻¹ − M⁻¹.
 * (metric-learn's implementation has square roots of these ratios, which is not the gradient
 * of its own objective; a finite-difference test pins ours down.)
 *
 * Minimised by gradient descent with an Armijo backtracking line search started from a
 * Barzilai-Borwein step; the log-det term is a barrier, so trial points that leave the
 * positive-definite cone are rejected by the line search and no projection is needed. The paper
 * uses plain gradient descent with line search; BB steps only choose where the search starts.
 * The descent is the backend's lsmlDescent (src/backend/js-lsml.ts, native/src/lsml.cc).
 *
 * Row span. With the prior I, the gradient is a sum of outer products of the points'
 * differences plus I − M⁻¹, so from M = I every iterate is I + V K Vᵀ, V (d x r) a basis of the
 * span of the differences; D_ld(M, I) = D_ld(M_r, I_r) and every distance, norm and inner
 * product of the descent is that of M_r = I_r + K. With fewer points than features the descent
 * runs on the r-dimensional coordinates and M = I + V (M_r − I_r) Vᵀ (faces-like 320 x 4096:
 * r x r instead of d x d matrices, an inverse and a Cholesky factor a step).
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { MahalanobisLearner, type BaseLearnerOptions } from './base.js';
import { toTuples, tupleCount, type Tuples, type TuplesInput } from './tuples.js';
import { QuadrupletLearner } from './weakly-supervised.js';
import { quadrupletsFromLabels, metricComponents } from './supervised-tuples.js';
import { priorMatrix, priorParam, type PriorOption } from './prior.js';
import { centredPoints, indexedPairs, type IndexedPairs } from './indexed-pairs.js';
import { inverseSpd, logDetSpd } from '../linalg/index.js';
import { getBackend } from '../backend/index.js';
import type { LsmlArrays } from '../backend/backend.js';
import { lsmlObjective as referenceLsmlObjective } from '../backend/js-lsml.js';
import { checkPositive, checkInt, checkBool } from './init.js';
import { differenceSpan, multiplyByTranspose, spanComponents } from './row-span.js';

export interface LsmlOptions extends BaseLearnerOptions {
  /** Prior metric M₀. Default 'identity'. */
  prior?: PriorOption;
  /** Maximum gradient steps. Default 1000. */
  maxIter?: number;
  /**
   * With prior 'identity' and fewer points than features, descend within the span of the
   * points' differences (default true): the same iterates in exact arithmetic (see below).
   */
  rowSpace?: boolean;
  /** Stop when the objective decreases by less than tol · (1 + |f|) in a step. Default 1e-5. */
  tol?: number;
}

export interface LsmlProblem {
  d: number;
  n: number;
  /** The pairs (a, b) and (c, d) of every quadruplet, over the same centred points. */
  ab: IndexedPairs;
  cd: IndexedPairs;
  /** Weights summing to 1. */
  w: Float64Array;
  prior: Float64Array;
  priorInv: Float64Array;
  priorLogDet: number;
}

/** The problem as the backend's arrays. */
function lsmlArrays(P: LsmlProblem): LsmlArrays {
  return {
    X: P.ab.X, N: P.ab.N, d: P.d,
    abFirst: P.ab.first, abSecond: P.ab.second, cdFirst: P.cd.first, cdSecond: P.cd.second,
    w: P.w, prior: P.prior, priorInv: P.priorInv, priorLogDet: P.priorLogDet,
  };
}

/**
 * f(M) and (when `grad` is given) ∇f(M), by the TypeScript reference (src/backend/js-lsml.ts)
 * whatever the backend. Returns Infinity if M is not positive definite.
 */
export function lsmlObjective(P: LsmlProblem, M: Float64Array, grad?: Float64Array): number {
  return referenceLsmlObjective(lsmlArrays(P), M, grad);
}

export function lsmlProblem(t: Tuples, weights: ArrayLike<number> | undefined, prior: PriorOption, rng: Random): LsmlProblem {
  const d = t.points.cols;
  const n = tupleCount(t);
  if (n === 0) throw new RangeError('lsml: no quadruplets given');
  const w = new Float64Array(n);
  if (weights) {
    if (weights.length !== n) throw new RangeError(`lsml: ${n} quadruplets but ${weights.length} weights`);
    let s = 0;
    for (let q = 0; q < n; q++) {
      const v = weights[q];
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`lsml: weights[${q}] is ${v}; weights must be finite and non-negative`);
      w[q] = v;
      s += v;
    }
    if (!(s > 0)) throw new RangeError('lsml: the weights sum to 0');
    for (let q = 0; q < n; q++) w[q] /= s;
  } else w.fill(1 / n);
  const M0 = priorMatrix(prior, t.points.data, t.points.rows, d, rng, 'lsml');
  const N = t.points.rows;
  const X = centredPoints(t.points.data, N, d);
  return {
    d, n, w,
    ab: indexedPairs(X, N, d, t.indices, 4, 0, 1),
    cd: indexedPairs(X, N, d, t.indices, 4, 2, 3),
    prior: M0,
    priorInv: inverseSpd(new Matrix(d, d, M0)).data,
    priorLogDet: logDetSpd(new Matrix(d, d, M0)),
  };
}

export interface LsmlResult {
  M: Float64Array;
  nIter: number;
  converged: boolean;
  objective: number;
}

export function lsmlSolve(P: LsmlProblem, options: LsmlOptions, onIter?: (it: number, f: number) => void): LsmlResult {
  const maxIter = checkInt(options.maxIter ?? 1000, 'maxIter', 'lsml');
  const tol = checkPositive(options.tol ?? 1e-5, 'tol', 'lsml');
  const r = getBackend().lsmlDescent(lsmlArrays(P), maxIter, tol);
  // The descent runs in one backend call; progress is reported once it returns.
  if (onIter) r.history.forEach((f, i) => onIter(i + 1, f));
  return { M: r.M, nIter: r.nIter, converged: r.converged, objective: r.objective };
}

/** Builds, solves and factors the problem, within the points' span where that is exact (see above). */
function lsmlFit(t: Tuples, weights: ArrayLike<number> | undefined, options: LsmlOptions, rng: Random, onIter: (it: number, f: number) => void): { components: Matrix<Float64Array>; nIter: number; converged: boolean } {
  const prior = options.prior ?? 'identity';
  const { rows: N, cols: d } = t.points;
  const span = prior === 'identity' && N < d && checkBool(options.rowSpace ?? true, 'rowSpace', 'lsml') ? differenceSpan(t.points) : null;
  if (!span) {
    const P = lsmlProblem(t, weights, prior, rng);
    const r = lsmlSolve(P, options, onIter);
    return { components: metricComponents(r.M, d), nIter: r.nIter, converged: r.converged };
  }
  // Coordinates of the points in the span (the centring inside lsmlProblem removes the offset).
  const Z = multiplyByTranspose(t.points.data, N, d, span.vt, span.r);
  const P = lsmlProblem({ ...t, points: new Matrix(N, span.r, Z) }, weights, 'identity', rng);
  const r = lsmlSolve(P, options, onIter);
  return { components: spanComponents(r.M, 1, span, d), nIter: r.nIter, converged: r.converged };
}

/** LSML from quadruplets (a, b, c, d): d(a, b) < d(c, d), optionally weighted. */
export class LSML extends QuadrupletLearner<LsmlOptions> {
  readonly algorithm = 'lsml-quadruplets';

  constructor(options: LsmlOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { prior: priorParam(o.prior), maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-5, rowSpace: o.rowSpace ?? true, seed: o.seed ?? 0 };
  }

  fit(quadruplets: TuplesInput, weights?: ArrayLike<number>): this {
    const t = toTuples(quadruplets, 4, 'quadruplets');
    const r = lsmlFit(t, weights, this.options, toRandom(this.options.seed), (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f }));
    this.setFitted(r.components, { nIter: r.nIter, converged: r.converged });
    return this;
  }
}

export interface LsmlSupervisedOptions extends LsmlOptions {
  /** Quadruplets drawn from the labels. Default 20 · nClasses² (capped by what the labels allow). */
  numConstraints?: number;
}

/**
 * LSML with quadruplets from labels: a same-class pair should be closer than a
 * different-class pair (metric-learn's LSML_Supervised). Rows labelled null, undefined or NaN are unlabelled: they take
 * part in no generated constraint (-1 is a class; see supervised-tuples.ts). Labels are compared by their text.
 */
export class LSMLSupervised extends MahalanobisLearner<LsmlSupervisedOptions> {
  readonly algorithm = 'lsml';

  constructor(options: LsmlSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { prior: priorParam(o.prior), maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-5, rowSpace: o.rowSpace ?? true, numConstraints: o.numConstraints ?? null, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>): this {
    const { tuples: t, rng } = quadrupletsFromLabels(X, y, this.algorithm, this.options);
    const r = lsmlFit(t, undefined, this.options, rng, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f }));
    this.setFitted(r.components, { nIter: r.nIter, converged: r.converged });
    return this;
  }
}
