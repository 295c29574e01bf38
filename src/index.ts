/** simlearn: the public API, from one entry point. */
export { Matrix, ShapeError, asMatrix, assertFinite, type FloatArray, type DType } from './matrix.js';
export { Random, toRandom } from './random.js';
export { getBackend, useBackend, jsBackend, LinAlgError, type Backend } from './backend/index.js';
export { MahalanobisLearner, NotFittedError, componentsFromMetric, checkXy, type BaseLearnerOptions, type LearnerState, type ProgressEvent } from './metric/base.js';
export { toTuples, type Tuples, type TuplesInput } from './metric/tuples.js';
export type { Index, IndexMetric, SearchResult } from './neighbors/index-types.js';
export { VERSION } from './version.js';
