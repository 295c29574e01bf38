/**
 * Multi-similarity miner (Wang et al., "Multi-Similarity Loss with General Pair Weighting",
 * CVPR 2019, the pair-mining step). Per anchor, with u = distance (or −similarity):
 * a negative pair is kept when u_an − ε < max_p u_ap (closer than the farthest positive, up to ε);
 * a positive pair is kept when u_ap + ε > min_n u_an (farther than the closest negative, up to ε).
 * For a similarity that is the paper's S_an + ε > min S_ap and S_ap − ε < max S_an.
 */
import type { Matrix } from '../../matrix.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, MinedTuples, Miner, Reference } from '../types.js';
import { checkMargin, prepareMiner } from './common.js';

export interface MultiSimilarityMinerOptions {
  epsilon?: number;
  distance?: string | Distance;
}

export class MultiSimilarityMiner implements Miner {
  readonly name = 'multi-similarity';
  readonly epsilon: number;
  readonly distance: Distance;

  constructor(options: MultiSimilarityMinerOptions = {}) {
    this.epsilon = checkMargin(this.name, 'epsilon', options.epsilon, 0.1);
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
  }

  mine(embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinedTuples {
    const { n, m, u, labels: L, refLabels: RL, self } = prepareMiner(this.name, this.distance, embeddings, labels, reference);
    const eps = this.epsilon;
    const maxPos = new Float64Array(n).fill(-Infinity);
    const minNeg = new Float64Array(n).fill(Infinity);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      const si = self ? self[i] : -1;
      for (let j = 0; j < m; j++) {
        if (j === si) continue;
        const v = u[row + j];
        if (RL[j] === L[i]) { if (v > maxPos[i]) maxPos[i] = v; }
        else if (v < minNeg[i]) minNeg[i] = v;
      }
    }
    let nPos = 0;
    let nNeg = 0;
    const keep = new Int8Array(n * m); // 1 positive kept, −1 negative kept
    for (let i = 0; i < n; i++) {
      const row = i * m;
      const si = self ? self[i] : -1;
      for (let j = 0; j < m; j++) {
        if (j === si) continue;
        const v = u[row + j];
        if (RL[j] === L[i]) {
          if (v + eps > minNeg[i]) { keep[row + j] = 1; nPos++; }
        } else if (v - eps < maxPos[i]) { keep[row + j] = -1; nNeg++; }
      }
    }
    const posA = new Int32Array(nPos), posB = new Int32Array(nPos), negA = new Int32Array(nNeg), negB = new Int32Array(nNeg);
    let p = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const k = keep[i * m + j];
        if (k === 1) { posA[p] = i; posB[p++] = j; }
        else if (k === -1) { negA[q] = i; negB[q++] = j; }
      }
    }
    return { kind: 'pairs', posA, posB, negA, negB };
  }
}
