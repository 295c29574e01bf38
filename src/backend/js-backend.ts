/** The pure-TypeScript backend: correct on every input, no compiler or BLAS needed. */
import type { Backend } from './backend.js';
import * as k from './js-kernels.js';
import * as dec from './js-decompositions.js';
import { knnCandidates } from './js-rerank.js';
import { graphicalLassoSweeps } from './js-glasso.js';
import { addPairLaplacian, pairQuadForms } from './js-pairs.js';
import { neighbourSoftmaxLaplacian } from './js-softmax.js';
import { kernelRegressionLaplacian } from './js-kernel-regression.js';
import { impostorCandidates } from './js-impostors.js';
import { lsmlDescent } from './js-lsml.js';
import { affinityLaplacian } from './js-affinity.js';
import { scmlRdaIterations, tripletHingeSum } from './js-scml.js';
import { samplePairs } from './js-sample-pairs.js';
import { itmlBregman } from './js-itml.js';

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
  centreColumns: k.centreColumns,
  adamStep: k.adamStep,
  condensedSqDistances: k.condensedSqDistances,
  sqeuclidean: k.sqeuclidean,
  knn: k.knn,
  knnCandidates,
  // No threads in pure TypeScript: the async forms only give callers one code path.
  knnAsync: async (queries, nq, refs, nr, d, kk, options) => k.knn(queries, nq, refs, nr, d, kk, options),
  gemmAsync: async (transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc) => k.gemm(transA, transB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc),
  graphicalLassoSweeps,
  pairQuadForms,
  addPairLaplacian,
  neighbourSoftmaxLaplacian,
  kernelRegressionLaplacian,
  impostorCandidates,
  lsmlDescent,
  affinityLaplacian,
  scmlRdaIterations,
  samplePairs,
  itmlBregman,
  tripletHingeSum,
  eigh: dec.eigh,
  cholesky: dec.cholesky,
  svd: dec.svd,
  solve: dec.solve,
  solveSpd: dec.solveSpd,
  inverse: dec.inverse,
};
