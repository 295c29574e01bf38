/**
 * What a weakly supervised Mahalanobis learner can do with tuples once fitted (metric-learn's
 * _PairsClassifierMixin / _TripletsClassifierMixin / _QuadrupletsClassifierMixin):
 *
 * - pairs (similar = +1 / dissimilar = −1): decisionFunction = pairScore = −d_M(a, b);
 *   predict = +1 when the score ≥ the threshold; score = ROC-AUC; the threshold is calibrated
 *   on the training pairs for accuracy at the end of fit, and can be set or recalibrated.
 * - triplets (a, closer, farther): decisionFunction = d_M(a, c) − d_M(a, b) (> 0 when the
 *   triplet is respected); predict = ±1; score = fraction respected.
 * - quadruplets ((a, b) closer than (c, d)): decisionFunction = d_M(c, d) − d_M(a, b).
 */
import { MahalanobisLearner, type BaseLearnerOptions, type LearnerState } from './base.js';
import { metricComponents } from './supervised-tuples.js';
import type { Matrix } from '../matrix.js';
import { toTuples, tupleCount, type Tuples, type TuplesInput } from './tuples.js';
import type { ModelPayload } from '../io/model-file.js';
import { bestThreshold, rocAuc, toBinaryLabels, type ThresholdOptions } from '../evaluation/verification.js';

/** ±1 labels of pairs, validated (accepts ±1, 0/1 and booleans). */
export function pairLabels(y: ArrayLike<number | boolean>, nPairs: number, algorithm: string): Int8Array {
  if (y.length !== nPairs) throw new RangeError(`${algorithm}: ${nPairs} pairs but ${y.length} labels; give one label (+1 similar, -1 dissimilar) per pair`);
  const b = toBinaryLabels(y, `${algorithm}: y`);
  const out = new Int8Array(nPairs);
  for (let i = 0; i < nPairs; i++) out[i] = b[i] ? 1 : -1;
  return out;
}

/** Learned distances d_M(t[i], t[j]) for every tuple t (computed through one transform). */
export function tupleDistances(learner: MahalanobisLearner<BaseLearnerOptions>, t: Tuples, i: number, j: number): Float64Array {
  if (t.points.cols !== learner.nFeatures) throw new RangeError(`${learner.algorithm}: tuples have ${t.points.cols} features but the model was fitted on ${learner.nFeatures}`);
  const Z = learner.transform(t.points);
  const k = Z.cols;
  const n = tupleCount(t);
  const out = new Float64Array(n);
  const z = Z.data;
  for (let p = 0; p < n; p++) {
    const a = t.indices[p * t.arity + i] * k;
    const b = t.indices[p * t.arity + j] * k;
    let s = 0;
    for (let c = 0; c < k; c++) {
      const dd = z[a + c] - z[b + c];
      s += dd * dd;
    }
    out[p] = Math.sqrt(s);
  }
  return out;
}

/** A weak solver's result: the learned metric M (row-major d x d) and how the run went. */
export interface PairSolution {
  M: Float64Array;
  /** A factor L of M (Lᵀ L = M) when the solver has one; otherwise L comes from eigh(M). */
  components?: Matrix<Float64Array>;
  nIter: number;
  converged: boolean;
  warnings?: string[];
}

export interface PairLearnerState extends LearnerState {
  threshold: number | null;
}

export abstract class PairLearner<O extends BaseLearnerOptions = BaseLearnerOptions> extends MahalanobisLearner<O> {
  private _threshold: number | null = null;

  /** Learns the metric from pairs labelled +1 (similar) or −1 (dissimilar). */
  abstract fit(pairs: TuplesInput, y: ArrayLike<number | boolean>): this;

  /** Pairs with score ≥ threshold are predicted similar. */
  get threshold(): number {
    this.requireFitted();
    if (this._threshold === null) throw new Error(`${this.algorithm}: no threshold set; call calibrateThreshold(pairs, y) or setThreshold(t)`);
    return this._threshold;
  }

  setThreshold(threshold: number): this {
    if (!Number.isFinite(threshold)) throw new RangeError(`${this.algorithm}: threshold must be a finite number, got ${threshold}`);
    this._threshold = threshold;
    return this;
  }

  /**
   * What every pair learner's fit does around its solver: validate the pairs and their labels,
   * store the d x d metric the solver returns, and calibrate the threshold on the training pairs.
   */
  protected fitPairs(pairs: TuplesInput, y: ArrayLike<number | boolean>, solve: (t: Tuples, labels: Int8Array) => PairSolution): this {
    const t = toTuples(pairs, 2, 'pairs');
    const labels = pairLabels(y, tupleCount(t), this.algorithm);
    const r = solve(t, labels);
    this.setFitted(r.components ?? metricComponents(r.M, t.points.cols), { nIter: r.nIter, converged: r.converged, warnings: r.warnings });
    this.calibrateOnTraining(t, labels);
    return this;
  }

