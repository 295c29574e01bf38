/**
 * The shared machinery of the additive-margin softmax losses (CosFace, ArcFace): a learned weight
 * row per class, logits s·cos θ_ij between L2-normalised embeddings and weights, a margin applied
 * to the target class's logit, cross-entropy, mean over rows (times element weights from mined
 * tuples, if any). The class weights are a Parameter; compute() ADDS their gradient into
 * `grad` (the trainer/optimiser zeroes it), like the embeddings' gradient it returns.
 * A step is three float64 GEMMs over the n x C cosines (forward X̂Ŵᵀ, backward GŴ and GᵀX̂) plus
 * O(n·C) row passes for the softmax, so its cost grows with the number of classes C only through
 * BLAS and one exp per logit.
 */
import { getBackend } from '../../backend/index.js';
import type { Matrix } from '../../matrix.js';
import { MeanReducer } from '../reducers/mean.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import type { Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import { num, prepareInput, rejectReference } from './context.js';
import { elementWeights } from './element-weights.js';
import { checkClassBatch, classParameter } from './class-parameters.js';

export interface CosineSoftmaxOptions {
  numClasses: number;
  embeddingSize: number;
  /** Logit scale s (default 64 as in both papers). */
  scale?: number;
  margin?: number;
  seed?: number;
  reducer?: ReducerSpec;
}

const MIN_NORM = 1e-12;

export abstract class CosineSoftmaxLoss implements Loss {
  abstract readonly name: string;
  readonly acceptsReference = false;
  readonly numClasses: number;
  readonly embeddingSize: number;
  readonly scale: number;
  readonly margin: number;
  readonly reducer: Reducer;
  /** numClasses x embeddingSize, one row per class. */
  readonly weight: Parameter;

  constructor(owner: string, options: CosineSoftmaxOptions, defaultMargin: number) {
    this.weight = classParameter(owner, 'weight', options);
    this.numClasses = options.numClasses;
    this.embeddingSize = options.embeddingSize;
    this.scale = num(owner, 'scale', options.scale, 64, (x) => Number.isFinite(x) && x > 0, 'a positive number');
    this.margin = num(owner, 'margin', options.margin, defaultMargin, (x) => Number.isFinite(x) && x >= 0, 'a non-negative number');
    this.reducer = resolveReducer(options.reducer, () => new MeanReducer(), owner);
  }

  /** The target logit's cosine after the margin, and its derivative with respect to the cosine. */
  protected abstract target(cos: number): { value: number; slope: number };

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    rejectReference(this.name, reference);
    const inp = prepareInput(this.name, embeddings, labels, undefined, tuples);
    const { n, d, E } = inp;
    const C = this.numClasses;
    checkClassBatch(this.name, d, this.embeddingSize, labels, n, C);
    const { unit: X, norms: xn } = normalize(E, n, d);
    const { unit: W, norms: wn } = normalize(this.weight.value, C, d);
    const s = this.scale;
    const be = getBackend();
    const ew = elementWeights(tuples, n);
    const terms = new Float64Array(n);
    const grad = new Float32Array(n * d);
    if (n === 0) {
      const r0 = this.reducer.reduce(terms);
      return { loss: r0.loss, grad, activeTerms: r0.active };
    }
    // One n x C buffer, rewritten in place: cos θ_ic = x̂_i·ŵ_c (a float64 GEMM), the logits, their
    // exp(z − max) per row, and finally dL/dcos.
    const P = new Float64Array(n * C);
    be.gemm(false, true, n, C, d, 1, X, d, W, d, 0, P, C);
    const tslope = new Float64Array(n);
    const invSum = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = i * C;
      const end = row + C;
      const yk = row + labels[i];
      const t = this.target(P[yk]);
      const zy = s * t.value;
      tslope[i] = t.slope;
      let mx = zy;
      for (let k = row; k < yk; k++) {
        const z = s * P[k];
        P[k] = z;
        if (z > mx) mx = z;
      }
      P[yk] = zy;
      for (let k = yk + 1; k < end; k++) {
        const z = s * P[k];
        P[k] = z;
        if (z > mx) mx = z;
      }
      let sum = 0;
      for (let k = row; k < end; k++) {
        const e = Math.exp(P[k] - mx);
        P[k] = e;
        sum += e;
      }
      invSum[i] = 1 / sum;
      terms[i] = ew[i] * (mx + Math.log(sum) - zy);
    }
    const r = this.reducer.reduce(terms);
    // dL/dcos_ic = w_i ew_i s (p_ic − [c = y]) · (target slope for c = y), p_ic = e_ic / Σ_c e_ic.
    for (let i = 0; i < n; i++) {
      const row = i * C;
      const end = row + C;
      const f = r.weights[i] * ew[i] * s;
      if (f === 0) {
        P.fill(0, row, end);
        continue;
      }
      const inv = invSum[i];
      const yk = row + labels[i];
      const gy = f * (P[yk] * inv - 1) * tslope[i];
      const fi = f * inv;
      for (let k = row; k < end; k++) P[k] *= fi;
      P[yk] = gy;
    }
    // G Ŵ (n x d) and Gᵀ X̂ (C x d), then each row's projection off its own unit vector.
    const tx = new Float64Array(n * d);
    be.gemm(false, false, n, d, C, 1, P, C, W, d, 0, tx, d);
    const tw = new Float64Array(C * d);
    be.gemm(true, false, C, d, n, 1, P, C, X, d, 0, tw, d);
    normalizedBackward(tx, X, xn, n, d);
    normalizedBackward(tw, W, wn, C, d);
    for (let k = 0; k < tx.length; k++) grad[k] = tx[k];
    const gw = this.weight.grad;
    for (let k = 0; k < tw.length; k++) gw[k] += tw[k];
    return { loss: r.loss, grad, activeTerms: r.active };
  }

  parameters(): Parameter[] {
    return [this.weight];
  }
}

function normalize(x: Float32Array, n: number, d: number): { unit: Float64Array; norms: Float64Array } {
  const unit = new Float64Array(n * d);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let k = 0; k < d; k++) q += x[i * d + k] * x[i * d + k];
    const r = Math.max(Math.sqrt(q), MIN_NORM);
    norms[i] = r;
    for (let k = 0; k < d; k++) unit[i * d + k] = x[i * d + k] / r;
  }
  return { unit, norms };
}

/**
 * Gradient of Σ G_ic cos(u_i, v_c) with respect to the raw rows behind the unit vectors U, in place
 * over t = G V̂ (rows of U x d): (1/‖u_i‖)(t_i − (t_i·û_i) û_i), since Σ_c G_ic cos_ic = t_i·û_i.
 */
function normalizedBackward(t: Float64Array, U: Float64Array, un: Float64Array, nu: number, d: number): void {
  for (let i = 0; i < nu; i++) {
    const o = i * d;
    let dot = 0;
    for (let k = o; k < o + d; k++) dot += t[k] * U[k];
    const inv = 1 / un[i];
    for (let k = o; k < o + d; k++) t[k] = inv * (t[k] - dot * U[k]);
  }
}
