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
 * (constant pixels) get no weight instead of an infinite one, and S_lw gets a tiny ridge.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { classCounts, checkInt } from './init.js';
import { laplacianGram } from './scatter.js';
import { centredPoints as centred } from './indexed-pairs.js';

export type LfdaEmbedding = 'weighted' | 'orthonormalized' | 'plain';

export interface LfdaOptions extends BaseLearnerOptions {
  /** Output dimension; default = number of features (capped at the data's rank). */
  nComponents?: number;
  /** Neighbour rank for the local scaling σ_i (paper: 7); capped at class size − 1. */
  k?: number;
  embeddingType?: LfdaEmbedding;
}

export class LFDA extends MahalanobisLearner<LfdaOptions> {
  readonly algorithm = 'lfda';

  constructor(options: LfdaOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, k: o.k ?? 7, embeddingType: o.embeddingType ?? 'weighted' };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'lfda');
    const x = data.X;
    const n = x.rows, d = x.cols;
    const o = this.options;
    const kOpt = checkInt(o.k ?? 7, 'k', 'lfda');
    const embedding = o.embeddingType ?? 'weighted';
    if (!['weighted', 'orthonormalized', 'plain'].includes(embedding)) throw new RangeError(`lfda: embeddingType must be "weighted", "orthonormalized" or "plain", got "${embedding}"`);
    if (o.nComponents !== undefined && (!Number.isInteger(o.nComponents) || o.nComponents < 1 || o.nComponents > d)) throw new RangeError(`lfda: nComponents must be an integer in 1..${d} (the number of features), got ${o.nComponents}`);
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
      for (let p = 0; p < d * d; p++) {
        Slw[p] += G[p] / m;
        Slb[p] += (1 / n - 1 / m) * G[p] - (m / n) * C[p];
      }
    }
    const St = be.gram(centred(x.data, n, d), n, d);
    for (let i = 0; i < d * d; i++) Slb[i] += St[i];
    const components = solveLfda(St, Slw, Slb, d, o.nComponents ?? d, embedding);
    return this.setFitted(components, { warnings });
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

function solveLfda(St: Float64Array, Slw: Float64Array, Slb: Float64Array, d: number, nComp: number, embedding: LfdaEmbedding): Matrix<Float64Array> {
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
  const ridge = 1e-9 * Math.max(tr / r, 1e-300);
  for (let i = 0; i < r; i++) Sw[i * r + i] += ridge;
  const ew = be.eigh(Sw, r);
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
