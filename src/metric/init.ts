/**
 * Shared option handling for the learners: nComponents resolution and the initial L
 * (identity, PCA, random or user-given), as metric-learn's `init` parameter.
 */
import { Matrix, asMatrix, describeValue, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import type { Random } from '../random.js';

export type InitOption = 'auto' | 'identity' | 'pca' | 'random' | Matrix<FloatArray> | number[][];

export function resolveNComponents(nComponents: number | undefined, d: number, algorithm: string): number {
  if (nComponents === undefined) return d;
  if (!Number.isInteger(nComponents) || nComponents < 1) throw new RangeError(`${algorithm}: nComponents must be a positive integer, got ${nComponents}`);
  if (nComponents > d) throw new RangeError(`${algorithm}: nComponents (${nComponents}) is larger than the number of features (${d}); use at most ${d}`);
  return nComponents;
}

/** Top-k principal axes of X (rows of the result, unit length), largest variance first. */
/**
 * The top k principal axes (k x d, rows orthonormal, largest variance first) and the scatter
 * along each, Σ_i ((x_i − μ) · v)², which is the eigenvalue of the centred Gram matrix.
 */
export function principalAxes(X: Matrix<Float64Array>, k: number): { axes: Float64Array; scatter: Float64Array } {
  const n = X.rows, d = X.cols;
  const Xc = new Float64Array(n * d);
  getBackend().centreColumns(X.data, n, d, Xc);
  const axes = new Float64Array(k * d), scatter = new Float64Array(k);
  if (n < d && k <= n) {
    // Fewer rows than features: the thin SVD of the centred rows gives the same axes (the
    // right singular vectors) and scatters (s²) in n² d work instead of the d³ of eigh.
    const { s, vt } = getBackend().svd(Xc, n, d);
    for (let r = 0; r < k; r++) {
      scatter[r] = s[r] * s[r];
      axes.set(vt.subarray(r * d, r * d + d), r * d);
    }
    return { axes, scatter };
  }
  const C = getBackend().gram(Xc, n, d);
  const { values, vectors } = getBackend().eigh(C, d);
  for (let r = 0; r < k; r++) {
    const j = d - 1 - r;
    scatter[r] = Math.max(values[j], 0);
    for (let c = 0; c < d; c++) axes[r * d + c] = vectors[c * d + j];
  }
  return { axes, scatter };
}

export function initComponents(X: Matrix<Float64Array>, k: number, init: InitOption, rng: Random, algorithm: string): Float64Array {
  const d = X.cols;
  const expected = `${algorithm}: init must be "auto", "identity", "pca", "random" or a ${k} x ${d} matrix`;
  if (typeof init !== 'string') {
    // Only a Matrix or an array of rows is a matrix: 0, true or {} would otherwise reach the
    // row conversion and fail there with a message about rows.
    if (!(init instanceof Matrix) && !Array.isArray(init)) throw new RangeError(`${expected}, got ${describeValue(init)}`);
    const m = asMatrix(init, `${algorithm} init`).toFloat64();
    if (m.rows !== k || m.cols !== d) throw new RangeError(`${algorithm}: init has shape ${m.rows} x ${m.cols}, expected nComponents x nFeatures = ${k} x ${d}`);
    // Every learner using this init moves L along a gradient of the form L · S, which is zero
    // at L = 0: the fit would "converge" on the zero map at once.
    if (m.data.every((v) => v === 0)) throw new RangeError(`${algorithm}: init is all zeros: the objective's gradient vanishes there, so nothing is learned; use 'identity' or 'pca'`);
    return m.data.slice();
  }
  const kind = init === 'auto' ? (k === d ? 'identity' : 'pca') : init;
  if (kind === 'identity') {
    const L = new Float64Array(k * d);
    for (let i = 0; i < k; i++) L[i * d + i] = 1;
    return L;
  }
  if (kind === 'pca') return principalAxes(X, k).axes;
  if (kind === 'random') {
    const L = new Float64Array(k * d);
    for (let i = 0; i < L.length; i++) L[i] = rng.normal();
    return L;
  }
  throw new RangeError(`${expected}, got ${describeValue(init)}`);
}

/** Class sizes of codes 0..nClasses-1. */
export function classCounts(y: Int32Array, nClasses: number): Int32Array {
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts;
}

export function checkPositive(value: number, name: string, algorithm: string, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new RangeError(`${algorithm}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${value}`);
  return value;
}

export function checkInt(value: number, name: string, algorithm: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${algorithm}: ${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/** A boolean option: true or false only, since a string "false" is truthy and would flip it. */
export function checkBool(value: unknown, name: string, algorithm: string): boolean {
  if (value !== true && value !== false) throw new RangeError(`${algorithm}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}
