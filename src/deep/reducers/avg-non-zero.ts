import { meanOver, type Reducer, type Reduction } from './reducer.js';

/**
 * Mean over the terms that are > 0 (pytorch-metric-learning's AvgNonZeroReducer). With hinge
 * losses most mined tuples end up satisfied; averaging over all of them would shrink the
 * gradient as training succeeds, this keeps its scale.
 */
export class AvgNonZeroReducer implements Reducer {
  readonly name = 'avg-non-zero';
  readonly bounds = { low: 0, high: Infinity };
  reduce(terms: Float64Array): Reduction {
    return meanOver(terms, 0, Infinity);
  }
}
