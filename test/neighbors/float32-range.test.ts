import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { readCsvSync } from '../../src/io/csv.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { E2LshIndex } from '../../src/neighbors/lsh/e2lsh-index.js';
import { retrievalMetrics } from '../../src/evaluation/retrieval.js';
import { DATA } from '../helpers.js';

const iris = readCsvSync(join(DATA, 'iris.csv'));
const times = (f: number): Matrix<Float64Array> => new Matrix(iris.X.rows, iris.X.cols, iris.X.data.map((v) => v * f));

function exactIds(X: Matrix<Float64Array>, metric: 'sqeuclidean' | 'cosine' = 'sqeuclidean'): number[][] {
  const idx = new ExactIndex({ metric });
  idx.add(X);
  const r = idx.search(X, 3);
  assert.ok(r.distances.flat().every(Number.isFinite), 'finite distances');
  return r.ids;
}

test('ExactIndex refuses data whose float32 squared distances overflow or underflow, instead of NaN or all-zero distances', () => {
  assert.throws(() => new ExactIndex().add(times(1e20)), /ExactIndex\.add: vectors: values up to 7\.90e\+20 overflow float32 squared distances.*standardise the features \(z-score\) or rescale/);
  assert.throws(() => new ExactIndex({ metric: 'inner_product' }).add(times(1e20)), /overflow float32 inner products/);
  assert.throws(() => new ExactIndex().add(times(1e-25)), /values of at most 7\.90e-25 are too small for float32 squared distances.*standardise/);
  // 1e160 fits float64 but not float32: say so, rather than "is Infinity"
  assert.throws(() => new ExactIndex().add(times(1e160)), (e: Error) => /value at row 0, column 0 is 5\.\d+e\+160, beyond float32's range/.test(e.message) && !/is Infinity/.test(e.message));
  // a rejected add leaves the index as it was
  const idx = new ExactIndex();
  idx.add(iris.X);
  assert.throws(() => idx.add(times(1e20)), /overflow/);
  assert.equal(idx.size, iris.X.rows);
});

test('ExactIndex: large or small data within float32 range ranks as the original; queries out of range are refused at search', () => {
  const ref = exactIds(iris.X);
  assert.deepEqual(exactIds(times(2 ** 60)), ref);
  assert.deepEqual(exactIds(times(2 ** -60)), ref);
  // cosine normalises rows, so magnitude never matters
  assert.deepEqual(exactIds(times(1e30), 'cosine'), exactIds(iris.X, 'cosine'));
  const idx = new ExactIndex();
  idx.add(iris.X);
  assert.throws(() => idx.search(times(1e20), 3), /ExactIndex\.search: queries: values up to 7\.90e\+20 overflow/);
  // after removing the only large row, its magnitude no longer counts
  const big = new ExactIndex();
  big.add(Matrix.from64([[0, 0], [1, 1], [1e19, 0]]));
  assert.throws(() => big.search(Matrix.from64([[-1e19, 0]]), 1), /overflow/);
  big.remove([2]);
  assert.deepEqual(big.search(Matrix.from64([[-1e19, 0]]), 1).ids, [[0]]);
  // an empty batch has no magnitude at all
  const empty = new ExactIndex();
  empty.add(new Matrix(0, 2, new Float64Array(0)));
  empty.add(Matrix.from64([[1, 2]]));
  assert.deepEqual(empty.search(new Matrix(0, 2, new Float64Array(0)), 1).ids, []);
});

test('E2LshIndex applies the same range check to its float32 re-ranking', () => {
  assert.throws(() => new E2LshIndex().add(times(1e20)), /E2LshIndex\.add: vectors: values up to .* overflow float32 squared distances/);
  assert.throws(() => new E2LshIndex().add(times(1e-25)), /too small for float32/);
});

test('retrievalMetrics: any finite magnitude gives the metrics of the original data (a power-of-two rescale before float32)', () => {
  const y = iris.y as number[];
  const ref = retrievalMetrics(iris.X, y);
  for (const f of [1e20, 1e-25, 1e160, 1e-170, 2 ** 100]) {
    const r = retrievalMetrics(times(f), y);
    assert.equal(r.precisionAt1, ref.precisionAt1, `precision@1 at ${f}`);
    assert.ok(Math.abs(r.mapAtR - ref.mapAtR) < 1e-3, `MAP@R at ${f}: ${r.mapAtR} vs ${ref.mapAtR}`);
  }
  // an exact power of two changes no float32 rounding: identical metrics
  assert.deepEqual(retrievalMetrics(times(2 ** 100), y), ref);
  const q = times(1e20);
  assert.deepEqual(retrievalMetrics(q.takeRows([0, 60, 120]), [y[0], y[60], y[120]], { references: q, referenceLabels: y }).precisionAt1, 1);
});
