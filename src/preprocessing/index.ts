/** Preprocessing: scaling, PCA, and train/test and cross-validation splits. */
import './registry.js';
export { StandardScaler, STANDARD_SCALER_KIND, type StandardScalerOptions } from './standard-scaler.js';
export { PCA, PCA_KIND, type PCAOptions } from './pca.js';
export { trainTestSplit, KFold, StratifiedKFold, kFold, stratifiedKFold, predefinedFolds, type Split, type TrainTestSplitOptions, type KFoldOptions } from './split.js';
export type { MatrixInput } from './input.js';
