import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans } from '../../src/cluster/kmeans.js';
import { agglomerative } from '../../src/cluster/agglomerative.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';

// three loose groups in 3 dimensions, not too easy (so a broken distance shows in the labels)
function groups(seed = 1): number[][] {
  const rng = new Random(seed);
  const centres = [[0, 0, 0], [3, 0, 1], [0, 3, 2]];
  return Array.from({ length: 24 }, (_, i) => centres[i % 3].map((c) => c + rng.normal()));
}
const times = (X: number[][], s: number) => X.map((r) => r.map((v) => v * s));

test('kmeans: data near the float64 limits cluster as the same data at scale 1', () => {
  const X = groups();
  const ref = kmeans(X, { nClusters: 3, seed: 1 });
  // squared distances overflowed (k-means++ sampled from ∞/NaN weights) or underflowed to 0
  for (const s of [2 ** 600, 1e160, 1e200, 1e-170, 1e-300]) {
    const r = kmeans(times(X, s), { nClusters: 3, seed: 1 });
    assert.deepEqual(Array.from(r.labels), Array.from(ref.labels), `scale ${s}`);
    for (let i = 0; i < r.centers.data.length; i++) {
      const want = ref.centers.data[i] * s;
      assert.ok(Math.abs(r.centers.data[i] - want) <= 1e-12 * Math.abs(want) + 1e-320, `scale ${s}: centre ${i} ${r.centers.data[i]} vs ${want}`);
    }
  }
  // a power of two scales the inertia exactly; beyond float64 it is reported as ∞
  assert.equal(kmeans(times(X, 2 ** 600), { nClusters: 3, seed: 1 }).inertia, Infinity);
  assert.equal(kmeans(times(X, 2 ** 300), { nClusters: 3, seed: 1 }).inertia, ref.inertia * 2 ** 600);
  assert.equal(kmeans(times(X, 2 ** -300), { nClusters: 3, seed: 1 }).inertia, ref.inertia * 2 ** -600);
});

test('kmeans: a missing options object is a clear error naming nClusters', () => {
  const X = groups();
  assert.throws(() => kmeans(X, undefined as never), (e: Error) => e instanceof RangeError && /options argument with nClusters is missing.*kmeans\(X, \{ nClusters: 3 \}\)/.test(e.message));
  assert.throws(() => (kmeans as (x: unknown) => unknown)(X), /nClusters is missing/);
  assert.throws(() => kmeans(X, 3 as never), /not an object \(got 3\)/);
});

test('agglomerative: data near the float64 limits give the labels and merge order of the same data at scale 1', () => {
  const X = groups(2);
  for (const linkage of ['single', 'complete', 'average'] as const) {
    for (const metric of ['euclidean', 'sqeuclidean', 'cosine'] as const) {
      const ref = agglomerative(X, { nClusters: 3, linkage, metric });
      for (const s of [1e160, 1e200, 1e-170]) {
        const r = agglomerative(new Matrix(24, 3, Float64Array.from(times(X, s).flat())), { nClusters: 3, linkage, metric });
        const what = `${linkage} ${metric} at ${s}`;
        assert.deepEqual(Array.from(r.labels), Array.from(ref.labels), what);
        assert.deepEqual(r.merges.map((m) => [m.a, m.b, m.size]), ref.merges.map((m) => [m.a, m.b, m.size]), what);
      }
      // heights come back in the data's units: exactly for a power of two (∞ where they exceed float64)
      const p = 2 ** 400;
      const power = metric === 'euclidean' ? 1 : metric === 'sqeuclidean' ? 2 : 0;
      const up = agglomerative(times(X, p), { nClusters: 3, linkage, metric });
      assert.deepEqual(up.merges.map((m) => m.distance), ref.merges.map((m) => m.distance * p ** power), `${linkage} ${metric} heights`);
    }
  }
  // a threshold in the data's units cuts the scaled tree where it cuts the original
  const ref = agglomerative(X, { distanceThreshold: 1.5 });
  const big = agglomerative(times(X, 2 ** 600), { distanceThreshold: 1.5 * 2 ** 600 });
  assert.deepEqual(Array.from(big.labels), Array.from(ref.labels));
});

test('agglomerative: distanceThreshold must be a non-negative finite number', () => {
  const X = groups();
  for (const bad of [NaN, -1, Infinity, '1' as unknown as number]) {
    assert.throws(() => agglomerative(X, { distanceThreshold: bad }), /distanceThreshold must be a non-negative finite number/);
  }
  assert.equal(agglomerative(X, { distanceThreshold: 0 }).nClusters, 24);
});
