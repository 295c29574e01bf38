/**
 * Batches for pair data: shuffles the pairs and keeps both rows of each pair in the same batch.
 * Given a number of pairs n, the layout of fromScoredPairs (rows 0..n−1 are the first items,
 * n..2n−1 the second items; a batch is [first items..., second items...]); given `pairRows`
 * (from fromLabeledPairs), the distinct rows of the chosen pairs in order of first appearance.
 * The last batch keeps the remainder. Seeded per epoch.
 */
import { checkSeed } from '../../random.js';
import type { BatchSampler } from '../types.js';
import { epochRandom, positiveInt } from './common.js';

export interface PairBatchSamplerOptions {
  /** Pairs per batch (the batch has twice as many rows). */
  pairsPerBatch: number;
  seed?: number;
}

export class PairBatchSampler implements BatchSampler {
  readonly nPairs: number;
  readonly pairsPerBatch: number;
  readonly seed: number;

  private readonly rows: { a: Int32Array; b: Int32Array } | null;

  constructor(pairs: number | { a: Int32Array; b: Int32Array }, options: PairBatchSamplerOptions) {
    if (typeof pairs === 'number') {
      this.nPairs = positiveInt('PairBatchSampler', 'nPairs', pairs);
      this.rows = null;
    } else {
      if (!pairs || pairs.a.length !== pairs.b.length || pairs.a.length === 0) throw new RangeError('PairBatchSampler: pairRows needs equal-length, non-empty a and b');
      this.nPairs = pairs.a.length;
      this.rows = pairs;
    }
    this.pairsPerBatch = positiveInt('PairBatchSampler', 'pairsPerBatch', options?.pairsPerBatch);
    this.seed = checkSeed(options.seed ?? 0, 'PairBatchSampler: seed');
  }

  epoch(epochIndex: number): Int32Array[] {
    const rng = epochRandom(this.seed, epochIndex, 'PairBatchSampler');
    const order = rng.permutation(this.nPairs);
    const out: Int32Array[] = [];
    for (let s = 0; s < this.nPairs; s += this.pairsPerBatch) {
      const chunk = order.subarray(s, Math.min(this.nPairs, s + this.pairsPerBatch));
      if (this.rows) {
        const seen = new Set<number>();
        for (const k of chunk) {
          seen.add(this.rows.a[k]);
          seen.add(this.rows.b[k]);
        }
        out.push(Int32Array.from(seen));
        continue;
      }
      const b = new Int32Array(2 * chunk.length);
      for (let i = 0; i < chunk.length; i++) {
        b[i] = chunk[i];
        b[chunk.length + i] = this.nPairs + chunk[i];
      }
      out.push(b);
    }
    return out;
  }
}
