/** The autodiff engine: tensors on a tape, ops, and gradient checking. */
export { Tape, Tensor, type TapeOptions } from './tensor.js';
export { matmul, linear, add, sub, mul, addRowVector, mulRowVector, affineScalar, scale } from './ops-linear.js';
export { relu, tanh, sigmoid, softplus, gelu, erf, normalCdf } from './ops-activation.js';
export { sum, mean, rowSum, colSum, logSumExp, l2Normalize, gatherRows, pick } from './ops-reduce.js';
export { standardizeRows, standardizeCols, dropout, type BatchStats } from './ops-norm.js';
export { gradCheck, gradCheckParameters, type GradCheckInput, type GradCheckResult, type GradCheckOptions } from './gradcheck.js';
