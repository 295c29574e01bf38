/**
 * The small interfaces that let any miner work with any loss and any loss with any distance
 * (pytorch-metric-learning's composition), and let the trainer drive them without knowing which.
 *
 * Embeddings are float32, row-major n x d. Losses compute their own gradient with respect to
 * the embeddings (checked by finite differences in the tests); the head's autodiff graph takes
 * it from there. That keeps the loss library independent of the autodiff engine.
 */
import type { Matrix } from '../matrix.js';

/** A trainable array and its gradient buffer (same length), updated in place by optimisers. */
export interface Parameter {
  name: string;
  value: Float32Array;
  grad: Float32Array;
  /** Shape for saving; product equals value.length. */
  shape: number[];
  /** Excluded from weight decay (biases, norms). */
  noDecay?: boolean;
  /**
   * This parameter's learning rate as a multiple of the optimiser's (default 1): a loss's own
   * parameters (class weights, proxies) often want a larger one, as in pytorch-metric-learning's
   * separate loss optimiser. Schedules scale both alike.
   */
  lrScale?: number;
}

/**
 * A distance (or similarity) between embeddings. "Larger is closer" is declared once here
 * (cosine, dot product) and every loss and miner reads it instead of assuming.
 */
export interface Distance {
  readonly name: 'euclidean' | 'sqeuclidean' | 'cosine' | 'dot';
  readonly largerIsCloser: boolean;
  /** na x nb matrix of distances (or similarities) between rows of a (na x d) and b (nb x d). */
  pairwise(a: Float32Array, na: number, b: Float32Array, nb: number, d: number): Float32Array;
  /**
   * Back-propagates dL/dMatrix (na x nb) to dL/da and dL/db, accumulating into ga and gb
   * (which may be the same buffer when a and b are the same array).
   */
  backward(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, gradMatrix: Float32Array, ga: Float32Array, gb: Float32Array): void;
}

/** Index tuples into the batch (and, for cross-batch memory, into a reference set). */
export type MinedTuples =
  | { kind: 'triplets'; anchors: Int32Array; positives: Int32Array; negatives: Int32Array }
  | { kind: 'pairs'; posA: Int32Array; posB: Int32Array; negA: Int32Array; negB: Int32Array };

/** Optional reference set (cross-batch memory, or (query, positive) in-batch negatives). */
export interface Reference {
  embeddings: Matrix<Float32Array>;
  labels: Int32Array;
  /**
   * For each batch row, its own position in the reference set, or -1 (optional). Miners and
   * losses never pair a row with itself: without a reference that is i == j; with one (e.g.
   * cross-batch memory, which holds the current batch too) they read it from here.
   */
  selfIndex?: Int32Array;
}

export interface Miner {
  readonly name: string;
  mine(embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinedTuples;
}

export interface LossResult {
  loss: number;
  /** dLoss/dEmbeddings, same shape as the embeddings. */
  grad: Float32Array;
  /** dLoss/dReference.embeddings when a reference set took part and needs a gradient. */
  referenceGrad?: Float32Array;
  /** Number of tuples/terms that contributed a non-zero loss (for logging and reducers). */
  activeTerms?: number;
}

export interface Loss {
  readonly name: string;
  /**
   * Loss and gradient for a batch. Tuple-based losses use `tuples` when given (from a miner),
   * else all valid tuples of the batch.
   */
  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult;
  /** Trainable parameters of the loss itself (proxies, class weights); empty for most losses. */
  parameters(): Parameter[];
}

/** A batch of row indices into the training set. */
export interface BatchSampler {
  /** The batches of one epoch, as row indices; a new order for each epoch (seeded). */
  epoch(epochIndex: number): Int32Array[];
  /** Notes on settings the sampler had to clip to the data (it still produces batches). */
  readonly warnings?: readonly string[];
}
