/**
 * P x K batches (Hermans, Beyer & Leibe, "In Defense of the Triplet Loss", 2017): each batch holds
 * P distinct classes with K samples each, so every anchor has K − 1 positives and P·K − K
 * negatives in the batch. Seeded: epoch(i) depends only on (seed, i).
 *
 * What an epoch is (`epoch` option):
 * - 'labels' (default): every class once. Classes are shuffled and cut into groups of P; when the
 *   number of classes is not a multiple of P, the last group is topped up with classes drawn at
 *   random from the others (so every batch has P·K rows). ceil(C / P) batches.
 * - 'samples': about every sample once. ceil(N / (P·K)) batches; each class deals its samples
 *   from a shuffled deck (reshuffled when it runs out), and each batch's P classes are drawn with
 *   probability proportional to the samples they have not dealt yet in this epoch. Every sample
 *   is dealt once before any repeats within its class, but a large class can still have undealt
 *   samples at the end of the epoch when the batch budget is spent (the rule is "approximately").
 *
 * Classes with fewer than K samples (`smallClasses`): 'error' (default) refuses them, 'replace'
 * repeats samples (all of the class's samples, then random repeats), 'skip' leaves them out.
 */
import { Random, checkSeed } from '../../random.js';
import { describeValue } from '../../matrix.js';
import type { BatchSampler } from '../types.js';
import { classLabel, drawMembers, epochRandom, groupByLabel, MAX_BATCH_ROWS, positiveInt, type SamplerNaming } from './common.js';

export interface PxKSamplerOptions {
  p: number;
  k: number;
  seed?: number;
  epoch?: 'labels' | 'samples';
  smallClasses?: 'error' | 'replace' | 'skip';
  /** How messages name the classes and the data (see SamplerNaming). */
  naming?: SamplerNaming;
}

export class PxKSampler implements BatchSampler {
  readonly p: number;
  readonly k: number;
  readonly seed: number;
  readonly mode: 'labels' | 'samples';
  private readonly members: Int32Array[];
  private readonly total: number;

  constructor(labels: ArrayLike<number>, options: PxKSamplerOptions) {
    const owner = 'PxKSampler';
    this.p = positiveInt(owner, 'p', options?.p);
    this.k = positiveInt(owner, 'k', options?.k);
    if (this.p * this.k > MAX_BATCH_ROWS) throw new RangeError(`${owner}: a batch of P x K = ${this.p} x ${this.k} rows is above the limit of ${MAX_BATCH_ROWS}; K is the number of samples per class in a batch (typically 2 to 16)`);
    this.seed = checkSeed(options.seed ?? 0, `${owner}: seed`);
    this.mode = options.epoch ?? 'labels';
    if (this.mode !== 'labels' && this.mode !== 'samples') throw new RangeError(`${owner}: epoch must be 'labels' or 'samples', got ${describeValue(this.mode)}`);
    const small = options.smallClasses ?? 'error';
    if (!['error', 'replace', 'skip'].includes(small)) throw new RangeError(`${owner}: smallClasses must be 'error', 'replace' or 'skip', got ${describeValue(small)}`);
    const { classes, members } = groupByLabel(labels, owner);
    const { p, k } = this;
    const part = options.naming?.part;
    const smallOnes = classes.filter((_, i) => members[i].length < k);
    if (small === 'error' && smallOnes.length > 0) {
      const maxK = Math.min(...members.map((m) => m.length));
      throw new RangeError(`${owner}: ${smallOnes.length} class(es)${part ? ` of ${part}` : ''} have fewer than K = ${k} samples (e.g. label ${classLabel(smallOnes[0], options.naming)} has ${members[classes.indexOf(smallOnes[0])].length}${part ? ' there' : ''}); the maximum K for every class is ${maxK}, or set smallClasses: 'replace' (repeat samples) or 'skip' (leave those classes out)`);
    }
    this.members = small === 'skip' ? members.filter((m) => m.length >= k) : members;
    const C = this.members.length;
    if (p > C) {
      const why = small === 'skip' ? ` with at least K = ${k} samples` : '';
      throw new RangeError(`${owner}: P x K = ${p} x ${k} cannot be met: a batch needs P = ${p} distinct classes but only ${C} class(es)${why} exist${part ? ` in ${part}` : ''}; the maximum P is ${C}`);
    }
    this.total = this.members.reduce((s, m) => s + m.length, 0);
  }

  get batchSize(): number {
    return this.p * this.k;
  }

  get batchesPerEpoch(): number {
    return this.mode === 'labels' ? Math.ceil(this.members.length / this.p) : Math.ceil(this.total / (this.p * this.k));
  }

  epoch(epochIndex: number): Int32Array[] {
    const rng = epochRandom(this.seed, epochIndex, 'PxKSampler');
    return this.mode === 'labels' ? this.byLabels(rng) : this.bySamples(rng);
  }

  private byLabels(rng: Random): Int32Array[] {
    const { p, k, members } = this;
    const C = members.length;
    const order = rng.permutation(C);
    const out: Int32Array[] = [];
    for (let start = 0; start < C; start += p) {
      const group = Array.from(order.subarray(start, Math.min(C, start + p)));
      if (group.length < p) {
        const inGroup = new Set(group);
        const others = Array.from(order).filter((c) => !inGroup.has(c));
        const extra = rng.sample(others.length, p - group.length);
        for (const e of extra) group.push(others[e]);
      }
      const batch = new Int32Array(p * k);
      group.forEach((c, g) => drawMembers(rng, members[c], k, batch, g * k));
      out.push(batch);
    }
    return out;
  }

  private bySamples(rng: Random): Int32Array[] {
    const { p, k, members } = this;
    const C = members.length;
    const decks = members.map((m) => rng.permutation(m.length));
    const dealt = new Int32Array(C);
    const out: Int32Array[] = [];
    const nb = this.batchesPerEpoch;
    const weight = new Float64Array(C);
    for (let b = 0; b < nb; b++) {
      for (let c = 0; c < C; c++) weight[c] = Math.max(0, members[c].length - dealt[c]);
      const chosen: number[] = [];
      for (let s = 0; s < p; s++) {
        let total = 0;
        for (let c = 0; c < C; c++) total += weight[c];
        let pick = -1;
        if (total > 0) {
          let r = rng.next() * total;
          for (let c = 0; c < C; c++) {
            if (weight[c] <= 0) continue;
            pick = c;
            r -= weight[c];
            if (r < 0) break;
          }
        } else {
          const rest = [];
          for (let c = 0; c < C; c++) if (!chosen.includes(c)) rest.push(c);
          pick = rest[rng.int(rest.length)];
        }
        chosen.push(pick);
        weight[pick] = 0;
      }
      const batch = new Int32Array(p * k);
      chosen.forEach((c, g) => {
        const m = members[c];
        if (m.length < k) {
          drawMembers(rng, m, k, batch, g * k);
          dealt[c] += k;
          return;
        }
        for (let i = 0; i < k; i++) {
          const pos = dealt[c] % m.length;
          if (pos === 0 && dealt[c] > 0) decks[c] = rng.permutation(m.length);
          batch[g * k + i] = m[decks[c][pos]];
          dealt[c]++;
        }
      });
      out.push(batch);
    }
    return out;
  }
}
