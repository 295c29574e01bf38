/**
 * The shared first half of every *_Supervised weak learner's fit (metric-learn's
 * ITML_Supervised, MMC_Supervised, SDML_Supervised, LSML_Supervised, SCML_Supervised):
 * validate X and y, then draw the constraints from the class labels with the fit's generator.
 * The solver then keeps using that same generator, so one seed fixes both the constraints and
 * the solver's draws.
 *
 * Labels may be partial: a row labelled null, undefined or NaN is unlabelled and takes part
 * in no generated constraint. Deviation: metric-learn's *_Supervised learners (and our
 * `Constraints`, called directly) also read -1 as "unlabelled"; here -1 is a class, because
 * label files with classes −1 and +1 are common and would otherwise lose half their rows (the
 * learners fitted -1 as a class before partial labels were accepted, too). Known labels are
 * compared by their text (1 and "1" are one class).
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { checkX, checkLabelArray, labelKey, componentsFromMetric } from './base.js';
import { Constraints, defaultNumConstraints } from './constraints.js';
import type { Tuples } from './tuples.js';

export interface ConstraintOptions {
  /** Tuples drawn from the labels; default 20 · nClasses² (see defaultNumConstraints). */
  numConstraints?: number;
  seed?: number;
}

export interface SupervisedTuples {
  tuples: Tuples;
  rng: Random;
}

export interface PartiallyLabelledData {
  X: Matrix<Float64Array>;
  /** Class code per row, 0..nClasses-1, or −1 where unlabelled. */
  codes: Int32Array;
  /** The original label of each code (its first occurrence). */
  classes: (number | string)[];
  /** Number of labelled rows. */
  nKnown: number;
}

/**
 * Validates X and partial labels y (see the file comment): every label is a number or a
 * string or one of the "unlabelled" values, and at least two classes are labelled.
 */
export function checkXPartialY(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>, algorithm: string): PartiallyLabelledData {
  const x = checkX(X, algorithm);
  const labels = checkLabelArray(y, x.rows, algorithm);
  const map = new Map<string, number>();
  const classes: (number | string)[] = [];
  const codes = new Int32Array(labels.length);
  let nKnown = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (isMissingLabel(v)) {
      codes[i] = -1;
      continue;
    }
    const key = labelKey(v, i, algorithm);
    let c = map.get(key);
    if (c === undefined) {
      c = classes.length;
      map.set(key, c);
      classes.push(v as number | string);
    }
    codes[i] = c;
    nKnown++;
  }
  if (classes.length < 2) throw new RangeError(`${algorithm}: y has ${classes.length} labelled class${classes.length === 1 ? '' : 'es'} (${labels.length - nKnown} of ${labels.length} rows are unlabelled: null, undefined or NaN); constraints from labels need at least 2 classes`);
  return { X: x, codes, classes, nKnown };
}

/** A label that marks its row unlabelled here (see the file comment). */
function isMissingLabel(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/** Similar (+1) and dissimilar (−1) pairs drawn from class labels. */
export function pairsFromLabels(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>, algorithm: string, options: ConstraintOptions): SupervisedTuples & { labels: Int8Array } {
  const data = checkXPartialY(X, y, algorithm);
  const rng = toRandom(options.seed);
  const cons = new Constraints(data.codes);
  const num = options.numConstraints ?? defaultNumConstraints(cons);
  const { indices, y: labels } = cons.labelledPairs(num, { seed: rng });
  return { tuples: { points: data.X, indices, arity: 2 }, labels, rng };
}

/** Quadruplets (a, b, c, d) from class labels: a same-class pair, then a different-class pair. */
export function quadrupletsFromLabels(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string | null | undefined>, algorithm: string, options: ConstraintOptions): SupervisedTuples {
  const data = checkXPartialY(X, y, algorithm);
  const rng = toRandom(options.seed);
  const cons = new Constraints(data.codes);
  const num = options.numConstraints ?? defaultNumConstraints(cons);
  return { tuples: { points: data.X, indices: cons.quadruplets(num, { seed: rng }), arity: 4 }, rng };
}

/** Components L (Lᵀ L = M) of a row-major d x d metric the weak solvers return. */
export function metricComponents(M: Float64Array, d: number): Matrix<Float64Array> {
  return componentsFromMetric(new Matrix(d, d, M));
}
