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
import { pairwiseF64, backwardF64 } from '../distances/base.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput, sigmoid, softplus, type LossInput } from './context.js';
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
    const mat = distanceMatrix(this.distance, inp, true);
    if (!tuples && !this.swap) return this.allTriplets(inp, mat);
    const tr = toTriplets(tuples, inp.labels, inp.refLabels, inp.self);
    const { anchors: A, positives: P, negatives: N } = tr;
    const m = inp.m;
    const lic = this.distance.largerIsCloser;
    // With swap the (p, n) distance lives between two rows of the compared set.
    const pn = this.swap ? (inp.hasReference ? pairwiseF64(this.distance, inp.R, m, inp.R, m, inp.d) : mat) : null;
    const T = A.length;
    const bounds = this.reducer.bounds;
    if (bounds && !pn) return this.tupleFused(inp, mat, A, P, N, bounds.low, bounds.high);
    const terms = new Float64Array(T);
    const slope = new Float64Array(T);
    const useSwap = new Uint8Array(T);
    const s = lic ? -1 : 1; // gap(ap, an) = s (ap − an): d/d ap = s, d/d an = −s
    const margin = this.margin;
    const smooth = this.smooth;
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
      const x = s * (ap - an) + margin;
      if (smooth) {
        terms[t] = softplus(x);
        slope[t] = sigmoid(x);
      } else {
        terms[t] = Math.max(x, 0);
        slope[t] = +(x > 0);
      }
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(inp.n * m);
    const gpn = pn && inp.hasReference ? new Float64Array(m * m) : null;
    const w = r.weights;
    for (let t = 0; t < T; t++) {
      const g = s * w[t] * slope[t];
      gm[A[t] * m + P[t]] += g;
      if (pn === null) {
        gm[A[t] * m + N[t]] -= g;
        continue;
      }
      if (useSwap[t]) {
        if (gpn) gpn[P[t] * m + N[t]] -= g;
        else gm[P[t] * m + N[t]] -= g;
      } else gm[A[t] * m + N[t]] -= g;
    }
    const grads = backprop(this.distance, inp, gm);
    if (gpn && grads.referenceGrad) {
      const gr = new Float64Array(m * inp.d);
      backwardF64(this.distance, inp.R, m, inp.R, m, inp.d, gpn, gr, gr);
      for (let i = 0; i < gr.length; i++) grads.referenceGrad[i] += gr[i];
    }
    return { loss: r.loss, activeTerms: r.active, ...grads };
  }

  /**
   * Every triplet of the batch without materialising index arrays: per anchor, its positives'
   * and negatives' distances are gathered once, terms are written in (anchor, positive,
   * negative) order, and a second pass with the reducer's weights accumulates the gradient.
   */
  private allTriplets(inp: LossInput, mat: Float64Array): LossResult {
    const { n, m, labels: L, refLabels: RL, self } = inp;
    const s = this.distance.largerIsCloser ? -1 : 1;
    const margin = this.margin;
    const posI = new Int32Array(m);
    const negI = new Int32Array(m);
    const negV = new Float64Array(m);
    const gather = (i: number): number => {
      const si = self ? self[i] : -1;
      let np = 0;
      let nn = 0;
      for (let j = 0; j < m; j++) {
        if (RL[j] === L[i]) { if (j !== si) posI[np++] = j; }
        else { negI[nn] = j; negV[nn++] = mat[i * m + j]; }
      }
      return np * m + nn; // both counts in one number (nn < m)
    };
    const bounds = this.reducer.bounds;
    if (bounds) return this.allTripletsFused(inp, mat, gather, posI, negI, negV, bounds.low, bounds.high);
    let T = 0;
    for (let i = 0; i < n; i++) {
      const c = gather(i);
      T += Math.floor(c / m) * (c % m);
    }
    const terms = new Float64Array(T);
    let t = 0;
    for (let i = 0; i < n; i++) {
      const c = gather(i);
      const np = Math.floor(c / m);
      const nn = c % m;
      for (let a = 0; a < np; a++) {
        const base = s * mat[i * m + posI[a]] + margin;
        if (this.smooth) for (let k = 0; k < nn; k++) terms[t++] = softplus(base - s * negV[k]);
        else for (let k = 0; k < nn; k++) terms[t++] = Math.max(base - s * negV[k], 0);
      }
    }
    const r = this.reducer.reduce(terms);
    const w = r.weights;
    const gm = new Float64Array(n * m);
    t = 0;
    for (let i = 0; i < n; i++) {
      const c = gather(i);
      const np = Math.floor(c / m);
      const nn = c % m;
      const row = i * m;
      for (let a = 0; a < np; a++) {
        const base = s * mat[row + posI[a]] + margin;
        let gp = 0;
        for (let k = 0; k < nn; k++) {
          const x = base - s * negV[k];
          const g = s * w[t++] * (this.smooth ? sigmoid(x) : +(x > 0));
          gp += g;
          gm[row + negI[k]] -= g;
        }
        gm[row + posI[a]] += gp;
      }
    }
    return { loss: r.loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  /** The given triplets in one pass for the built-in reducers (see allTripletsFused). */
  private tupleFused(inp: LossInput, mat: Float64Array, A: Int32Array, P: Int32Array, N: Int32Array, low: number, high: number): LossResult {
    const m = inp.m;
    const s = this.distance.largerIsCloser ? -1 : 1;
    const margin = this.margin;
    const smooth = this.smooth;
    const gm = new Float64Array(inp.n * m);
    let count = 0;
    let sum = 0;
    let active = 0;
    for (let t = 0; t < A.length; t++) {
      const ip = A[t] * m + P[t];
      const iq = A[t] * m + N[t];
      const x = s * (mat[ip] - mat[iq]) + margin;
      const term = smooth ? softplus(x) : Math.max(x, 0);
      const keep = +(term > low) & +(term < high);
      count += keep;
      sum += keep * term;
      active += keep & +(term !== 0);
      const g = s * keep * (smooth ? sigmoid(x) : +(x > 0));
      gm[ip] += g;
      gm[iq] -= g;
    }
    if (count === 0) return { loss: 0, activeTerms: 0, ...backprop(this.distance, inp, gm) };
    const inv = 1 / count;
    for (let j = 0; j < gm.length; j++) gm[j] *= inv;
    return { loss: sum * inv, activeTerms: active, ...backprop(this.distance, inp, gm) };
  }

  /**
   * One pass for the built-in reducers (mean over low < term < high): the gradient is
   * accumulated unscaled for the kept terms and divided by their count at the end, so no
   * per-triplet array is stored.
   */
  private allTripletsFused(inp: LossInput, mat: Float64Array, gather: (i: number) => number, posI: Int32Array, negI: Int32Array, negV: Float64Array, low: number, high: number): LossResult {
    const { n, m } = inp;
    const s = this.distance.largerIsCloser ? -1 : 1;
    const margin = this.margin;
    const smooth = this.smooth;
    const gm = new Float64Array(n * m);
    let count = 0;
    let sum = 0;
    let active = 0;
    for (let i = 0; i < n; i++) {
      const c = gather(i);
      const np = Math.floor(c / m);
      const nn = c % m;
      const row = i * m;
      for (let a = 0; a < np; a++) {
        const base = s * mat[row + posI[a]] + margin;
        let gp = 0;
        for (let k = 0; k < nn; k++) {
          const x = base - s * negV[k];
          const term = smooth ? softplus(x) : Math.max(x, 0);
          const keep = +(term > low) & +(term < high);
          count += keep;
          sum += keep * term;
          active += keep & +(term !== 0);
          const g = s * keep * (smooth ? sigmoid(x) : +(x > 0));
          gp += g;
          gm[row + negI[k]] -= g;
        }
        gm[row + posI[a]] += gp;
      }
    }
    if (count === 0) return { loss: 0, activeTerms: 0, ...backprop(this.distance, inp, gm) };
    const inv = 1 / count;
    for (let j = 0; j < gm.length; j++) gm[j] *= inv;
    return { loss: sum * inv, activeTerms: active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return [];
  }
}
