/** The deep similarity-learning part: distances, losses, miners, reducers, samplers, inputs (and the engine). */
export type { Parameter, Distance, MinedTuples, Reference, Miner, LossResult, Loss, BatchSampler } from './types.js';
export * from './distances/index.js';
export * from './reducers/index.js';
export * from './losses/index.js';
export * from './miners/index.js';
export * from './samplers/index.js';
export { fromLabeledPairs, fromScoredPairs, fromGroups, fromQueryPositivePairs, tuplesForBatch, type LabeledPairData, type ScoredPairData } from './inputs.js';
