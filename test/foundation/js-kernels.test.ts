import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k from '../../src/backend/js-kernels.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff } from '../helpers.js';

function naiveGemm(tA: boolean, tB: boolean, m: number, n: number, kk: number, alpha: number, a: Float64Array, b: Float64Array, beta: number, c: Float64Array): Float64Array {
  const out = c.slice();
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < kk; p++) s += (tA ? a[p * m + i] : a[i * kk + p]) * (tB ? b[j * kk + p] : b[p * n + j]);
    out[i * n + j] = alpha * s + beta * c[i * n + j];
  }
  return out;
}

test('gemm matches the triple loop for every transpose combination, alpha and beta', () => {
  const r = new Random(1);
  for (const [m, n, kk] of [[1, 1, 1], [7, 13, 5], [33, 2, 300]]) {
    for (const tA of [false, true]) for (const tB of [false, true]) {
      const a = r.fillNormal(new Float64Array(m * kk));
      const b = r.fillNormal(new Float64Array(kk * n));
      const c = r.fillNormal(new Float64Array(m * n));
      const expected = naiveGemm(tA, tB, m, n, kk, 0.7, a, b, -1.3, c);
      const got = c.slice();
      k.gemm(tA, tB, m, n, kk, 0.7, a, tA ? m : kk, b, tB ? kk : n, -1.3, got, n);
      assert.ok(maxAbsDiff(got, expected) < 1e-10, `m${m} n${n} k${kk} tA${tA} tB${tB}`);
    }
  }
});

test('gemm with beta = 0 ignores NaN already in C (BLAS semantics)', () => {
  const c = new Float64Array([NaN, NaN]);
  k.gemm(false, false, 1, 2, 1, 1, new Float64Array([2]), 1, new Float64Array([3, 4]), 2, 0, c, 2);
  assert.deepEqual(Array.from(c), [6, 8]);
});

test('gram equals XᵀX and is symmetric', () => {
  const r = new Random(2);
  const x = r.fillNormal(new Float64Array(9 * 4));
  const g = k.gram(x, 9, 4);
  const expected = naiveGemm(true, false, 4, 4, 9, 1, x, x, 0, new Float64Array(16));
  assert.ok(maxAbsDiff(g, expected) < 1e-12);
});

test('sqeuclidean: hand-computed values, clamped at 0, NaN kept', () => {
  const a = new Float64Array([0, 0, 3, 4]);
  const b = new Float64Array([3, 4]);
  assert.deepEqual(Array.from(k.sqeuclidean(a, 2, b, 1, 2)), [25, 0]);
  const withNan = k.sqeuclidean(new Float64Array([NaN, 0]), 1, b, 1, 2);
  assert.ok(Number.isNaN(withNan[0]));
});

test('knn equals a brute-force sort, with ties keeping the lower index, and pads when k > m', () => {
  const refs = new Float64Array([0, 1, 1, 0, 2, 2, 0, 0, 0, -1]); // 5 points in 2-d; 0,1,4 tie at distance 1 from origin
  const q = new Float64Array([0, 0]);
  const res = k.knn(q, 1, refs, 5, 2, 7);
  assert.deepEqual(Array.from(res.indices), [3, 0, 1, 4, 2, -1, -1]);
  assert.deepEqual(Array.from(res.distances).slice(0, 5), [0, 1, 1, 1, 8]);
  assert.equal(res.distances[6], Infinity);
});

test('knn tiles give the same answer as one tile, and excludeSelf skips i == j', () => {
  const r = new Random(4);
  const n = 300, d = 5;
  const x = r.fillNormal(new Float32Array(n * d));
  const one = k.knn(x, n, x, n, d, 4, { excludeSelf: true });
  const tiled = k.knn(x, n, x, n, d, 4, { excludeSelf: true, memoryBudget: 4 * 2048 * 3 });
  assert.deepEqual(Array.from(tiled.indices), Array.from(one.indices));
  for (let i = 0; i < n; i++) assert.notEqual(one.indices[i * 4], i);
});

test('knn ranks NaN distances after every number', () => {
  const refs = new Float64Array([NaN, 5, 1]);
  const res = k.knn(new Float64Array([0]), 1, refs, 3, 1, 3);
  assert.deepEqual(Array.from(res.indices), [2, 1, 0]);
  assert.ok(Number.isNaN(res.distances[2]));
});

test('level-1 kernels', () => {
  const x = new Float64Array([1, 2, 3]);
  const y = new Float64Array([4, 5, 6]);
  assert.equal(k.dot(x, y), 32);
  k.axpy(2, x, y);
  assert.deepEqual(Array.from(y), [6, 9, 12]);
  k.scal(0.5, y);
  assert.deepEqual(Array.from(y), [3, 4.5, 6]);
  assert.deepEqual(Array.from(k.rowSqNorms(new Float64Array([3, 4, 1, 1]), 2, 2)), [25, 2]);
  const out = new Float64Array(2);
  k.gemv(false, 2, 2, 1, new Float64Array([1, 2, 3, 4]), 2, new Float64Array([1, 1]), 0, out);
  assert.deepEqual(Array.from(out), [3, 7]);
  k.gemv(true, 2, 2, 1, new Float64Array([1, 2, 3, 4]), 2, new Float64Array([1, 1]), 0, out);
  assert.deepEqual(Array.from(out), [4, 6]);
  assert.throws(() => k.dot(x, new Float64Array(2)), /length/);
});
