/**
 * Circle loss (Sun et al., "Circle Loss: A Unified Perspective of Pair Similarity Optimization",
 * CVPR 2020), pair-based form. Per anchor, with similarities s_p (positives) and s_n (negatives):
 *   softplus( logΣ_n exp(γ α_n (s_n − Δ_n)) + logΣ_p exp(−γ α_p (s_p − Δ_p)) )
 * α_p = [1 + m − s_p]₊, α_n = [s_n + m]₊, Δ_p = 1 − m, Δ_n = m. As in the paper and its reference
 * code the weights α are treated as constants in back-propagation (`detachAlpha`, default true);
 * `detachAlpha: false` differentiates through them too. Anchors lacking positives or negatives
 * give 0. Needs a similarity in [−1, 1] (cosine): a distance is refused.
 */
import { AvgNonZeroReducer } from '../reducers/avg-non-zero.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput, sigmoid, softplus } from './context.js';
import { pairMasks, toPairs } from './tuples.js';

export interface CircleLossOptions {
  m?: number;
  gamma?: number;
  detachAlpha?: boolean;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class CircleLoss implements Loss {
  readonly name = 'circle';
  readonly acceptsReference = true;
  readonly m: number;
  readonly gamma: number;
  readonly detachAlpha: boolean;
  readonly distance: Distance;
  readonly reducer: Reducer;

  constructor(options: CircleLossOptions = {}) {
    this.m = num(this.name, 'm', options.m, 0.4);
    this.gamma = num(this.name, 'gamma', options.gamma, 80, (x) => Number.isFinite(x) && x > 0, 'a positive number');
    this.detachAlpha = options.detachAlpha ?? true;
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
    if (!this.distance.largerIsCloser) throw new RangeError(`circle: needs a similarity (cosine), got the ${this.distance.name} distance; its margins are defined on similarities in [-1, 1]`);
    this.reducer = resolveReducer(options.reducer, () => new AvgNonZeroReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp);
    const { n, m: nr } = inp;
    const { pos, neg } = pairMasks(toPairs(tuples, inp.labels, inp.refLabels, inp.self), n, nr);
    const { m, gamma } = this;
    const logits = new Float64Array(n * nr);
    const terms = new Float64Array(n);
    const lseP = new Float64Array(n);
    const lseN = new Float64Array(n);
    const live = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const row = i * nr;
      let mp = -Infinity;
      let mn = -Infinity;
      for (let j = 0; j < nr; j++) {
        const s = mat[row + j];
        if (pos[row + j]) {
          const z = -gamma * Math.max(1 + m - s, 0) * (s - (1 - m));
          logits[row + j] = z;
          mp = Math.max(mp, z);
        } else if (neg[row + j]) {
          const z = gamma * Math.max(s + m, 0) * (s - m);
          logits[row + j] = z;
          mn = Math.max(mn, z);
        }
      }
      if (mp === -Infinity || mn === -Infinity) continue;
      let sp = 0;
      let sn = 0;
      for (let j = 0; j < nr; j++) {
        if (pos[row + j]) sp += Math.exp(logits[row + j] - mp);
        else if (neg[row + j]) sn += Math.exp(logits[row + j] - mn);
      }
      lseP[i] = mp + Math.log(sp);
      lseN[i] = mn + Math.log(sn);
      terms[i] = softplus(lseP[i] + lseN[i]);
      live[i] = 1;
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(n * nr);
    for (let i = 0; i < n; i++) {
      const w = r.weights[i];
      if (w === 0 || !live[i]) continue;
      const row = i * nr;
      const outer = w * sigmoid(lseP[i] + lseN[i]);
      for (let j = 0; j < nr; j++) {
        const s = mat[row + j];
        if (pos[row + j]) {
          const a = 1 + m - s;
          // z = −γ a (s − Δp); dz/ds = −γ a, plus γ (s − Δp) through a when a > 0 and not detached.
          let dz = a > 0 ? -gamma * a : 0;
          if (!this.detachAlpha && a > 0) dz += gamma * (s - (1 - m));
          gm[row + j] += outer * Math.exp(logits[row + j] - lseP[i]) * dz;
        } else if (neg[row + j]) {
          const a = s + m;
          let dz = a > 0 ? gamma * a : 0;
          if (!this.detachAlpha && a > 0) dz += gamma * (s - m);
          gm[row + j] += outer * Math.exp(logits[row + j] - lseN[i]) * dz;
        }
      }
    }
    return { loss: r.loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return [];
  }
}
