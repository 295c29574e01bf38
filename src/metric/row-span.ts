/**
 * Descent within the span of the training rows. Gradients of the form 2 L Xᵀ A X (LMNN,
 * NCA: A is a graph Laplacian) have their rows in the span of the rows of X, so with fewer
 * points than features (n < d) the fit can run on X V (n x r) with L V (k x r), V the d x r
 * right singular vectors, and the part of L outside the span, L0 (I − V Vᵀ), stays as it
 * started. The iterates are the same in exact arithmetic (V has orthonormal columns, so inner
 * products and norms of the moving part are too); every product shrinks from d to r columns.
 *
 * With at least as many points as features, the span of the points' differences plays the same
 * part when the data are rank-deficient (descentSpan).
 *
 * Also here: the output-side counterpart (leftFactor: more outputs than rows), and the span of
 * the points' differences with the maps back to d x d (differenceSpan, fromSpanCoordinates,
 * spanComponents), used by ITML, LSML and MMC, whose metrics move only within that span.
 */
import { getBackend } from '../backend/index.js';
import { Matrix } from '../matrix.js';
import { applyEigenFunction, eigh } from '../linalg/index.js';

export interface RowSpan {
  /** r x d, orthonormal rows spanning the rows of X (r = min(n, d)). */
  vt: Float64Array;
  r: number;
}

export function rowSpan(X: Matrix<Float64Array>): RowSpan {
  const { vt, s } = getBackend().svd(X.data.slice(), X.rows, X.cols);
  return { vt, r: s.length };
}

/**
 * Where a descent whose gradient is 2 L Xᵀ A X with A 1 = 0 (a graph Laplacian: LMNN, NCA) can
 * run: with fewer points than features, the span of the rows (rowSpan); otherwise the span of
 * the rows' differences when it is clearly smaller than the feature space, as with constant
 * pixels and collinear features in images (Xᵀ A X = X_cᵀ A X_c for the centred rows X_c, so
 * the gradient's rows lie there). Null means: descend in the original coordinates. The cut at
 * 0.9 d keeps full-rank and nearly full-rank data on the original path bit for bit; below it
 * every product of an evaluation shrinks by at least a fifth, which pays for the one SVD.
 */
export function descentSpan(X: Matrix<Float64Array>): RowSpan | null {
  if (X.rows < X.cols) return rowSpan(X);
  const span = differenceSpan(X);
  return span && span.r <= 0.9 * X.cols ? span : null;
}

/** A Vᵀᵀ = A V for A m x d and V's transpose vt (r x d): m x r. */
export function multiplyByTranspose(A: Float64Array, m: number, d: number, vt: Float64Array, r: number): Float64Array {
  const out = new Float64Array(m * r);
  getBackend().gemm(false, true, m, r, d, 1, A, d, vt, d, 0, out, r);
  return out;
}

/** L = L_s Vᵀ + L0 (I − V Vᵀ): the descended part in the span plus the untouched rest. */
export function fromSpan(Ls: Float64Array, L0: Float64Array, kd: number, d: number, span: RowSpan): Float64Array {
  const be = getBackend();
  const L0s = multiplyByTranspose(L0, kd, d, span.vt, span.r);
  for (let i = 0; i < Ls.length; i++) L0s[i] = Ls[i] - L0s[i];
  const out = L0.slice();
  be.gemm(false, false, kd, d, span.r, 1, L0s, span.r, span.vt, d, 1, out, d);
  return out;
}

/**
 * The moving part as L_s = Q R. When L_s (kd x r) has more rows than columns (more output
 * dimensions than training rows), every step of a descent whose gradient is 2 L_s C (and
 * every L-BFGS combination of such steps) multiplies L_s on the right only, so the iterates stay
 * Q R_t with Q fixed (kd x r, orthonormal columns) and R_t r x r. Distances, norms and inner
 * products of Q R equal those of R, so the fit can run on R: kd shrinks to r (320 x 4096
 * with 4096 outputs: 13 times fewer multiply-adds an evaluation).
 */
export interface LeftFactor {
  /** kd x r, orthonormal columns. */
  q: Float64Array;
  /** r x r. */
  r0: Float64Array;
  kd: number;
  r: number;
}

export function leftFactor(Ls: Float64Array, kd: number, r: number): LeftFactor {
  const { u, s, vt } = getBackend().svd(Ls.slice(), kd, r);
  const r0 = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) r0[i * r + j] = s[i] * vt[i * r + j];
  return { q: u, r0, kd, r };
}

/** Q R: back to kd x r. */
export function fromLeftFactor(f: LeftFactor, R: Float64Array): Float64Array {
  const out = new Float64Array(f.kd * f.r);
  getBackend().gemm(false, false, f.kd, f.r, f.r, 1, f.q, f.r, R, f.r, 0, out, f.r);
  return out;
}

/**
 * An orthonormal basis (r x d rows) of the span of the differences of the rows of P: the thin
 * SVD of the centred rows, without the directions of singular value ≤ max(m, d)·ε·s₁ (the
 * centring leaves one; duplicates and collinear points more). Null when all rows are equal.
 * Centred, the basis holds no direction in which the points do not vary, where the covariance
 * prior would put its floored eigenvalue 1/(1e-10 · largest) within the span.
 */
export function differenceSpan(P: Matrix<Float64Array>): RowSpan | null {
  const { rows: m, cols: d } = P;
  const be = getBackend();
  const Pc = new Float64Array(m * d);
  be.centreColumns(P.data, m, d, Pc);
  const { vt, s } = be.svd(Pc, m, d);
  const cut = Math.max(m, d) * Number.EPSILON * (s[0] ?? 0);
  let r = 0;
  while (r < s.length && s[r] > cut) r++;
  return r === 0 ? null : { vt: vt.slice(0, r * d), r };
}

/** c I + V (A − c I_r) Vᵀ (d x d) for A r x r, V = vtᵀ. */
export function fromSpanCoordinates(A: Float64Array, c: number, span: RowSpan, d: number): Float64Array {
  const { vt, r } = span;
  const be = getBackend();
  const B = A.slice();
  for (let i = 0; i < r; i++) B[i * r + i] -= c;
  const VB = new Float64Array(d * r);
  be.gemm(true, false, d, r, r, 1, vt, d, B, r, 0, VB, r);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out[i * d + i] = c;
  be.gemm(false, false, d, d, r, 1, VB, r, vt, d, 1, out, d);
  return out;
}

/**
 * L = s I + V (M_r^½ − s I_r) Vᵀ with s = √c: Lᵀ L = c (I − V Vᵀ) + V M_r Vᵀ. Eigenvalues at most
 * 1e-10 of the largest (c included) are dropped, as componentsFromMetric drops them.
 */
export function spanComponents(Mr: Float64Array, c: number, span: RowSpan, d: number): Matrix<Float64Array> {
  const r = span.r;
  const { values, vectors } = eigh(new Matrix(r, r, Mr), { assumeSymmetric: true });
  const cut = 1e-10 * Math.max(0, values[r - 1], c);
  const S = applyEigenFunction(values, vectors, (l) => (l > cut ? Math.sqrt(l) : 0)).data;
  return new Matrix(d, d, fromSpanCoordinates(S, c > cut ? Math.sqrt(c) : 0, span, d));
}
