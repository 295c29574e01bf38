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
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { MahalanobisLearner, type BaseLearnerOptions } from './base.js';
import { toTuples, tupleCount, type Tuples, type TuplesInput } from './tuples.js';
import { QuadrupletLearner } from './weakly-supervised.js';
import { quadrupletsFromLabels, metricComponents } from './supervised-tuples.js';
import { priorMatrix, priorParam, type PriorOption } from './prior.js';
import { addPairLaplacian, centredPoints, indexedPairs, pairQuadForms, pointsTimes, type IndexedPairs } from './indexed-pairs.js';
import { laplacianGram } from './scatter.js';
import { inverseSpd, logDetSpd, symmetrize } from '../linalg/index.js';
import { checkPositive, checkInt } from './init.js';

export interface LsmlOptions extends BaseLearnerOptions {
  /** Prior metric M₀. Default 'identity'. */
  prior?: PriorOption;
  /** Maximum gradient steps. Default 1000. */
  maxIter?: number;
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

/** log det M, or −Infinity when M is not positive definite (the objective's barrier). */
function logDetOrMinusInfinity(M: Float64Array, d: number): number {
  try {
    return logDetSpd(new Matrix(d, d, M));
  } catch {
    return -Infinity;
  }
}

/** Squared lengths v_qᵀ A v_q of both pairs of every quadruplet (one GEMM for both). */
function squaredLengths(P: LsmlProblem, A: Float64Array, Y: Float64Array): { ab: Float64Array; cd: Float64Array } {
  pointsTimes(P.ab.X, P.ab.N, P.d, A, Y);
  return { ab: pairQuadForms(P.ab, Y), cd: pairQuadForms(P.cd, Y) };
}

/** The data term Σ_q w_q H(d_ab − d_cd) from squared lengths. */
function residualLoss(P: LsmlProblem, ab: Float64Array, cd: Float64Array): number {
  let loss = 0;
  for (let q = 0; q < P.n; q++) {
    const dab = Math.sqrt(Math.max(ab[q], 0)), dcd = Math.sqrt(Math.max(cd[q], 0));
    if (dab > dcd) {
      const r = dab - dcd;
      loss += P.w[q] * r * r;
    }
  }
  return loss;
}

/** The LogDet divergence D_ld(M, M₀), or Infinity outside the positive-definite cone. */
function logDetDivergence(P: LsmlProblem, M: Float64Array): number {
  const d = P.d;
  const logDet = logDetOrMinusInfinity(M, d);
  if (logDet === -Infinity) return Infinity;
  let reg = -logDet + P.priorLogDet - d;
  for (let i = 0; i < d * d; i++) reg += M[i] * P.priorInv[i];
  return reg;
}

/** f(M) and (when `grad` is given) ∇f(M). Returns Infinity if M is not positive definite. */
export function lsmlObjective(P: LsmlProblem, M: Float64Array, grad?: Float64Array): number {
  const reg = logDetDivergence(P, M);
  if (reg === Infinity) return Infinity;
  const { ab, cd } = squaredLengths(P, M, new Float64Array(P.ab.N * P.d));
  if (grad) lsmlGradient(P, M, ab, cd, grad);
  return residualLoss(P, ab, cd) + reg;
}

/**
 * ∇f(M) from the squared lengths at M, symmetrised. Kept apart so that the line search pays
 * for the inverse and the scatter only at the point it accepts, not at every trial.
 */
function lsmlGradient(P: LsmlProblem, M: Float64Array, ab: Float64Array, cd: Float64Array, grad: Float64Array): void {
  const { d, n } = P;
  const cab = new Float64Array(n);
  const ccd = new Float64Array(n);
  let violated = 0;
  for (let q = 0; q < n; q++) {
    const dab = Math.sqrt(Math.max(ab[q], 0)), dcd = Math.sqrt(Math.max(cd[q], 0));
    if (dab > dcd) {
      violated++;
      cab[q] = P.w[q] * (1 - dcd / dab);
      // d_cd = 0 with d_ab > 0: the residual's derivative in M along v_cd is unbounded; the
      // subgradient choice 0 keeps the step finite (the pair is then a duplicate point).
      ccd[q] = dcd > 0 ? P.w[q] * (1 - dab / dcd) : 0;
    }
  }
  const Minv = inverseSpd(new Matrix(d, d, M)).data;
  for (let i = 0; i < d * d; i++) grad[i] = P.priorInv[i] - Minv[i];
  if (violated > 0) {
    // Both pair sets share the points, so one Laplacian and one GEMM give both scatters.
    const Z = new Float64Array(P.ab.N * d);
    addPairLaplacian(Z, P.ab, cab);
    addPairLaplacian(Z, P.cd, ccd);
    const S = laplacianGram(P.ab.X, P.ab.N, d, Z);
    for (let i = 0; i < d * d; i++) grad[i] += S[i];
  }
  grad.set(symmetrize(new Matrix(d, d, grad)).data);
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
  const d = P.d, dd = d * d, n = P.n;
  const Y = new Float64Array(P.ab.N * d);
  // Symmetric to the last bit, so that every M − s G is too (a prior from a GEMM may not be).
  let M = symmetrize(new Matrix(d, d, P.prior)).data;
  let { ab, cd } = squaredLengths(P, M, Y);
  let G = new Float64Array(dd);
  lsmlGradient(P, M, ab, cd, G);
  let f = residualLoss(P, ab, cd) + logDetDivergence(P, M);
  let step = 1;
  const trial = new Float64Array(dd);
  const Gnew = new Float64Array(dd);
  const abTrial = new Float64Array(n), cdTrial = new Float64Array(n);
  let it = 0, converged = false;
  while (it < maxIter) {
    it++;
    let g2 = 0;
    for (let i = 0; i < dd; i++) g2 += G[i] * G[i];
    if (g2 === 0) {
      converged = true;
      break;
    }
    // Along M − s G every squared length is linear in s: v(M − sG)v = vMv − s vGv. One GEMM
    // per iteration gives vGv, and each trial of the line search is then O(n) plus a
    // Cholesky, not two n x d x d products. (Drift from the recursion is a few ulps per step.)
    const { ab: abG, cd: cdG } = squaredLengths(P, G, Y);
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < dd; i++) trial[i] = M[i] - step * G[i];
      const reg = logDetDivergence(P, trial);
      if (reg !== Infinity) {
        for (let q = 0; q < n; q++) {
          abTrial[q] = ab[q] - step * abG[q];
          cdTrial[q] = cd[q] - step * cdG[q];
        }
        fNew = residualLoss(P, abTrial, cdTrial) + reg;
        if (fNew <= f - 1e-4 * step * g2) {
          lsmlGradient(P, trial, abTrial, cdTrial, Gnew);
          accepted = true;
          break;
        }
      }
      step *= 0.5;
    }
    if (!accepted) {
      // No decrease possible at machine precision: M is stationary.
      converged = true;
      break;
    }
    // Barzilai-Borwein step for the next search start: ⟨s, s⟩ / ⟨s, y⟩.
    let ss = 0, sy = 0;
    for (let i = 0; i < dd; i++) {
      const s = trial[i] - M[i], yv = Gnew[i] - G[i];
      ss += s * s;
      sy += s * yv;
    }
    const decrease = f - fNew;
    M = trial.slice();
    G = Gnew.slice();
    ab = abTrial.slice();
    cd = cdTrial.slice();
    f = fNew;
    onIter?.(it, f);
    if (decrease <= tol * (1 + Math.abs(f))) {
      converged = true;
      break;
    }
    step = sy > 0 ? Math.min(ss / sy, 1e6) : step * 2;
  }
  return { M, nIter: it, converged, objective: f };
}

