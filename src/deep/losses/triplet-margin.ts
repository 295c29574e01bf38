/**
 * Triplet margin loss (Schroff, Kalenichenko & Philbin, "FaceNet", CVPR 2015; Weinberger & Saul's
 * large-margin triplets): each triplet pays [gap(d_ap, d_an) + margin]₊, i.e. d_ap − d_an + margin
 * for a distance and s_an − s_ap + margin for a similarity (read from Distance.largerIsCloser).
 * `swap` (Balntas et al., BMVC 2016) uses the harder of d(a, n) and d(p, n) as the negative
 * distance; `smooth` replaces the hinge by softplus (the "soft-margin" of Hermans et al. 2017).
 * Pair tuples are joined into triplets on their anchor (see tuples.ts); no tuples = all triplets.
 */
import { AvgNonZeroReducer } from '../reducers/avg-non-zero.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import { gap, pairwiseF64, backwardF64 } from '../distances/base.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput, sigmoid, softplus } from './context.js';
import { toTriplets } from './tuples.js';

export interface TripletMarginLossOptions {
  margin?: number;
  swap?: boolean;
  smooth?: boolean;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class TripletMarginLoss implements Loss {
  readonly name = 'triplet-margin';
  readonly acceptsReference = true;
  readonly margin: number;
  readonly swap: boolean;
  readonly smooth: boolean;
  readonly distance: Distance;
  readonly reducer: Reducer;

  constructor(options: TripletMarginLossOptions = {}) {
    this.margin = num(this.name, 'margin', options.margin, 0.05);
    this.swap = options.swap ?? false;
    this.smooth = options.smooth ?? false;
    this.distance = resolveDistance(options.distance, 'euclidean', this.name);
    this.reducer = resolveReducer(options.reducer, () => new AvgNonZeroReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp);
    const tr = toTriplets(tuples, inp.labels, inp.refLabels, inp.self);
    const { anchors: A, positives: P, negatives: N } = tr;
    const m = inp.m;
    const lic = this.distance.largerIsCloser;
    // With swap the (p, n) distance lives between two rows of the compared set.
    const pn = this.swap ? (inp.hasReference ? pairwiseF64(this.distance, inp.R, m, inp.R, m, inp.d) : mat) : null;
    const T = A.length;
    const terms = new Float64Array(T);
    const slope = new Float64Array(T);
    const useSwap = new Uint8Array(T);
    for (let t = 0; t < T; t++) {
      const ap = mat[A[t] * m + P[t]];
      let an = mat[A[t] * m + N[t]];
      if (pn) {
        const v = pn[P[t] * m + N[t]];
        if (lic ? v > an : v < an) {
          an = v;
          useSwap[t] = 1;
        }
      }
      const x = gap(ap, an, lic) + this.margin;
      if (this.smooth) {
        terms[t] = softplus(x);
        slope[t] = sigmoid(x);
      } else if (x > 0) {
        terms[t] = x;
        slope[t] = 1;
      }
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(inp.n * m);
    const gpn = pn && inp.hasReference ? new Float64Array(m * m) : null;
    const s = lic ? -1 : 1; // d gap(ap, an)/d ap; d/d an is −s
    for (let t = 0; t < T; t++) {
      const g = r.weights[t] * slope[t];
      if (g === 0) continue;
      gm[A[t] * m + P[t]] += s * g;
      if (useSwap[t]) {
        if (gpn) gpn[P[t] * m + N[t]] -= s * g;
        else gm[P[t] * m + N[t]] -= s * g;
      } else gm[A[t] * m + N[t]] -= s * g;
    }
    const grads = backprop(this.distance, inp, gm);
    if (gpn && grads.referenceGrad) {
      const gr = new Float64Array(m * inp.d);
      backwardF64(this.distance, inp.R, m, inp.R, m, inp.d, gpn, gr, gr);
      for (let i = 0; i < gr.length; i++) grads.referenceGrad[i] += gr[i];
    }
    return { loss: r.loss, activeTerms: r.active, ...grads };
  }

  parameters(): Parameter[] {
    return [];
  }
}
