import { meanOver, type Reducer, type Reduction } from './reducer.js';

/** Mean over all terms, zeros included (pytorch-metric-learning's MeanReducer). */
export class MeanReducer implements Reducer {
  readonly name = 'mean';
  reduce(terms: Float64Array): Reduction {
    return meanOver(terms, () => true);
  }
}
