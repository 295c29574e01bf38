/** The split of a training run given by a `row,fold` file: one fold validates, the rest train. */
import type { Split } from '../preprocessing/split.js';

/** Rows whose fold is `testFold` form the test part, all others the training part. */
export function foldSplit(folds: Int32Array, testFold: number, source = 'folds'): Split {
  const test: number[] = [];
  const train: number[] = [];
  for (let i = 0; i < folds.length; i++) (folds[i] === testFold ? test : train).push(i);
  if (test.length === 0) throw new RangeError(`${source}: no row is in fold ${testFold}`);
  if (train.length === 0) throw new RangeError(`${source}: every row is in fold ${testFold}; nothing is left to train on`);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
