/**
 * Pair margin miner (pytorch-metric-learning's PairMarginMiner): keeps the positive pairs that are
 * not yet close enough and the negative pairs that are still too close — for a distance,
 * d_pos > posMargin and d_neg < negMargin; for a similarity, s_pos < posMargin and
 * s_neg > negMargin (the same margins a contrastive loss uses, so it mines exactly its non-zero terms).
 */
import type { Matrix } from '../../matrix.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, MinedTuples, Miner, Reference } from '../types.js';
import { checkMargin, prepareMiner } from './common.js';

export interface PairMarginMinerOptions {
  posMargin?: number;
  negMargin?: number;
  distance?: string | Distance;
}

export class PairMarginMiner implements Miner {
  readonly name = 'pair-margin';
  readonly posMargin: number;
  readonly negMargin: number;
  readonly distance: Distance;

  constructor(options: PairMarginMinerOptions = {}) {
    this.posMargin = checkMargin(this.name, 'posMargin', options.posMargin, 0.2);
    this.negMargin = checkMargin(this.name, 'negMargin', options.negMargin, 0.8);
    this.distance = resolveDistance(options.distance, 'euclidean', this.name);
  }

  mine(embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinedTuples {
    const { n, m, u, labels: L, refLabels: RL, self } = prepareMiner(this.name, this.distance, embeddings, labels, reference);
    // In u (smaller is closer) both cases read u_pos > posU and u_neg < negU.
    const flip = this.distance.largerIsCloser ? -1 : 1;
    const posU = flip * this.posMargin;
    const negU = flip * this.negMargin;
    const keep = new Int8Array(n * m);
    let nPos = 0;
    let nNeg = 0;
    for (let i = 0; i < n; i++) {
      const row = i * m;
      const si = self ? self[i] : -1;
      for (let j = 0; j < m; j++) {
        if (j === si) continue;
        const v = u[row + j];
        if (RL[j] === L[i]) { if (v > posU) { keep[row + j] = 1; nPos++; } }
        else if (v < negU) { keep[row + j] = -1; nNeg++; }
      }
    }
    const posA = new Int32Array(nPos), posB = new Int32Array(nPos), negA = new Int32Array(nNeg), negB = new Int32Array(nNeg);
    let p = 0;
    let q = 0;
    for (let k = 0; k < keep.length; k++) {
      if (keep[k] === 1) { posA[p] = (k / m) | 0; posB[p++] = k % m; }
      else if (keep[k] === -1) { negA[q] = (k / m) | 0; negB[q++] = k % m; }
    }
    return { kind: 'pairs', posA, posB, negA, negB };
  }
}
