import { AvgNonZeroReducer } from './avg-non-zero.js';
import { MeanReducer } from './mean.js';
import type { Reducer } from './reducer.js';
import { ThresholdReducer, type ThresholdReducerOptions } from './threshold.js';

export const REDUCER_NAMES = ['mean', 'avg-non-zero', 'threshold'] as const;

/** A reducer from a config: 'mean', 'avg-non-zero', or 'threshold' with { low, high }. */
export function reducerByName(name: string, options: ThresholdReducerOptions = {}): Reducer {
  switch (name) {
    case 'mean': return new MeanReducer();
    case 'avg-non-zero': case 'avgnonzero': return new AvgNonZeroReducer();
    case 'threshold': return new ThresholdReducer(options);
    default: throw new RangeError(`reducer: unknown name "${name}"; use one of ${REDUCER_NAMES.join(', ')}`);
  }
}

export type ReducerSpec = string | Reducer | ({ name: string } & ThresholdReducerOptions);

/** Accepts what a loss's `reducer` option takes: a name, { name, low, high }, or a Reducer. */
export function resolveReducer(spec: ReducerSpec | undefined, fallback: () => Reducer, owner: string): Reducer {
  if (spec === undefined) return fallback();
  try {
    if (typeof spec === 'string') return reducerByName(spec);
    if (typeof (spec as Reducer).reduce === 'function') return spec as Reducer;
    const { name, ...rest } = spec as { name: string } & ThresholdReducerOptions;
    return reducerByName(name, rest);
  } catch (e) {
    throw new RangeError(`${owner}: ${(e as Error).message}`);
  }
}
