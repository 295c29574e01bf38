export { BatchEasyHardMiner, BatchHardMiner, type BatchEasyHardMinerOptions, type PositiveStrategy, type NegativeStrategy } from './batch-easy-hard.js';
export { TripletMarginMiner, type TripletMarginMinerOptions, type TripletType } from './triplet-margin.js';
export { MultiSimilarityMiner, type MultiSimilarityMinerOptions } from './multi-similarity.js';
export { PairMarginMiner, type PairMarginMinerOptions } from './pair-margin.js';
export { minerByName, MINER_NAMES } from './by-name.js';
