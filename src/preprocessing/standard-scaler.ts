/**
 * Standardisation: z = (x - mean) / std per feature, as scikit-learn's StandardScaler
 * (population variance, ddof = 0). A feature with (numerically) zero variance gets scale 1,
 * so it maps to 0 instead of NaN.
 */
import { Matrix, allocate, type FloatArray } from '../matrix.js';
import type { ModelPayload } from '../io/model-file.js';
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
    const mu = columnMeans(M);
    const variance = columnVariances(M, 0, mu);
    const d = M.cols;
    const scale = new Float64Array(d).fill(1);
    if (this.withStd) {
      for (let j = 0; j < d; j++) {
        const sd = Math.sqrt(variance[j]);
        // Below this the "variance" is rounding noise of a constant column (cf. sklearn's _handle_zeros_in_scale).
        const tiny = 10 * EPS * Math.max(1, Math.abs(mu[j]));
        scale[j] = sd > tiny ? sd : 1;
      }
    }
    this.mean = this.withMean ? mu : new Float64Array(d);
    this.variance = variance;
    this.scale = scale;
    this.nSamplesSeen = M.rows;
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
