import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { kmeans } from '../../src/cluster/kmeans.js';
import { agglomerative, type Linkage } from '../../src/cluster/agglomerative.js';
import { adjustedRandIndex, normalizedMutualInfo } from '../../src/evaluation/clustering.js';
import { readDataset } from '../../src/io/index.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { LinearTransform } from '../../src/neighbors/transform-io.js';
import { DATA, randomMatrix } from '../helpers.js';

function blobs(n: number, centers: number[][], sigma: number, seed: number): { X: Matrix; y: number[] } {
  const rng = new Random(seed);
  const d = centers[0].length;
  const X = new Float64Array(n * d);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % centers.length;
    y.push(c);
    for (let j = 0; j < d; j++) X[i * d + j] = centers[c][j] + sigma * rng.normal();
  }
  return { X: new Matrix(n, d, X), y };
}

test('kmeans recovers well-separated blobs exactly and is reproducible for a seed', () => {
  const { X, y } = blobs(300, [[0, 0], [10, 0], [0, 10], [10, 10]], 0.5, 1);
  const r = kmeans(X, { nClusters: 4, seed: 3 });
  assert.equal(adjustedRandIndex(y, Array.from(r.labels)), 1);
  assert.ok(r.converged);
  // inertia is the sum of squared distances to the assigned centres
  let inertia = 0;
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < 2; j++) inertia += (X.get(i, j) - r.centers.get(r.labels[i], j)) ** 2;
  assert.ok(Math.abs(inertia - r.inertia) < 1e-8 * inertia);
  assert.deepEqual(kmeans(X, { nClusters: 4, seed: 3 }).labels, r.labels);
});

test('kmeans on iris: NMI ≥ 0.7 (scikit-learn reaches 0.76 with the same settings)', () => {
  const ds = readDataset(join(DATA, 'iris.csv'));
  const r = kmeans(ds.X, { nClusters: 3, seed: 0 });
  assert.ok(normalizedMutualInfo(ds.y as number[], Array.from(r.labels)) >= 0.7);
});

test('kmeans: more restarts never give a worse inertia; a transform changes the space; errors', () => {
  const X = randomMatrix(200, 3, 5);
  const one = kmeans(X, { nClusters: 5, nInit: 1, seed: 2 });
  const many = kmeans(X, { nClusters: 5, nInit: 8, seed: 2 });
  assert.ok(many.inertia <= one.inertia + 1e-9);
  // scaling the space by 2 scales the inertia by 4 for the same partition
  const scaled = kmeans(X, { nClusters: 5, nInit: 8, seed: 2, transform: new LinearTransform(new Matrix(3, 3, Float64Array.from([2, 0, 0, 0, 2, 0, 0, 0, 2]))) });
  assert.ok(Math.abs(scaled.inertia - 4 * many.inertia) < 1e-6 * scaled.inertia);
  assert.throws(() => kmeans(X, { nClusters: 500 }), /exceeds the 200 samples/);
  assert.throws(() => kmeans([[NaN]], { nClusters: 1 }), /row 0, column 0 is NaN/);
  // fewer distinct points than clusters: a perfect (zero-inertia) partition all the same
  const dup = kmeans([[0], [0], [0], [1]], { nClusters: 3, seed: 1 });
  assert.equal(dup.inertia, 0);
  assert.equal(new Set(dup.labels).size, 2);
});

test('agglomerative on 1-D points: merge heights of each linkage by hand', () => {
  const X = [[0], [1], [5], [6], [20]];
  const heights = (linkage: Linkage): number[] => agglomerative(X, { linkage, nClusters: 1 }).merges.map((m) => m.distance);
  // single: {0,1} 1, {5,6} 1, nearest gap between them 4, then 20 − 6 = 14
  assert.deepEqual(heights('single'), [1, 1, 4, 14]);
  // complete: 1, 1, max(|0−6|) = 6, max(|0−20|) = 20
  assert.deepEqual(heights('complete'), [1, 1, 6, 20]);
  // average: 1, 1, mean(5, 6, 4, 5) = 5, mean(20, 19, 15, 14) = 17
  assert.deepEqual(heights('average'), [1, 1, 5, 17]);
  const three = agglomerative(X, { nClusters: 3 });
  assert.deepEqual(Array.from(three.labels), [0, 0, 1, 1, 2]);
  assert.deepEqual(Array.from(agglomerative(X, { distanceThreshold: 4.5, linkage: 'single' }).labels), [0, 0, 0, 0, 1]);
});

test('agglomerative matches a naive closest-pair implementation on random data', () => {
  const X = randomMatrix(40, 3, 9);
  for (const linkage of ['single', 'complete', 'average'] as const) {
    // naive O(n³): repeatedly merge the closest pair of clusters by the linkage definition
    let clusters: number[][] = Array.from({ length: 40 }, (_, i) => [i]);
    const d = (a: number, b: number): number => Math.sqrt([0, 1, 2].reduce((s, j) => s + (X.get(a, j) - X.get(b, j)) ** 2, 0));
    const link = (A: number[], B: number[]): number => {
      const all = A.flatMap((a) => B.map((b) => d(a, b)));
      return linkage === 'single' ? Math.min(...all) : linkage === 'complete' ? Math.max(...all) : all.reduce((s, v) => s + v, 0) / all.length;
    };
    const naive: number[] = [];
    while (clusters.length > 1) {
      let best = [0, 1, Infinity];
      for (let i = 0; i < clusters.length; i++) for (let j = i + 1; j < clusters.length; j++) {
        const v = link(clusters[i], clusters[j]);
        if (v < best[2]) best = [i, j, v];
      }
      naive.push(best[2]);
      const merged = [...clusters[best[0]], ...clusters[best[1]]];
      clusters = clusters.filter((_, i) => i !== best[0] && i !== best[1]);
      clusters.push(merged);
    }
    const fast = agglomerative(X, { linkage, nClusters: 1 }).merges.map((m) => m.distance);
    naive.forEach((v, i) => assert.ok(Math.abs(v - fast[i]) < 1e-9, `${linkage} merge ${i}: ${fast[i]} vs ${v}`));
  }
  assert.throws(() => agglomerative(X, { linkage: 'ward' as Linkage }), /linkage must be/);
  assert.throws(() => agglomerative(X, { nClusters: 41 }), /nClusters must be an integer in \[1, 40\]/);
});

test('agglomerative recovers blobs (average linkage, cosine and euclidean)', () => {
  const { X, y } = blobs(120, [[0, 0, 5], [8, 0, 5], [0, 8, 5]], 0.4, 2);
  assert.equal(adjustedRandIndex(y, Array.from(agglomerative(X, { nClusters: 3 }).labels)), 1);
  assert.equal(adjustedRandIndex(y, Array.from(agglomerative(X, { nClusters: 3, metric: 'cosine' }).labels)), 1);
});
