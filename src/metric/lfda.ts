/**
 * Local Fisher Discriminant Analysis: Sugiyama, "Dimensionality Reduction of Multimodal
 * Labeled Data by Local Fisher Discriminant Analysis", JMLR 8 (2007).
 *
 * Local scaling affinity A_ij = exp(−‖x_i − x_j‖² / (σ_i σ_j)) within each class, σ_i the
 * distance to the k-th nearest same-class neighbour (the paper's k = 7). Local scatters
 *   S_lw = ½ Σ W_lw,ij δδᵀ,  W_lw = A_ij / n_c (same class), 0 otherwise,
 *   S_lb = ½ Σ W_lb,ij δδᵀ,  W_lb = A_ij (1/n − 1/n_c) (same class), 1/n otherwise,
 * and the generalised eigenproblem S_lb φ = λ S_lw φ. The different-class part of S_lb is the
 * total scatter minus a same-class correction, so only same-class pairs are ever visited.
 *
 * Deviation for robustness (metric-learn's LFDA returns non-finite values on digits): the
 * problem is solved inside the span of the total scatter, so zero-variance directions
 * (constant pixels) get no weight instead of an infinite one, and S_lw gets a tiny ridge
 * against rounding.
 *
 * A singular S_lw. Same-class pairs span at most Σ_c (n_c − 1) directions, so S_lw can be
 * singular inside the data's span even when no feature is constant: one class of 2 rows
 * beside singletons (S_lw of rank 1), or fewer rows per class than features (faces, text).
 * Along such a direction the Fisher ratio is unbounded, and the whitening would set the
 * component there by the rounding ridge alone (components ~1e10, a silently arbitrary model).
 * The remedy is shrinkage α: inside the data's span (dimension r),
 *   S_lw ← (1 − α) S_lw + α (tr S_lw / r) I,
 * the shrinkage of regularised discriminant analysis (Friedman, JASA 1989) and scikit-learn's
 * LinearDiscriminantAnalysis(shrinkage=α); LFDA codes derived from Sugiyama's MATLAB lfda.m
 * take the same form as `reg` = 1 − α, and Sugiyama et al.'s SELF (Machine Learning 78, 2010)
 * regularises S_lw by adding a multiple of I likewise. The trace is kept, so α = 0 is plain
 * LFDA and α = 1 replaces S_lw by its mean eigenvalue (between-class scatter alone decides).
 * `shrinkage: 'auto'` takes α from Ledoit & Wolf's estimator (J. Multivariate Analysis 88,
 * 2004) of the within-class covariance (rows centred on their class means), which S_lw
 * localises; this is scikit-learn LDA's shrinkage='auto', there computed on standardised
 * features (`simlearn cv` z-scores before fitting). By default α = 0, except where S_lw is
 * singular: there the default is 'auto', with a warning (plain LFDA has no solution; metric-learn
 * raises FloatingPointError on such data). A fixed α that leaves S_lw singular is an error.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { rowSpan, multiplyByTranspose } from './row-span.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { classCounts, checkInt, checkBool } from './init.js';
import { laplacianGram } from './scatter.js';
import { centredPoints as centred } from './indexed-pairs.js';

export type LfdaEmbedding = 'weighted' | 'orthonormalized' | 'plain';

export interface LfdaOptions extends BaseLearnerOptions {
  /** Output dimension; default = number of features (capped at the data's rank). */
  nComponents?: number;
  /** Neighbour rank for the local scaling σ_i (paper: 7); capped at class size − 1. */
  k?: number;
  embeddingType?: LfdaEmbedding;
  /**
   * Shrinkage α in [0, 1] of the local within-class scatter toward a multiple of the identity
   * with the same trace, or 'auto' (Ledoit–Wolf); see above. Default: 0, or 'auto' where the
   * scatter is singular.
   */
  shrinkage?: number | 'auto';
  /** With fewer rows than features, solve within the span of the rows (default true; same result). */
  rowSpace?: boolean;
}

export class LFDA extends MahalanobisLearner<LfdaOptions> {
  readonly algorithm = 'lfda';

