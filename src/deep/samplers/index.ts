export { PxKSampler, type PxKSamplerOptions } from './pxk.js';
export { MPerClassSampler, type MPerClassSamplerOptions } from './m-per-class.js';
export { PairBatchSampler, type PairBatchSamplerOptions } from './pair-batch.js';
