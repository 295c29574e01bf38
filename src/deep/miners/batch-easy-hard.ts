/**
 * One triplet per anchor, chosen by strategy: the positive is the hardest (farthest) or the
 * easiest (closest) one, the negative the hardest (closest), the easiest (farthest), or the
 * semihard one (closest among those farther than the chosen positive).
 * - positives 'easy', negatives 'hard' (default here): Xuan, Stylianou, Liu & Pless, "Improved
 *   Embeddings with Easy Positive Triplet Mining", WACV 2020 (pytorch-metric-learning's
 *   BatchEasyHardMiner defaults to semihard negatives; pass negatives: 'semihard' for that).
 * - positives 'hard', negatives 'hard': batch-hard mining (Hermans, Beyer & Leibe, "In Defense of
 *   the Triplet Loss for Person Re-Identification", 2017) — the BatchHardMiner.
 * Anchors without a positive or a qualifying negative yield no triplet. Ties keep the lower index.
 */
import { describeValue, type Matrix } from '../../matrix.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, MinedTuples, Miner, Reference } from '../types.js';
import { prepareMiner } from './common.js';

export type PositiveStrategy = 'easy' | 'hard';
export type NegativeStrategy = 'easy' | 'hard' | 'semihard';

export interface BatchEasyHardMinerOptions {
  positives?: PositiveStrategy;
  negatives?: NegativeStrategy;
  distance?: string | Distance;
}

export class BatchEasyHardMiner implements Miner {
  readonly name: string = 'batch-easy-hard';
  readonly positives: PositiveStrategy;
  readonly negatives: NegativeStrategy;
  readonly distance: Distance;

  constructor(options: BatchEasyHardMinerOptions = {}) {
    this.positives = options.positives ?? 'easy';
    this.negatives = options.negatives ?? 'hard';
    if (this.positives !== 'easy' && this.positives !== 'hard') throw new RangeError(`batch-easy-hard: positives must be 'easy' or 'hard', got ${describeValue(this.positives)}`);
    if (!['easy', 'hard', 'semihard'].includes(this.negatives)) throw new RangeError(`batch-easy-hard: negatives must be 'easy', 'hard' or 'semihard', got ${describeValue(this.negatives)}`);
    this.distance = resolveDistance(options.distance, 'euclidean', this.name);
  }

  mine(embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinedTuples {
    const { n, m, u, labels: L, refLabels: RL, self } = prepareMiner(this.name, this.distance, embeddings, labels, reference);
    const anchors = new Int32Array(n);
    const positives = new Int32Array(n);
    const negatives = new Int32Array(n);
    const easyPos = this.positives === 'easy';
    const negMode = this.negatives;
    let t = 0;
    for (let i = 0; i < n; i++) {
      const row = i * m;
      const si = self ? self[i] : -1;
      const li = L[i];
      let p = -1;
      let up = 0;
      for (let j = 0; j < m; j++) {
        if (j === si || RL[j] !== li) continue;
        const v = u[row + j];
        if (p < 0 || (easyPos ? v < up : v > up)) { p = j; up = v; }
      }
      if (p < 0) continue;
      let q = -1;
      let uq = 0;
      for (let j = 0; j < m; j++) {
        if (RL[j] === li) continue;
        const v = u[row + j];
        if (negMode === 'easy') {
          if (q < 0 || v > uq) { q = j; uq = v; }
        } else if (negMode === 'hard' || v > up) {
          if (q < 0 || v < uq) { q = j; uq = v; }
        }
      }
      if (q < 0) continue;
      anchors[t] = i;
      positives[t] = p;
      negatives[t++] = q;
    }
    return { kind: 'triplets', anchors: anchors.slice(0, t), positives: positives.slice(0, t), negatives: negatives.slice(0, t) };
  }
}

/** Hardest positive and hardest negative per anchor (Hermans et al. 2017). */
export class BatchHardMiner extends BatchEasyHardMiner {
  override readonly name: string = 'batch-hard';
  constructor(options: { distance?: string | Distance } = {}) {
    super({ positives: 'hard', negatives: 'hard', distance: options.distance });
  }
}
