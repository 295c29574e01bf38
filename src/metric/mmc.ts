/**
 * MMC: Mahalanobis Metric for Clustering.
 * E. P. Xing, A. Y. Ng, M. I. Jordan, S. Russell, "Distance metric learning, with application
 * to clustering with side-information", NIPS 2002.
 *
 * The paper's problem: max_A Σ_{D} ‖x_i − x_j‖_A  s.t.  Σ_{S} ‖x_i − x_j‖²_A ≤ 1,  A ⪰ 0
 * (‖v‖_A = √(vᵀAv); S similar pairs, D dissimilar pairs). For the diagonal case the paper
 * solves the equivalent unconstrained problem (§2.2)
 *   min_{A ⪰ 0}  F(A) = tr(A Σ_S) − log Σ_D ‖v‖_A,   Σ_S = Σ_{S} v vᵀ,
 * and F's minimiser is a positive multiple of the constrained one for a full A too (F is
 * convex; along a ray A = cB its minimum is at c = 1/(2 tr(B Σ_S)), where −F reduces to
 * log(Σ_D ‖v‖_B / √tr(B Σ_S)) + const, the scale-free form of the paper's objective).
 * Deviation: we minimise F for the full case as well, by spectral projected gradient
 * (Barzilai-Borwein steps, Armijo search along the projection arc, projection = eigenvalue
 * clamping at 0), instead of the paper's gradient ascent with alternating projections, whose
 * inner projection loop has no reachable tolerance in general (metric-learn's stops at maxIter
 * on most folds of iris and digits). The result is rescaled so that Σ_S ‖v‖²_A = 1, the paper's
 * constraint. Gradient:
 *   ∇F = Σ_S − (1 / (2 g)) Σ_D v vᵀ / ‖v‖_A,   g = Σ_D ‖v‖_A,
 * diagonal: ∂F/∂a_k = Σ_S v_k² − (1/(2g)) Σ_D v_k² / ‖v‖_A.
 *
 * The paper's problem has no solution when some direction u has no similar-pair spread
 * (uᵀΣ_S u = 0) but some dissimilar difference has a component along it: A = c·uuᵀ keeps
 * Σ_S ‖v‖²_A = 0 while Σ_D ‖v‖_A grows with c, so the supremum is infinite and is approached
 * only by metrics that see nothing but those directions (it happens with sampled pairs when a
 * rare feature, e.g. a border pixel of digits, never differs within a similar pair). Deviation:
 * in that case we solve the problem on the range of Σ_S (the dissimilar differences projected
 * onto it, A kept zero on its null space), which is bounded, and say so in a warning.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { MahalanobisLearner, type BaseLearnerOptions } from './base.js';
import { tupleCount, type Tuples, type TuplesInput } from './tuples.js';
import { PairLearner } from './weakly-supervised.js';
import { pairsFromLabels, metricComponents } from './supervised-tuples.js';
import { quadForms, weightedGram, tupleDiffs } from './pair-differences.js';
import { applyEigenFunction, eigh, symmetrize } from '../linalg/index.js';
import { checkPositive, checkInt } from './init.js';

export interface MmcOptions extends BaseLearnerOptions {
  /** Learn a diagonal metric (feature weights) only. Default false. */
  diagonal?: boolean;
  /** Maximum projected-gradient iterations. Default 1000. */
  maxIter?: number;
  /** Stop when the projected-gradient step changes A by less than tol (relative). Default 1e-6. The solver also stops when F decreases by ≤ 2.2e-9 relative in one iteration (scipy's ftol). */
  tol?: number;
}

export interface MmcProblem {
  d: number;
  diagonal: boolean;
  /** Σ_S v vᵀ (full) or its diagonal. */
  S: Float64Array;
  /** Dissimilar differences, nD x d. */
  VD: Float64Array;
  nD: number;
  /**
   * Set when the paper's problem is unbounded (see the header): orthonormal basis of the null
   * space of Σ_S, row-major k x d (diagonal: the null coordinates as unit rows). VD has
   * already been projected off it; the solver keeps A zero on it.
   */
  nullBasis: Float64Array | null;
  nullDims: number;
}

/** Relative decrease of F per iteration below which the solver has converged (scipy's default ftol). */
const FTOL = 2.220446049250313e-9;

