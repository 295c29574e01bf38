import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { LinearTransform } from '../../src/neighbors/transform-io.js';
import { loadIndex } from '../../src/neighbors/registry.js';
import { Matrix } from '../../src/matrix.js';
import { randomMatrix } from '../helpers.js';
import type { IndexMetric } from '../../src/neighbors/index-types.js';

/** Brute force in float64 with the Index distance conventions. */
function naive(X: Matrix, Q: Matrix, k: number, metric: IndexMetric): { ids: number[][]; distances: number[][] } {
  const ids: number[][] = [];
  const distances: number[][] = [];
  for (let q = 0; q < Q.rows; q++) {
    const row: Array<[number, number]> = [];
    for (let i = 0; i < X.rows; i++) {
      let dot = 0, sq = 0, nq = 0, nx = 0;
      for (let j = 0; j < X.cols; j++) {
        const a = Q.get(q, j), b = X.get(i, j);
        dot += a * b; sq += (a - b) ** 2; nq += a * a; nx += b * b;
      }
      const d = metric === 'sqeuclidean' ? sq : metric === 'euclidean' ? Math.sqrt(sq) : metric === 'cosine' ? 1 - dot / Math.sqrt(nq * nx) : -dot;
      row.push([d, i]);
    }
    row.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    ids.push(row.slice(0, k).map((r) => r[1]));
    distances.push(row.slice(0, k).map((r) => r[0]));
  }
  return { ids, distances };
}

for (const metric of ['sqeuclidean', 'euclidean', 'cosine', 'inner_product'] as const) {
  test(`ExactIndex(${metric}) returns the brute-force neighbours and distances`, () => {
    const X = randomMatrix(300, 7, 1);
    const Q = randomMatrix(20, 7, 2);
    const idx = new ExactIndex({ metric, memoryBudget: 4096 }); // tiny tiles: exercises the tiling
    idx.add(X);
    const r = idx.search(Q, 5);
    const ref = naive(X, Q, 5, metric);
    assert.deepEqual(r.ids, ref.ids);
    for (let q = 0; q < 20; q++) for (let j = 0; j < 5; j++) assert.ok(Math.abs(r.distances[q][j] - ref.distances[q][j]) < 1e-4 * (1 + Math.abs(ref.distances[q][j])));
  });
}

test('ids: explicit, continued after the largest, unique; remove() drops vectors', () => {
  const idx = new ExactIndex();
  idx.add([[0, 0], [1, 0]], [10, 20]);
  idx.add([[5, 5]]);
  assert.equal(idx.size, 3);
  assert.deepEqual(idx.search([[5, 4.9]], 1).ids, [[21]]);
  assert.throws(() => idx.add([[1, 1]], [10]), /id 10 is already in the index/);
  assert.throws(() => idx.add([[1, 1], [2, 2]], [7, 7]), /id 7 is already/);
  assert.throws(() => idx.add([[1, 1]], [-1]), /not a non-negative integer/);
  idx.remove([20, 999]);
  assert.equal(idx.size, 2);
  assert.deepEqual(idx.search([[1, 0]], 5).ids, [[10, 21]]);
});

test('k larger than the index is clamped; errors name the problem', () => {
  const idx = new ExactIndex();
  assert.throws(() => idx.search([[0, 0]], 1), /the index is empty/);
  idx.add([[0, 0], [1, 1]]);
  assert.equal(idx.search([[0, 0]], 10).ids[0].length, 2);
  assert.throws(() => idx.search([[0, 0, 0]], 1), /3 columns but the index holds 2-dimensional/);
  assert.throws(() => idx.search([[0, 0]], 0), /k must be a positive integer/);
  assert.throws(() => idx.add([[NaN, 1]]), /row 0, column 0 is NaN/);
  assert.throws(() => new ExactIndex({ metric: 'manhattan' as IndexMetric }), /metric must be one of/);
  const cos = new ExactIndex({ metric: 'cosine' });
  assert.throws(() => cos.add([[0, 0]]), /all zeros/);
});

test('a transform is applied on add and search, and survives save/load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-exact-'));
  try {
    // L scales the second coordinate by 10: neighbours change accordingly
    const L = new Matrix(2, 2, Float64Array.from([1, 0, 0, 10]));
    const idx = new ExactIndex({ transform: new LinearTransform(L) });
    idx.add([[0, 1], [3, 0]]);
    // raw distances from (0,0): 1 and 9; transformed: 100 and 9
    assert.deepEqual(idx.search([[0, 0]], 1).ids, [[1]]);
    const path = join(dir, 'exact.simlearn');
    idx.save(path);
    const back = loadIndex(path) as ExactIndex;
    assert.equal(back.kind, 'exact');
    assert.equal(back.size, 2);
    assert.deepEqual(back.search([[0, 0]], 2), idx.search([[0, 0]], 2));
    // ids continue after a round trip
    back.add([[0, 0]]);
    assert.deepEqual(back.ids().slice(-1), Float64Array.from([2]));
    // an untransformable object cannot be saved silently
    const bad = new ExactIndex({ transform: { transform: (X) => X } });
    bad.add([[1, 2]]);
    assert.throws(() => bad.save(join(dir, 'bad.simlearn')), /cannot be serialised/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fitted metric learner as transform: embedded whole in the index file and restored', async () => {
  const { NCA } = await import('../../src/metric/nca.js');
  const { readDataset } = await import('../../src/io/index.js');
  const { DATA } = await import('../helpers.js');
  const ds = readDataset(join(DATA, 'iris.csv'));
  const nca = new NCA({ seed: 0, maxIter: 10 }).fit(ds.X, ds.y as number[]);
  const idx = new ExactIndex({ transform: nca });
  idx.add(ds.X);
  const before = idx.search(ds.X.sliceRows(0, 10), 3);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-exact-nca-'));
  try {
    const path = join(dir, 'nca-index.simlearn');
    idx.save(path);
    const back = loadIndex(path) as ExactIndex;
    assert.equal(back.transform?.constructor.name, 'NCA');
    assert.deepEqual(back.search(ds.X.sliceRows(0, 10), 3), before);
    // the stored vectors are the transformed ones
    const Z = nca.transform(ds.X.sliceRows(0, 1));
    assert.ok(Math.abs(back.vectors().get(0, 0) - Z.get(0, 0)) < 1e-5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
