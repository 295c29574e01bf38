/** Matrix-level linear algebra over the active backend. */
export { matmul, matvec, gram, type MatmulOptions } from './matmul.js';
export { eigh, cholesky, svd, type Eigh, type EighOptions, type Svd } from './decompose.js';
export { solve, solveSpd, inverse, inverseSpd, logDet, logDetSpd, slogdet } from './solve.js';
export { symmetrize, projectPsd, sqrtmSpd, invSqrtmSpd, pseudoInverse, isPsd, applyEigenFunction, type SpdRootOptions } from './psd.js';
export { pairwiseSqEuclidean, rowDistance } from './distances.js';
export { columnMeans, columnVariances, centre, center, covariance, addRidge, trace, frobeniusNorm, type CovarianceOptions } from './stats.js';
export { assertSquare, assertSymmetric } from './checks.js';
