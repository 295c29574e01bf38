/** simlearn: the public API, from one entry point. */
export { Matrix, ShapeError, asMatrix, assertFinite, type FloatArray, type DType } from './matrix.js';
export { Random, toRandom, checkSeed, MAX_SEED } from './random.js';
export { getBackend, useBackend, jsBackend, LinAlgError, type Backend } from './backend/index.js';
export { MahalanobisLearner, NotFittedError, componentsFromMetric, checkXy, type BaseLearnerOptions, type LearnerState, type ProgressEvent } from './metric/base.js';
export { toTuples, type Tuples, type TuplesInput } from './metric/tuples.js';
export type { Index, IndexMetric, SearchResult } from './neighbors/index-types.js';
export { VERSION } from './version.js';
export { encodeModel, decodeModel, saveModel, loadModel, ModelFormatError, type ModelPayload, type ModelArray, type ArrayData } from './io/model-file.js';
export { registerModelLoader, modelFromPayload, loadModelObject, registeredModelKinds } from './io/model-registry.js';
export { readDataset, readDatasetAsync, readLabelsFile, readCsv, readCsvSync, writeCsv, readFolds, readJsonl, readJsonlSync, writeJsonl, readNpy, writeNpy, encodeNpy, decodeNpy, type Dataset, type LabelValue, type ReadDatasetOptions, type ReadCsvOptions, type NpyArray } from './io/index.js';
export { matmul, matvec, gram, eigh, cholesky, svd, solve, solveSpd, inverse, logDet, logDetSpd, slogdet, symmetrize, projectPsd, sqrtmSpd, invSqrtmSpd, pseudoInverse, isPsd, pairwiseSqEuclidean, columnMeans, columnVariances, centre, center, covariance, addRidge, trace, frobeniusNorm, type Eigh, type Svd, type SpdRootOptions } from './linalg/index.js';
export { StandardScaler, PCA, trainTestSplit, KFold, StratifiedKFold, kFold, stratifiedKFold, predefinedFolds, type Split, type PCAOptions, type StandardScalerOptions } from './preprocessing/index.js';
export { Euclidean, Covariance, LMNN, NCA, LFDA, MLKR, RCA, chunksFromLabels, maxChunks, registerAlgorithm, getAlgorithm, createLearner, algorithmNames, Pipeline, learnerFromPayload, pipelineFromPayload, minimizeLbfgs, type CovarianceOptions, type LmnnOptions, type NcaOptions, type LfdaOptions, type LfdaEmbedding, type MlkrOptions, type RcaOptions, type AlgorithmSpec, type SupervisedLearner, type Task, type LbfgsOptions, type LbfgsResult } from './metric/index.js';
export { KNeighborsClassifier, type KnnModelOptions, type KnnWeights, type Neighbours } from './neighbors/knn-classifier.js';
export { KNeighborsRegressor } from './neighbors/knn-regressor.js';
export { crossValidate, summarize, type CrossValidateOptions, type CrossValidateResult, type FoldResult, type Summary } from './evaluation/cross-validate.js';
export * as autodiff from './deep/autodiff/index.js';
export { Tape, Tensor, gradCheck, gradCheckParameters } from './deep/autodiff/index.js';
export { Linear, MLP, Sequential, Activation, Dropout, L2Normalize, LayerNorm, BatchNorm1d, embed, getState, setState, type Module, type ForwardContext, type MlpSpec, type MlpOptions, type ActivationName } from './deep/layers/index.js';
export { Optimizer, SGD, Adam, AdamW, makeSchedule, clipGradNorm, clipGradValue, type SgdOptions, type AdamOptions, type LrSchedule, type ScheduleSpec } from './deep/optim/index.js';
export { Trainer, evaluateRetrieval, type TrainerOptions, type TrainerParts, type TrainResult, type EpochLog, type PhaseTimes, type ValidationMetrics } from './deep/trainer.js';
export { DeepHead, fitStandardization, applyStandardization, HEAD_KIND, type Standardization } from './deep/head.js';
export { OnnxEncoder, EmbeddingCache, encodeCached, cacheKey, type OnnxEncoderOptions } from './deep/encoders/index.js';
export { parseTrainConfig, readTrainConfig, TrainConfigSchema, ConfigError, type TrainConfig } from './deep/config.js';
export { runTraining, type RunOptions, type RunResult } from './deep/pipeline.js';
import './deep/registry.js';
export {
  LpDistance, SquaredL2Distance, CosineSimilarity, DotProductSimilarity, distanceByName, DISTANCE_NAMES,
  MeanReducer, AvgNonZeroReducer, ThresholdReducer, reducerByName, REDUCER_NAMES,
  ContrastiveLoss, TripletMarginLoss, MultiSimilarityLoss, NTXentLoss, SupConLoss, CircleLoss, ArcFaceLoss, CosFaceLoss, ProxyAnchorLoss, MarginLoss, ScoreRegressionLoss, CrossBatchMemory, lossByName, LOSS_NAMES,
  BatchHardMiner, BatchEasyHardMiner, TripletMarginMiner, MultiSimilarityMiner, PairMarginMiner, minerByName, MINER_NAMES,
  PxKSampler, MPerClassSampler, PairBatchSampler,
  fromLabeledPairs, fromScoredPairs, fromGroups, fromQueryPositivePairs, tuplesForBatch,
  type Parameter, type Distance, type MinedTuples, type Reference, type Miner, type LossResult, type Loss, type BatchSampler, type Reducer,
} from './deep/index.js';
export { ExactIndex, type ExactIndexOptions } from './neighbors/exact-index.js';
export { SimHashIndex } from './neighbors/lsh/simhash-index.js';
export { E2LshIndex, type E2LshOptions } from './neighbors/lsh/e2lsh-index.js';
export { type VectorLshOptions } from './neighbors/lsh/vector-lsh.js';
export { MinHashIndex, chooseBandRows, type MinHashIndexOptions } from './neighbors/lsh/minhash-index.js';
export { MinHasher, estimateJaccard, jaccard, hashToken, type Token } from './neighbors/lsh/minhash.js';
export { planLsh, simhashCollision, e2lshCollision, type LshPlan } from './neighbors/lsh/collision.js';
export { HnswIndex, type HnswIndexOptions } from './neighbors/hnsw-index.js';
export { LinearTransform } from './neighbors/transform-io.js';
export { loadIndex, indexFromPayload, type AnyIndex } from './neighbors/registry.js';
export type { IndexTransform, SavableIndex } from './neighbors/index-types.js';
export { retrievalMetrics, metricsFromRelevance, nearestReferences, type RetrievalOptions, type RetrievalReport } from './evaluation/retrieval.js';
export { normalizedMutualInfo, adjustedMutualInfo, adjustedRandIndex, mutualInformation } from './evaluation/clustering.js';
export { accuracy, confusionMatrix, type ConfusionMatrix } from './evaluation/classification.js';
export { kmeans, type KMeansOptions, type KMeansResult } from './cluster/kmeans.js';
export { agglomerative, type AgglomerativeOptions, type AgglomerativeResult, type Linkage, type Merge } from './cluster/agglomerative.js';
export { startService, buildService, type ServiceOptions, type ServiceInfo } from './service/server.js';
export { loadItems, type ItemSet, type ItemId } from './service/items.js';
export { asSimilarityModel, euclideanModel, type SimilarityModel } from './service/similarity-model.js';
export { loadSimilarityModel } from './service/load-model.js';
export { calibrateThreshold, type Calibration } from './service/calibrate.js';
export { exportOnnx, ONNX_OPSET, type OnnxExportSpec, type OnnxExportOptions, type LinearExportSpec, type MlpExportSpec, type HeadLayerSpec, type Standardisation } from './export/onnx.js';
export { onnxSpecFromModel } from './export/from-model.js';
export { exportToLanceDb, searchLanceDb, parseLanceTarget, planIvfPq, LANCEDB_MIN_INDEX_ROWS, type LanceExportInput, type LanceExportResult, type LanceSearchOptions } from './export/lancedb.js';
export { renderReportHtml, writeReport } from './report/html.js';
export { reportFromModels, type ModelReportOptions } from './report/from-models.js';
export type { ReportInput, LearnerResult, MetricValues } from './report/types.js';
export { runDemo, type DemoOptions, type DemoResult } from './demo/run.js';
export { rocCurve, rocAuc, equalErrorRate, fnmrAtFmr, thresholdForFmr, bestThreshold, type RocCurve, type EerResult, type OperatingPoint, type ThresholdStrategy, type ThresholdOptions, type ThresholdResult } from './evaluation/verification.js';
export { Constraints, defaultNumConstraints, type PairSet, type PositiveNegativePairs, type PartialLabel } from './metric/constraints.js';
export { PairLearner, TripletLearner, QuadrupletLearner } from './metric/weakly-supervised.js';
export { ITML, ITMLSupervised, type ItmlOptions, type ItmlSupervisedOptions } from './metric/itml.js';
export { LSML, LSMLSupervised, type LsmlOptions, type LsmlSupervisedOptions } from './metric/lsml.js';
export { MMC, MMCSupervised, type MmcOptions, type MmcSupervisedOptions } from './metric/mmc.js';
export { SDML, SDMLSupervised, type SdmlOptions, type SdmlSupervisedOptions } from './metric/sdml.js';
export { SCML, SCMLSupervised, type ScmlOptions, type ScmlSupervisedOptions } from './metric/scml.js';
export { graphicalLasso } from './metric/glasso.js';
export { OASIS, OASIS_KIND, type OasisOptions, type NeighborResult } from './metric/oasis.js';
export { inverseSpd, rowDistance } from './linalg/index.js';
export { searchRecall } from './neighbors/recall.js';
