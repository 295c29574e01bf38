import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { StandardScaler } from '../../src/preprocessing/index.js';
import { readCsvSync } from '../../src/io/csv.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import '../../src/metric/registry.js';
import { DATA, maxAbsDiff } from '../helpers.js';

const iris = readCsvSync(join(DATA, 'iris.csv'));
const scaled = (X: Matrix<Float64Array>, f: number): Matrix<Float64Array> => new Matrix(X.rows, X.cols, X.data.map((v) => v * f));
/** 2^e as a product of two representable factors (2^±1074 alone is not). */
const pow2 = (e: number): [number, number] => [2 ** Math.trunc(e / 2), 2 ** (e - Math.trunc(e / 2))];

test('StandardScaler: data times a power of two gives the same statistics times that power, bit for bit, up to float64 limits', () => {
  const base = new StandardScaler().fit(iris.X);
  const z0 = base.transform(iris.X);
  for (const e of [500, -500, 1000, -1000, 1020]) {
    const [a, b] = pow2(e);
    const X = new Matrix(iris.X.rows, iris.X.cols, iris.X.data.map((v) => v * a * b));
    const s = new StandardScaler().fit(X);
    assert.deepEqual(Array.from(s.mean!), Array.from(base.mean!, (v) => v * a * b), `mean at 2^${e}`);
    assert.deepEqual(Array.from(s.scale!), Array.from(base.scale!, (v) => v * a * b), `scale at 2^${e}`);
    assert.deepEqual(Array.from(s.transform(X).data), Array.from(z0.data), `z-scores at 2^${e}`);
  }
});

test('StandardScaler: 1e160, 1e-170 and 1e-25 data are standardised like the original, not to zeros', () => {
  const z0 = new StandardScaler().fitTransform(iris.X);
  for (const f of [1e160, 1e-170, 1e-25, 1e300]) {
    const X = scaled(iris.X, f);
    const s = new StandardScaler().fit(X);
    assert.ok(s.scale!.every((v) => Number.isFinite(v) && v !== 1), `scale at ${f}: ${s.scale}`);
    const z = s.transform(X);
    assert.ok(maxAbsDiff(z.data, z0.data) < 1e-12, `z-scores at ${f} differ by ${maxAbsDiff(z.data, z0.data)}`);
  }
  // The variance itself may exceed float64 (std 8e159 → variance 7e319): Infinity, while scale is exact.
  assert.equal(new StandardScaler().fit(scaled(iris.X, 1e160)).variance![0], Infinity);
});

test('StandardScaler: constant columns of any magnitude keep scale 1; values near ±1.8e308 standardise without overflow', () => {
  for (const c of [1e300, -1e-300, 5e-324, 1.7e308]) {
    const X = Matrix.from64([[c, 1], [c, 2], [c, 4]]);
    const s = new StandardScaler().fit(X);
    assert.equal(s.scale![0], 1, `constant ${c}`);
    const z = s.transform(X).data;
    assert.deepEqual([z[0], z[2], z[4]], [0, 0, 0]);
  }
  const X = Matrix.from64([[-1.5e308], [1.5e308]]);
  const s = new StandardScaler().fit(X);
  assert.equal(s.mean![0], 0);
  assert.equal(s.scale![0], 1.5e308);
  assert.deepEqual(Array.from(s.transform(Matrix.from64([[-1.5e308], [1.5e308], [1.7e308]])).data), [-1, 1, 1.7 / 1.5]);
});

test('cv on iris times 1e160 or 1e-170 scores like iris itself (the z-score step no longer overflows)', () => {
  const y = iris.y as number[];
  const ref = crossValidate(iris.X, y, { algorithm: 'euclidean', nFolds: 3 }).accuracy!.mean;
  for (const f of [1e160, 1e-170]) {
    assert.equal(crossValidate(scaled(iris.X, f), y, { algorithm: 'euclidean', nFolds: 3 }).accuracy!.mean, ref, `at ${f}`);
  }
});