/** Eigenvalues of Σ_S at or below this fraction of the largest count as zero. */
const NULL_TOL = 1e-12;
/** Dissimilar energy in the null space above this fraction of the total makes the problem unbounded. */
const UNBOUNDED_TOL = 1e-12;

/** F(A) and optionally ∇F; A is d x d (full) or length d (diagonal). Infinity when g = 0. */
export function mmcObjective(P: MmcProblem, A: Float64Array, grad?: Float64Array): number {
  const { d, nD, VD } = P;
  let lin = 0;
  for (let i = 0; i < A.length; i++) lin += A[i] * P.S[i];
  const q = new Float64Array(nD);
  if (P.diagonal) {
    for (let t = 0; t < nD; t++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += A[c] * VD[t * d + c] * VD[t * d + c];
      q[t] = s;
    }
  } else q.set(quadForms(VD, nD, d, A));
  let g = 0;
  const r = new Float64Array(nD);
  for (let t = 0; t < nD; t++) {
    r[t] = Math.sqrt(Math.max(q[t], 0));
    g += r[t];
  }
  if (!(g > 0)) return Infinity;
  if (grad) {
    const w = new Float64Array(nD);
    for (let t = 0; t < nD; t++) w[t] = r[t] > 0 ? -1 / (2 * g * r[t]) : 0;
    if (P.diagonal) {
      for (let c = 0; c < d; c++) grad[c] = P.S[c];
      for (let t = 0; t < nD; t++) {
        const wt = w[t];
        if (wt === 0) continue;
        for (let c = 0; c < d; c++) grad[c] += wt * VD[t * d + c] * VD[t * d + c];
      }
    } else {
      const G = weightedGram(VD, nD, d, w);
      for (let i = 0; i < d * d; i++) grad[i] = P.S[i] + G[i];
    }
  }
  return lin - Math.log(g);
}

export function mmcProblem(t: Tuples, y: Int8Array, diagonal: boolean): MmcProblem {
  const d = t.points.cols;
  const n = tupleCount(t);
  let nS = 0;
  for (let i = 0; i < n; i++) if (y[i] > 0) nS++;
  const nD = n - nS;
  if (nS === 0 || nD === 0) throw new RangeError(`mmc: needs both similar (+1) and dissimilar (-1) pairs; got ${nS} similar and ${nD} dissimilar`);
  const all = tupleDiffs(t.points.data, d, t.indices, 2, 0, 1);
  const VS = new Float64Array(nS * d), VD = new Float64Array(nD * d);
  let s = 0, k = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] > 0) VS.set(all.subarray(i * d, (i + 1) * d), d * s++);
    else VD.set(all.subarray(i * d, (i + 1) * d), d * k++);
  }
  let S: Float64Array;
  if (diagonal) {
    S = new Float64Array(d);
    for (let i = 0; i < nS; i++) for (let c = 0; c < d; c++) S[c] += VS[i * d + c] ** 2;
  } else S = weightedGram(VS, nS, d, null);
  let trace = 0;
  for (let c = 0; c < d; c++) trace += diagonal ? S[c] : S[c * d + c];
  if (!(trace > 0)) throw new RangeError('mmc: every similar pair joins identical points; the similarity constraint is empty');
  const nullBasis = unboundedDirections(S, VD, nD, d, diagonal);
  const nullDims = nullBasis ? nullBasis.length / d : 0;
  if (nullBasis) projectOff(VD, nD, d, nullBasis, nullDims);
  return { d, diagonal, S, VD, nD, nullBasis, nullDims };
}

/**
 * The null space of Σ_S as unit rows when some dissimilar difference reaches into it (the
 * problem is then unbounded), else null.
 */
function unboundedDirections(S: Float64Array, VD: Float64Array, nD: number, d: number, diagonal: boolean): Float64Array | null {
  let basis: number[][];
  if (diagonal) {
    let max = 0;
    for (let c = 0; c < d; c++) max = Math.max(max, S[c]);
    basis = [];
    for (let c = 0; c < d; c++) {
      if (S[c] > NULL_TOL * max) continue;
      const e = new Array<number>(d).fill(0);
      e[c] = 1;
      basis.push(e);
    }
  } else {
    const { values, vectors } = eigh(symmetrize(new Matrix(d, d, S.slice())), { assumeSymmetric: true });
    let max = 0;
    for (let k = 0; k < d; k++) max = Math.max(max, values[k]);
    basis = [];
    for (let k = 0; k < d; k++) {
      if (values[k] > NULL_TOL * max) continue;
      const u = new Array<number>(d);
      for (let c = 0; c < d; c++) u[c] = vectors.data[c * d + k];
      basis.push(u);
    }
  }
  if (basis.length === 0) return null;
  let total = 0, inNull = 0;
  for (let t = 0; t < nD; t++) {
    for (let c = 0; c < d; c++) total += VD[t * d + c] ** 2;
    for (const u of basis) {
      let p = 0;
      for (let c = 0; c < d; c++) p += u[c] * VD[t * d + c];
      inNull += p * p;
    }
  }
  if (!(inNull > UNBOUNDED_TOL * total)) return null;
  return Float64Array.from(basis.flat());
}

