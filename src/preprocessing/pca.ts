/**
 * Principal component analysis (Pearson 1901; Hotelling 1933), computed as scikit-learn's
 * PCA does: the SVD of the centred data Xc = U S Vᵀ gives the axes (rows of Vᵀ) and the
 * explained variances S²/(n-1). When n >= 10 d (and d <= 1000) the eigendecomposition of
 * the d x d covariance is used instead ('covariance-eigh', as sklearn >= 1.5 does), which is
 * much cheaper and loses accuracy only on components with variance near eps·max variance.
 *
 * Sign convention (deterministic across backends): each component's largest-magnitude
 * entry is positive (sklearn's svd_flip with u_based_decision=False).
 */
import { Matrix, type FloatArray } from '../matrix.js';
import type { ModelPayload } from '../io/model-file.js';
import { centre, covariance } from '../linalg/stats.js';
import { eigh, svd } from '../linalg/decompose.js';
import { matmul } from '../linalg/matmul.js';
import { checkFeatures, toMatrix, NotFittedYet, type MatrixInput } from './input.js';
import { Transformer } from './transformer.js';

export interface PCAOptions {
  /**
   * An integer number of components (1..min(n, d)), or a fraction in (0, 1): keep the fewest
   * components whose explained variance ratio sums to more than it. Default: min(n, d).
   */
  nComponents?: number;
  /** Scale the projections to unit variance (default false). */
  whiten?: boolean;
  /** 'auto' (default), 'svd' (full SVD of the centred data) or 'covariance-eigh'. */
  solver?: 'auto' | 'svd' | 'covariance-eigh';
}

export const PCA_KIND = 'preprocessing/pca';

export class PCA extends Transformer {
  readonly options: Readonly<PCAOptions>;
  /** nComponents x d; rows are the principal axes, by decreasing variance. */
  components: Matrix<Float64Array> | null = null;
  mean: Float64Array | null = null;
  /** Variance along each kept axis (ddof = 1). */
  explainedVariance: Float64Array | null = null;
  /** Fraction of the total variance along each kept axis. */
  explainedVarianceRatio: Float64Array | null = null;
  singularValues: Float64Array | null = null;
  nSamples = 0;
  /** The solver actually used by the last fit. */
  solverUsed: 'svd' | 'covariance-eigh' | null = null;

  constructor(options: PCAOptions = {}) {
    super();
    const k = options.nComponents;
    if (k !== undefined && !(Number.isFinite(k) && ((Number.isInteger(k) && k >= 1) || (k > 0 && k < 1)))) {
      throw new RangeError(`PCA: nComponents must be a positive integer or a fraction in (0, 1) (explained variance to keep), got ${k}`);
    }
    const solver = options.solver ?? 'auto';
    if (!['auto', 'svd', 'covariance-eigh'].includes(solver)) throw new RangeError(`PCA: solver must be 'auto', 'svd' or 'covariance-eigh', got ${JSON.stringify(solver)}`);
    this.options = { nComponents: k, whiten: options.whiten ?? false, solver };
  }

  get nComponents(): number {
    return this.components ? this.components.rows : 0;
  }

  fit(X: MatrixInput): this {
    const M = toMatrix(X, 'X').toFloat64();
    const { rows: n, cols: d } = M;
    if (n < 2) throw new RangeError(`PCA.fit: need at least 2 samples, got ${n}`);
    if (d < 1) throw new RangeError('PCA.fit: X has no features');
    const maxK = Math.min(n, d);
    const k0 = this.options.nComponents;
    if (k0 !== undefined && k0 >= 1 && k0 > maxK) {
      throw new RangeError(`PCA.fit: nComponents = ${k0} exceeds min(n_samples, n_features) = ${maxK}; use at most ${maxK}`);
    }
    const { X: Xc, means } = centre(M);
    const solver = this.options.solver === 'auto' ? (d <= 1000 && n >= 10 * d ? 'covariance-eigh' : 'svd') : this.options.solver!;
    // All axes (rows) with their variances, descending.
    let axes: Float64Array;
    let variances: Float64Array;
    let sv: Float64Array;
    if (solver === 'svd') {
      const { s, Vt } = svd(Xc);
      axes = Vt.data;
      sv = s;
      variances = s.map((x) => (x * x) / (n - 1));
    } else {
      const C = covariance(M, { ddof: 1 });
      const { values, vectors } = eigh(C, { assumeSymmetric: true });
      // Ascending → descending; rows of axes are eigenvectors (columns of `vectors`).
      axes = new Float64Array(maxK * d);
      variances = new Float64Array(maxK);
      for (let t = 0; t < maxK; t++) {
        const src = d - 1 - t;
        variances[t] = Math.max(0, values[src]);
        for (let j = 0; j < d; j++) axes[t * d + j] = vectors.data[j * d + src];
      }
      sv = variances.map((v) => Math.sqrt(v * (n - 1)));
    }
    let total = 0;
    if (solver === 'svd') for (const v of variances) total += v;
    else {
      // The trace of the covariance includes the variance beyond min(n, d) components.
      const C = Xc.data;
      for (let i = 0; i < C.length; i++) total += C[i] * C[i];
      total /= n - 1;
    }
    const ratio = variances.map((v) => (total > 0 ? v / total : 0));
    let k = k0 === undefined ? maxK : k0;
    if (k0 !== undefined && k0 < 1) {
      let cum = 0;
      k = maxK;
      for (let t = 0; t < maxK; t++) {
        cum += ratio[t];
        if (cum > k0) { k = t + 1; break; }
      }
    }
    const comps = new Float64Array(k * d);
    for (let t = 0; t < k; t++) {
      const row = axes.subarray(t * d, t * d + d);
      let best = 0;
      for (let j = 1; j < d; j++) if (Math.abs(row[j]) > Math.abs(row[best])) best = j;
      const sign = row[best] < 0 ? -1 : 1;
      for (let j = 0; j < d; j++) comps[t * d + j] = sign * row[j];
    }
    const ev = variances.slice(0, k);
    if (this.options.whiten) {
      const floor = 1e-12 * Math.max(ev[0], Number.MIN_VALUE);
      const bad = ev.findIndex((v) => !(v > floor));
      if (bad >= 0) throw new RangeError(`PCA.fit: component ${bad} has (near) zero variance ${ev[bad]}, so whitening would divide by zero; lower nComponents to at most ${bad} or disable whiten`);
    }
    this.components = new Matrix(k, d, comps);
    this.mean = means;
    this.explainedVariance = ev;
    this.explainedVarianceRatio = ratio.slice(0, k);
    this.singularValues = sv.slice(0, k);
    this.nSamples = n;
    this.solverUsed = solver;
    return this;
  }

