/**
 * The compute backend: the only place in simlearn that knows how numbers are crunched.
 *
 * Everything works on raw row-major typed arrays plus dimensions, so the native addon can
 * take the buffers without copying. Both implementations (pure TypeScript, and the Node-API
 * addon over CBLAS/LAPACKE) satisfy this interface; tests hold the native one to the JS one.
 *
 * Conventions:
 * - `T` is Float64Array or Float32Array; all array arguments of one call share the type.
 * - Matrices are row-major with leading dimension = number of columns of the stored array.
 * - Decompositions take float64 unless their doc says otherwise, and never modify their inputs.
 * - Errors are thrown as RangeError with a message that names the argument.
 */
import type { FloatArray } from '../matrix.js';

export interface EighResult {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** n x n row-major; column j is the unit eigenvector for values[j]. */
  vectors: Float64Array;
}

export interface SvdResult {
  /** m x r row-major, r = min(m, n). */
  u: Float64Array;
  /** r singular values, descending. */
  s: Float64Array;
  /** r x n row-major. */
  vt: Float64Array;
}

export interface KnnResult<T extends FloatArray = FloatArray> {
  /** nq x k row-major indices into the reference set, nearest first; -1 where fewer than k exist. */
  indices: Int32Array;
  /** nq x k squared Euclidean distances matching `indices` (Infinity where index is -1). */
  distances: T;
}

/** An LSML problem as arrays: quadruplet q says pair (abFirst[q], abSecond[q]) of rows of X should be closer than (cdFirst[q], cdSecond[q]). */
export interface LsmlArrays {
  /** N x d points, centred. */
  X: Float64Array;
  N: number;
  d: number;
  abFirst: Int32Array;
  abSecond: Int32Array;
  cdFirst: Int32Array;
  cdSecond: Int32Array;
  /** Quadruplet weights, summing to 1. */
  w: Float64Array;
  /** M₀ (d x d), its inverse and log det. */
  prior: Float64Array;
  priorInv: Float64Array;
  priorLogDet: number;
}

export interface LsmlDescent {
  M: Float64Array;
  nIter: number;
  converged: boolean;
  objective: number;
  /** The objective after each accepted step. */
  history: Float64Array;
}

/** Impostor candidates of the listed rows, as row lists: row r's are index[start[r] .. start[r + 1]). */
export interface ImpostorCandidates {
  start: Int32Array;
  index: Int32Array;
  /** Exact squared distances of the candidates, or Infinity where not needed (see impostorCandidates). */
  dist: Float64Array;
  /** Per listed row, a lower bound on the squared distance of every other-class row not listed. */
  minOut: Float64Array;
}

export interface KnnCandidatesResult<T extends FloatArray = FloatArray> extends KnnResult<T> {
  /** Distinct (query, row) pairs scored: the candidates after repeats were dropped. */
  scored: number;
}

export interface KnnOptions {
  /** When queries and references are the same set, skip i == j (leave-one-out). */
  excludeSelf?: boolean;
  /**
   * Upper bound in bytes for the distance tile held at once (default 64 MiB). Native, for
   * k > 48: the tile plus the per-query candidate buffers (24k bytes per query in flight for
   * float32, 48k for float64); one query always runs, so a tiny budget can be exceeded.
   */
  memoryBudget?: number;
}

export interface KnnCandidatesOptions {
  /** 'sqeuclidean' (default): score ‖q − r‖². 'dot': score −q·r, so the largest inner products come first. */
  metric?: 'sqeuclidean' | 'dot';
}

/** What the graphical lasso's sweeps leave (see js-glasso.ts). */
export interface GlassoSweeps {
  /** W, the estimate of the covariance Θ⁻¹ (d x d, symmetric). */
  covariance: Float64Array;
  /** Row j: the lasso coefficients β of column j on the others (entry j is 0). */
  beta: Float64Array;
  nIter: number;
  converged: boolean;
}

/**
 * ITML's fixed inputs to its Bregman projections (see itmlBregman and js-itml.ts): the pair
 * differences with their row stride padded to dp = d rounded up to 4 (padding zero).
 */
export interface ItmlProblem {
  V: Float64Array;
  n: number;
  d: number;
  dp: number;
  /** +1 similar, −1 dissimilar, per pair. */
  y: Int8Array;
  gamma: number;
}

/** ITML's state, updated in place: M (dp x dp, padding zero; starts at the prior), the duals λ (start 0), the targets ξ (start at the bounds). */
export interface ItmlState {
  M: Float64Array;
  lambda: Float64Array;
  xi: Float64Array;
}

