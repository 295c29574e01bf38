import { meanOver, type Reducer, type Reduction } from './reducer.js';

export interface ThresholdReducerOptions {
  /** Keep terms strictly above this (default: no lower bound). */
  low?: number;
  /** Keep terms strictly below this (default: no upper bound). */
  high?: number;
}

/**
 * Mean over the terms with low < value < high (pytorch-metric-learning's ThresholdReducer):
 * drops the easy terms below `low` and the outliers (often label noise) above `high`.
 */
export class ThresholdReducer implements Reducer {
  readonly name = 'threshold';
  readonly low: number;
  readonly high: number;

  constructor(options: ThresholdReducerOptions = {}) {
    const low = options.low ?? -Infinity;
    const high = options.high ?? Infinity;
    if (Number.isNaN(low) || Number.isNaN(high)) throw new RangeError('ThresholdReducer: low and high must be numbers');
    if (options.low === undefined && options.high === undefined) throw new RangeError('ThresholdReducer: give low, high or both (otherwise use the "mean" reducer)');
    if (!(low < high)) throw new RangeError(`ThresholdReducer: low (${low}) must be below high (${high})`);
    this.low = low;
    this.high = high;
  }

  get bounds(): { low: number; high: number } {
    return { low: this.low, high: this.high };
  }

  reduce(terms: Float64Array): Reduction {
    return meanOver(terms, this.low, this.high);
  }
}
