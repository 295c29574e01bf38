/**
 * The shared first half of every *_Supervised weak learner's fit (metric-learn's
 * ITML_Supervised, MMC_Supervised, SDML_Supervised, LSML_Supervised): validate X and y, then
 * draw the constraints from the class labels with the fit's generator. The solver then keeps
 * using that same generator, so one seed fixes both the constraints and the solver's draws.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { checkXy, componentsFromMetric } from './base.js';
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

/** Similar (+1) and dissimilar (−1) pairs drawn from class labels. */
export function pairsFromLabels(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>, algorithm: string, options: ConstraintOptions): SupervisedTuples & { labels: Int8Array } {
  const data = checkXy(X, y, algorithm);
  const rng = toRandom(options.seed);
  const cons = new Constraints(data.y);
  const num = options.numConstraints ?? defaultNumConstraints(cons);
  const { indices, y: labels } = cons.labelledPairs(num, { seed: rng });
  return { tuples: { points: data.X, indices, arity: 2 }, labels, rng };
}

/** Quadruplets (a, b, c, d) from class labels: a same-class pair, then a different-class pair. */
export function quadrupletsFromLabels(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>, algorithm: string, options: ConstraintOptions): SupervisedTuples {
  const data = checkXy(X, y, algorithm);
  const rng = toRandom(options.seed);
  const cons = new Constraints(data.y);
  const num = options.numConstraints ?? defaultNumConstraints(cons);
  return { tuples: { points: data.X, indices: cons.quadruplets(num, { seed: rng }), arity: 4 }, rng };
}

/** Components L (Lᵀ L = M) of a row-major d x d metric the weak solvers return. */
export function metricComponents(M: Float64Array, d: number): Matrix<Float64Array> {
  return componentsFromMetric(new Matrix(d, d, M));
}