  private fitted(who: string): { components: Matrix<Float64Array>; mean: Float64Array; ev: Float64Array } {
    if (!this.components || !this.mean || !this.explainedVariance) throw new NotFittedYet(`PCA (${who})`);
    return { components: this.components, mean: this.mean, ev: this.explainedVariance };
  }

  /** (X - mean) Vᵀ, divided by √variance when whitening. A Matrix input keeps its dtype. */
  transform<T extends FloatArray>(X: Matrix<T>): Matrix<T>;
  transform(X: MatrixInput): Matrix<FloatArray>;
  transform(X: MatrixInput): Matrix<FloatArray> {
    const { components, mean, ev } = this.fitted('transform');
    const M = toMatrix(X, 'X');
    checkFeatures(M, components.cols, 'PCA.transform');
    const Xc = centre(M.toFloat64(), mean).X;
    const Z = matmul(Xc, components, { transB: true });
    if (this.options.whiten) {
      const k = components.rows;
      const inv = ev.map((v) => 1 / Math.sqrt(v));
      for (let i = 0; i < Z.rows; i++) for (let t = 0; t < k; t++) Z.data[i * k + t] *= inv[t];
    }
    return M.dtype === 'float32' ? Z.toFloat32() : Z;
  }

  /** Maps projections back to feature space: Z (√variance if whitened) V + mean. */
  inverseTransform<T extends FloatArray>(Z: Matrix<T>): Matrix<T>;
  inverseTransform(Z: MatrixInput): Matrix<FloatArray>;
  inverseTransform(Z: MatrixInput): Matrix<FloatArray> {
    const { components, mean, ev } = this.fitted('inverseTransform');
    const M = toMatrix(Z, 'Z');
    const k = components.rows;
    if (M.cols !== k) throw new RangeError(`PCA.inverseTransform: Z has ${M.cols} columns but the PCA keeps ${k} components`);
    let Zs = M.toFloat64();
    if (this.options.whiten) {
      Zs = Zs.clone();
      const sd = ev.map((v) => Math.sqrt(v));
      for (let i = 0; i < Zs.rows; i++) for (let t = 0; t < k; t++) Zs.data[i * k + t] *= sd[t];
    }
    const X = matmul(Zs, components);
    const d = components.cols;
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) X.data[i * d + j] += mean[j];
    if (M.dtype === 'float32') return X.toFloat32();
    return X;
  }

  toPayload(): ModelPayload {
    const { components, mean, ev } = this.fitted('toPayload');
    const k = components.rows;
    return {
      kind: PCA_KIND,
      version: 1,
      meta: { whiten: !!this.options.whiten, nComponentsOption: this.options.nComponents ?? null, solver: this.solverUsed, nSamples: this.nSamples },
      arrays: {
        components: { shape: [k, components.cols], data: components.data },
        mean: { shape: [mean.length], data: mean },
        explainedVariance: { shape: [k], data: ev },
        explainedVarianceRatio: { shape: [k], data: this.explainedVarianceRatio ?? new Float64Array(k) },
        singularValues: { shape: [k], data: this.singularValues ?? new Float64Array(k) },
      },
    };
  }

  static fromModel(p: ModelPayload): PCA {
    if (p.kind !== PCA_KIND) throw new RangeError(`PCA.fromModel: expected kind "${PCA_KIND}", got "${p.kind}"`);
    const get = (name: string): { shape: number[]; data: Float64Array } => {
      const a = p.arrays[name];
      if (!a || !(a.data instanceof Float64Array)) throw new RangeError(`PCA.fromModel: the model lacks the float64 array "${name}"`);
      return { shape: a.shape, data: Float64Array.from(a.data) };
    };
    const c = get('components');
    if (c.shape.length !== 2) throw new RangeError('PCA.fromModel: components must be 2-D');
    const opt = p.meta.nComponentsOption;
    const pca = new PCA({ nComponents: typeof opt === 'number' ? opt : undefined, whiten: p.meta.whiten === true });
    pca.components = new Matrix(c.shape[0], c.shape[1], c.data);
    pca.mean = get('mean').data;
    pca.explainedVariance = get('explainedVariance').data;
    pca.explainedVarianceRatio = get('explainedVarianceRatio').data;
    pca.singularValues = get('singularValues').data;
    pca.nSamples = typeof p.meta.nSamples === 'number' ? p.meta.nSamples : 0;
    pca.solverUsed = p.meta.solver === 'svd' || p.meta.solver === 'covariance-eigh' ? p.meta.solver : null;
    if (pca.mean.length !== c.shape[1] || pca.explainedVariance.length !== c.shape[0]) throw new RangeError('PCA.fromModel: array shapes are inconsistent');
    return pca;
  }
}