  /** Picks the threshold on labelled pairs by the given strategy (see bestThreshold). */
  calibrateThreshold(pairs: TuplesInput, y: ArrayLike<number | boolean>, options: ThresholdOptions = {}): this {
    const s = this.decisionFunction(pairs);
    const labels = pairLabels(y, s.length, this.algorithm);
    // null (as from JSON) means the defaults, as an omitted argument does.
    this._threshold = bestThreshold(s, labels, options ?? {}).threshold;
    return this;
  }

  /** Higher = more similar: −d_M(a, b). */
  decisionFunction(pairs: TuplesInput): Float64Array {
    return this.pairScore(pairs);
  }

  /** +1 (similar) or −1 (dissimilar) per pair. */
  predict(pairs: TuplesInput): Int8Array {
    const t = this.threshold;
    const s = this.decisionFunction(pairs);
    const out = new Int8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i] >= t ? 1 : -1;
    return out;
  }

  /** ROC-AUC of the decision function against the ±1 labels. */
  score(pairs: TuplesInput, y: ArrayLike<number | boolean>): number {
    const s = this.decisionFunction(pairs);
    return rocAuc(s, pairLabels(y, s.length, this.algorithm));
  }

  /** Call at the end of fit: the accuracy-optimal threshold on the training pairs. */
  protected calibrateOnTraining(pairs: Tuples, y: Int8Array): void {
    let pos = 0;
    for (let i = 0; i < y.length; i++) if (y[i] > 0) pos++;
    if (pos === 0 || pos === y.length) {
      // One kind of pair only: no cut can be learned; accept up to the farthest similar pair
      // (or reject from the nearest dissimilar one).
      const s = this.decisionFunction(pairs);
      let lo = Infinity, hi = -Infinity;
      for (const v of s) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      this._threshold = pos === 0 ? hi + 1e-12 * (1 + Math.abs(hi)) : lo;
      return;
    }
    this.calibrateThreshold(pairs, y, { strategy: 'accuracy' });
  }

  /** Model file of kind 'metric/<algorithm>' with the threshold in its meta. */
  override toPayload(): ModelPayload {
    const p = super.toPayload();
    return { ...p, meta: { ...p.meta, threshold: this._threshold } };
  }

  override toJSON(): PairLearnerState {
    return { ...super.toJSON(), threshold: this._threshold };
  }

  override restoreState(state: Pick<LearnerState, 'components' | 'nIter' | 'converged' | 'warnings'> & { threshold?: number | null }): this {
    super.restoreState(state);
    this._threshold = state.threshold ?? null;
    return this;
  }
}

abstract class OrderedTupleLearner<O extends BaseLearnerOptions> extends MahalanobisLearner<O> {
  protected abstract readonly arity: 3 | 4;
  /** Positions (i, j) of the pair that should be closer and (k, l) of the one farther. */
  protected abstract readonly closer: [number, number];
  protected abstract readonly farther: [number, number];

  /** > 0 when the tuple is respected: d_M(farther pair) − d_M(closer pair). */
  decisionFunction(tuples: TuplesInput): Float64Array {
    const t = toTuples(tuples, this.arity, this.arity === 3 ? 'triplets' : 'quadruplets');
    const near = tupleDistances(this, t, this.closer[0], this.closer[1]);
    const far = tupleDistances(this, t, this.farther[0], this.farther[1]);
    for (let i = 0; i < near.length; i++) far[i] -= near[i];
    return far;
  }

  /** +1 where the ordering holds strictly, −1 otherwise (ties do not respect "closer"). */
  predict(tuples: TuplesInput): Int8Array {
    const s = this.decisionFunction(tuples);
    const out = new Int8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i] > 0 ? 1 : -1;
    return out;
  }

  /** Fraction of tuples whose ordering the metric respects. */
  score(tuples: TuplesInput): number {
    const p = this.predict(tuples);
    if (p.length === 0) throw new RangeError(`${this.algorithm}: score needs at least one tuple`);
    let ok = 0;
    for (const v of p) if (v > 0) ok++;
    return ok / p.length;
  }
}

export abstract class TripletLearner<O extends BaseLearnerOptions = BaseLearnerOptions> extends OrderedTupleLearner<O> {
  protected readonly arity = 3 as const;
  protected readonly closer: [number, number] = [0, 1];
  protected readonly farther: [number, number] = [0, 2];
  /** Learns from triplets (anchor, closer, farther). */
  abstract fit(triplets: TuplesInput): this;
}

export abstract class QuadrupletLearner<O extends BaseLearnerOptions = BaseLearnerOptions> extends OrderedTupleLearner<O> {
  protected readonly arity = 4 as const;
  protected readonly closer: [number, number] = [0, 1];
  protected readonly farther: [number, number] = [2, 3];
  /** Learns from quadruplets (a, b, c, d) meaning d(a, b) < d(c, d); optional weights. */
  abstract fit(quadruplets: TuplesInput, weights?: ArrayLike<number>): this;
}
