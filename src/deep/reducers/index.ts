export type { Reducer, Reduction } from './reducer.js';
export { MeanReducer } from './mean.js';
export { AvgNonZeroReducer } from './avg-non-zero.js';
export { ThresholdReducer, type ThresholdReducerOptions } from './threshold.js';
export { reducerByName, resolveReducer, REDUCER_NAMES, type ReducerSpec } from './by-name.js';
