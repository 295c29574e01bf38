import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { StandardScaler, PCA } from '../../src/preprocessing/index.js';
import { saveModel, loadModel, encodeModel, decodeModel } from '../../src/io/model-file.js';
import { loadModelObject } from '../../src/io/model-registry.js';
import { readCsvSync } from '../../src/io/csv.js';
import { matmul } from '../../src/linalg/index.js';
import { DATA, randomMatrix, maxAbsDiff } from '../helpers.js';

const iris = readCsvSync(join(DATA, 'iris.csv'));
const digits = readCsvSync(join(DATA, 'digits.csv'));

test('StandardScaler: hand-computed mean and population std; transform, inverse', () => {
  const X = Matrix.from64([[1, 10], [3, 10], [5, 10]]);
  const s = new StandardScaler().fit(X);
  assert.deepEqual(Array.from(s.mean!), [3, 10]);
  assert.ok(maxAbsDiff(s.scale!, [Math.sqrt(8 / 3), 1]) < 1e-15, 'constant column gets scale 1');
  const Z = s.transform(X);
  assert.ok(maxAbsDiff(Z.data, [-Math.sqrt(1.5), 0, 0, 0, Math.sqrt(1.5), 0]) < 1e-15);
  assert.ok(Z.data.every(Number.isFinite));
  assert.ok(maxAbsDiff(s.inverseTransform(Z).data, X.data) < 1e-14);
  // withMean/withStd off
  const t = new StandardScaler({ withMean: false }).fit(X);
  assert.deepEqual(Array.from(t.mean!), [0, 0]);
  const u = new StandardScaler({ withStd: false }).fitTransform(X);
  assert.deepEqual(u.toArrays(), [[-2, 0], [0, 0], [2, 0]]);
});

test('StandardScaler: zero mean, unit variance on iris; float32 stays float32', () => {
  const Z = new StandardScaler().fitTransform(iris.X);
  const s2 = new StandardScaler().fit(Z);
  assert.ok(maxAbsDiff(s2.mean!, [0, 0, 0, 0]) < 1e-14);
  assert.ok(maxAbsDiff(s2.variance!, [1, 1, 1, 1]) < 1e-12);
  const z32 = new StandardScaler().fitTransform(iris.X.toFloat32());
  assert.ok(z32.data instanceof Float32Array);
  // A constant column with a huge offset is "constant", not rounding noise scaled up.
  const off = Matrix.from64([[1e12 + 0.1, 1], [1e12 + 0.1, 2]]);
  assert.ok(new StandardScaler().fitTransform(off).data.every(Number.isFinite));
});

test('StandardScaler: errors for unfitted use, wrong width and NaN', () => {
  assert.throws(() => new StandardScaler().transform(iris.X), /not fitted yet/);
  const s = new StandardScaler().fit(iris.X);
  assert.throws(() => s.transform(Matrix.zeros(2, 3)), /X has 3 features but the transformer was fitted on 4/);
  assert.throws(() => s.fit([[1, NaN]]), /NaN/);
});

