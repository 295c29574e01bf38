/**
 * Contrastive loss (Hadsell, Chopra & LeCun, "Dimensionality Reduction by Learning an Invariant
 * Mapping", CVPR 2006), in pytorch-metric-learning's form: positive pairs pay
 * [d − posMargin]₊, negative pairs [negMargin − d]₊ (for a similarity: [posMargin − s]₊ and
 * [s − negMargin]₊). The positive and negative terms are reduced separately and added, as PML does.
 * `squared: true` squares each hinge, which with posMargin 0 and a Euclidean distance is the
 * paper's ½-less original.
 */
import { AvgNonZeroReducer } from '../reducers/avg-non-zero.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import { gap } from '../distances/base.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import type { Matrix } from '../../matrix.js';
import { backprop, distanceMatrix, num, prepareInput } from './context.js';
import { toPairs } from './tuples.js';
import { Scratch } from './scratch.js';

export interface ContrastiveLossOptions {
  /** Positive pairs closer than this cost nothing (default 0). */
  posMargin?: number;
  /** Negative pairs farther than this cost nothing (default 1). */
  negMargin?: number;
  /** Square the hinge terms (Hadsell et al.'s form; default false as in PML). */
  squared?: boolean;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class ContrastiveLoss implements Loss {
  readonly name = 'contrastive';
  readonly acceptsReference = true;
  readonly posMargin: number;
  readonly negMargin: number;
  readonly squared: boolean;
  readonly distance: Distance;
  readonly reducer: Reducer;
  private readonly scratch = new Scratch();

  constructor(options: ContrastiveLossOptions = {}) {
    this.posMargin = num(this.name, 'posMargin', options.posMargin, 0);
    this.negMargin = num(this.name, 'negMargin', options.negMargin, 1);
    this.squared = options.squared ?? false;
    this.distance = resolveDistance(options.distance, 'euclidean', this.name);
    this.reducer = resolveReducer(options.reducer, () => new AvgNonZeroReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp, true);
    const pairs = toPairs(tuples, inp.labels, inp.refLabels, inp.self);
    const lic = this.distance.largerIsCloser;
    const m = inp.m;
    const gm = this.scratch.zeros(inp.n * m);
    let loss = 0;
    let active = 0;
    // Terms are h = [x]₊ (or h²); dh/dmat = ±1 (or ±2x) where x > 0, sign from the distance direction.
    const side = (A: Int32Array, B: Int32Array, positive: boolean): void => {
      const terms = new Float64Array(A.length);
      const slope = new Float64Array(A.length);
      for (let t = 0; t < A.length; t++) {
        const v = mat[A[t] * m + B[t]];
        const x = positive ? gap(v, this.posMargin, lic) : gap(this.negMargin, v, lic);
        if (x > 0) {
          terms[t] = this.squared ? x * x : x;
          const dx = (positive ? 1 : -1) * (lic ? -1 : 1);
          slope[t] = (this.squared ? 2 * x : 1) * dx;
        }
      }
      const r = this.reducer.reduce(terms);
      loss += r.loss;
      active += r.active;
      for (let t = 0; t < A.length; t++) {
        const w = r.weights[t];
        if (w !== 0 && slope[t] !== 0) gm[A[t] * m + B[t]] += w * slope[t];
      }
    };
    side(pairs.posA, pairs.posB, true);
    side(pairs.negA, pairs.negB, false);
    return { loss, activeTerms: active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return [];
  }
}
