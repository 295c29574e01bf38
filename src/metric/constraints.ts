/**
 * Weak supervision from (partial) labels: the pairs, triplets, quadruplets and chunks the
 * weakly supervised learners consume, built from class labels the way metric-learn's
 * `Constraints` does, but with the feasible maximum checked up front so an impossible request
 * is an error naming the limit instead of a silently shorter list.
 *
 * Partial labels: a label of `null`, `undefined`, a negative number (also written as text,
 * "-1") or NaN means "unknown"; such points never enter a constraint. Known labels are compared
 * by their text, as everywhere in simlearn: 1 and "1" are one class.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { getBackend } from '../backend/index.js';

export type PartialLabel = number | string | null | undefined;

/** Whether a partial label means "unknown" (see the file comment). */
export function isUnknownLabel(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v) || v < 0;
  // Text "-1" is unknown as -1 is, since labels are compared by their text.
  return typeof v === 'string' && v.trim() !== '' && Number(v) < 0;
}

export interface PairSet {
  /** Row indices of the first and second point of each pair. */
  a: Int32Array;
  b: Int32Array;
}

export interface PositiveNegativePairs {
  positive: PairSet;
  negative: PairSet;
}

export interface PairOptions {
  /** Truncate both lists to the shorter one's length (as LSML needs, to zip them). */
  sameLength?: boolean;
  seed?: number | Random;
}

export class Constraints {
  /** Class code per point, −1 where unknown. */
  readonly codes: Int32Array;
  readonly nClasses: number;
  /** Point indices of each class. */
  private readonly members: Int32Array[];
  private readonly memberStart: Int32Array;
  private readonly memberRows: Int32Array;

  constructor(partialLabels: ArrayLike<PartialLabel>) {
    const map = new Map<string, number>();
    const codes = new Int32Array(partialLabels.length);
    const lists: number[][] = [];
    for (let i = 0; i < partialLabels.length; i++) {
      const v = partialLabels[i];
      if (isUnknownLabel(v)) {
        codes[i] = -1;
        continue;
      }
      const key = String(v);
      let c = map.get(key);
      if (c === undefined) {
        c = lists.length;
        map.set(key, c);
        lists.push([]);
      }
      codes[i] = c;
      lists[c].push(i);
    }
    this.codes = codes;
    this.nClasses = lists.length;
    // One flat array of every class's rows (CSR, for the backend's sampler), viewed per class.
    this.memberStart = new Int32Array(lists.length + 1);
    for (let c = 0; c < lists.length; c++) this.memberStart[c + 1] = this.memberStart[c] + lists[c].length;
    this.memberRows = new Int32Array(this.memberStart[lists.length]);
    lists.forEach((l, c) => this.memberRows.set(l, this.memberStart[c]));
    this.members = lists.map((_, c) => this.memberRows.subarray(this.memberStart[c], this.memberStart[c + 1]));
  }

  get nKnown(): number {
    let s = 0;
    for (const m of this.members) s += m.length;
    return s;
  }

  /** Distinct unordered same-class pairs: Σ_c n_c (n_c − 1) / 2. */
  maxPositivePairs(): number {
    let s = 0;
    for (const m of this.members) s += (m.length * (m.length - 1)) / 2;
    return s;
  }

  /** Distinct unordered different-class pairs: (N² − Σ_c n_c²) / 2 over known points. */
  maxNegativePairs(): number {
    const n = this.nKnown;
    let sq = 0;
    for (const m of this.members) sq += m.length * m.length;
    return (n * n - sq) / 2;
  }

  /**
   * `numConstraints` distinct same-class pairs and as many distinct different-class pairs,
   * drawn uniformly without replacement. Throws when the labels cannot supply that many.
   */
  positiveNegativePairs(numConstraints: number, options: PairOptions = {}): PositiveNegativePairs {
    if (!Number.isInteger(numConstraints) || numConstraints < 1) throw new RangeError(`positiveNegativePairs: numConstraints must be a positive integer, got ${numConstraints}`);
    const rng = toRandom(options.seed);
    const maxPos = this.maxPositivePairs();
    const maxNeg = this.maxNegativePairs();
    if (options.sameLength) {
      const feasible = Math.min(maxPos, maxNeg);
      if (numConstraints > feasible) throw new RangeError(`positiveNegativePairs: asked for ${numConstraints} positive and negative pairs of the same length, but the labels give at most ${maxPos} distinct same-class and ${maxNeg} distinct different-class pairs; use numConstraints <= ${feasible}`);
    } else {
      if (numConstraints > maxPos) throw new RangeError(`positiveNegativePairs: asked for ${numConstraints} positive pairs but the labels give at most ${maxPos} distinct same-class pairs; use numConstraints <= ${maxPos} (or label more points)`);
      if (numConstraints > maxNeg) throw new RangeError(`positiveNegativePairs: asked for ${numConstraints} negative pairs but the labels give at most ${maxNeg} distinct different-class pairs; use numConstraints <= ${maxNeg}`);
    }
    return { positive: this.samplePairs(numConstraints, true, maxPos, rng), negative: this.samplePairs(numConstraints, false, maxNeg, rng) };
  }