  constructor(options: LfdaOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, k: o.k ?? 7, embeddingType: o.embeddingType ?? 'weighted', shrinkage: o.shrinkage ?? null, rowSpace: o.rowSpace ?? true };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'lfda');
    const n = data.X.rows, dIn = data.X.cols;
    const o = this.options;
    const kOpt = checkInt(o.k ?? 7, 'k', 'lfda');
    const embedding = o.embeddingType ?? 'weighted';
    if (!['weighted', 'orthonormalized', 'plain'].includes(embedding)) throw new RangeError(`lfda: embeddingType must be "weighted", "orthonormalized" or "plain", got "${embedding}"`);
    const shrinkage = o.shrinkage ?? null;
    if (shrinkage !== null && shrinkage !== 'auto' && (typeof shrinkage !== 'number' || !(shrinkage >= 0 && shrinkage <= 1))) throw new RangeError(`lfda: shrinkage must be a number in [0, 1] (0 = none, 1 = the within-class scatter replaced by its mean eigenvalue) or "auto" (Ledoit–Wolf), got ${JSON.stringify(shrinkage)}`);
    if (o.nComponents !== undefined && (!Number.isInteger(o.nComponents) || o.nComponents < 1 || o.nComponents > dIn)) throw new RangeError(`lfda: nComponents must be an integer in 1..${dIn} (the number of features), got ${o.nComponents}`);
    // With fewer rows than features every scatter lives in the span of the rows, so the
    // problem is solved on X V (n x r, V the right singular vectors) and mapped back by Vᵀ:
    // the same components in exact arithmetic (the directions outside the span get no weight
    // either way), at r instead of d columns (400 x 4096 faces: d³ eigendecompositions gone).
    const span = n < dIn && checkBool(o.rowSpace ?? true, 'rowSpace', 'lfda') ? rowSpan(data.X) : null;
    const x = span ? new Matrix(n, span.r, multiplyByTranspose(data.X.data, n, dIn, span.vt, span.r)) : data.X;
    const d = x.cols;
    const counts = classCounts(data.y, data.classes.length);
    const warnings: string[] = [];
    counts.forEach((c, ci) => {
      // As in metric-learn: a lone sample has no same-class neighbour, so no local affinity; it
      // still counts in the total scatter. Rare classes make this common inside CV folds.
      if (c < 2) warnings.push(`lfda: class ${JSON.stringify(data.classes[ci])} has a single sample; it has no local affinity and only enters the total scatter`);
      else if (o.k !== undefined && c <= kOpt) warnings.push(`lfda: class ${JSON.stringify(data.classes[ci])} has ${c} samples, so k = ${kOpt} was capped at ${c - 1} for it`);
    });
    // With no class of 2 or more rows the local within-class scatter S_lw is zero, and the
    // whitening of S_lw below would blow up (to Infinity, blamed on the input by eigh).
    if (!counts.some((c) => c >= 2)) throw new RangeError(`lfda: every class has a single sample, so the local within-class scatter is zero and there is nothing to whiten; LFDA needs at least 2 rows per class (a class of one row is tolerated only beside classes of 2 or more)`);
    const be = getBackend();
    // Per class: affinities, then both local scatters from one Laplacian product on the class
    // block. Different-class pairs never appear explicitly.
    const Slw = new Float64Array(d * d);
    const Slb = new Float64Array(d * d);
    // For Ledoit–Wolf: Σ_c C_c (the within-class scatter) and Σ_a ‖x_a − μ_c‖⁴.
    const Sw = new Float64Array(d * d);
    let fourth = 0;
    for (let c = 0; c < counts.length; c++) {
      const members: number[] = [];
      for (let i = 0; i < n; i++) if (data.y[i] === c) members.push(i);
      const m = members.length;
      if (m < 2) continue;
      const sub = x.takeRows(members);
      const kk = Math.min(kOpt, m - 1);
      // G = Σ_{a<b} A_ab δδᵀ from the backend's Laplacian product (which also picks the local
      // scales σ from the same distances), and the class's own Σ_{a<b} δδᵀ =
      // m Σ_a (x_a − μ_c)(x_a − μ_c)ᵀ; then, per the weights above,
      //   S_lw += G / m,   S_lb += (1/n − 1/m) G − (m/n) C  (the total scatter adds 1/n back).
      // Centred first: the Laplacian annihilates a common offset, which would otherwise cancel
      // digits in Xᵀ (Lap X) and in the kernel's GEMM distances.
      const xc = centred(sub.data, m, d);
      const LX = new Float64Array(m * d);
      be.affinityLaplacian(xc, m, d, kk, LX);
      const G = laplacianGram(xc, m, d, LX);
      const C = be.gram(xc, m, d);
      for (let a = 0; a < m; a++) {
        let q = 0;
        for (let j = 0; j < d; j++) q += xc[a * d + j] * xc[a * d + j];
        fourth += q * q;
      }
      for (let p = 0; p < d * d; p++) {
        Sw[p] += C[p];
        Slw[p] += G[p] / m;
        Slb[p] += (1 / n - 1 / m) * G[p] - (m / n) * C[p];
      }
    }
    const St = be.gram(centred(x.data, n, d), n, d);
    for (let i = 0; i < d * d; i++) Slb[i] += St[i];
    const lw = (r: number) => ledoitWolfIntensity(Sw, fourth, n, d, r);
    const components = solveLfda(St, Slw, Slb, d, o.nComponents ?? dIn, embedding, shrinkage, lw, counts, warnings);
    if (!span) return this.setFitted(components, { warnings });
    const L = Matrix.zeros(components.rows, dIn);
    be.gemm(false, false, components.rows, dIn, d, 1, components.data, d, span.vt, dIn, 0, L.data, dIn);
    return this.setFitted(L, { warnings });
  }
}

