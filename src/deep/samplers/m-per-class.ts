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
import { checkSeed } from '../../random.js';
import type { BatchSampler } from '../types.js';
import { drawMembers, epochRandom, groupByLabel, MAX_BATCH_ROWS, MAX_EPOCH_ROWS, positiveInt, type SamplerNaming } from './common.js';

export interface MPerClassSamplerOptions {
  m: number;
  batchSize: number;
  /** Samples per epoch (PML's length_before_new_iter). Default: the number of rows. */
  epochSize?: number;
  seed?: number;
  /** How messages name the data (see SamplerNaming). */
  naming?: SamplerNaming;
}

export class MPerClassSampler implements BatchSampler {
  readonly m: number;
  readonly batchSize: number;
  readonly epochSize: number;
  readonly seed: number;
  /** Settings that were clipped to what the labels allow (the trainer's caller reports them). */
  readonly warnings: string[] = [];
  private readonly members: Int32Array[];

  constructor(labels: ArrayLike<number>, options: MPerClassSamplerOptions) {
    const owner = 'MPerClassSampler';
    this.m = positiveInt(owner, 'm', options?.m, MAX_BATCH_ROWS);
    this.batchSize = positiveInt(owner, 'batchSize', options.batchSize, MAX_BATCH_ROWS);
    const { members } = groupByLabel(labels, owner);
    this.members = members;
    const requested = options.epochSize === undefined ? labels.length : positiveInt(owner, 'epochSize', options.epochSize, MAX_EPOCH_ROWS);
    const pass = this.m * members.length;
    // An epoch is built from whole passes, so one pass must fit the epoch limit too.
    if (pass > MAX_EPOCH_ROWS) throw new RangeError(`${owner}: one pass (m = ${this.m} samples x ${members.length} classes = ${pass}) is above the limit of ${MAX_EPOCH_ROWS} rows per epoch; lower m`);
    this.epochSize = requested > pass ? requested - (requested % pass) : requested;
    // Settings that still give batches, but not the ones asked for: the run goes on, the user is told.
    const largest = Math.max(...members.map((c) => c.length));
    const part = options.naming?.part;
    if (this.m > largest) this.warnings.push(`m = ${this.m} but the largest class has ${largest} samples${part ? ` in ${part}` : ''}, so every class repeats samples to make up its ${this.m}; use m ≤ ${largest} for distinct samples`);
    if (pass > this.epochSize) this.warnings.push(`one pass (m = ${this.m} samples x ${members.length} classes = ${pass}) is longer than the epoch (${this.epochSize} samples), so each epoch sees only some of the classes; lower m or raise epochSize to at least ${pass}`);
    if (this.batchSize > this.epochSize) this.warnings.push(`batchSize ${this.batchSize} is larger than the epoch (${this.epochSize} samples), so each epoch is one batch of ${this.epochSize}`);
    this.seed = checkSeed(options.seed ?? 0, `${owner}: seed`);
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