  private samplePairs(count: number, same: boolean, max: number, rng: Random): PairSet {
    const n = this.codes.length;
    const a = new Int32Array(count), b = new Int32Array(count);
    if (count * 3 > max) {
      // Dense request: enumerate every eligible pair, then draw without replacement.
      const all: number[] = [];
      for (let i = 0; i < n; i++) {
        const ci = this.codes[i];
        if (ci < 0) continue;
        for (let j = i + 1; j < n; j++) {
          const cj = this.codes[j];
          if (cj < 0 || (ci === cj) !== same) continue;
          all.push(i * n + j);
        }
      }
      const pick = rng.sample(all.length, count);
      for (let t = 0; t < count; t++) {
        const key = all[pick[t]];
        a[t] = Math.floor(key / n);
        b[t] = key % n;
      }
      return { a, b };
    }
    // Sparse request: rejection sampling (a drawn pair is new with probability ≥ 2/3), in
    // the backend, which continues rng's stream and hands it back.
    const words = rng.state();
    const pairs = getBackend().samplePairs(this.codes, this.knownIndices(), this.memberStart, this.memberRows, count, same, words);
    rng.setState(words);
    return pairs;
  }

  private knownIndices(): Int32Array {
    const out = new Int32Array(this.nKnown);
    let k = 0;
    for (let i = 0; i < this.codes.length; i++) if (this.codes[i] >= 0) out[k++] = i;
    return out;
  }

  /**
   * Pairs with ±1 labels (positives first), the input form of ITML, MMC and SDML:
   * indices is nPairs x 2 row-major.
   */
  labelledPairs(numConstraints: number, options: PairOptions = {}): { indices: Int32Array; y: Int8Array } {
    const { positive, negative } = this.positiveNegativePairs(numConstraints, options);
    const np = positive.a.length, nn = negative.a.length;
    const indices = new Int32Array(2 * (np + nn));
    const y = new Int8Array(np + nn);
    for (let t = 0; t < np; t++) {
      indices[2 * t] = positive.a[t];
      indices[2 * t + 1] = positive.b[t];
      y[t] = 1;
    }
    for (let t = 0; t < nn; t++) {
      indices[2 * (np + t)] = negative.a[t];
      indices[2 * (np + t) + 1] = negative.b[t];
      y[np + t] = -1;
    }
    return { indices, y };
  }

  /**
   * Quadruplets (a, b, c, d) meaning d(a, b) < d(c, d): a same-class pair zipped with a
   * different-class pair (metric-learn's LSML_Supervised construction). nQuads x 4 row-major.
   */
  quadruplets(numConstraints: number, options: Omit<PairOptions, 'sameLength'> = {}): Int32Array {
    const { positive, negative } = this.positiveNegativePairs(numConstraints, { ...options, sameLength: true });
    const out = new Int32Array(4 * numConstraints);
    for (let t = 0; t < numConstraints; t++) {
      out[4 * t] = positive.a[t];
      out[4 * t + 1] = positive.b[t];
      out[4 * t + 2] = negative.a[t];
      out[4 * t + 3] = negative.b[t];
    }
    return out;
  }

  /**
   * Chunks (RCA's "chunklets"): `numChunks` disjoint groups of `chunkSize` same-class points.
   * Returns the chunk id of each point, −1 for points in no chunk. Classes are picked at
   * random among those that still have `chunkSize` unused points.
   */
  chunks(numChunks = 100, chunkSize = 2, seed?: number | Random): Int32Array {
    if (!Number.isInteger(numChunks) || numChunks < 1) throw new RangeError(`chunks: numChunks must be a positive integer, got ${numChunks}`);
    if (!Number.isInteger(chunkSize) || chunkSize < 2) throw new RangeError(`chunks: chunkSize must be an integer >= 2, got ${chunkSize}`);
    let max = 0;
    for (const m of this.members) max += Math.floor(m.length / chunkSize);
    if (numChunks > max) throw new RangeError(`chunks: asked for ${numChunks} chunks of ${chunkSize} same-class points, but the labels allow at most ${max}; use numChunks <= ${max} or a smaller chunkSize`);
    const rng = toRandom(seed);
    const pools = this.members.map((m) => Array.from(rng.shuffle(Int32Array.from(m)) as Int32Array));
    const out = new Int32Array(this.codes.length).fill(-1);
    const open: number[] = [];
    for (let c = 0; c < pools.length; c++) if (pools[c].length >= chunkSize) open.push(c);
    for (let id = 0; id < numChunks; id++) {
      const o = rng.int(open.length);
      const pool = pools[open[o]];
      for (let s = 0; s < chunkSize; s++) out[pool.pop() as number] = id;
      if (pool.length < chunkSize) open.splice(o, 1);
    }
    return out;
  }

