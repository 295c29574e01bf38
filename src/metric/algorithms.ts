/**
 * The algorithm registry: name → how to build a learner from plain options (as given by
 * `--set key=value` or a config file). The CLI, cross-validation and the bench only ever go
 * through it, so a learner registered here (part II adds ITML, LSML, MMC, SDML, SCML from
 * their own files) is automatically available everywhere.
 */
import type { Matrix, FloatArray } from '../matrix.js';
import type { MahalanobisLearner } from './base.js';
import { Covariance } from './covariance.js';
import { Euclidean } from './euclidean.js';
import { LFDA } from './lfda.js';
import { LMNN } from './lmnn.js';
import { MLKR } from './mlkr.js';
import { NCA } from './nca.js';
import { RCA } from './rca.js';
import { ITMLSupervised } from './itml.js';
import { LSMLSupervised } from './lsml.js';
import { MMCSupervised } from './mmc.js';
import { SDMLSupervised } from './sdml.js';
import { SCMLSupervised } from './scml.js';

export type Task = 'classification' | 'regression';

/** What the registry hands out: a Mahalanobis learner with a supervised fit(X, y). */
export type SupervisedLearner = MahalanobisLearner & {
  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): unknown;
};

export interface AlgorithmSpec {
  name: string;
  /** One line for `--help` and reports. */
  description: string;
  /** Option names create() accepts (besides seed and verbose); others are rejected. */
  options: readonly string[];
  create(options?: Record<string, unknown>): SupervisedLearner;
  /** Fits from (X, labels): weakly supervised learners use their label-driven form. */
  supervised: true;
  /** The task the labels are read for: class labels, or real-valued targets. */
  task: Task;
  /** Paper reference, for reports. */
  paper?: string;
}

const registry = new Map<string, AlgorithmSpec>();
const COMMON_OPTIONS = ['seed', 'verbose'];

/** Adds (or replaces) an algorithm. Names are lowercase identifiers. */
export function registerAlgorithm(spec: AlgorithmSpec): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(spec.name)) throw new RangeError(`registerAlgorithm: name must be a lowercase identifier, got "${spec.name}"`);
  registry.set(spec.name, spec);
}

export function algorithmNames(): string[] {
  return [...registry.keys()];
}

export function getAlgorithm(name: string): AlgorithmSpec {
  const spec = registry.get(String(name).toLowerCase());
  if (!spec) throw new RangeError(`unknown algorithm "${name}"; available: ${algorithmNames().join(', ')}`);
  return spec;
}

/** Validates option names against the spec, then builds the learner. */
export function createLearner(name: string, options: Record<string, unknown> = {}): SupervisedLearner {
  const spec = getAlgorithm(name);
  const allowed = new Set([...spec.options, ...COMMON_OPTIONS]);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw new RangeError(`${spec.name}: unknown option "${key}"; accepted options: ${[...spec.options, ...COMMON_OPTIONS].join(', ')}`);
  }
  return spec.create(options);
}

const builtins: AlgorithmSpec[] = [
  { name: 'euclidean', description: 'no learning (identity metric)', options: [], supervised: true, task: 'classification', create: (o = {}) => new Euclidean(o) },
  { name: 'covariance', description: 'inverse covariance (whitening) baseline', options: ['tol'], supervised: true, task: 'classification', create: (o = {}) => new Covariance(o), paper: 'Mahalanobis 1936' },
  { name: 'lmnn', description: 'Large Margin Nearest Neighbour', options: ['k', 'regularization', 'nComponents', 'init', 'maxIter', 'minIter', 'convergenceTol', 'learnRate', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new LMNN(o), paper: 'Weinberger & Saul, JMLR 2009' },
  { name: 'nca', description: 'Neighbourhood Components Analysis', options: ['nComponents', 'init', 'maxIter', 'tol', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new NCA(o), paper: 'Goldberger et al., NIPS 2004' },
  { name: 'lfda', description: 'Local Fisher Discriminant Analysis', options: ['nComponents', 'k', 'embeddingType', 'shrinkage', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new LFDA(o), paper: 'Sugiyama, JMLR 2007' },
  { name: 'mlkr', description: 'Metric Learning for Kernel Regression (real-valued targets)', options: ['nComponents', 'init', 'maxIter', 'tol'], supervised: true, task: 'regression', create: (o = {}) => new MLKR(o) as unknown as SupervisedLearner, paper: 'Weinberger & Tesauro, AISTATS 2007' },
  { name: 'rca', description: 'Relevant Components Analysis (chunklets drawn from labels)', options: ['nComponents', 'numChunks', 'chunkSize', 'shrinkage'], supervised: true, task: 'classification', create: (o = {}) => new RCA(o), paper: 'Bar-Hillel et al., ICML 2003' },
  { name: 'itml', description: 'Information-Theoretic Metric Learning (pairs drawn from labels)', options: ['gamma', 'maxIter', 'tol', 'prior', 'bounds', 'boundsFrom', 'numConstraints', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new ITMLSupervised(o), paper: 'Davis et al., ICML 2007' },
  { name: 'lsml', description: 'Least Squared-residual Metric Learning (quadruplets drawn from labels)', options: ['prior', 'maxIter', 'tol', 'numConstraints', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new LSMLSupervised(o), paper: 'Liu et al., ICDM 2012' },
  { name: 'mmc', description: 'Mahalanobis Metric for Clustering (pairs drawn from labels)', options: ['diagonal', 'maxIter', 'tol', 'numConstraints', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new MMCSupervised(o), paper: 'Xing et al., NIPS 2002' },
  { name: 'sdml', description: 'Sparse Determinant Metric Learning (pairs drawn from labels)', options: ['balanceParam', 'sparsityParam', 'prior', 'minEigen', 'maxIter', 'tol', 'numConstraints'], supervised: true, task: 'classification', create: (o = {}) => new SDMLSupervised(o), paper: 'Qi et al., ICML 2009' },
  { name: 'scml', description: 'Sparse Compositional Metric Learning (k-NN triplets from labels, local-LDA bases)', options: ['beta', 'gamma', 'nBasis', 'maxIter', 'batchSize', 'outputIter', 'basis', 'basisKind', 'kGenuine', 'kImpostor', 'rowSpace'], supervised: true, task: 'classification', create: (o = {}) => new SCMLSupervised(o), paper: 'Shi et al., AAAI 2014' },
];
for (const spec of builtins) registerAlgorithm(spec);
