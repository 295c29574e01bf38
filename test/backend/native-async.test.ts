// The promise-returning kernels: same answers as the synchronous ones, errors as rejections,
// and the event loop keeps running while they work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import { Random } from '../../src/random.js';
import { normal, requireNative } from './native-helpers.js';

const native = requireNative();

test('knnAsync resolves to exactly what knn returns (both dtypes, excludeSelf, small budget)', async () => {
  const r = new Random(41);
  for (const Ctor of [Float32Array, Float64Array]) {
    const x = normal(Ctor, 400 * 8, r);
    for (const options of [{}, { excludeSelf: true, memoryBudget: 4096 }]) {
      const sync = native.knn(x, 400, x, 400, 8, 7, options);
      const viaPromise = await native.knnAsync!(x, 400, x, 400, 8, 7, options);
      assert.deepEqual(viaPromise.indices, sync.indices);
      assert.deepEqual(viaPromise.distances, sync.distances);
    }
  }
});

test('gemmAsync writes the same C as gemm', async () => {
  const r = new Random(42);
  for (const Ctor of [Float32Array, Float64Array]) {
    const [m, n, k] = [33, 17, 45];
    const a = normal(Ctor, k * m, r);
    const b = normal(Ctor, n * k, r);
    const c0 = normal(Ctor, m * n, r);
    const want = c0.slice();
    const got = c0.slice();
    native.gemm(true, true, m, n, k, 0.5, a, m, b, k, 2, want, n);
    const p = native.gemmAsync!(true, true, m, n, k, 0.5, a, m, b, k, 2, got, n);
    assert.ok(p instanceof Promise);
    await p;
    assert.deepEqual(got, want);
  }
});

test('async argument errors reject instead of throwing synchronously', async () => {
  const f = new Float64Array(3);
  const p = native.knnAsync!(f, 2, f, 2, 3, 1);
  assert.ok(p instanceof Promise);
  await assert.rejects(p, /knnAsync: queries has 3 values/);
  await assert.rejects(native.gemmAsync!(false, false, 2, 2, 2, 1, f, 2, f, 2, 0, f, 2), /gemmAsync: a has 3 values/);
  await assert.rejects(native.knnAsync!(new Float64Array(4), 2, new Float64Array(4), 2, 2, 1, { memoryBudget: -1 }), /memoryBudget/);
});

test('knnAsync leaves the event loop free while it runs', async () => {
  const r = new Random(43);
  const x = normal(Float32Array, 3000 * 32, r);
  let ticks = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    ticks++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await native.knnAsync!(x, 3000, x, 3000, 32, 5);
  done = true;
  assert.equal(result.indices.length, 3000 * 5);
  assert.ok(ticks > 0, 'setImmediate callbacks ran while the search was in flight');
});

test('the js backend offers the same async methods', async () => {
  const x = new Float64Array([0, 0, 1, 0, 5, 0]);
  const res = await jsBackend.knnAsync!(x, 3, x, 3, 2, 2, { excludeSelf: true });
  assert.deepEqual(Array.from(res.indices), [1, 2, 0, 2, 1, 0]);
  const c = new Float64Array(1);
  await jsBackend.gemmAsync!(false, false, 1, 1, 2, 1, new Float64Array([1, 2]), 2, new Float64Array([3, 4]), 1, 0, c, 1);
  assert.equal(c[0], 11);
});
