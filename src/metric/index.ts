/** The metric-learning area: learners, their registry and model loaders. */
export { MahalanobisLearner, componentsFromMetric, checkXy, NotFittedError, type BaseLearnerOptions, type ProgressEvent, type LearnerState } from './base.js';
export { Euclidean } from './euclidean.js';
export { Covariance, type CovarianceOptions } from './covariance.js';
export { LMNN, type LmnnOptions } from './lmnn.js';
export { NCA, type NcaOptions } from './nca.js';
export { LFDA, type LfdaOptions, type LfdaEmbedding } from './lfda.js';
export { MLKR, type MlkrOptions } from './mlkr.js';
export { RCA, chunksFromLabels, maxChunks, type RcaOptions } from './rca.js';
export { registerAlgorithm, getAlgorithm, createLearner, algorithmNames, type AlgorithmSpec, type SupervisedLearner, type Task } from './algorithms.js';
export { Pipeline, learnerFromPayload, pipelineFromPayload } from './registry.js';
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult } from './optim/lbfgs.js';
