/**
 * Multi-similarity loss (Wang, Han, Huang, Dong & Scott, "Multi-Similarity Loss with General Pair
 * Weighting for Deep Metric Learning", CVPR 2019). Per anchor i, with P_i / N_i its positive and
 * negative pairs (duplicates collapse):
 *   (1/α) log(1 + Σ_{P_i} exp(α · gap(S_ik, base)))  +  (1/β) log(1 + Σ_{N_i} exp(β · gap(base, S_ik)))
 * which for a similarity is the paper's exp(−α(S − λ)) and exp(β(S − λ)); for a distance the
 * direction flips (pytorch-metric-learning's generalisation). Reduced per element (default: mean
 * over every row of the batch, rows without pairs counting 0).
 */
import { MeanReducer } from '../reducers/mean.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput } from './context.js';
import { pairMasks, toPairs } from './tuples.js';
import { Scratch } from './scratch.js';

export interface MultiSimilarityLossOptions {
  alpha?: number;
  beta?: number;
  base?: number;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

const positive = (x: number): boolean => Number.isFinite(x) && x > 0;

export class MultiSimilarityLoss implements Loss {
  readonly name = 'multi-similarity';
  readonly acceptsReference = true;
  readonly alpha: number;
  readonly beta: number;
  readonly base: number;
  readonly distance: Distance;
  readonly reducer: Reducer;
  private readonly scratch = new Scratch();

  constructor(options: MultiSimilarityLossOptions = {}) {
    this.alpha = num(this.name, 'alpha', options.alpha, 2, positive, 'a positive number');
    this.beta = num(this.name, 'beta', options.beta, 50, positive, 'a positive number');
    this.base = num(this.name, 'base', options.base, 0.5);
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
    this.reducer = resolveReducer(options.reducer, () => new MeanReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp, true);
    const { n, m } = inp;
    const { pos, neg } = pairMasks(toPairs(tuples, inp.labels, inp.refLabels, inp.self), n, m);
    const sgn = this.distance.largerIsCloser ? -1 : 1; // gap(S, base) = sgn (S − base)
    const terms = new Float64Array(n);
    // Per entry: d term_i / d S_ik, before the reducer's weight; then scaled in place into dL/dS.
    const gm = this.scratch.zeros(n * m);
    const cols = new Int32Array(m);
    const ex = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      terms[i] = this.side(mat, pos, row, m, this.alpha, sgn, gm, cols, ex) + this.side(mat, neg, row, m, this.beta, -sgn, gm, cols, ex);
    }
    const r = this.reducer.reduce(terms);
    for (let i = 0; i < n; i++) {
      const w = r.weights[i];
      const row = i * m;
      if (w === 0) gm.fill(0, row, row + m);
      else if (w !== 1) for (let j = row; j < row + m; j++) gm[j] *= w;
    }
    return { loss: r.loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  /**
   * (1/s) log(1 + Σ exp(s·x_k)), x_k = dir (S_k − base), over the row's masked entries; adds
   * d/dS_k = dir · exp(s·x_k) / (1 + Σ exp(s·x)) into local. One exp per entry: the kept columns
   * and their shifted exponentials are gathered once into cols / ex.
   */
  private side(mat: Float64Array, mask: Uint8Array, row: number, m: number, scale: number, dir: number, local: Float64Array, cols: Int32Array, ex: Float64Array): number {
    const f = scale * dir;
    let mx = 0;
    let k = 0;
    for (let j = 0; j < m; j++) {
      if (!mask[row + j]) continue;
      const z = f * (mat[row + j] - this.base);
      cols[k] = j;
      ex[k++] = z;
      if (z > mx) mx = z;
    }
    if (k === 0) return 0;
    let s = Math.exp(-mx);
    for (let t = 0; t < k; t++) {
      const e = Math.exp(ex[t] - mx);
      ex[t] = e;
      s += e;
    }
    const c = dir / s;
    for (let t = 0; t < k; t++) local[row + cols[t]] += c * ex[t];
    return (mx + Math.log(s)) / scale;
  }

  parameters(): Parameter[] {
    return [];
  }
}
