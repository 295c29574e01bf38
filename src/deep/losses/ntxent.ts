/**
 * NT-Xent / InfoNCE (van den Oord, Li & Vinyals, "Representation Learning with Contrastive
 * Predictive Coding", 2018; Chen et al., "SimCLR", ICML 2020). For each positive pair (a, p):
 *   −log( exp(s_ap/τ) / (exp(s_ap/τ) + Σ_{negative pairs (a, n)} exp(s_an/τ)) )
 * with s the similarity (a distance is negated, as pytorch-metric-learning does). Mean over the
 * positive pairs by default. Pair lists are used as given (a duplicated negative counts twice).
 *
 * In-batch negatives for (query, positive) data: either stack both sides as a batch with one
 * label per pair (the symmetric SimCLR form), or pass the queries as the batch and the positives
 * as the `reference` with labels 0..n−1 on both sides: each query's positive is its own
 * reference row and every other row is a negative (the asymmetric InfoNCE / "multiple negatives
 * ranking" form); the loss then returns referenceGrad for the positives' side. See inputs.ts.
 */
import { MeanReducer } from '../reducers/mean.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput } from './context.js';
import { toPairs } from './tuples.js';

export interface NTXentLossOptions {
  temperature?: number;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class NTXentLoss implements Loss {
  readonly name = 'ntxent';
  readonly acceptsReference = true;
  readonly temperature: number;
  readonly distance: Distance;
  readonly reducer: Reducer;

  constructor(options: NTXentLossOptions = {}) {
    this.temperature = num(this.name, 'temperature', options.temperature, 0.07, (x) => Number.isFinite(x) && x > 0, 'a positive number');
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
    this.reducer = resolveReducer(options.reducer, () => new MeanReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp);
    const { n, m } = inp;
    const pairs = toPairs(tuples, inp.labels, inp.refLabels, inp.self);
    const sign = this.distance.largerIsCloser ? 1 : -1;
    const invT = 1 / this.temperature;
    // Negatives grouped by anchor (counting sort), so each positive pair scans only its anchor's.
    const start = new Int32Array(n + 1);
    for (let i = 0; i < pairs.negA.length; i++) start[pairs.negA[i] + 1]++;
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    const fill = start.slice(0, n);
    const negB = new Int32Array(pairs.negA.length);
    for (let i = 0; i < pairs.negA.length; i++) negB[fill[pairs.negA[i]]++] = pairs.negB[i];
    const P = pairs.posA.length;
    // All positive pairs of one anchor share its negatives, so each anchor's negative
    // log-sum-exp L_a is computed once (O(n·m) rather than O(positive pairs × negatives)); each
    // pair's normaliser is then logaddexp(z_p, L_a), stable whatever the logits' range.
    const negMax = new Float64Array(n).fill(-Infinity);
    const negLse = new Float64Array(n).fill(-Infinity);
    for (let a = 0; a < n; a++) {
      const row = a * m;
      let mx = -Infinity;
      for (let k = start[a]; k < start[a + 1]; k++) mx = Math.max(mx, sign * mat[row + negB[k]] * invT);
      if (mx === -Infinity) continue;
      let sNeg = 0;
      for (let k = start[a]; k < start[a + 1]; k++) sNeg += Math.exp(sign * mat[row + negB[k]] * invT - mx);
      negMax[a] = mx;
      negLse[a] = mx + Math.log(sNeg);
    }
    const terms = new Float64Array(P);
    const lses = new Float64Array(P);
    for (let t = 0; t < P; t++) {
      const a = pairs.posA[t];
      const zp = sign * mat[a * m + pairs.posB[t]] * invT;
      const L = negLse[a];
      const top = Math.max(zp, L);
      const lse = L === -Infinity ? zp : top + Math.log(Math.exp(zp - top) + Math.exp(L - top));
      lses[t] = lse;
      terms[t] = lse - zp;
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(n * m);
    // d term/d z_p = softmax_p − 1, d term/d z_n = softmax_n (z = sign · mat / τ); a negative's
    // share over the anchor's pairs is exp(z_n − negMax_a) · Σ_t c_t exp(negMax_a − lse_t).
    const negCoef = new Float64Array(n);
    for (let t = 0; t < P; t++) {
      const w = r.weights[t];
      if (w === 0) continue;
      const a = pairs.posA[t];
      const c = w * sign * invT;
      const j = a * m + pairs.posB[t];
      gm[j] += c * (Math.exp(sign * mat[j] * invT - lses[t]) - 1);
      if (negLse[a] !== -Infinity) negCoef[a] += c * Math.exp(negMax[a] - lses[t]);
    }
    for (let a = 0; a < n; a++) {
      const k0 = negCoef[a];
      if (k0 === 0) continue;
      const row = a * m;
      for (let k = start[a]; k < start[a + 1]; k++) {
        const j = row + negB[k];
        gm[j] += k0 * Math.exp(sign * mat[j] * invT - negMax[a]);
      }
    }
    return { loss: r.loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return [];
  }
}