export interface ItmlSweeps {
  nIter: number;
  converged: boolean;
  /** The relative change of the duals after each full sweep (the convergence measure). */
  history: Float64Array;
}

/** Pairs of row indices: (a[t], b[t]). */
export interface IndexPairs {
  a: Int32Array;
  b: Int32Array;
}

/**
 * SCML's fixed inputs to its dual-averaging iterations (see scmlRdaIterations and
 * js-scml.ts): the triplets, the points projected on the bases, and the step's constants.
 */
export interface ScmlRdaProblem {
  /** Triplets (anchor, closer, farther) as row indices of XB, 3 per triplet; at least one. */
  T: Int32Array;
  /** n x K row-major: the n points projected on the K bases, X Bᵀ. */
  XB: Float64Array;
  n: number;
  K: number;
  /** Triplets per mini-batch (positive integer). */
  batch: number;
  /** ℓ1 weight β ≥ 0, learning-rate parameter γ > 0, AdaGrad offset δ > 0. */
  beta: number;
  gamma: number;
  delta: number;
}

/**
 * The state SCML's dual averaging carries between chunks of iterations, updated in place by
 * scmlRdaIterations. Every array has K entries; start from zeros, coef = 1 / (γ δ), nAct = 0,
 * dirty = false.
 */
export interface ScmlRdaState {
  /** The weights w ≥ 0. */
  w: Float64Array;
  /** Running sum of the mini-batch mean subgradients, and of their squares. */
  sum: Float64Array;
  ada2: Float64Array;
  /** 1 / (γ (δ + √ada2)) per coordinate. */
  coef: Float64Array;
  /** Scratch for the mini-batch subgradient (holds the last nonzero one while dirty). */
  g: Float64Array;
  /** act[0 .. nAct): the coordinates the last step made positive, ascending (w is 0 elsewhere). */
  act: Int32Array;
  nAct: number;
  /** g holds a nonzero subgradient from the last iteration. */
  dirty: boolean;
  /** The four xoshiro128** words of the triplet draws (Random.state()), advanced in place. */
  rng: Uint32Array;
}

export interface Backend {
  readonly name: 'native' | 'js';
  /** A human description of the BLAS in use, e.g. "OpenBLAS 0.3.21" or "none (pure TypeScript)". */
  readonly blas: string;
  /** BLAS threads in use (always 1 for js). */
  getThreads(): number;
  setThreads(n: number): void;

