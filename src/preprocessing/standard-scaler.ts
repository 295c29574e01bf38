/**
 * Standardisation: z = (x - mean) / std per feature, as scikit-learn's StandardScaler
 * (population variance, ddof = 0). A feature with (numerically) zero variance gets scale 1,
 * so it maps to 0 instead of NaN.
 *
 * Any finite input gets an exact mean and standard deviation. The squares of the deviations
 * overflow float64 above |x| ≈ 1e154 and underflow below ≈ 1e-162; the column statistics show
 * when that happened (Infinity/NaN, or a tiny variance beside a tiny mean), and only those
 * columns are recomputed on x · 2^-e with e the exponent of their max-abs, results scaled
 * back. A power of two changes no rounding, so this is the same arithmetic ordinary columns
 * get, and they pay for no extra pass. `variance` itself can exceed float64's range (std
 * above ≈ 1.3e154); it is then Infinity, while `scale`, which transform uses, stays exact.
 */
import { Matrix, allocate, type FloatArray } from '../matrix.js';
import type { ModelPayload } from '../io/model-file.js';
import { exponentOf, timesPowerOfTwo } from '../linalg/power-of-two.js';
import { columnMeans, columnVariances } from '../linalg/stats.js';
import { checkFeatures, toMatrix, NotFittedYet, type MatrixInput } from './input.js';
import { Transformer } from './transformer.js';

export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

export const STANDARD_SCALER_KIND = 'preprocessing/standard-scaler';
const EPS = 2.220446049250313e-16;
/** A mean below this beside a variance below its square may hide squares that underflowed. */
const SAFE_MIN = 2 ** -400;
/** Beyond this a scale's reciprocal or a difference x − mean leaves float64's normal range. */
const EXTREME = 2 ** 1000;

function columnIsZero(data: FloatArray, n: number, d: number, j: number): boolean {
  for (let i = 0; i < n; i++) if (data[i * d + j] !== 0) return false;
  return true;
}

function columnIsConstant(data: FloatArray, n: number, d: number, j: number, c: number): boolean {
  for (let i = 0; i < n; i++) if (data[i * d + j] !== c) return false;
  return true;
}

/**
 * Mean, variance and std of the columns `cols` computed on x · 2^-e, e the exponent of the
 * column's max-abs (so the squares stay far from over- and underflow), then scaled back:
 * exact arithmetic for a power of two. The std is scaled back on its own because the
 * variance can exceed float64 (std above ≈ 1.3e154; it is then Infinity) while the std,
 * at most the max-abs, cannot. A std that underflows to 0 lies below the data's own
 * resolution and marks the column constant.
 */
function refit(data: FloatArray, n: number, d: number, cols: number[], mu: Float64Array, variance: Float64Array, std: Float64Array): void {
  const r = cols.length;
  const shifted = new Float64Array(n * r);
  const shifts = cols.map((j, t) => {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(data[i * d + j]));
    const e = m > 0 ? exponentOf(m) : 0;
    for (let i = 0; i < n; i++) shifted[i * r + t] = timesPowerOfTwo(data[i * d + j], -e);
    return e;
  });
  const S = new Matrix(n, r, shifted);
  const m = columnMeans(S);
  const v = columnVariances(S, 0, m);
  cols.forEach((j, t) => {
    const e = shifts[t];
    mu[j] = timesPowerOfTwo(m[t], e);
    std[j] = timesPowerOfTwo(Math.sqrt(v[t]), e);
    variance[j] = timesPowerOfTwo(v[t], 2 * e);
  });
}


export class StandardScaler extends Transformer {
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Per-feature mean (zeros when withMean is false). */
  mean: Float64Array | null = null;
  /** Per-feature population variance. */
  variance: Float64Array | null = null;
  /** Per-feature divisor (1 for constant features, or when withStd is false). */
  scale: Float64Array | null = null;
  nSamplesSeen = 0;