/** (r x r) = Uᵀ S U for U d x r. */
function restrict(S: Float64Array, U: Float64Array, d: number, r: number): Float64Array {
  const be = getBackend();
  const SU = new Float64Array(d * r);
  be.gemm(false, false, d, r, d, 1, S, d, U, r, 0, SU, r);
  const out = new Float64Array(r * r);
  be.gemm(true, false, r, r, d, 1, U, r, SU, r, 0, out, r);
  for (let i = 0; i < r; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (out[i * r + j] + out[j * r + i]);
    out[i * r + j] = out[j * r + i] = v;
  }
  return out;
}

/**
 * Ledoit & Wolf's (2004, Lemma 3.2-3.4) shrinkage intensity for the covariance S = Σ_a w_a w_aᵀ / n
 * of the class-centred rows w_a, taken inside an r-dimensional span that holds them:
 * α = min(b̄², d²) / d² with d² = ‖S − μI‖²_F, μ = tr S / r, and
 * b̄² = Σ_a ‖w_a w_aᵀ − S‖²_F / n² = (Σ_a ‖w_a‖⁴ − n ‖S‖²_F) / n².
 * Sw is Σ_a w_a w_aᵀ (d x d); the norms need no basis, since S's range lies in the span.
 */
export function ledoitWolfIntensity(Sw: Float64Array, fourth: number, n: number, d: number, r: number): number {
  let tr = 0, fro = 0;
  for (let i = 0; i < d; i++) tr += Sw[i * d + i];
  for (let p = 0; p < d * d; p++) fro += Sw[p] * Sw[p];
  tr /= n;
  fro /= n * n;
  const mu = tr / r;
  const d2 = fro - r * mu * mu;
  const b2 = Math.max(0, (fourth - n * fro) / (n * n));
  if (!(d2 > 0)) return 1; // S is already a multiple of the identity on the span
  return Math.min(1, b2 / d2);
}

