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
 * their Parameter's grad. The embedding-proxy matrix and its backward go through the Distance
 * (GEMMs for the built-in ones); the log-sum-exps walk that n x C matrix row by row, one exp per
 * entry.
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
    // Read-only: the distance's backward asks for the same matrix and is served from the memo.
    const mat = pairwiseF64(this.distance, E, n, P, C, d, true);
    const keep = elementWeights(tuples, n);
    const lic = this.distance.largerIsCloser;
    const a = this.alpha;
    const delta = this.margin;
    // Per class c, two log-sum-exps over rows (each with the "1 +" as an exp(0) term): its
    // positives (y_i = c) and its negatives (y_i ≠ c). Every (i, c) entry belongs to exactly one
    // of them, so one n x C array holds z, then exp(z − max of its set), then dL/ds. Rows are
    // walked in order (contiguous in memory), each class's sums accumulating over i as before.
    const Z = new Float64Array(n * C);
    const mxPos = new Float64Array(C);
    const mxNeg = new Float64Array(C);
    const cntPos = new Int32Array(C);
    const cntNeg = new Int32Array(C);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (keep[i] === 0) continue;
      const row = i * C;
      const y = labels[i];
      for (let c = 0; c < C; c++) {
        if (c === y) continue;
        const z = a * gap(-delta, mat[row + c], lic);
        Z[row + c] = z;
        if (z > mxNeg[c]) mxNeg[c] = z;
      }
      const z = a * gap(mat[row + y], delta, lic);
      Z[row + y] = z;
      if (z > mxPos[y]) mxPos[y] = z;
      cntPos[y]++;
      kept++;
    }
    const sumPos = new Float64Array(C);
    const sumNeg = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      cntNeg[c] = kept - cntPos[c];
      sumPos[c] = Math.exp(-mxPos[c]);
      sumNeg[c] = Math.exp(-mxNeg[c]);
    }
    for (let i = 0; i < n; i++) {
      if (keep[i] === 0) continue;
      const row = i * C;
      const y = labels[i];
      for (let c = 0; c < C; c++) {
        if (c === y) continue;
        const e = Math.exp(Z[row + c] - mxNeg[c]);
        Z[row + c] = e;
        sumNeg[c] += e;
      }
      const e = Math.exp(Z[row + y] - mxPos[y]);
      Z[row + y] = e;
      sumPos[y] += e;
    }
    let posSum = 0;
    let negSum = 0;
    let numPos = 0;
    let active = 0;
    for (let c = 0; c < C; c++) {
      if (cntPos[c] > 0) {
        posSum += mxPos[c] + Math.log(sumPos[c]);
        numPos++;
        active++;
      }
      if (cntNeg[c] > 0) {
        negSum += mxNeg[c] + Math.log(sumNeg[c]);
        active++;
      }
    }
    // dL/ds_ic = (factor of its set) · exp(z_ic − lse) · dz/ds, exp(z − lse) = e / sum. The factors
    // are 1/|P⁺| for positives and 1/C for negatives; dz/ds is −α for a positive with a similarity
    // (gap(s, δ) falls as s grows), +α with a distance, and the opposite for negatives.
    const fp = numPos > 0 ? 1 / numPos : 0;
    const dzPos = lic ? -a : a;
    const dzNeg = -dzPos;
    const gPos = new Float64Array(C);
    const gNeg = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      gPos[c] = (fp * dzPos) / sumPos[c];
      gNeg[c] = dzNeg / C / sumNeg[c];
    }
    const gm = Z;
    for (let i = 0; i < n; i++) {
      const row = i * C;
      if (keep[i] === 0) {
        gm.fill(0, row, row + C);
        continue;
      }
      const y = labels[i];
      const ey = Z[row + y];
      for (let c = 0; c < C; c++) gm[row + c] *= gNeg[c];
      gm[row + y] = ey * gPos[y];
    }
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
