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
 * Deviation: we minimise F for the full case as well, instead of the paper's gradient ascent
 * with alternating projections, whose inner projection loop has no reachable tolerance in
 * general (metric-learn's stops at maxIter on most folds of iris and digits). The full metric
 * is factored, A = LᵀL with L square, and F(LᵀL) is minimised over L by L-BFGS (the
 * factorisation of S. Burer & R. D. C. Monteiro, Math. Program. 95, 2003; M. Journée, F. Bach,
 * P.-A. Absil & R. Sepulchre, SIAM J. Optim. 20, 2010). F is convex in A, so a stationary L
 * of full rank has ∇F(A) L = 0, hence ∇F(A) = 0, and a rank-deficient local minimiser is a
 * global one (Journée et al., Thm. 7): the optimum is the same as over the PSD cone, without an
 * eigendecomposition per step. An earlier spectral projected gradient over A (eigenvalue
 * clamping) needed 100–430 steps of one d x d eigendecomposition each on 20 features, and
 * stopped on its relative-decrease test up to 1.4e-4 short of the optimum (docs/mmc-on-digits.md,
 * §7); L-BFGS reaches a lower F on every fold of iris, wine, digits and breast cancer in 20–60
 * iterations. The diagonal case is the same with a = l ∘ l, where the projected gradient
 * (which it used before) stopped up to 2e-6 short of the optimum after up to 250 steps on digits.
 * The result is rescaled so that Σ_S ‖v‖²_A = 1, the paper's constraint. Gradients:
 *   ∇_A F = Σ_S − (1 / (2 g)) Σ_D v vᵀ / ‖v‖_A,   g = Σ_D ‖v‖_A,   ∇_L F = 2 L ∇_A F,
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
import { eigh, symmetrize } from '../linalg/index.js';
import { getBackend } from '../backend/index.js';
import { minimizeLbfgs } from './optim/lbfgs.js';
import { checkPositive, checkInt, checkBool } from './init.js';
import { differenceSpan, fromSpanCoordinates, multiplyByTranspose, spanComponents } from './row-span.js';

export interface MmcOptions extends BaseLearnerOptions {
  /** Learn a diagonal metric (feature weights) only. Default false. */
  diagonal?: boolean;
  /** Maximum L-BFGS iterations. Default 1000. */
  maxIter?: number;
  /** Full metric with fewer points than features: solve within the points' span (default true; the same metric). */
  rowSpace?: boolean;
  /**
   * Relative tolerance, default 1e-6: stop when the largest gradient entry with respect to the
   * factor is at most tol times its scale at the start (the linear term's, 2 max |L₀ Σ_S| in
   * the whitened coordinates). The solver also stops when F decreases by ≤ 2.2e-9 relative in
   * one iteration (scipy's ftol).
   */
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

/**
 * F(LᵀL) for a square L (full case) and, into `grad`, ∇_L F = 2 L ∇_A F. `work` (d x d)
 * receives ∇_A F.
 */
export function mmcFactorObjective(P: MmcProblem, L: Float64Array, grad: Float64Array, work = new Float64Array(P.d * P.d)): number {
  const { d } = P;
  const be = getBackend();
  const f = mmcObjective(P, be.gram(L, d, d), work);
  if (Number.isFinite(f)) be.gemm(false, false, d, d, d, 2, L, d, work, d, 0, grad, d);
  return f;
}

/** F(diag(l ∘ l)) (diagonal case) and, into `grad`, ∇_l F = 2 l ∘ ∇_a F; `work` receives ∇_a F. */
export function mmcDiagonalFactorObjective(P: MmcProblem, l: Float64Array, grad: Float64Array, work = new Float64Array(P.d)): number {
  const f = mmcObjective(P, l.map((v) => v * v), work);
  if (Number.isFinite(f)) for (let i = 0; i < P.d; i++) grad[i] = 2 * l[i] * work[i];
  return f;
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

export interface MmcResult {
  /** d x d metric (diagonal case expanded), scaled so that Σ_S ‖v‖²_A = 1. */
  M: Float64Array;
  nIter: number;
  converged: boolean;
  objective: number;
  warnings: string[];
  /** What M gives a direction no pair reaches: the start's scale (rescaled), or 0 when unbounded. */
  outside: number;
}

export function mmcSolve(P: MmcProblem, options: MmcOptions, onIter?: (it: number, f: number) => void): MmcResult {
  const maxIter = checkInt(options.maxIter ?? 1000, 'maxIter', 'mmc');
  const tol = checkPositive(options.tol ?? 1e-6, 'tol', 'mmc');
  const { d, diagonal } = P;
  const m = diagonal ? d : d * d;
  // Start on the identity ray at its optimal scale 1 / (2 tr Σ_S), restricted to the range of
  // Σ_S in the unbounded case (the gradient has no null-space part, so iterates stay there).
  let trace = 0;
  for (let c = 0; c < d; c++) trace += diagonal ? P.S[c] : P.S[c * d + c];
  const r = diagonal ? solveDiagonalFactored(P, 1 / (2 * trace), maxIter, tol, onIter) : solveFactored(P, 1 / (2 * trace), maxIter, tol, onIter);
  const A = restrictToRange(P, r.A); // drops rounding drift into the null space
  // Rescale onto the paper's constraint Σ_S ‖v‖²_A = 1.
  let lin = 0;
  for (let i = 0; i < m; i++) lin += A[i] * P.S[i];
  const scale = lin > 0 ? 1 / lin : 1;
  const M = new Float64Array(d * d);
  if (diagonal) for (let c = 0; c < d; c++) M[c * d + c] = A[c] * scale;
  else for (let i = 0; i < d * d; i++) M[i] = A[i] * scale;
  const warnings = P.nullBasis ? [unboundedWarning(P)] : [];
  return { M, nIter: r.nIter, converged: r.converged, objective: r.f, warnings, outside: P.nullBasis ? 0 : scale / (2 * trace) };
}

interface SolverResult {
  A: Float64Array<ArrayBuffer>;
  f: number;
  nIter: number;
  converged: boolean;
}

/**
 * Full metric: F(LᵀL) minimised over a square L by L-BFGS, in coordinates whitened by Σ_S.
 * With Σ_S = V Λ Vᵀ and T = Λ_r^(−1/2) V_rᵀ on its range (r directions), A = Tᵀ B T gives
 * tr(A Σ_S) = tr B and ‖v‖_A = ‖T v‖_B, so F is the same function of B = KᵀK with Σ_S = I:
 * the linear term becomes ‖K‖², whose curvature is the same in every direction. Without this,
 * L-BFGS took more than 1000 iterations on breast cancer, whose 30 correlated features give
 * Σ_S a condition number near 1e4. The start is the identity ray at scale a0, as before the
 * change of coordinates (B₀ = a0 Λ_r).
 */
function solveFactored(P: MmcProblem, a0: number, maxIter: number, tol: number, onIter?: (it: number, f: number) => void): SolverResult {
  const { d, nD } = P;
  const be = getBackend();
  const { values, vectors } = eigh(symmetrize(new Matrix(d, d, P.S.slice())), { assumeSymmetric: true });
  let max = 0;
  for (let k = 0; k < d; k++) max = Math.max(max, values[k]);
  const range: number[] = [], nullDirs: number[] = [];
  for (let k = 0; k < d; k++) (values[k] > NULL_TOL * max ? range : nullDirs).push(k);
  const r = range.length;
  const T = new Float64Array(r * d);
  const K0 = new Float64Array(r * r);
  range.forEach((k, i) => {
    const s = 1 / Math.sqrt(values[k]);
    for (let c = 0; c < d; c++) T[i * d + c] = s * vectors.data[c * d + k];
    K0[i * r + i] = Math.sqrt(a0 * values[k]);
  });
  const VD = new Float64Array(nD * r);
  be.gemm(false, true, nD, r, d, 1, P.VD, d, T, d, 0, VD, r);
  const S = new Float64Array(r * r);
  for (let i = 0; i < r; i++) S[i * r + i] = 1;
  const white: MmcProblem = { d: r, diagonal: false, S, VD, nD, nullBasis: null, nullDims: 0 };
  let kMax = 0;
  for (let i = 0; i < r; i++) kMax = Math.max(kMax, K0[i * r + i]);
  const work = new Float64Array(r * r);
  const res = minimizeLbfgs((K, grad) => mmcFactorObjective(white, K, grad, work), K0, { maxIter, gtol: tol * 2 * kMax, ftol: FTOL, onIter });
  // Back to A = Tᵀ B T.
  const B = be.gram(res.x, r, r);
  const BT = new Float64Array(r * d);
  be.gemm(false, false, r, d, r, 1, B, r, T, d, 0, BT, d);
  const A = new Float64Array(d * d);
  be.gemm(true, false, d, d, r, 1, T, d, BT, d, 0, A, d);
  // Directions no pair spans (constant features) keep the starting scale, as with any solver
  // that starts at a0·I: F does not depend on them. In the unbounded case they are dropped.
  if (!P.nullBasis) {
    for (const k of nullDirs) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j] += a0 * vectors.data[i * d + k] * vectors.data[j * d + k];
    }
  }
  return { A: new Float64Array(symmetrize(new Matrix(d, d, A)).data), f: res.f, nIter: res.nIter, converged: res.converged };
}

/**
 * Diagonal metric: F(diag(l ∘ l)) by L-BFGS over l, in coordinates scaled by Σ_S's diagonal
 * (b_c = a_c S_c, so the linear term is Σ b_c): the diagonal form of solveFactored.
 */
function solveDiagonalFactored(P: MmcProblem, a0: number, maxIter: number, tol: number, onIter?: (it: number, f: number) => void): SolverResult {
  const { d, nD } = P;
  let max = 0;
  for (let c = 0; c < d; c++) max = Math.max(max, P.S[c]);
  const range: number[] = [];
  for (let c = 0; c < d; c++) if (P.S[c] > NULL_TOL * max) range.push(c);
  const r = range.length;
  const VD = new Float64Array(nD * r);
  for (let t = 0; t < nD; t++) range.forEach((c, i) => { VD[t * r + i] = P.VD[t * d + c] / Math.sqrt(P.S[c]); });
  const scaled: MmcProblem = { d: r, diagonal: true, S: new Float64Array(r).fill(1), VD, nD, nullBasis: null, nullDims: 0 };
  const l0 = Float64Array.from(range, (c) => Math.sqrt(a0 * P.S[c]));
  let lMax = 0;
  for (const v of l0) lMax = Math.max(lMax, v);
  const work = new Float64Array(r);
  const res = minimizeLbfgs((l, grad) => mmcDiagonalFactorObjective(scaled, l, grad, work), l0, { maxIter, gtol: tol * 2 * lMax, ftol: FTOL, onIter });
  // Coordinates no pair spans keep the start (dropped later in the unbounded case).
  const A = new Float64Array(d).fill(a0);
  range.forEach((c, i) => { A[c] = (res.x[i] * res.x[i]) / P.S[c]; });
  return { A, f: res.f, nIter: res.nIter, converged: res.converged };
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

/**
 * mmcProblem + mmcSolve, within the span of the points' differences when there are fewer
 * points than features (full metric only). Every difference, so Σ_S and each ‖v‖_A, lives in
 * that span (V, d x r), and F depends on A only through Vᵀ A V; directions outside it are null
 * directions of Σ_S that no dissimilar pair reaches, which the full solve leaves at the start's
 * scale (or drops, when the problem is unbounded elsewhere). So the problem is solved on the
 * coordinates Vᵀ v and M = V M_r Vᵀ + outside · (I − V Vᵀ): the same metric, with r x r
 * instead of d x d eigendecompositions (the diagonal form is not rotation-invariant, so it
 * keeps the features). The unbounded warning then counts only directions within the span.
 */
function mmcFit(t: Tuples, labels: Int8Array, options: MmcOptions, algorithm: string, onIter: (it: number, f: number) => void): MmcResult & { components?: Matrix<Float64Array> } {
  const diagonal = checkBool(options.diagonal ?? false, 'diagonal', algorithm);
  const { rows: N, cols: d } = t.points;
  const span = !diagonal && N < d && checkBool(options.rowSpace ?? true, 'rowSpace', algorithm) ? differenceSpan(t.points) : null;
  if (!span) return mmcSolve(mmcProblem(t, labels, diagonal), options, onIter);
  const Z = multiplyByTranspose(t.points.data, N, d, span.vt, span.r);
  const r = mmcSolve(mmcProblem({ ...t, points: new Matrix(N, span.r, Z) }, labels, false), options, onIter);
  // The d x d metric is formed only if read (the pair learner's fit reads the components).
  let M: Float64Array | null = null;
  return {
    ...r,
    get M() { return (M ??= fromSpanCoordinates(r.M, r.outside, span, d)); },
    components: spanComponents(r.M, r.outside, span, d),
  };
}

/** MMC from pairs labelled +1 (similar) / −1 (dissimilar). */
export class MMC extends PairLearner<MmcOptions> {
  readonly algorithm = 'mmc-pairs';

  constructor(options: MmcOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { diagonal: o.diagonal ?? false, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-6, rowSpace: o.rowSpace ?? true };
  }

  fit(pairs: TuplesInput, y: ArrayLike<number | boolean>): this {
    return this.fitPairs(pairs, y, (t, labels) => mmcFit(t, labels, this.options, this.algorithm, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f })));
  }
}

