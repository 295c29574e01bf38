/**
 * Train/test splits and cross-validation folds, following scikit-learn's semantics
 * (train_test_split, KFold, StratifiedKFold) with the library's seeded Random.
 *
 * Deviations, on purpose: folds are shuffled by default (data files are often sorted by
 * class, and unshuffled KFold on such a file gives class-pure folds), and every index array
 * is sorted ascending so results are easy to read and compare.
 */
import { Random, toRandom } from '../random.js';

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

type Labels = ArrayLike<number | string>;

function encode(labels: Labels, who: string): { codes: Int32Array; counts: number[]; classes: (number | string)[] } {
  const index = new Map<number | string, number>();
  const classes: (number | string)[] = [];
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) throw new RangeError(`${who}: label ${i} is ${v}; every row needs a finite label`);
    if (!index.has(v)) { index.set(v, classes.length); classes.push(v); }
  }
  // Classes in sorted order, as numpy.unique gives them, so results do not depend on row order.
  const sorted = classes.slice().sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  const rank = new Map(sorted.map((c, i) => [c, i]));
  const codes = new Int32Array(labels.length);
  const counts = new Array<number>(sorted.length).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = rank.get(labels[i]) as number;
    codes[i] = c;
    counts[c]++;
  }
  return { codes, counts, classes: sorted };
}

function sortedInt32(values: number[]): Int32Array {
  return Int32Array.from(values).sort();
}

export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) or a number of test rows (default 0.25). */
  testSize?: number;
  /** Keep class proportions in both parts (needs labels as the first argument). */
  stratify?: boolean;
  seed?: number | Random;
  /**
   * How the caller's users know these settings, for the messages (a config says `split.test`
   * where the function says testSize): `owner` replaces the "trainTestSplit" prefix, `testSize`
   * and `stratify` the option names, `test` and `train` the names of the two parts ("the X part").
   */
  names?: { owner?: string; testSize?: string; stratify?: string; test?: string; train?: string };
}

/**
 * Splits rows 0..n-1 (n given, or the length of `labels`) into train and test indices.
 * The test part has ceil(testSize · n) rows, as in scikit-learn.
 */
export function trainTestSplit(nOrLabels: number | Labels, options: TrainTestSplitOptions = {}): Split {
  const labels = typeof nOrLabels === 'number' ? null : nOrLabels;
  const n = typeof nOrLabels === 'number' ? nOrLabels : nOrLabels.length;
  const who = options.names?.owner ?? 'trainTestSplit';
  const testName = options.names?.testSize ?? 'testSize';
  const stratifyName = options.names?.stratify ?? 'stratify';
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`${who}: need at least 2 rows, got ${n}`);
  const testSize = options.testSize ?? 0.25;
  let nTest: number;
  if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize) && testSize >= 1 && testSize < n) nTest = testSize;
  else throw new RangeError(`${who}: ${testName} must be a fraction in (0, 1) or a row count in 1..${n - 1}, got ${testSize}`);
  const nTrain = n - nTest;
  if (nTrain < 1) throw new RangeError(`${who}: ${testName} ${testSize} leaves no training rows out of ${n}`);
  const rng = toRandom(options.seed);
  if (!options.stratify) {
    const perm = rng.permutation(n);
    return { test: sortedInt32(Array.from(perm.subarray(0, nTest))), train: sortedInt32(Array.from(perm.subarray(nTest))) };
  }
  if (!labels) throw new RangeError(`${who}: ${stratifyName} needs the labels as the first argument, not a row count`);
  const { codes, counts, classes } = encode(labels, who);
  const k = counts.length;
  const lonely = counts.findIndex((c) => c < 2);
  if (lonely >= 0) {
    const all = classes.filter((_, c) => counts[c] < 2);
    const others = all.length > 1 ? ` (${all.length} classes have 1 row: ${all.slice(0, 5).map((v) => JSON.stringify(v)).join(', ')}${all.length > 5 ? ', ...' : ''})` : '';
    throw new RangeError(`${who}: class ${JSON.stringify(classes[lonely])} has only ${counts[lonely]} row${others}; a stratified split needs at least 2 per class (drop ${all.length > 1 ? 'those classes' : 'the class'} or ${options.names?.stratify ? `set ${stratifyName} to false` : 'do not stratify'})`);
  }
  if (nTest < k || nTrain < k) {
    const test = options.names?.test ?? 'test';
    const train = options.names?.train ?? 'train';
    // The fractions in (lo, hi] give each part k rows or more; with n < 2k none does.
    const fix = !options.names?.testSize ? `change ${testName}`
      : n < 2 * k ? `the data has ${n} rows, fewer than 2 x ${k}: give more rows per class or set ${stratifyName} to false`
      : `set ${testName} above ${+((k - 1) / n).toFixed(4)} and at most ${+((n - k) / n).toFixed(4)}, or give more rows per class`;
    throw new RangeError(`${who}: with ${k} classes both parts need at least ${k} rows (${nTest} in the ${test} part, ${nTrain} in the ${train} part); ${fix}`);
  }
  const testPerClass = allocate(counts, nTest, rng);
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) byClass[codes[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < k; c++) {
    const rows = byClass[c];
    rng.shuffle(rows);
    for (let t = 0; t < rows.length; t++) (t < testPerClass[c] ? test : train).push(rows[t]);
  }
  return { train: sortedInt32(train), test: sortedInt32(test) };
}

