/**
 * SimHashIndex: random-hyperplane LSH for cosine distance (Charikar, "Similarity estimation
 * techniques from rounding algorithms", STOC 2002). Each table key is the K sign bits of
 * K Gaussian projections of the unit-normalised vector; two vectors at angle θ agree on one
 * bit with probability 1 − θ/π. Multi-probe (Lv et al. 2007) flips the bits whose
 * projections are closest to zero, in order of the summed squared margins.
 * Candidates are re-ranked exactly; distances are 1 − cos.
 */
import type { Matrix } from '../../matrix.js';
import type { Random } from '../../random.js';
import type { ModelPayload } from '../../io/model-file.js';
import { VectorLshIndex, calibrationPairs, pendingOptions, plannedRecall, type VectorLshOptions } from './vector-lsh.js';
import { planLsh, simhashCollision, summarize } from './collision.js';
import { perturbationSets } from './probe.js';
import { transformFromPayload } from '../transform-io.js';

function dotRows(x: Matrix<Float32Array>, a: number, b: number): number {
  const d = x.cols;
  let s = 0;
  for (let j = 0; j < d; j++) s += x.data[a * d + j] * x.data[b * d + j];
  return s;
}

export class SimHashIndex extends VectorLshIndex {
  readonly kind = 'simhash';

  constructor(options: VectorLshOptions = {}) {
    super('cosine', options);
    if (options.hashLength !== undefined && options.hashLength > 30) throw new RangeError(`SimHashIndex: hashLength must be at most 30 bits per table, got ${options.hashLength}`);
  }

  protected configure(first: Matrix<Float32Array>, rng: Random): void {
    const o = this.options;
    if (!this.autoTune) {
      this.K = o.hashLength as number;
      this.L = o.tables as number;
      this.probes = o.probes ?? 0;
      return;
    }
    // rows are unit vectors here, so the dot product is the cosine similarity
    const { near, random } = calibrationPairs(first, o.calibrationK ?? 10, rng);
    const nearS = summarize(near.map(([a, b]) => dotRows(first, a, b)), 'descending', 0, 64);
    const bgS = summarize(random.map(([a, b]) => dotRows(first, a, b)), 'descending', 0.02, 64);
    const plan = planLsh({
      near: nearS.values.map(simhashCollision),
      nearWeights: nearS.weights,
      background: bgS.values.map(simhashCollision),
      backgroundWeights: bgS.weights,
      n: first.rows,
      d: first.cols,
      targetRecall: plannedRecall(o.targetRecall ?? 0.9),
      perturbationsOf: (K) => K,
      kRange: o.hashLength !== undefined ? [o.hashLength, o.hashLength] : [4, 24],
      maxTables: o.tables ?? o.maxTables ?? 64,
      probeChoices: o.probes !== undefined ? [o.probes] : [0, 2, 4, 8, 16],
    });
    // explicit settings always win; the plan fills in the rest
    this.K = o.hashLength ?? plan.K;
    this.L = o.tables ?? plan.L;
    this.probes = o.probes ?? plan.probes;
    this.plan = plan;
  }

  protected drawHashes(rng: Random, dim: number): void {
    this.projections = new Float32Array(this.L * this.K * dim);
    for (let i = 0; i < this.projections.length; i++) this.projections[i] = rng.normal();
  }

  protected homeKeys(proj: Float32Array, offset: number, out: Uint32Array): void {
    const K = this.K;
    for (let t = 0; t < this.L; t++) {
      let key = 0;
      const o = offset + t * K;
      // branch-free: the signs are random, so a branch per bit would mispredict half the time
      for (let j = 0; j < K; j++) key |= +(proj[o + j] > 0) << j;
      out[t] = key >>> 0;
    }
  }

  protected probeKeys(proj: Float32Array, offset: number, table: number, out: number[]): void {
    const K = this.K;
    const o = offset + table * K;
    const home = out[0];
    const order = Array.from({ length: K }, (_, j) => j);
    order.sort((a, b) => Math.abs(proj[o + a]) - Math.abs(proj[o + b]));
    const scores = order.map((j) => proj[o + j] * proj[o + j]);
    for (const set of perturbationSets(scores, this.probes)) {
      let key = home;
      for (const pos of set) key ^= 1 << order[pos];
      out.push(key >>> 0);
    }
  }

  protected familyState(): { meta: Record<string, unknown>; arrays: ModelPayload['arrays'] } {
    return { meta: {}, arrays: {} };
  }

  protected restoreFamily(): void {}

  static fromPayload(p: ModelPayload): SimHashIndex {
    if (p.kind !== 'index/simhash') throw new Error(`SimHashIndex.fromPayload: expected kind index/simhash, got ${p.kind}`);
    const settings: VectorLshOptions = pendingOptions(p) ?? { hashLength: p.meta.K as number, tables: p.meta.L as number, probes: p.meta.probes as number };
    const idx = new SimHashIndex({ ...settings, seed: p.meta.seed as number, transform: transformFromPayload(p) });
    idx.restore(p);
    return idx;
  }
}