  // ---- level 1/2/3 kernels (fp32 and fp64) ----
  /** C = alpha * op(A) * op(B) + beta * C, op(A) m x k, op(B) k x n, C m x n. */
  gemm<T extends FloatArray>(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: T, lda: number, b: T, ldb: number, beta: number, c: T, ldc: number): void;
  /** y = alpha * op(A) x + beta * y, A stored m x n. */
  gemv<T extends FloatArray>(trans: boolean, m: number, n: number, alpha: number, a: T, lda: number, x: T, beta: number, y: T): void;
  /** The d x d Gram matrix XᵀX of an n x d X (full, symmetric; SYRK where available). */
  gram<T extends FloatArray>(x: T, n: number, d: number): T;
  dot<T extends FloatArray>(x: T, y: T): number;
  /** y += alpha * x */
  axpy<T extends FloatArray>(alpha: number, x: T, y: T): void;
  /** x *= alpha */
  scal<T extends FloatArray>(alpha: number, x: T): void;
  /** Squared L2 norm of each row of an n x d matrix. */
  rowSqNorms<T extends FloatArray>(x: T, n: number, d: number): T;
  /**
   * Column means of the n x d float64 x (summed in row order, then divided by n; n ≥ 1), and
   * x minus them into out when given (out may be x). Returns the means. Same bits on both backends.
   */
  centreColumns(x: Float64Array, n: number, d: number, out?: Float64Array | null): Float64Array;
  /**
   * One Adam step in place over a float32 parameter, its gradient and moments; c holds the
   * step's nine coefficients (see js-kernels.ts adamStep). Same bits on both backends.
   */
  adamStep(val: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: Float64Array): void;
  /**
   * Squared Euclidean distances of every pair i < j of the m rows of x (float64), in
   * condensed order (row-major over i < j), each summed over the columns in order from the
   * differences. Same bits on both backends.
   */
  condensedSqDistances(x: Float64Array, m: number, d: number): Float64Array;
  /** n x m squared Euclidean distances ‖a_i‖² + ‖b_j‖² − 2 a_i·b_j, clamped at 0. */
  sqeuclidean<T extends FloatArray>(a: T, n: number, b: T, m: number, d: number): T;
  /**
   * The k nearest references (squared Euclidean) for each query, tiled so the full nq x nr
   * matrix is never held when it would exceed the memory budget. Ties keep the lower index.
   */
  knn<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, k: number, options?: KnnOptions): KnnResult<T>;
  /**
   * Re-ranks given candidates instead of scanning every reference (the last step of LSH and
   * other candidate-generating indexes): for query i, the k best of the rows
   * `candidates[candStart[i] .. candStart[i + 1])` of refs, in ascending score (see
   * KnnCandidatesOptions), ties to the lower row, NaN after every number; a row listed twice
   * for one query counts once, and a query with fewer than k distinct candidates gets −1 /
   * Infinity padding. Candidates need no order. Scores are accumulated in the element type
   * natively (float32 SIMD) and in double by the JS backend, so they agree to rounding.
   * Throws a RangeError naming the argument for an out-of-range candidate or bad offsets.
   */
  knnCandidates<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, candidates: Int32Array, candStart: Int32Array, k: number, options?: KnnCandidatesOptions): KnnCandidatesResult<T>;
  /**
   * `knn` without blocking the event loop (native: a libuv worker thread; js: runs inline).
   * Do not modify `queries` or `refs` until the promise settles.
   */
  knnAsync?<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, k: number, options?: KnnOptions): Promise<KnnResult<T>>;
  /** `gemm` without blocking the event loop; `c` is written when the promise resolves. */
  gemmAsync?<T extends FloatArray>(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: T, lda: number, b: T, ldb: number, beta: number, c: T, ldc: number): Promise<void>;

  /**
   * The block coordinate descent sweeps of the graphical lasso on a d x d covariance S
   * (d ≥ 2) with ℓ1 weight rho: at most maxIter sweeps, each column's lasso at most
   * lassoMaxIter coordinate sweeps; stops when W's mean off-diagonal change falls below tol
   * times S's mean absolute off-diagonal. Both backends give the same bits.
   */
  graphicalLassoSweeps(S: Float64Array, d: number, rho: number, maxIter: number, tol: number, lassoMaxIter: number): GlassoSweeps;

  /**
   * Over pairs (a, b) = (first[t], second[t]) of rows of the N x d float64 points X:
   * out[t] = (Y[a] − Y[b]) · (X[a] − X[b]) for t < out.length. With Y = X M that is
   * (x_a − x_b)ᵀ M (x_a − x_b). Same bits on both backends.
   */
  pairQuadForms(X: Float64Array, Y: Float64Array, N: number, d: number, first: Int32Array, second: Int32Array, out: Float64Array): void;
  /**
   * Z += L X for the Laplacian L of the pair graph with edge weights w (t < w.length): row a
   * gains w_t (X[a] − X[b]), row b loses it. Xᵀ Z is then Σ_t w_t v_t v_tᵀ. Same bits on both backends.
   */
  addPairLaplacian(Z: Float64Array, X: Float64Array, N: number, d: number, first: Int32Array, second: Int32Array, w: Float64Array): void;
  /**
   * Iterations from + 1 .. to of SCML's regularised dual averaging (Shi, Bellet & Sha, AAAI
   * 2014; RDA: Xiao 2010, AdaGrad form) on its mini-batch triplet hinge: each draws `batch`
   * triplets with Random.int(|T|) from the state's xoshiro128** words, adds the δ_t rows of
   * those violating the margin under w, and takes the closed-form RDA step (iteration t = it +
   * 1 uses t β). Throws a RangeError naming the argument for a bad problem or state. Both
   * backends give the same bits, including the generator words after.
   */
  /**
   * `count` distinct unordered pairs of labelled rows by rejection sampling: first point
   * uniform over `known` (the labelled rows), partner uniform among its class or over `known`
   * (same = false: of another class). codes[i] is row i's class (−1: unlabelled); class c's
   * rows are members[memberStart[c] .. memberStart[c + 1]). rng holds the 4 xoshiro128** words
   * of a Random and is advanced in place, so the caller's generator continues the same stream.
   * count must be at most a third of the feasible pairs. Same draws on both backends
   * (js-sample-pairs.ts).
   */
  samplePairs(codes: Int32Array, known: Int32Array, memberStart: Int32Array, members: Int32Array, count: number, same: boolean, rng: Uint32Array): IndexPairs;
  scmlRdaIterations(problem: ScmlRdaProblem, state: ScmlRdaState, from: number, to: number): void;
  /**
   * Σ_t [1 + d(a_t, p_t) − d(a_t, n_t)]₊ over triplets t whose pairs are ids[2t] (anchor,
   * closer) and ids[2t + 1] (anchor, farther), over the distinct pairs (pairA[k], pairB[k]) of
   * rows of the n x d float64 X, with d(a, b) = x_aᵀ M x_a + x_bᵀ M x_b − 2 (x_a M)·x_b given
   * XM = X M (SCML's objective, without the 1/|T| and the ℓ1 term). Same bits on both backends.
   */
  tripletHingeSum(X: Float64Array, XM: Float64Array, n: number, d: number, pairA: Int32Array, pairB: Int32Array, ids: Int32Array): number;
  /**
   * NCA's neighbour softmax over the rows of Z (n x k, float64): p_ij = softmax_{j≠i}(−‖z_i − z_j‖²),
   * weights below exp(−cutoff) of a row's largest dropped, p_i = Σ_{j: y_j = y_i} p_ij. Writes
   * SX = Lap(W) X for W_ij = p_ij ([y_i = y_j] − p_i) and returns Σ_i p_i. Memory is
   * O(n · block), not n². The backends agree to rounding, not to the bit (see js-softmax.ts).
   */
  /**
   * MLKR's leave-one-out Gaussian-kernel regression (js-kernel-regression.ts documents it):
   * writes Lap(W) X to SX and returns Σ_i (ŷ_i − y_i)², W_ij = 2 r_i (ŷ_i − y_j) p_ij.
   */
  kernelRegressionLaplacian(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Float64Array, cutoff: number, SX: Float64Array): number;
  neighbourSoftmaxLaplacian(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Int32Array, cutoff: number, SX: Float64Array): number;
  /**
   * LMNN's impostor search: for each i in `rows`, the rows l of Z (n x k, float64) with
   * y_l ≠ y_i whose squared distance to row i may be below radius2[i] (a superset: the search
   * allows for its own rounding). Candidates whose distance may be below exactBelow[i] carry
   * their exact float64 squared distance (same bits on both backends), the rest Infinity;
   * minOut[r] bounds from below the squared distance of every other-class row left out.
   * Memory is O(block · n), not n².
   */
  impostorCandidates(Z: Float64Array, n: number, k: number, y: Int32Array, rows: Int32Array, radius2: Float64Array, exactBelow: Float64Array): ImpostorCandidates;
  /**
   * LSML's gradient descent on M from P.prior (src/backend/js-lsml.ts): at most maxIter
   * steps, stopping when a step decreases the objective by at most tol · (1 + |f|). The
   * backends agree to rounding.
   */
  lsmlDescent(P: LsmlArrays, maxIter: number, tol: number): LsmlDescent;
  /**
   * ITML's cyclic Bregman projections until the relative change of the duals after a full
   * sweep is below tol, or maxIter sweeps (js-itml.ts). Updates the state in place.
   */
  itmlBregman(problem: ItmlProblem, state: ItmlState, maxIter: number, tol: number): ItmlSweeps;
  /**
   * LFDA's local-scaling affinity over the rows of X (m x d, m ≥ 2): σ_a the distance from
   * row a to its k-th nearest other row (at least 1e-12), A_ab = exp(−‖x_a − x_b‖² / (σ_a σ_b))
   * (a ≠ b), and out = Lap(A) X = diag(A 1) X − A X (m x d), so Xᵀ out is
   * Σ_{a<b} A_ab (x_a − x_b)(x_a − x_b)ᵀ. Returns σ. Memory O(block · m). The backends agree
   * to rounding.
   */
  affinityLaplacian(X: Float64Array, m: number, d: number, k: number, out: Float64Array): Float64Array;

  // ---- decompositions (float64) ----
  /** Symmetric eigendecomposition of an n x n matrix (only the lower triangle is read). */
  eigh(a: Float64Array, n: number): EighResult;
  /** Lower Cholesky factor L with A = L Lᵀ; throws RangeError if A is not positive definite. */
  cholesky(a: Float64Array, n: number): Float64Array;
  /** Thin SVD of an m x n matrix. */
  svd(a: Float64Array, m: number, n: number): SvdResult;
  /** Solves A X = B for a general square A (LU with partial pivoting); B is n x nrhs. Throws on singular A. */
  solve(a: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array;
  /** Solves A X = B for symmetric positive definite A (Cholesky). Throws if A is not SPD. */
  solveSpd(a: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array;
  /** Inverse of a general square matrix. Throws on singular A. */
  inverse(a: Float64Array, n: number): Float64Array;
}

/** Errors a backend throws when a matrix has no decomposition of the asked kind. */
export class LinAlgError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'LinAlgError';
  }
}