test('StandardScaler: model file round trip through the registry', () => {
  const s = new StandardScaler().fit(iris.X);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-pp-'));
  try {
    const path = join(dir, 'scaler.simlearn');
    saveModel(path, s.toPayload());
    assert.equal(loadModel(path).kind, 'preprocessing/standard-scaler');
    const back = loadModelObject(path);
    assert.ok(back instanceof StandardScaler);
    assert.deepEqual(back.transform(iris.X).data, s.transform(iris.X).data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PCA on iris matches the reference explained variance ratio (numpy SVD of the centred data)', () => {
  // numpy: s**2 / sum(s**2) for the centred iris features.
  const ref = [0.92461872, 0.05306648, 0.01710261, 0.00521218];
  for (const solver of ['svd', 'covariance-eigh'] as const) {
    const p = new PCA({ solver }).fit(iris.X);
    assert.equal(p.nComponents, 4);
    assert.ok(maxAbsDiff(p.explainedVarianceRatio!, ref) < 5e-8, solver);
    // First axis from numpy with the largest entry made positive.
    assert.ok(maxAbsDiff(p.components!.row(0), [0.36138659, -0.08452251, 0.85667061, 0.3582892]) < 1e-7, solver);
  }
});

test('PCA: components orthonormal, projections uncorrelated with the explained variances', () => {
  const p = new PCA({ nComponents: 10 }).fit(digits.X);
  const C = p.components!;
  const G = matmul(C, C, { transB: true });
  assert.ok(maxAbsDiff(G.data, Matrix.identity(10).data) < 1e-12);
  const Z = p.transform(digits.X);
  const cov = matmul(Z, Z, { transA: true });
  const n = digits.X.rows;
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) {
    const v = cov.get(i, j) / (n - 1);
    if (i === j) assert.ok(Math.abs(v - p.explainedVariance![i]) < 1e-8 * p.explainedVariance![0]);
    else assert.ok(Math.abs(v) < 1e-8 * p.explainedVariance![0]);
  }
  for (let i = 1; i < 10; i++) assert.ok(p.explainedVariance![i - 1] >= p.explainedVariance![i]);
});

test('PCA: the svd and covariance-eigh solvers agree (same signs) on digits', () => {
  const a = new PCA({ nComponents: 8, solver: 'svd' }).fit(digits.X);
  const b = new PCA({ nComponents: 8, solver: 'covariance-eigh' }).fit(digits.X);
  assert.ok(maxAbsDiff(a.explainedVariance!, b.explainedVariance!) < 1e-9 * a.explainedVariance![0]);
  assert.ok(maxAbsDiff(a.components!.data, b.components!.data) < 1e-8);
  assert.equal(new PCA().fit(digits.X).solverUsed, 'covariance-eigh');
});

test('PCA: explained-variance target picks the fewest components exceeding it', () => {
  const p = new PCA({ nComponents: 0.95 }).fit(iris.X);
  // Cumulative ratios 0.9246, 0.9777: two components are needed for 95%.
  assert.equal(p.nComponents, 2);
  assert.equal(new PCA({ nComponents: 0.9 }).fit(iris.X).nComponents, 1);
  const q = new PCA({ nComponents: 0.8 }).fit(digits.X);
  const cum = q.explainedVarianceRatio!.reduce((a, b) => a + b, 0);
  const withoutLast = cum - q.explainedVarianceRatio![q.nComponents - 1];
  assert.ok(cum > 0.8 && withoutLast <= 0.8);
});

test('PCA: full-rank inverseTransform reconstructs; whitening gives unit variance', () => {
  const X = randomMatrix(30, 5, 3);
  const p = new PCA().fit(X);
  assert.ok(maxAbsDiff(p.inverseTransform(p.transform(X)).data, X.data) < 1e-12);
  const w = new PCA({ whiten: true, nComponents: 3 }).fit(X);
  const Z = w.transform(X);
  const cov = matmul(Z, Z, { transA: true });
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(cov.get(i, i) / 29 - 1) < 1e-12);
  const Zw = w.transform(X);
  const full = new PCA({ nComponents: 3 }).fit(X);
  assert.ok(maxAbsDiff(w.inverseTransform(Zw).data, full.inverseTransform(full.transform(X)).data) < 1e-12);
});

test('PCA: bad options and inputs fail clearly', () => {
  assert.throws(() => new PCA({ nComponents: 0 }), /positive integer or a fraction/);
  assert.throws(() => new PCA({ nComponents: 1.5 }), /positive integer or a fraction/);
  assert.throws(() => new PCA({ nComponents: 5 }).fit(iris.X), /exceeds min\(n_samples, n_features\) = 4/);
  assert.throws(() => new PCA().fit([[1, 2]]), /at least 2 samples/);
  assert.throws(() => new PCA().transform(iris.X), /not fitted yet/);
  // A constant feature makes the last component's variance zero: whitening refuses it.
  const X = Matrix.from64([[1, 5], [2, 5], [3, 5], [4, 5]]);
  assert.throws(() => new PCA({ whiten: true }).fit(X), /zero variance.*whiten/);
  assert.equal(new PCA({ whiten: true, nComponents: 1 }).fit(X).nComponents, 1);
});

test('PCA: model round trip keeps the transform bit for bit', () => {
  const p = new PCA({ nComponents: 5, whiten: true }).fit(digits.X);
  const q = PCA.fromModel(decodeModel(encodeModel(p.toPayload())));
  assert.deepEqual(q.transform(digits.X).data, p.transform(digits.X).data);
  assert.equal(q.options.whiten, true);
});
