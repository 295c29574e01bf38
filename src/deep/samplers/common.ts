import { Random } from '../../random.js';
import { describeValue } from '../../matrix.js';

/**
 * How a sampler's messages name what it was given, for callers whose labels are class codes of
 * other labels (a training run encodes the user's labels as 0..C−1) or a part of the data.
 */
export interface SamplerNaming {
  /** The user's label of each class code: code c is shown as classNames[c]. */
  classNames?: ArrayLike<string | number>;
  /** The data the labels belong to, e.g. "the training part" (messages then say so). */
  part?: string;
}

/** A class code as messages show it: the user's label when known (text quoted), else the code. */
export function classLabel(code: number, naming?: SamplerNaming): string {
  const names = naming?.classNames;
  if (names && Number.isInteger(code) && code >= 0 && code < names.length) {
    const v = names[code];
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  }
  return String(code);
}

/** The generator of one epoch: depends only on (seed, epoch), so epochs can be replayed in any order. */
export function epochRandom(seed: number, epochIndex: number, owner: string): Random {
  if (!Number.isInteger(epochIndex) || epochIndex < 0) throw new RangeError(`${owner}: epochIndex must be a non-negative integer, got ${epochIndex}`);
  return new Random(((seed >>> 0) ^ Math.imul(epochIndex + 1, 0x9e3779b1)) >>> 0);
}

/** Row indices of each class, classes in ascending label order. */
export function groupByLabel(labels: ArrayLike<number>, owner: string): { classes: number[]; members: Int32Array[] } {
  if (!labels || labels.length === 0) throw new RangeError(`${owner}: labels is empty`);
  const map = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c)) throw new RangeError(`${owner}: label at row ${i} is ${c}; labels must be integer class codes`);
    let arr = map.get(c);
    if (!arr) map.set(c, (arr = []));
    arr.push(i);
  }
  const classes = [...map.keys()].sort((a, b) => a - b);
  return { classes, members: classes.map((c) => Int32Array.from(map.get(c)!)) };
}

/** k members of a class: distinct when it has k or more, else all of them plus repeats drawn at random. */
export function drawMembers(rng: Random, members: Int32Array, k: number, out: Int32Array, at: number): void {
  const n = members.length;
  if (n >= k) {
    const pick = rng.sample(n, k);
    for (let i = 0; i < k; i++) out[at + i] = members[pick[i]];
    return;
  }
  const perm = rng.permutation(n);
  for (let i = 0; i < n; i++) out[at + i] = members[perm[i]];
  for (let i = n; i < k; i++) out[at + i] = members[rng.int(n)];
}

export function positiveInt(owner: string, name: string, v: unknown, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${owner}: option ${name} must be a positive integer, got ${describeValue(v)}`);
  if (v > max) throw new RangeError(`${owner}: option ${name} is ${v}, above the limit of ${max}`);
  return v;
}

/**
 * Rows in one batch at most. Far beyond any batch that fits a training step in memory; the
 * point is that a typo (k = 1e9) fails at once instead of filling gigabytes with repeats.
 */
export const MAX_BATCH_ROWS = 1 << 20;
/** Row indices in one epoch at most (an Int32Array of 256 MB). */
export const MAX_EPOCH_ROWS = 1 << 26;
