/**
 * Regression of a pair's similarity onto a target score: Σ (s(a, b) − score)² averaged over the
 * pairs of the batch — sentence-transformers' CosineSimilarityLoss (Reimers & Gurevych,
 * "Sentence-BERT", EMNLP 2019) for (a, b, score) data. The distance's own value is regressed
 * (cosine by default; with a distance the scores are target distances).
 *
 * Data layout (made by `fromScoredPairs` in inputs.ts): the two rows of pair k share label k,
 * and `scores[k]` is its target. A batch must hold both rows of a pair for it to count (the
 * PairBatchSampler guarantees that); a label seen once or more than twice in a batch is an error.
 */
import type { Matrix } from '../../matrix.js';
import { MeanReducer } from '../reducers/mean.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import { backprop, distanceMatrix, prepareInput, rejectReference } from './context.js';

export interface ScoreRegressionLossOptions {
  /** Target per pair id (the label of its two rows). */
  scores: ArrayLike<number>;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class ScoreRegressionLoss implements Loss {
  readonly name = 'score-regression';
  readonly acceptsReference = false;
  readonly scores: Float64Array;
  readonly distance: Distance;
  readonly reducer: Reducer;

  constructor(options: ScoreRegressionLossOptions) {
    if (!options || !options.scores || typeof options.scores.length !== 'number' || options.scores.length === 0) throw new RangeError('score-regression: option scores (one target per pair) is required');
    this.scores = Float64Array.from(options.scores);
    for (let i = 0; i < this.scores.length; i++) if (!Number.isFinite(this.scores[i])) throw new RangeError(`score-regression: scores[${i}] is ${this.scores[i]}; every score must be finite`);
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
    this.reducer = resolveReducer(options.reducer, () => new MeanReducer(), this.name);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    rejectReference(this.name, reference);
    if (tuples) throw new RangeError('score-regression: pairs come from the labels (pair ids); do not use a miner with this loss');
    const inp = prepareInput(this.name, embeddings, labels);
    const { n } = inp;
    const first = new Map<number, number>();
    const A: number[] = [];
    const B: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = labels[i];
      if (!(k >= 0 && k < this.scores.length)) throw new RangeError(`score-regression: label ${k} at row ${i} is not a pair id in 0..${this.scores.length - 1}`);
      const j = first.get(k);
      if (j === undefined) first.set(k, i);
      else if (j >= 0) { A.push(j); B.push(i); first.set(k, -1); }
      else throw new RangeError(`score-regression: pair id ${k} appears more than twice in the batch; each pair has exactly two rows`);
    }
    for (const [k, j] of first) if (j >= 0) throw new RangeError(`score-regression: the batch holds only one row of pair ${k}; batch by pairs (PairBatchSampler)`);
    const mat = distanceMatrix(this.distance, inp);
    const terms = new Float64Array(A.length);
    const resid = new Float64Array(A.length);
    for (let t = 0; t < A.length; t++) {
      resid[t] = mat[A[t] * n + B[t]] - this.scores[labels[A[t]]];
      terms[t] = resid[t] * resid[t];
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(n * n);
    for (let t = 0; t < A.length; t++) gm[A[t] * n + B[t]] += r.weights[t] * 2 * resid[t];
    return { loss: r.loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return [];
  }
}
