/** The pure-TypeScript backend: correct on every input, no compiler or BLAS needed. */
import type { Backend } from './backend.js';
import * as k from './js-kernels.js';
import * as dec from './js-decompositions.js';

export const jsBackend: Backend = {
  name: 'js',
  blas: 'none (pure TypeScript)',
  getThreads: () => 1,
  setThreads: () => {},
  gemm: k.gemm,
  gemv: k.gemv,
  gram: k.gram,
  dot: k.dot,
  axpy: k.axpy,
  scal: k.scal,
  rowSqNorms: k.rowSqNorms,
  sqeuclidean: k.sqeuclidean,
  knn: k.knn,
  eigh: dec.eigh,
  cholesky: dec.cholesky,
  svd: dec.svd,
  solve: dec.solve,
  solveSpd: dec.solveSpd,
  inverse: dec.inverse,
};
