/** Column statistics and small matrix helpers learners need constantly. */
import { Matrix, ShapeError, allocate, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { assertMatrix, assertSquare } from './checks.js';

/** Mean of each column (float64, accumulated in float64 even for float32 input). */
export function columnMeans(X: Matrix<FloatArray>): Float64Array {
  assertMatrix(X, 'X', 'columnMeans');
  const { rows: n, cols: d, data } = X;
  if (n === 0) throw new ShapeError('columnMeans: X has no rows; the mean of nothing is undefined');
  if (data instanceof Float64Array) return getBackend().centreColumns(data, n, d, null);
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) mu[j] += data[r + j];
  }
  for (let j = 0; j < d; j++) mu[j] /= n;
  return mu;
}

/**
 * Per-column variance with `ddof` degrees of freedom removed (0: population, as
 * scikit-learn's StandardScaler; 1: sample). Two-pass (centred) for accuracy.
 */
export function columnVariances(X: Matrix<FloatArray>, ddof = 0, means = columnMeans(X)): Float64Array {
  const { rows: n, cols: d, data } = X;
  if (n - ddof <= 0) throw new ShapeError(`columnVariances: need more than ${ddof} rows for ddof=${ddof}, got ${n}`);
  const v = new Float64Array(d);
  const comp = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) {
      const t = data[r + j] - means[j];
      v[j] += t * t;
      comp[j] += t;
    }
  }
  // Subtracting (Σ t)²/n corrects the rounding left in the means (Chan, Golub & LeVeque 1983).
  for (let j = 0; j < d; j++) v[j] = Math.max(0, (v[j] - (comp[j] * comp[j]) / n) / (n - ddof));
  return v;
}

/** X minus `means` (default: its column means), as a new matrix of X's dtype. */
export function centre<T extends FloatArray>(X: Matrix<T>, means?: ArrayLike<number>): { X: Matrix<T>; means: Float64Array } {
  assertMatrix(X, 'X', 'centre');
  const { rows: n, cols: d, data } = X;
  if (!means && data instanceof Float64Array && n > 0) {
    const out = new Float64Array(n * d);
    const mu = getBackend().centreColumns(data, n, d, out);
    return { X: new Matrix(n, d, out as T), means: mu };
  }
  const mu = means ? Float64Array.from(means) : columnMeans(X);
  if (mu.length !== d) throw new ShapeError(`centre: means has ${mu.length} values but X has ${d} columns`);
  const out = allocate(X.dtype, n * d) as T;
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) out[r + j] = data[r + j] - mu[j];
  }
  return { X: new Matrix(n, d, out), means: mu };
}

export const center = centre;

export interface CovarianceOptions {
  /** Delta degrees of freedom: divide by n - ddof (default 1, like numpy.cov). */
  ddof?: number;
}

/** The d x d covariance of the rows of X (float64). */
export function covariance(X: Matrix<FloatArray>, options: CovarianceOptions = {}): Matrix<Float64Array> {
  assertMatrix(X, 'X', 'covariance');
  const ddof = options.ddof ?? 1;
  const n = X.rows;
  if (n - ddof <= 0) throw new ShapeError(`covariance: need more than ${ddof} rows for ddof=${ddof}, got ${n}`);
  const { X: Xc } = centre(X.toFloat64());
  const C = getBackend().gram(Xc.data, n, X.cols) as Float64Array;
  const inv = 1 / (n - ddof);
  for (let i = 0; i < C.length; i++) C[i] *= inv;
  return new Matrix(X.cols, X.cols, C);
}

/** M + ridge·I as a new float64 matrix. */
export function addRidge(M: Matrix<FloatArray>, ridge: number): Matrix<Float64Array> {
  assertSquare(M, 'M', 'addRidge');
  if (!Number.isFinite(ridge)) throw new RangeError(`addRidge: ridge must be finite, got ${ridge}`);
  const out = M.toFloat64().clone();
  const n = M.rows;
  for (let i = 0; i < n; i++) out.data[i * n + i] += ridge;
  return out;
}

export function trace(M: Matrix<FloatArray>): number {
  assertSquare(M, 'M', 'trace');
  let s = 0;
  for (let i = 0; i < M.rows; i++) s += M.data[i * M.cols + i];
  return s;
}

/** Frobenius norm, scaled to avoid overflow for huge entries. */
export function frobeniusNorm(M: Matrix<FloatArray>): number {
  assertMatrix(M, 'M', 'frobeniusNorm');
  let scale = 0;
  for (let i = 0; i < M.data.length; i++) scale = Math.max(scale, Math.abs(M.data[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < M.data.length; i++) {
    const t = M.data[i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}
