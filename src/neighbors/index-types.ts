/**
 * The one interface every search structure implements (exact, LSH, HNSW), so k-NN models,
 * the CLI and the service never care which one they hold.
 */
import type { Matrix, FloatArray } from '../matrix.js';

/** How an index compares vectors. Distances are always "smaller is closer". */
export type IndexMetric = 'sqeuclidean' | 'euclidean' | 'cosine' | 'inner_product';

export interface SearchResult {
  /** One array of ids per query, nearest first. */
  ids: number[][];
  /** Matching distances (for cosine: 1 − cos; for inner_product: −⟨q, x⟩). */
  distances: number[][];
}

export interface Index {
  readonly kind: string;
  readonly metric: IndexMetric;
  readonly dim: number;
  readonly size: number;
  /** Adds vectors; ids default to consecutive integers after the largest id so far. */
  add(vectors: Matrix<FloatArray>, ids?: ArrayLike<number>): void;
  search(queries: Matrix<FloatArray>, k: number): SearchResult;
  remove(ids: ArrayLike<number>): void;
}

/**
 * A learned map applied to every vector before it is stored or searched (duck-typed, so a
 * fitted MahalanobisLearner, a deep head or a preprocessing pipeline all fit).
 */
export interface IndexTransform {
  transform(X: Matrix<FloatArray>): Matrix<FloatArray>;
}

/** Indexes that can be written to a model file (all of simlearn's own do). */
export interface SavableIndex extends Index {
  /** The model-file payload (kind 'index/<name>'); load it back with loadIndex / modelFromPayload. */
  toPayload(): import('../io/model-file.js').ModelPayload;
  /** Writes the index to one model file (atomic). */
  save(path: string): void;
}