  /**
   * k-NN triplets (anchor, genuine, impostor): for each labelled point, its `kGenuine` nearest
   * same-class points and its `kImpostor` nearest other-class points (squared Euclidean in X),
   * all combinations: nKnown · kGenuine · kImpostor triplets, nTriplets x 3 row-major.
   */
  knnTriplets(X: Matrix<FloatArray> | number[][], kGenuine = 3, kImpostor = 10): Int32Array {
    const x = asMatrix(X, 'X').toFloat64();
    if (x.rows !== this.codes.length) throw new RangeError(`knnTriplets: X has ${x.rows} rows but there are ${this.codes.length} labels`);
    if (!Number.isInteger(kGenuine) || kGenuine < 1) throw new RangeError(`knnTriplets: kGenuine must be a positive integer, got ${kGenuine}`);
    if (!Number.isInteger(kImpostor) || kImpostor < 1) throw new RangeError(`knnTriplets: kImpostor must be a positive integer, got ${kImpostor}`);
    let smallest = Infinity, largest = 0;
    for (const m of this.members) {
      smallest = Math.min(smallest, m.length);
      largest = Math.max(largest, m.length);
    }
    if (this.nClasses < 2) throw new RangeError(`knnTriplets: the labels have ${this.nClasses} class(es); triplets need at least 2`);
    if (kGenuine > smallest - 1) {
      // A class of one point has no same-class neighbour at all: no kGenuine helps there.
      const fix = smallest >= 2 ? `use kGenuine <= ${smallest - 1}` : 'a class with a single point has no same-class neighbour at any kGenuine; drop or merge it, or add points';
      throw new RangeError(`knnTriplets: kGenuine = ${kGenuine} but the smallest class has ${smallest} point${smallest === 1 ? '' : 's'}, so ${smallest === 1 ? 'no' : `at most ${smallest - 1}`} same-class neighbour${smallest === 2 ? '' : 's'} exist${smallest === 2 ? 's' : ''}; ${fix}`);
    }
    const maxImp = this.nKnown - largest;
    if (kImpostor > maxImp) throw new RangeError(`knnTriplets: kImpostor = ${kImpostor} but the largest class leaves only ${maxImp} other-class points; use kImpostor <= ${maxImp}`);
    const d = x.cols;
    const be = getBackend();
    const out = new Int32Array(3 * this.nKnown * kGenuine * kImpostor);
    let t = 0;
    for (let c = 0; c < this.nClasses; c++) {
      const mine = this.members[c];
      const others: number[] = [];
      for (let i = 0; i < this.codes.length; i++) if (this.codes[i] >= 0 && this.codes[i] !== c) others.push(i);
      const Xc = x.takeRows(mine).data;
      const Xo = x.takeRows(others).data;
      const gen = be.knn(Xc, mine.length, Xc, mine.length, d, kGenuine, { excludeSelf: true });
      const imp = be.knn(Xc, mine.length, Xo, others.length, d, kImpostor);
      for (let q = 0; q < mine.length; q++) {
        for (let g = 0; g < kGenuine; g++) {
          const gi = mine[gen.indices[q * kGenuine + g]];
          for (let m = 0; m < kImpostor; m++) {
            out[t++] = mine[q];
            out[t++] = gi;
            out[t++] = others[imp.indices[q * kImpostor + m]];
          }
        }
      }
    }
    return out;
  }
}

/**
 * metric-learn's default number of pairs for the supervised weak learners, 20 · nClasses²,
 * lowered to what the labels can supply so that defaults never fail on small data.
 */
export function defaultNumConstraints(c: Constraints): number {
  const want = 20 * c.nClasses * c.nClasses;
  const maxPos = c.maxPositivePairs(), maxNeg = c.maxNegativePairs();
  const cap = Math.min(maxPos, maxNeg);
  if (cap < 1) throw new RangeError(`the labels give ${maxPos} same-class and ${maxNeg} different-class pairs; at least one of each is needed`);
  return Math.min(want, cap);
}
