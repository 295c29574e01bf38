/**
 * The shared machinery of the additive-margin softmax losses (CosFace, ArcFace): a learned weight
 * row per class, logits s·cos θ_ij between L2-normalised embeddings and weights, a margin applied
 * to the target class's logit, cross-entropy, mean over rows (times element weights from mined
 * tuples, if any). The class weights are a Parameter; compute() ADDS their gradient into
 * `grad` (the trainer/optimiser zeroes it), like the embeddings' gradient it returns.
 */
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
    const cos = new Float64Array(n * C);
    for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += X[i * d + k] * W[c * d + k];
      cos[i * C + c] = v;
    }
    const ew = elementWeights(tuples, n);
    const terms = new Float64Array(n);
    const probs = new Float64Array(n * C);
    const tslope = new Float64Array(n);
    const logits = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      let mx = -Infinity;
      for (let c = 0; c < C; c++) {
        let z = s * cos[i * C + c];
        if (c === y) {
          const t = this.target(cos[i * C + c]);
          z = s * t.value;
          tslope[i] = t.slope;
        }
        logits[c] = z;
        if (z > mx) mx = z;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c] - mx);
      const lse = mx + Math.log(sum);
      for (let c = 0; c < C; c++) probs[i * C + c] = Math.exp(logits[c] - lse);
      terms[i] = ew[i] * (lse - logits[y]);
    }
    const r = this.reducer.reduce(terms);
    // dL/dcos_ic = w_i ew_i s (p_ic − [c = y]) · (target slope for c = y).
    const gcos = new Float64Array(n * C);
    for (let i = 0; i < n; i++) {
      const f = r.weights[i] * ew[i] * s;
      if (f === 0) continue;
      for (let c = 0; c < C; c++) {
        let g = probs[i * C + c];
        if (c === labels[i]) g = (g - 1) * tslope[i];
        gcos[i * C + c] = f * g;
      }
    }
    const grad = new Float32Array(n * d);
    normalizedBackward(gcos, X, xn, W, n, C, d, (k, v) => { grad[k] = v; }, true);
    const gw = this.weight.grad;
    normalizedBackward(gcos, W, wn, X, C, n, d, (k, v) => { gw[k] += v; }, false);
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
 * Gradient of Σ G_ic cos(u_i, v_c) with respect to the raw rows behind the unit vectors U:
 * (1/‖u_i‖)(Σ_c G_ic v̂_c − (Σ_c G_ic cos_ic) û_i). `rowsAreFirst` says whether G is indexed
 * [row of U, row of V] (true) or transposed.
 */
function normalizedBackward(g: Float64Array, U: Float64Array, un: Float64Array, V: Float64Array, nu: number, nv: number, d: number, put: (k: number, v: number) => void, rowsAreFirst: boolean): void {
  const acc = new Float64Array(d);
  for (let i = 0; i < nu; i++) {
    acc.fill(0);
    let dotSum = 0;
    for (let c = 0; c < nv; c++) {
      const gic = rowsAreFirst ? g[i * nv + c] : g[c * nu + i];
      if (gic === 0) continue;
      let cosv = 0;
      for (let k = 0; k < d; k++) {
        acc[k] += gic * V[c * d + k];
        cosv += U[i * d + k] * V[c * d + k];
      }
      dotSum += gic * cosv;
    }
    const inv = 1 / un[i];
    for (let k = 0; k < d; k++) put(i * d + k, inv * (acc[k] - dotSum * U[i * d + k]));
  }
}
