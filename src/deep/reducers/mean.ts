import { meanOver, type Reducer, type Reduction } from './reducer.js';

/** Mean over all terms, zeros included (pytorch-metric-learning's MeanReducer). */
export class MeanReducer implements Reducer {
  readonly name = 'mean';
  readonly bounds = { low: -Infinity, high: Infinity };
  reduce(terms: Float64Array): Reduction {
    return meanOver(terms, -Infinity, Infinity);
  }
}