/**
 * Splits `total` draws among classes proportionally to their counts: floors first, then one
 * more to the classes with the largest remainders (ties broken at random), keeping at least
 * one row of every class on each side when possible.
 */
function allocate(counts: number[], total: number, rng: Random): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * total) / n);
  const out = exact.map((e) => Math.floor(e));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = counts.map((_, i) => i);
  const jitter = order.map(() => rng.next());
  order.sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || jitter[a] - jitter[b]);
  for (let t = 0; left > 0; t = (t + 1) % order.length) {
    const c = order[t];
    if (out[c] < counts[c] - 1 || (out[c] < counts[c] && order.every((o) => out[o] >= counts[o] - 1))) {
      out[c]++;
      left--;
    }
  }
  // Every class keeps at least one test row when the budget allows it.
  for (let c = 0; c < out.length; c++) {
    if (out[c] === 0) {
      const donor = out.reduce((best, v, i) => (v > out[best] ? i : best), 0);
      if (out[donor] > 1) { out[donor]--; out[c]++; }
    }
  }
  return out;
}

export interface KFoldOptions {
  /** Shuffle rows before assigning folds (default true; see the module comment). */
  shuffle?: boolean;
  seed?: number | Random;
}

function checkSplits(nSplits: number, who: string): void {
  if (!Number.isInteger(nSplits) || nSplits < 2) throw new RangeError(`${who}: nSplits must be an integer >= 2, got ${nSplits}`);
}

