/**
 * Contrastive loss (Hadsell, Chopra & LeCun, "Dimensionality Reduction by Learning an Invariant
 * Mapping", CVPR 2006), in pytorch-metric-learning's form: positive pairs pay
 * [d − posMargin]₊, negative pairs [negMargin − d]₊ (for a similarity: [posMargin − s]₊ and
 * [s − negMargin]₊). The positive and negative terms are reduced separately and added, as PML does.
 * `squared: true` squares each hinge, which with posMargin 0 and a Euclidean distance is the
 * paper's ½-less original.
 *
 * The defaults posMargin 0, negMargin 1 are PML's and are meant for distances. With a similarity
 * they would make every negative pair free (s ≤ 1 = negMargin for cosine), so margins that leave a
 * whole side of the loss inert are refused, naming the fix (PML's similarity setting is
 * posMargin 1, negMargin 0): see contrastiveMarginProblem.
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
    const problem = contrastiveMarginProblem(this, { unit: this.distance.name === 'cosine', defaults: { posMargin: options.posMargin === undefined, negMargin: options.negMargin === undefined } });
    if (problem) throw new RangeError(`${this.name}: ${problem}`);
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

export interface MarginCheckOptions {
  /** The similarity is bounded to [−1, 1]: cosine, or a dot product of L2-normalised embeddings. */
  unit: boolean;
  /** Why it is bounded, for the message (default "here"). */
  unitReason?: string;
  /** Which margins were left at their defaults (the message then says so). */
  defaults?: { posMargin?: boolean; negMargin?: boolean };
}

/**
 * Why these margins would make one side of the contrastive loss cost nothing whatever the
 * embeddings, or null. With a distance d ≥ 0 negative pairs pay [negMargin − d]₊ and positive
 * pairs [d − posMargin]₊, so negMargin must be positive and above posMargin; with a similarity
 * s they pay [s − negMargin]₊ and [posMargin − s]₊, so posMargin must be above negMargin and,
 * when s is at most 1 (`unit`), negMargin below 1 and posMargin above −1.
 */
export function contrastiveMarginProblem(loss: { posMargin: number; negMargin: number; distance: Distance }, options: MarginCheckOptions): string | null {
  const { posMargin: pos, negMargin: neg, distance } = loss;
  const d = options.defaults ?? {};
  const show = (name: 'posMargin' | 'negMargin', v: number): string => `${name} ${v}${d[name] ? (distance.largerIsCloser ? ' (the default, meant for distances)' : ' (the default)') : ''}`;
  if (distance.largerIsCloser) {
    const what = `the ${distance.name} similarity (larger = closer)`;
    if (pos <= neg) {
      if (d.posMargin && d.negMargin) return `with ${what} the margins are similarities: positive pairs pay [posMargin − s]₊ and negative pairs [s − negMargin]₊, so the defaults posMargin 0 and negMargin 1, meant for distances, would make every negative pair cost nothing${options.unit ? '' : ' once s ≤ 1'}; set posMargin 1 and negMargin 0 (pytorch-metric-learning's setting for a similarity), or use the euclidean distance`;
      return `with ${what} posMargin must be above negMargin (positive pairs pay [posMargin − s]₊, negative pairs [s − negMargin]₊), got ${show('posMargin', pos)} and ${show('negMargin', neg)}; e.g. posMargin 1 and negMargin 0`;
    }
    if (options.unit && neg >= 1) return `with ${what}, which is at most 1 ${options.unitReason ?? 'here'}, ${show('negMargin', neg)} makes every negative pair cost nothing (they pay [s − negMargin]₊); set negMargin below 1, e.g. 0`;
    if (options.unit && pos <= -1) return `with ${what}, which is at least −1 ${options.unitReason ?? 'here'}, ${show('posMargin', pos)} makes every positive pair cost nothing (they pay [posMargin − s]₊); set posMargin above −1, e.g. 1`;
    return null;
  }
  const what = `the ${distance.name} distance`;
  if (neg <= 0) return `with ${what} (never negative) ${show('negMargin', neg)} makes every negative pair cost nothing (they pay [negMargin − d]₊); set negMargin above 0 and above posMargin, e.g. 1`;
  if (pos >= neg) return `with ${what} posMargin must be below negMargin (positive pairs pay [d − posMargin]₊, negative pairs [negMargin − d]₊), got ${show('posMargin', pos)} and ${show('negMargin', neg)}; e.g. posMargin 0 and negMargin 1`;
  return null;
}