  constructor(options: StandardScalerOptions = {}) {
    super();
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  get nFeatures(): number {
    return this.scale ? this.scale.length : 0;
  }

  fit(X: MatrixInput): this {
    const M = toMatrix(X, 'X');
    if (M.rows === 0) throw new RangeError('StandardScaler.fit: X has no rows');
    const { rows: n, cols: d, data } = M;
    const mu = columnMeans(M);
    const variance = columnVariances(M, 0, mu);
    // The statistics themselves show which columns over- or underflowed, so ordinary data
    // pays for no extra pass: an overflow leaves Infinity or NaN; squares that underflowed
    // leave a tiny variance beside a tiny mean (all exactly 0 only if the column is zeros).
    const redo: number[] = [];
    for (let j = 0; j < d; j++) {
      const m = Math.abs(mu[j]);
      const v = variance[j];
      if (!Number.isFinite(m) || !Number.isFinite(v)) redo.push(j);
      else if (m < SAFE_MIN && v < SAFE_MIN * SAFE_MIN && (v > 0 || m > 0 || !columnIsZero(data, n, d, j))) redo.push(j);
    }
    const std = variance.map(Math.sqrt);
    if (redo.length > 0) refit(data, n, d, redo, mu, variance, std);
    const scale = new Float64Array(d).fill(1);
    for (let j = 0; j < d; j++) {
      const sd = std[j];
      // Below this the "variance" is rounding noise of a constant column (cf. scikit-learn's
      // _is_constant_feature); relative to the mean, so columns of small numbers are not
      // constant merely for being small.
      const constant = !(sd > 10 * EPS * Math.abs(mu[j]));
      if (constant) {
        // The rounded mean of n equal values can miss them by an ulp, which at 1e300 is 1e284
        // and would survive as z = x − mean with scale 1; equal values map to exactly 0.
        const c = data[j];
        if (columnIsConstant(data, n, d, j, c)) {
          mu[j] = c;
          variance[j] = 0;
        }
      } else if (this.withStd) scale[j] = sd;
      if (!Number.isFinite(mu[j]) || !Number.isFinite(scale[j]) || !(scale[j] > 0)) {
        throw new RangeError(`StandardScaler.fit: column ${j} has mean ${mu[j]} and standard deviation ${scale[j]}, outside float64's range; rescale that column`);
      }
    }
    this.mean = this.withMean ? mu : new Float64Array(d);
    this.variance = variance;
    this.scale = scale;
    this.nSamplesSeen = n;
    return this;
  }

  private fitted(who: string): { mean: Float64Array; scale: Float64Array } {
    if (!this.mean || !this.scale) throw new NotFittedYet(`StandardScaler (${who})`);
    return { mean: this.mean, scale: this.scale };
  }

  /** (X - mean) / scale; a Matrix input keeps its dtype. */
  transform<T extends FloatArray>(X: Matrix<T>): Matrix<T>;
  transform(X: MatrixInput): Matrix<FloatArray>;
  transform(X: MatrixInput): Matrix<FloatArray> {
    const { mean, scale } = this.fitted('transform');
    const M = toMatrix(X, 'X');
    checkFeatures(M, scale.length, 'StandardScaler.transform');
    const { rows: n, cols: d, data } = M;
    const out = allocate(M.dtype, n * d);
    const inv = scale.map((s) => 1 / s);
    for (let i = 0; i < n; i++) {
      const r = i * d;
      for (let j = 0; j < d; j++) out[r + j] = (data[r + j] - mean[j]) * inv[j];
    }
    // Near float64's limits x − mean can overflow and 1/scale is subnormal (or Infinity):
    // those columns are redone in power-of-two-scaled units, the rest keep the plain loop.
    for (let j = 0; j < d; j++) {
      const big = Math.max(scale[j], Math.abs(mean[j]));
      if (big <= EXTREME && scale[j] >= 1 / EXTREME) continue;
      const e = -exponentOf(big);
      const m = timesPowerOfTwo(mean[j], e);
      const is = 1 / timesPowerOfTwo(scale[j], e);
      for (let i = 0; i < n; i++) out[i * d + j] = (timesPowerOfTwo(data[i * d + j], e) - m) * is;
    }
    return new Matrix(n, d, out);
  }

  /** scale * Z + mean. */
  inverseTransform<T extends FloatArray>(Z: Matrix<T>): Matrix<T>;
  inverseTransform(Z: MatrixInput): Matrix<FloatArray>;
  inverseTransform(Z: MatrixInput): Matrix<FloatArray> {
    const { mean, scale } = this.fitted('inverseTransform');
    const M = toMatrix(Z, 'Z');
    checkFeatures(M, scale.length, 'StandardScaler.inverseTransform');
    const { rows: n, cols: d, data } = M;
    const out = allocate(M.dtype, n * d);
    for (let i = 0; i < n; i++) {
      const r = i * d;
      for (let j = 0; j < d; j++) out[r + j] = data[r + j] * scale[j] + mean[j];
    }
    return new Matrix(n, d, out);
  }

  toPayload(): ModelPayload {
    const { mean, scale } = this.fitted('toPayload');
    const d = scale.length;
    return {
      kind: STANDARD_SCALER_KIND,
      version: 1,
      meta: { withMean: this.withMean, withStd: this.withStd, nSamplesSeen: this.nSamplesSeen },
      arrays: {
        mean: { shape: [d], data: mean },
        scale: { shape: [d], data: scale },
        variance: { shape: [d], data: this.variance ?? new Float64Array(d) },
      },
    };
  }

  static fromModel(p: ModelPayload): StandardScaler {
    if (p.kind !== STANDARD_SCALER_KIND) throw new RangeError(`StandardScaler.fromModel: expected kind "${STANDARD_SCALER_KIND}", got "${p.kind}"`);
    const get = (name: string): Float64Array => {
      const a = p.arrays[name];
      if (!a || !(a.data instanceof Float64Array)) throw new RangeError(`StandardScaler.fromModel: the model lacks the float64 array "${name}"`);
      return Float64Array.from(a.data);
    };
    const s = new StandardScaler({ withMean: p.meta.withMean !== false, withStd: p.meta.withStd !== false });
    s.mean = get('mean');
    s.scale = get('scale');
    s.variance = get('variance');
    if (s.mean.length !== s.scale.length || s.variance.length !== s.scale.length) throw new RangeError('StandardScaler.fromModel: mean, scale and variance lengths differ');
    s.nSamplesSeen = typeof p.meta.nSamplesSeen === 'number' ? p.meta.nSamplesSeen : 0;
    return s;
  }
}
