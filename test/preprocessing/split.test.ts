import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { trainTestSplit, KFold, StratifiedKFold, kFold, stratifiedKFold, predefinedFolds, type Split } from '../../src/preprocessing/split.js';
import { readCsvSync, readFolds } from '../../src/io/csv.js';
import { DATA } from '../helpers.js';

function assertPartition(s: Split, n: number): void {
  assert.ok(s.train instanceof Int32Array && s.test instanceof Int32Array);
  const seen = new Uint8Array(n);
  for (const i of [...s.train, ...s.test]) {
    assert.ok(i >= 0 && i < n);
    assert.equal(seen[i], 0, `row ${i} twice`);
    seen[i] = 1;
  }
  assert.equal(s.train.length + s.test.length, n);
  for (let i = 1; i < s.test.length; i++) assert.ok(s.test[i - 1] < s.test[i], 'sorted');
}

function countBy(labels: ArrayLike<number | string>, idx: Int32Array): Map<number | string, number> {
  const m = new Map<number | string, number>();
  for (const i of idx) m.set(labels[i], (m.get(labels[i]) ?? 0) + 1);
  return m;
}

const iris = readCsvSync(join(DATA, 'iris.csv'));
const irisY = iris.y as number[];

test('trainTestSplit: sizes as scikit-learn (test = ceil), partition, seeded', () => {
  const s = trainTestSplit(10, { testSize: 0.25, seed: 1 });
  assert.equal(s.test.length, 3);
  assert.equal(s.train.length, 7);
  assertPartition(s, 10);
  assert.deepEqual(trainTestSplit(10, { testSize: 0.25, seed: 1 }), s, 'same seed, same split');
  assert.notDeepEqual(trainTestSplit(100, { seed: 1 }).test, trainTestSplit(100, { seed: 2 }).test);
  assert.equal(trainTestSplit(10, { testSize: 4 }).test.length, 4);
  assert.throws(() => trainTestSplit(10, { testSize: 1.5 }), /testSize must be a fraction/);
  assert.throws(() => trainTestSplit(10, { testSize: 10 }), /testSize must be a fraction/);
  assert.throws(() => trainTestSplit(1), /at least 2 rows/);
});

test('trainTestSplit: stratified keeps class proportions on iris', () => {
  const s = trainTestSplit(irisY, { testSize: 0.2, stratify: true, seed: 3 });
  assertPartition(s, 150);
  assert.deepEqual([...countBy(irisY, s.test).values()], [10, 10, 10]);
  // Unbalanced string labels: 7 a, 3 b with 40% test -> round(2.8)=3 a... floors 2 and 1 plus one remainder.
  const y = ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b'];
  const t = trainTestSplit(y, { testSize: 0.4, stratify: true, seed: 0 });
  const c = countBy(y, t.test);
  assert.equal(t.test.length, 4);
  assert.equal(c.get('a'), 3);
  assert.equal(c.get('b'), 1);
  assert.throws(() => trainTestSplit(['a', 'a', 'b'], { stratify: true }), /class "b" has only 1 row/);
  assert.throws(() => trainTestSplit(10, { stratify: true }), /needs the labels/);
});

test('KFold: scikit-learn fold sizes, every row tested once, seeded shuffle', () => {
  const splits = new KFold(3, { shuffle: false }).split(10);
  assert.deepEqual(splits.map((s) => s.test.length), [4, 3, 3]);
  assert.deepEqual(Array.from(splits[0].test), [0, 1, 2, 3], 'unshuffled folds are contiguous');
  const tested = new Uint8Array(10);
  for (const s of splits) {
    assertPartition(s, 10);
    for (const i of s.test) tested[i]++;
  }
  assert.ok(tested.every((v) => v === 1));
  const a = kFold(50, 5, { seed: 4 });
  assert.deepEqual(a, kFold(50, 5, { seed: 4 }));
  assert.notDeepEqual(a[0].test, kFold(50, 5, { seed: 5 })[0].test);
  assert.throws(() => new KFold(1), /nSplits must be an integer >= 2/);
  assert.throws(() => new KFold(5).split(3), /cannot make 5 folds from 3 rows/);
});

test('StratifiedKFold: per-class counts within 1 across folds, fold sizes within 1', () => {
  const y = [...Array(23).fill(0), ...Array(11).fill(1), ...Array(5).fill(2), 'x', 'x', 'x'];
  for (const shuffle of [true, false]) {
    const splits = new StratifiedKFold(4, { shuffle, seed: 9 }).split(y);
    const tested = new Uint8Array(y.length);
    const sizes = splits.map((s) => s.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
    for (const cls of [0, 1, 2, 'x']) {
      const per = splits.map((s) => countBy(y, s.test).get(cls) ?? 0);
      assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${cls}: ${per}`);
    }
    for (const s of splits) {
      assertPartition(s, y.length);
      for (const i of s.test) tested[i]++;
    }
    assert.ok(tested.every((v) => v === 1));
  }
  const iris5 = stratifiedKFold(irisY, 5, { seed: 0 });
  for (const s of iris5) assert.deepEqual([...countBy(irisY, s.test).values()], [10, 10, 10]);
  assert.deepEqual(stratifiedKFold(irisY, 5, { seed: 0 }), iris5);
  assert.throws(() => new StratifiedKFold(5).split([0, 0, 1, 1, 2, 2]), /cannot make 5 folds from 6 rows|more than the size of every class/);
  assert.throws(() => new StratifiedKFold(3).split([0, 0, 1, 1]), /cannot make 3 folds from 4 rows|more than the size of every class/);
});

test('predefinedFolds from the shipped iris folds file', () => {
  const fold = readFolds(join(DATA, 'iris.folds.csv'), 150);
  const splits = predefinedFolds(fold);
  assert.equal(splits.length, new Set(fold).size);
  for (const [f, s] of splits.entries()) {
    assertPartition(s, 150);
    for (const i of s.test) assert.equal(fold[i], [...new Set(fold)].sort((a, b) => a - b)[f]);
  }
  assert.deepEqual(predefinedFolds([1, 0, 1]).map((s) => Array.from(s.test)), [[1], [0, 2]]);
  assert.throws(() => predefinedFolds([0, 0, 0]), /at least 2 distinct folds/);
  assert.throws(() => predefinedFolds([0, 1.5]), /folds must be integers/);
});
