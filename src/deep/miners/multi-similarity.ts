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
  private buf = new Int32Array(0);

  constructor(options: MultiSimilarityMinerOptions = {}) {
    this.epsilon = checkMargin(this.name, 'epsilon', options.epsilon, 0.1);
    this.distance = resolveDistance(options.distance, 'cosine', this.name);
  }

  mine(embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinedTuples {
    const { n, m, u, labels: L, refLabels: RL, self } = prepareMiner(this.name, this.distance, embeddings, labels, reference);
    const eps = this.epsilon;
    // Kept pairs collect in reused buffers (one row's worth of work each: its extremes, then its
    // kept pairs, in column order), and leave as exact-size copies.
    const cap = n * m;
    let buf = this.buf;
    if (buf.length < 4 * cap) {
      buf = new Int32Array(4 * cap);
      if (cap <= 1 << 18) this.buf = buf; // a huge reference set's buffer is not kept alive
    }
    const pA = buf.subarray(0, cap), pB = buf.subarray(cap, 2 * cap);
    const nA = buf.subarray(2 * cap, 3 * cap), nB = buf.subarray(3 * cap, 4 * cap);
    let p = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      const row = i * m;
      const si = self ? self[i] : -1;
      const li = L[i];
      let maxPos = -Infinity;
      let minNeg = Infinity;
      for (let j = 0; j < m; j++) {
        if (j === si) continue;
        const v = u[row + j];
        if (RL[j] === li) { if (v > maxPos) maxPos = v; }
        else if (v < minNeg) minNeg = v;
      }
      for (let j = 0; j < m; j++) {
        if (j === si) continue;
        const v = u[row + j];
        if (RL[j] === li) {
          if (v + eps > minNeg) { pA[p] = i; pB[p++] = j; }
        } else if (v - eps < maxPos) { nA[q] = i; nB[q++] = j; }
      }
    }
    const posA = pA.slice(0, p), posB = pB.slice(0, p), negA = nA.slice(0, q), negB = nB.slice(0, q);
    return { kind: 'pairs', posA, posB, negA, negB };
  }
}
