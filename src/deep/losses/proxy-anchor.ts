/**
 * Proxy-Anchor loss (Kim, Kim, Cho & Kwak, "Proxy Anchor Loss for Deep Metric Learning",
 * CVPR 2020). One learned proxy per class; with s the similarity between embeddings and proxies:
 *   (1/|P⁺|) Σ_{c∈P⁺} log(1 + Σ_{i: y_i = c} exp(−α(s_ic − δ)))
 *   + (1/C) Σ_c log(1 + Σ_{i: y_i ≠ c} exp(α(s_ic + δ)))
 * P⁺ = classes present in the batch. With a distance instead of a similarity the directions flip
 * (pytorch-metric-learning's generalisation). The loss is already an average over proxies, so it
 * takes no reducer. Mined tuples, when given, select which rows take part (rows in no tuple are
 * left out); PML instead scales rows by their tuple counts, which for this loss's log-sum-exp
 * form has no clean meaning, hence the simpler rule. compute() ADDS the proxies' gradient into
 * their Parameter's grad.
 */
import type { Matrix } from '../../matrix.js';
import { resolveDistance } from '../distances/by-name.js';
import { backwardF64, gap, pairwiseF64 } from '../distances/base.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import { num, prepareInput, rejectReference } from './context.js';
import { elementWeights } from './element-weights.js';
import { checkClassBatch, classParameter } from './class-parameters.js';

export interface ProxyAnchorLossOptions {
  numClasses: number;
  embeddingSize: number;
  alpha?: number;
  margin?: number;
  distance?: string | Distance;
  seed?: number;
}

export class ProxyAnchorLoss implements Loss {
  readonly name = 'proxy-anchor';
  readonly acceptsReference = false;
  readonly numClasses: number;
  readonly embeddingSize: number;
  readonly alpha: number;
  readonly margin: number;
  readonly distance: Distance;
  /** numClasses x embeddingSize. */
  readonly proxies: Parameter;

  constructor(options: ProxyAnchorLossOptions) {
    const owner = this.name;
    this.proxies = classParameter(owner, 'proxies', options);
    if ('reducer' in options) throw new RangeError(`${owner}: takes no reducer (the loss is already an average over proxies)`);
    this.numClasses = options.numClasses;
    this.embeddingSize = options.embeddingSize;
    this.alpha = num(owner, 'alpha', options.alpha, 32, (x) => Number.isFinite(x) && x > 0, 'a positive number');
    this.margin = num(owner, 'margin', options.margin, 0.1);
    this.distance = resolveDistance(options.distance, 'cosine', owner);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    rejectReference(this.name, reference);
    const inp = prepareInput(this.name, embeddings, labels, undefined, tuples);
    const { n, d, E } = inp;
    const C = this.numClasses;
    checkClassBatch(this.name, d, this.embeddingSize, labels, n, C);
    const P = this.proxies.value;
    const mat = pairwiseF64(this.distance, E, n, P, C, d);
    const keep = elementWeights(tuples, n);
    const lic = this.distance.largerIsCloser;
    const a = this.alpha;
    // Positive and negative parts are kept apart: their factors 1/|P⁺| and 1/C differ.
    const gPos = new Float64Array(n * C);
    const gNeg = new Float64Array(n * C);
    const z = new Float64Array(n);
    let posSum = 0;
    let negSum = 0;
    let numPos = 0;
    let active = 0;
    for (let c = 0; c < C; c++) {
      for (const positive of [true, false]) {
        let mx = 0;
        let cnt = 0;
        for (let i = 0; i < n; i++) {
          if (keep[i] === 0 || (labels[i] === c) !== positive) { z[i] = NaN; continue; }
          const s = mat[i * C + c];
          z[i] = a * (positive ? gap(s, this.margin, lic) : gap(-this.margin, s, lic));
          if (z[i] > mx) mx = z[i];
          cnt++;
        }
        if (cnt === 0) continue;
        let sum = Math.exp(-mx);
        for (let i = 0; i < n; i++) if (!Number.isNaN(z[i])) sum += Math.exp(z[i] - mx);
        const lse = mx + Math.log(sum);
        if (positive) { posSum += lse; numPos++; } else negSum += lse;
        active++;
        // dz/ds: gap(s, δ) has slope −1 for a similarity, +1 for a distance; gap(−δ, s) the opposite.
        const dz = a * (positive === lic ? -1 : 1);
        const g = positive ? gPos : gNeg;
        for (let i = 0; i < n; i++) if (!Number.isNaN(z[i])) g[i * C + c] += Math.exp(z[i] - lse) * dz;
      }
    }
    const gm = new Float64Array(n * C);
    const fp = numPos > 0 ? 1 / numPos : 0;
    for (let k = 0; k < gm.length; k++) gm[k] = fp * gPos[k] + gNeg[k] / C;
    const loss = (numPos > 0 ? posSum / numPos : 0) + negSum / C;
    const ga = new Float64Array(n * d);
    const gp = new Float64Array(C * d);
    backwardF64(this.distance, E, n, P, C, d, gm, ga, gp);
    const pg = this.proxies.grad;
    for (let k = 0; k < gp.length; k++) pg[k] += gp[k];
    return { loss, grad: Float32Array.from(ga), activeTerms: active };
  }

  parameters(): Parameter[] {
    return [this.proxies];
  }
}
