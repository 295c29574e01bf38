/**
 * Cross-batch memory (Wang, Zhang, Huang & Scott, "Cross-Batch Memory for Embedding Learning",
 * CVPR 2020): a FIFO queue of the last `memorySize` embeddings and labels (detached copies) used
 * as the reference set, so each batch is compared with many more negatives than it holds. As in
 * the paper and pytorch-metric-learning the current batch is enqueued first, then the batch is
 * compared with the whole memory (its own copies excluded through Reference.selfIndex); the memory
 * gets no gradient. Give the miner to the memory (option `miner`): a miner run by the trainer on
 * the batch alone cannot see the memory, so tuples passed to compute() are refused.
 */
import { Matrix, describeValue } from '../../matrix.js';
import type { Loss, LossResult, Miner, MinedTuples, Parameter, Reference } from '../types.js';

export interface CrossBatchMemoryOptions {
  loss: Loss;
  /** Number of past embeddings kept (default 1024). */
  memorySize?: number;
  miner?: Miner;
}

export class CrossBatchMemory implements Loss {
  readonly name = 'cross-batch-memory';
  readonly loss: Loss;
  readonly miner?: Miner;
  readonly memorySize: number;
  private mem: Float32Array | null = null;
  private memLabels: Int32Array;
  private dim = -1;
  /** Next write position in the ring. */
  private head = 0;
  private filled = 0;

  constructor(options: CrossBatchMemoryOptions) {
    if (!options || !options.loss || typeof options.loss.compute !== 'function') throw new TypeError('cross-batch-memory: option loss (the loss to wrap) is required');
    if ((options.loss as { acceptsReference?: boolean }).acceptsReference === false) throw new RangeError(`cross-batch-memory: the ${options.loss.name} loss takes no reference set (it compares with its own class weights or proxies), so a memory cannot help it`);
    const size = options.memorySize ?? 1024;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`cross-batch-memory: memorySize must be a positive integer, got ${describeValue(size)}`);
    this.loss = options.loss;
    this.miner = options.miner;
    this.memorySize = size;
    this.memLabels = new Int32Array(size);
  }

  /** Number of embeddings held. */
  get size(): number {
    return this.filled;
  }

  reset(): void {
    this.head = 0;
    this.filled = 0;
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples): LossResult {
    if (tuples) throw new RangeError('cross-batch-memory: mined tuples from the batch cannot index the memory; pass the miner as the memory\'s `miner` option instead of to the trainer');
    const n = embeddings.rows;
    const d = embeddings.cols;
    if (labels.length !== n) throw new RangeError(`cross-batch-memory: labels has ${labels.length} entries but the embeddings have ${n} rows`);
    if (n > this.memorySize) throw new RangeError(`cross-batch-memory: a batch of ${n} does not fit a memory of ${this.memorySize}; memorySize must be at least the batch size`);
    if (this.mem === null || this.dim !== d) {
      this.mem = new Float32Array(this.memorySize * d);
      this.dim = d;
      this.reset();
    }
    const E = embeddings.data instanceof Float32Array ? embeddings.data : Float32Array.from(embeddings.data);
    // Detached copies; the ring is read back in slot order, so selfIndex is the slot.
    const selfIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const slot = this.head;
      this.mem.set(E.subarray(i * d, (i + 1) * d), slot * d);
      this.memLabels[slot] = labels[i];
      selfIndex[i] = slot;
      this.head = (this.head + 1) % this.memorySize;
      this.filled = Math.min(this.filled + 1, this.memorySize);
    }
    const reference: Reference = {
      embeddings: new Matrix(this.filled, d, this.mem.slice(0, this.filled * d)),
      labels: this.memLabels.slice(0, this.filled),
      selfIndex,
    };
    const mined = this.miner ? this.miner.mine(embeddings, labels, reference) : undefined;
    const r = this.loss.compute(embeddings, labels, mined, reference);
    return { loss: r.loss, grad: r.grad, activeTerms: r.activeTerms };
  }

  parameters(): Parameter[] {
    return this.loss.parameters();
  }
}