/** v ← v − U Uᵀ v for each row v of V (U: k orthonormal rows). */
function projectOff(V: Float64Array, n: number, d: number, U: Float64Array, k: number): void {
  for (let t = 0; t < n; t++) {
    const v = V.subarray(t * d, (t + 1) * d);
    for (let r = 0; r < k; r++) {
      let p = 0;
      for (let c = 0; c < d; c++) p += U[r * d + c] * v[c];
      for (let c = 0; c < d; c++) v[c] -= p * U[r * d + c];
    }
  }
}

/** P A P with P = I − U Uᵀ, for a d x d (full) or length-d (diagonal) A. */
function restrictToRange(P: MmcProblem, A: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const { d, nullBasis: U, nullDims: k } = P;
  if (!U) return A;
  if (P.diagonal) {
    const out = A.slice();
    for (let r = 0; r < k; r++) for (let c = 0; c < d; c++) if (U[r * d + c] !== 0) out[c] = 0;
    return out;
  }
  // Rows then columns: (P A) then (P A) P, both by projecting off the null rows.
  const rowsOff = A.slice();
  projectOff(rowsOff, d, d, U, k); // each row a of A → a P (A symmetric, so this is A P)
  const t = new Matrix(d, d, rowsOff).transpose().data.slice();
  projectOff(t, d, d, U, k);
  return new Float64Array(symmetrize(new Matrix(d, d, t)).data);
}

function project(P: MmcProblem, A: Float64Array): Float64Array {
  if (P.diagonal) return A.map((v) => (v > 0 ? v : 0));
  // Always rebuilt from the clipped spectrum, not projectPsd (which returns an already-PSD
  // input unchanged): that rounding difference alone makes wine miss the 1000-iteration
  // budget on one cross-validation fold with the JS backend.
  const { values, vectors } = eigh(symmetrize(new Matrix(P.d, P.d, A)), { assumeSymmetric: true });
  return applyEigenFunction(values, vectors, (l) => (l > 0 ? l : 0)).data;
}

export interface MmcResult {
  /** d x d metric (diagonal case expanded), scaled so that Σ_S ‖v‖²_A = 1. */
  M: Float64Array;
  nIter: number;
  converged: boolean;
  objective: number;
  warnings: string[];
}