/** LSML from quadruplets (a, b, c, d): d(a, b) < d(c, d), optionally weighted. */
export class LSML extends QuadrupletLearner<LsmlOptions> {
  readonly algorithm = 'lsml-quadruplets';

  constructor(options: LsmlOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { prior: priorParam(o.prior), maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-5, seed: o.seed ?? 0 };
  }

  fit(quadruplets: TuplesInput, weights?: ArrayLike<number>): this {
    const t = toTuples(quadruplets, 4, 'quadruplets');
    const P = lsmlProblem(t, weights, this.options.prior ?? 'identity', toRandom(this.options.seed));
    const r = lsmlSolve(P, this.options, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f }));
    this.setFitted(metricComponents(r.M, P.d), { nIter: r.nIter, converged: r.converged });
    return this;
  }
}

export interface LsmlSupervisedOptions extends LsmlOptions {
  /** Quadruplets drawn from the labels. Default 20 · nClasses² (capped by what the labels allow). */
  numConstraints?: number;
}

/**
 * LSML with quadruplets from labels: a same-class pair should be closer than a
 * different-class pair (metric-learn's LSML_Supervised).
 */
export class LSMLSupervised extends MahalanobisLearner<LsmlSupervisedOptions> {
  readonly algorithm = 'lsml';

  constructor(options: LsmlSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { prior: priorParam(o.prior), maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-5, numConstraints: o.numConstraints ?? null, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const { tuples: t, rng } = quadrupletsFromLabels(X, y, this.algorithm, this.options);
    const P = lsmlProblem(t, undefined, this.options.prior ?? 'identity', rng);
    const r = lsmlSolve(P, this.options, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f }));
    this.setFitted(metricComponents(r.M, P.d), { nIter: r.nIter, converged: r.converged });
    return this;
  }
}