function solveLfda(St: Float64Array, Slw: Float64Array, Slb: Float64Array, d: number, nComp: number, embedding: LfdaEmbedding, shrinkageOption: number | 'auto' | null, ledoitWolf: (r: number) => number, counts: ArrayLike<number>, warnings: string[]): Matrix<Float64Array> {
  const be = getBackend();
  // Basis U (d x r) of the span of the data.
  const et = be.eigh(St, d);
  const top = et.values[d - 1];
  const keep: number[] = [];
  for (let j = d - 1; j >= 0; j--) if (et.values[j] > 1e-10 * top) keep.push(j);
  if (keep.length === 0) throw new RangeError('lfda: every feature is constant; nothing to learn from');
  const r = keep.length;
  const U = new Float64Array(d * r);
  keep.forEach((j, c) => { for (let i = 0; i < d; i++) U[i * r + c] = et.vectors[i * d + j]; });
  const Sw = restrict(Slw, U, d, r);
  const Sb = restrict(Slb, U, d, r);
  // Whiten Sw (with a ridge relative to its scale), then an ordinary eigenproblem.
  let tr = 0, trT = 0;
  for (let i = 0; i < r; i++) tr += Sw[i * r + i];
  for (const j of keep) trT += et.values[j];
  // Same-class rows that coincide give S_lw = 0 (up to rounding) even with classes of 2+.
  if (!(tr > 1e-14 * trT)) throw new RangeError('lfda: the local within-class scatter is zero: the rows of each class are identical, so there is no within-class spread to whiten; LFDA needs classes with at least 2 distinct rows');
  const mean = tr / r;
  // The ridge only guards rounding: a direction whose within-class scatter is at or below it
  // would have its component set by the ridge rather than by the data.
  const ridge = 1e-9 * Math.max(mean, 1e-300);
  const flatIn = (S: Float64Array) => { const e = be.eigh(S, r); return { e, flat: e.values.filter((v) => v <= ridge).length }; };
  const shrunk = (a: number) => {
    const S = Sw.slice();
    for (let p = 0; p < r * r; p++) S[p] *= 1 - a;
    for (let i = 0; i < r; i++) S[i * r + i] += a * mean;
    return S;
  };
  let shrinkage = shrinkageOption === 'auto' ? ledoitWolf(r) : (shrinkageOption ?? 0);
  let { e: ew, flat } = flatIn(shrinkage > 0 ? shrunk(shrinkage) : Sw);
  const pairDims = Array.from(counts).reduce((s, c) => s + Math.max(c - 1, 0), 0);
  const why = () => pairDims < r ? `same-class pairs span at most ${pairDims} of the ${r} directions the data vary in (${describeCounts(counts)})` : 'same-class rows vary in fewer directions than the data do';
  if (flat > 0 && shrinkageOption === null) {
    const singular = flat;
    shrinkage = ledoitWolf(r);
    ({ e: ew, flat } = flatIn(shrunk(shrinkage)));
    if (flat === 0) warnings.push(`lfda: the local within-class scatter is singular in ${singular} of the ${r} directions the data span (${why()}), so plain LFDA has no solution; it was shrunk toward the identity with Ledoit–Wolf's intensity ${shrinkage.toPrecision(3)} (set shrinkage to choose it, e.g. --set shrinkage=0.1)`);
  }
  if (flat > 0) {
    throw new RangeError(`lfda: the local within-class scatter is singular in ${flat} of the ${r} directions the data span: ${why()}, so the Fisher ratio is unbounded there and the components would be set by a rounding guard, not by the data; ${shrinkage > 0 ? `shrinkage ${shrinkage.toPrecision(3)} is too small to lift it: use a larger shrinkage (e.g. 0.1)` : 'regularise with shrinkage in (0, 1] or "auto" (e.g. { shrinkage: 0.1 }, or --set shrinkage=0.1 on the command line)'}, give the classes more rows, or reduce the features first (to at most ${r - flat})`);
  }
  for (let i = 0; i < r; i++) ew.values[i] += ridge;
  const Wh = new Float64Array(r * r); // Wh = V Λ^{-1/2}
  for (let j = 0; j < r; j++) {
    const s = 1 / Math.sqrt(Math.max(ew.values[j], ridge));
    for (let i = 0; i < r; i++) Wh[i * r + j] = ew.vectors[i * r + j] * s;
  }
  const B = restrict(Sb, Wh, r, r);
  const eb = be.eigh(B, r);
  const m = Math.min(nComp, r);
  // φ = U Wh v for the m largest eigenvalues, as columns of a d x m matrix.
  const V = new Float64Array(r * m);
  const lambdas = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    const j = r - 1 - c;
    lambdas[c] = eb.values[j];
    for (let i = 0; i < r; i++) V[i * m + c] = eb.vectors[i * r + j];
  }
  const WV = new Float64Array(r * m);
  be.gemm(false, false, r, m, r, 1, Wh, r, V, m, 0, WV, m);
  const Phi = new Float64Array(d * m);
  be.gemm(false, false, d, m, r, 1, U, r, WV, m, 0, Phi, m);
  if (embedding === 'weighted') {
    for (let c = 0; c < m; c++) {
      const s = Math.sqrt(Math.max(lambdas[c], 0));
      for (let i = 0; i < d; i++) Phi[i * m + c] *= s;
    }
  } else if (embedding === 'orthonormalized') {
    gramSchmidtColumns(Phi, d, m);
  }
  const L = Matrix.zeros(m, d);
  for (let c = 0; c < m; c++) for (let i = 0; i < d; i++) L.data[c * d + i] = Phi[i * m + c];
  return L;
}

/** "1 class of 2 rows, 3 of 1 row", for messages. */
function describeCounts(counts: ArrayLike<number>): string {
  const bySize = new Map<number, number>();
  for (const c of Array.from(counts)) bySize.set(c, (bySize.get(c) ?? 0) + 1);
  const sizes = [...bySize.keys()].sort((a, b) => b - a);
  const parts = sizes.slice(0, 4).map((s) => `${bySize.get(s)} class${bySize.get(s) === 1 ? '' : 'es'} of ${s} row${s === 1 ? '' : 's'}`);
  return parts.join(', ') + (sizes.length > 4 ? ', …' : '');
}

/** Orthonormalises the columns of a d x m matrix in place (modified Gram–Schmidt, twice for stability). */
function gramSchmidtColumns(A: Float64Array, d: number, m: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < m; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += A[i * m + c] * A[i * m + p];
        for (let i = 0; i < d; i++) A[i * m + c] -= dot * A[i * m + p];
      }
      let nrm = 0;
      for (let i = 0; i < d; i++) nrm += A[i * m + c] * A[i * m + c];
      nrm = Math.sqrt(nrm);
      for (let i = 0; i < d; i++) A[i * m + c] = nrm > 0 ? A[i * m + c] / nrm : 0;
    }
  }
}