export function mmcSolve(P: MmcProblem, options: MmcOptions, onIter?: (it: number, f: number) => void): MmcResult {
  const maxIter = checkInt(options.maxIter ?? 1000, 'maxIter', 'mmc');
  const tol = checkPositive(options.tol ?? 1e-6, 'tol', 'mmc');
  const { d, diagonal } = P;
  const m = diagonal ? d : d * d;
  // Start on the identity ray at its optimal scale 1 / (2 tr Σ_S).
  let trace = 0;
  for (let c = 0; c < d; c++) trace += diagonal ? P.S[c] : P.S[c * d + c];
  let A = new Float64Array(m);
  for (let c = 0; c < d; c++) A[diagonal ? c : c * d + c] = 1 / (2 * trace);
  // Unbounded case: start on the range of Σ_S; the gradient has no null-space part, so A stays there.
  A = restrictToRange(P, A);
  let G = new Float64Array(m);
  let f = mmcObjective(P, A, G);
  let step = 1 / Math.sqrt(G.reduce((s, v) => s + v * v, 0) + 1e-300) * (1 / (2 * trace));
  const Gnew = new Float64Array(m);
  let it = 0, converged = false;
  while (it < maxIter) {
    it++;
    const trial0 = new Float64Array(m);
    for (let i = 0; i < m; i++) trial0[i] = A[i] - step * G[i];
    const Z = project(P, trial0);
    // Search direction along the projection arc: D = P(A − ηG) − A.
    let gd = 0, dn = 0, an = 0;
    for (let i = 0; i < m; i++) {
      const di = Z[i] - A[i];
      gd += G[i] * di;
      dn += di * di;
      an += A[i] * A[i];
    }
    if (Math.sqrt(dn) <= tol * Math.sqrt(an)) {
      converged = true;
      break;
    }
    let lam = 1, fNew = Infinity;
    const trial = new Float64Array(m);
    let accepted = false;
    for (let ls = 0; ls < 50; ls++) {
      for (let i = 0; i < m; i++) trial[i] = A[i] + lam * (Z[i] - A[i]);
      fNew = mmcObjective(P, trial, Gnew);
      if (fNew <= f + 1e-4 * lam * gd) {
        accepted = true;
        break;
      }
      lam *= 0.5;
    }
    if (!accepted) {
      converged = true; // no descent left at machine precision
      break;
    }
    let ss = 0, sy = 0;
    for (let i = 0; i < m; i++) {
      const s = trial[i] - A[i], yv = Gnew[i] - G[i];
      ss += s * s;
      sy += s * yv;
    }
    A = trial;
    G = Gnew.slice();
    const decrease = f - fNew;
    f = fNew;
    onIter?.(it, f);
    // scipy's L-BFGS-B rule (factr 1e7): a relative decrease of F at the level of rounding.
    if (decrease <= FTOL * Math.max(Math.abs(f), 1)) {
      converged = true;
      break;
    }
    step = sy > 0 ? ss / sy : step * 2;
  }
  A = restrictToRange(P, A); // drops rounding drift into the null space
  // Rescale onto the paper's constraint Σ_S ‖v‖²_A = 1.
  let lin = 0;
  for (let i = 0; i < m; i++) lin += A[i] * P.S[i];
  const scale = lin > 0 ? 1 / lin : 1;
  const M = new Float64Array(d * d);
  if (diagonal) for (let c = 0; c < d; c++) M[c * d + c] = A[c] * scale;
  else for (let i = 0; i < d * d; i++) M[i] = A[i] * scale;
  const warnings = P.nullBasis ? [unboundedWarning(P)] : [];
  return { M, nIter: it, converged, objective: f, warnings };
}

function unboundedWarning(P: MmcProblem): string {
  const where = P.diagonal ? `feature(s) ${nullCoordinates(P).join(', ')}` : `${P.nullDims} direction(s)`;
  return `mmc: no similar pair differs along ${where} but some dissimilar pair does, so the paper's problem is unbounded (a metric on those directions alone scores infinitely well); solved on the remaining directions instead. Add similar pairs (numConstraints) or drop the near-constant features to avoid this`;
}

function nullCoordinates(P: MmcProblem): number[] {
  const out: number[] = [];
  for (let r = 0; r < P.nullDims; r++) for (let c = 0; c < P.d; c++) if (P.nullBasis![r * P.d + c] !== 0) out.push(c);
  return out;
}

/** MMC from pairs labelled +1 (similar) / −1 (dissimilar). */
export class MMC extends PairLearner<MmcOptions> {
  readonly algorithm = 'mmc-pairs';

  constructor(options: MmcOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { diagonal: o.diagonal ?? false, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-6 };
  }

  fit(pairs: TuplesInput, y: ArrayLike<number | boolean>): this {
    return this.fitPairs(pairs, y, (t, labels) => mmcSolve(mmcProblem(t, labels, this.options.diagonal ?? false), this.options, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f })));
  }
}

export interface MmcSupervisedOptions extends MmcOptions {
  /** Positive and negative pairs drawn from the labels (each). Default 20 · nClasses². */
  numConstraints?: number;
}

/** MMC with pairs generated from class labels (metric-learn's MMC_Supervised). */
export class MMCSupervised extends MahalanobisLearner<MmcSupervisedOptions> {
  readonly algorithm = 'mmc';

  constructor(options: MmcSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { diagonal: o.diagonal ?? false, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-6, numConstraints: o.numConstraints ?? null, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const { tuples: t, labels } = pairsFromLabels(X, y, this.algorithm, this.options);
    const r = mmcSolve(mmcProblem(t, labels, this.options.diagonal ?? false), this.options, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f }));
    this.setFitted(metricComponents(r.M, t.points.cols), { nIter: r.nIter, converged: r.converged, warnings: r.warnings });
    return this;
  }
}