/** Folds from a fold-of-row assignment: fold f's test rows are those with foldOfRow == f. */
export function predefinedFolds(foldOfRow: ArrayLike<number>): Split[] {
  const n = foldOfRow.length;
  const folds = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const f = foldOfRow[i];
    if (!Number.isInteger(f)) throw new RangeError(`predefinedFolds: row ${i} has fold ${f}; folds must be integers`);
    let rows = folds.get(f);
    if (!rows) folds.set(f, (rows = []));
    rows.push(i);
  }
  if (folds.size < 2) throw new RangeError(`predefinedFolds: need at least 2 distinct folds, got ${folds.size}`);
  const ids = [...folds.keys()].sort((a, b) => a - b);
  return ids.map((f) => {
    const test = folds.get(f) as number[];
    const train: number[] = [];
    for (let i = 0; i < n; i++) if (foldOfRow[i] !== f) train.push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}

/** Fold-of-row → splits; shared by both k-fold kinds. */
function foldsToSplits(fold: Int32Array, k: number): Split[] {
  const n = fold.length;
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}

/** K-fold cross-validation: the first n mod k folds get one extra row (as scikit-learn). */
export class KFold {
  readonly nSplits: number;
  readonly shuffle: boolean;
  private readonly seed: number | Random | undefined;

  constructor(nSplits = 5, options: KFoldOptions = {}) {
    checkSplits(nSplits, 'KFold');
    this.nSplits = nSplits;
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed;
  }

  /** Fold number of each of the n rows. */
  assign(n: number): Int32Array {
    if (!Number.isInteger(n) || n < this.nSplits) throw new RangeError(`KFold: cannot make ${this.nSplits} folds from ${n} rows; use nSplits <= ${n}`);
    const order = this.shuffle ? toRandom(this.seed).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    const fold = new Int32Array(n);
    const base = Math.floor(n / this.nSplits);
    const extra = n % this.nSplits;
    let at = 0;
    for (let f = 0; f < this.nSplits; f++) {
      const size = base + (f < extra ? 1 : 0);
      for (let t = 0; t < size; t++) fold[order[at++]] = f;
    }
    return fold;
  }

  split(n: number): Split[] {
    return foldsToSplits(this.assign(n), this.nSplits);
  }
}

/**
 * Stratified k-fold as scikit-learn's StratifiedKFold: the sorted labels are dealt to the
 * folds round-robin to decide how many rows of each class each fold gets (so every class's
 * count differs by at most 1 between folds, and fold sizes by at most 1), then each class's
 * rows (shuffled when asked) fill those quotas in fold order.
 */
export class StratifiedKFold {
  readonly nSplits: number;
  readonly shuffle: boolean;
  private readonly seed: number | Random | undefined;

  constructor(nSplits = 5, options: KFoldOptions = {}) {
    checkSplits(nSplits, 'StratifiedKFold');
    this.nSplits = nSplits;
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed;
  }

  assign(labels: Labels): Int32Array {
    const k = this.nSplits;
    const n = labels.length;
    const { codes, counts, classes } = encode(labels, 'StratifiedKFold');
    if (n < k) throw new RangeError(`StratifiedKFold: cannot make ${k} folds from ${n} rows`);
    if (counts.every((c) => c < k)) {
      throw new RangeError(`StratifiedKFold: nSplits = ${k} is more than the size of every class (largest: ${Math.max(...counts)}); use fewer folds`);
    }
    void classes;
    // quota[f][c] = how many of class c land in fold f.
    const nc = counts.length;
    const quota = Array.from({ length: k }, () => new Array<number>(nc).fill(0));
    let pos = 0;
    for (let c = 0; c < nc; c++) {
      for (let t = 0; t < counts[c]; t++) quota[(pos + t) % k][c]++;
      pos += counts[c];
    }
    const rng = toRandom(this.seed);
    const fold = new Int32Array(n);
    const byClass: number[][] = Array.from({ length: nc }, () => []);
    for (let i = 0; i < n; i++) byClass[codes[i]].push(i);
    for (let c = 0; c < nc; c++) {
      const rows = byClass[c];
      if (this.shuffle) rng.shuffle(rows);
      let at = 0;
      for (let f = 0; f < k; f++) for (let t = 0; t < quota[f][c]; t++) fold[rows[at++]] = f;
    }
    return fold;
  }

  split(labels: Labels): Split[] {
    return foldsToSplits(this.assign(labels), this.nSplits);
  }
}

/** Function forms of the two k-fold splitters. */
export function kFold(n: number, nSplits = 5, options: KFoldOptions = {}): Split[] {
  return new KFold(nSplits, options).split(n);
}

export function stratifiedKFold(labels: Labels, nSplits = 5, options: KFoldOptions = {}): Split[] {
  return new StratifiedKFold(nSplits, options).split(labels);
}
