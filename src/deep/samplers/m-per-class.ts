/**
 * pytorch-metric-learning's MPerClassSampler (batch_size unset), the sampler of the protocol of
 * record in shared/peers/deep.md: an epoch is a list of `epochSize` row indices built from passes;
 * each pass shuffles the classes and appends `m` samples of every class (distinct when the class
 * has m or more, else with repeats, PML's safe_random_choice). The list is then cut into batches
 * of `batchSize` in order, the last batch keeping the remainder (a DataLoader without drop_last).
 * As in PML, epochSize is rounded down to a whole number of passes (m × number of classes) when
 * it is larger than one pass; a smaller epochSize takes the first epochSize entries of one pass.
 * Batches straddle passes, so a class can appear twice in a batch.
 * Example (digits, 10 classes, m = 8, epochSize 1200, batchSize 128): 15 passes of 80 →
 * 9 batches of 128 and one of 48.
 */
import type { BatchSampler } from '../types.js';
import { drawMembers, epochRandom, groupByLabel, positiveInt } from './common.js';

export interface MPerClassSamplerOptions {
  m: number;
  batchSize: number;
  /** Samples per epoch (PML's length_before_new_iter). Default: the number of rows. */
  epochSize?: number;
  seed?: number;
}

export class MPerClassSampler implements BatchSampler {
  readonly m: number;
  readonly batchSize: number;
  readonly epochSize: number;
  readonly seed: number;
  private readonly members: Int32Array[];

  constructor(labels: ArrayLike<number>, options: MPerClassSamplerOptions) {
    const owner = 'MPerClassSampler';
    this.m = positiveInt(owner, 'm', options?.m);
    this.batchSize = positiveInt(owner, 'batchSize', options.batchSize);
    const { members } = groupByLabel(labels, owner);
    this.members = members;
    const requested = options.epochSize === undefined ? labels.length : positiveInt(owner, 'epochSize', options.epochSize);
    const pass = this.m * members.length;
    this.epochSize = requested > pass ? requested - (requested % pass) : requested;
    this.seed = options.seed ?? 0;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.epochSize / this.batchSize);
  }

  epoch(epochIndex: number): Int32Array[] {
    const rng = epochRandom(this.seed, epochIndex, 'MPerClassSampler');
    const { m, members } = this;
    const pass = m * members.length;
    const list = new Int32Array(Math.ceil(this.epochSize / pass) * pass);
    for (let at = 0; at < list.length; at += pass) {
      const order = rng.permutation(members.length);
      for (let c = 0; c < order.length; c++) drawMembers(rng, members[order[c]], m, list, at + c * m);
    }
    const out: Int32Array[] = [];
    for (let s = 0; s < this.epochSize; s += this.batchSize) out.push(list.slice(s, Math.min(this.epochSize, s + this.batchSize)));
    return out;
  }
}
