/**
 * Pairs (x_a, x_b) given as indices into one point set, and the two products the weakly
 * supervised learners take of their differences v = x_a − x_b, computed from the N points
 * instead of from the n x d matrix of differences:
 * - v_tᵀ M v_t for every pair: Y = X M once (one N x d x d GEMM), then (y_a − y_b)·(x_a − x_b);
 * - Σ_t w_t v_t v_tᵀ = Xᵀ L X with L the weighted Laplacian of the pair graph: L X is summed
 *   pair by pair in O(n d), then one GEMM Xᵀ (L X) (scatter.ts: pairScatter, laplacianGram).
 * With more pairs than points (metric-learn's defaults draw 20·K² pairs or quadruplets, 2000
 * to 4000 on 10 classes, from ~1400 points) that is fewer flops and no n x d temporaries.
 * The points are centred first: L X sums to zero over the rows, so in Xᵀ (L X) a common offset
 * of the points would cancel, in floating point at the cost of digits.
 */
import { getBackend } from '../backend/index.js';

export interface IndexedPairs {
  /** N x d centred points, shared by every pair set made from them. */
  X: Float64Array;
  N: number;
  d: number;
  /** Row indices of the pairs' two members. */
  first: Int32Array;
  second: Int32Array;
}

/** The points minus their column means (row-major N x d, a copy). */
export function centredPoints(points: Float64Array, N: number, d: number): Float64Array {
  const X = new Float64Array(N * d);
  if (N > 0) getBackend().centreColumns(points, N, d, X);
  return X;
}

/** Members i and j of every tuple of `indices` (stride `arity`) as a pair set over X. */
export function indexedPairs(X: Float64Array, N: number, d: number, indices: Int32Array, arity: number, i: number, j: number): IndexedPairs {
  const n = indices.length / arity;
  const first = new Int32Array(n), second = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    first[t] = indices[t * arity + i];
    second[t] = indices[t * arity + j];
  }
  return { X, N, d, first, second };
}

/** Y = X M for the pair sets' points (N x d times d x d). */
export function pointsTimes(X: Float64Array, N: number, d: number, M: Float64Array, out?: Float64Array): Float64Array {
  const Y = out ?? new Float64Array(N * d);
  getBackend().gemm(false, false, N, d, d, 1, X, d, M, d, 0, Y, d);
  return Y;
}

/** v_tᵀ M v_t for every pair, given Y = X M (pointsTimes). */
export function pairQuadForms(p: IndexedPairs, Y: Float64Array, out?: Float64Array): Float64Array {
  const q = out ?? new Float64Array(p.first.length);
  getBackend().pairQuadForms(p.X, Y, p.N, p.d, p.first, p.second, q);
  return q;
}

/** Z += L_w X: row a gains w_t (x_a − x_b), row b loses it, for every pair t with w_t ≠ 0. */
export function addPairLaplacian(Z: Float64Array, p: IndexedPairs, w: Float64Array): void {
  getBackend().addPairLaplacian(Z, p.X, p.N, p.d, p.first, p.second, w);
}
