/**
 * Supervised contrastive loss (Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020,
 * the L_out form). Per anchor i with positives P(i) and all its compared pairs A(i) = P(i) ∪ N(i):
 *   −(1/|P(i)|) Σ_{p∈P(i)} [ s_ip/τ − log Σ_{a∈A(i)} exp(s_ia/τ) ]
 * s is the similarity (a distance is negated). Anchors without a positive give 0 and are left out
 * by the default reducer (average over non-zero), as in pytorch-metric-learning.
 */
import { AvgNonZeroReducer } from '../reducers/avg-non-zero.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput } from './context.js';
import { pairMasks, toPairs } from './tuples.js';

export interface SupConLossOptions {
  temperature?: number;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class SupConLoss implements Loss {
  readonly name = 'supcon';
  readonly acceptsReference = true;
  readonly temperature: number;
  readonly distance: Distance;
  readonly reducer: Reducer;

  constructor(options: SupConLossOptions = {}) {
    this.temperature = num(this.name, 'temperature', options.temperature, 0.1, (x) => Number.isFinite(x) && x > 0, 'a positive number');
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
    this.reducer = resolveReducer(options.reducer, () => new AvgNonZeroReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp);
    const { n, m } = inp;
    const { pos, neg } = pairMasks(toPairs(tuples, inp.labels, inp.refLabels, inp.self), n, m);
    const sign = this.distance.largerIsCloser ? 1 : -1;
    const invT = 1 / this.temperature;
    const terms = new Float64Array(n);
    const lses = new Float64Array(n);
    const nPos = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let mx = -Infinity;
      let np = 0;
      for (let j = 0; j < m; j++) {
        if (pos[row + j]) np++;
        if (pos[row + j] || neg[row + j]) mx = Math.max(mx, sign * mat[row + j] * invT);
      }
      nPos[i] = np;
      if (np === 0) continue;
      let s = 0;
      let sumPos = 0;
      for (let j = 0; j < m; j++) {
        if (pos[row + j] || neg[row + j]) s += Math.exp(sign * mat[row + j] * invT - mx);
        if (pos[row + j]) sumPos += sign * mat[row + j] * invT;
      }
      const lse = mx + Math.log(s);
      lses[i] = lse;
      terms[i] = lse - sumPos / np;
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(n * m);
    // d term_i/d z_ij = softmax_ij − [j ∈ P(i)]/|P(i)|.
    for (let i = 0; i < n; i++) {
      const w = r.weights[i];
      if (w === 0 || nPos[i] === 0) continue;
      const row = i * m;
      const c = w * sign * invT;
      for (let j = 0; j < m; j++) {
        if (!(pos[row + j] || neg[row + j])) continue;
        let g = Math.exp(sign * mat[row + j] * invT - lses[i]);
        if (pos[row + j]) g -= 1 / nPos[i];
        gm[row + j] += c * g;
      }
    }
    return { loss: r.loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return [];
  }
}