export interface MmcSupervisedOptions extends MmcOptions {
  /** Positive and negative pairs drawn from the labels (each). Default 20 · nClasses². */
  numConstraints?: number;
}

/**
 * MMC with pairs generated from class labels (metric-learn's MMC_Supervised). Rows labelled null, undefined or NaN are unlabelled: they take
 * part in no generated constraint (-1 is a class; see supervised-tuples.ts). Labels are compared by their text.
 */
export class MMCSupervised extends MahalanobisLearner<MmcSupervisedOptions> {
  readonly algorithm = 'mmc';

  constructor(options: MmcSupervisedOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { diagonal: o.diagonal ?? false, maxIter: o.maxIter ?? 1000, tol: o.tol ?? 1e-6, rowSpace: o.rowSpace ?? true, numConstraints: o.numConstraints ?? null, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>): this {
    const { tuples: t, labels } = pairsFromLabels(X, y, this.algorithm, this.options);
    const r = mmcFit(t, labels, this.options, this.algorithm, (i, f) => this.progress({ iteration: i, maxIter: this.options.maxIter ?? 1000, objective: f }));
    this.setFitted(r.components ?? metricComponents(r.M, t.points.cols), { nIter: r.nIter, converged: r.converged, warnings: r.warnings });
    return this;
  }
}
