import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNeighborsClassifier } from '../../src/neighbors/knn-classifier.js';
import { KNeighborsRegressor } from '../../src/neighbors/knn-regressor.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { Matrix } from '../../src/matrix.js';
import { NCA } from '../../src/metric/nca.js';
import { subset } from '../metric/conformance.js';

const X = [[0], [1], [2], [10], [11], [12]];
const y = ['a', 'a', 'a', 'b', 'b', 'b'];

test('knn classifier: majority vote on a hand-checkable line', () => {
  const m = new KNeighborsClassifier({ k: 3 }).fit(X, y);
  assert.deepEqual(m.predict([[1.4], [10.6], [5.9], [6.1]]), ['a', 'b', 'a', 'b']);
  assert.deepEqual(m.classes, ['a', 'b']);
  const P = m.predictProba([[3]]);
  assert.deepEqual(Array.from(P.data), [1, 0]);
  assert.equal(m.score([[0.5], [11.5]], ['a', 'b']), 1);
  const nb = m.kneighbors([[1.2]], 2);
  assert.deepEqual(Array.from(nb.indices), [1, 2]);
  assert.ok(Math.abs(nb.distances[0] - 0.2) < 1e-12 && Math.abs(nb.distances[1] - 0.8) < 1e-12);
});

test('knn classifier: distance weights and ties as scikit-learn', () => {
  // Query at 4 with k = 4: neighbours 2 (a, d=2), 1 (a, 3), 0 (a, 4), 10 (b, 6). Uniform: a.
  const Xt = [[0], [1], [2], [10]];
  const yt = [0, 0, 0, 1];
  const uni = new KNeighborsClassifier({ k: 3, weights: 'distance' }).fit(Xt, yt);
  assert.deepEqual(uni.predict([[9]]), [1]); // 1/1 for class 1 beats 1/7 + 1/8 for class 0
  const exact = new KNeighborsClassifier({ k: 3, weights: 'distance' }).fit(Xt, yt);
  assert.deepEqual(Array.from(exact.predictProba([[10]]).data), [0, 1]); // an exact match takes all the weight
  // A 1-1 tie between classes 1 and 0 (k = 2) goes to the smaller label.
  const tie = new KNeighborsClassifier({ k: 2 }).fit([[0], [2], [50]], [1, 0, 1]);
  assert.deepEqual(tie.predict([[1]]), [0]);
});

test('knn: metric function, index factory and the default kernel agree', () => {
  const { X: Xs, y: ys } = subset('iris', 3);
  const nca = new NCA({ maxIter: 20 }).fit(Xs, ys);
  const q = Xs.sliceRows(0, 10);
  const viaTransform = new KNeighborsClassifier({ k: 5, transform: nca }).fit(Xs, ys).kneighbors(q);
  const viaMetric = new KNeighborsClassifier({ k: 5, metric: nca.getMetric() }).fit(Xs, ys).kneighbors(q);
  const viaIndex = new KNeighborsClassifier({ k: 5, transform: nca, index: () => new ExactIndex({ metric: 'sqeuclidean' }) }).fit(Xs, ys).kneighbors(q);
  assert.deepEqual(Array.from(viaMetric.indices), Array.from(viaTransform.indices));
  assert.deepEqual(Array.from(viaIndex.indices), Array.from(viaTransform.indices));
  for (let i = 0; i < viaMetric.distances.length; i++) {
    assert.ok(Math.abs(viaMetric.distances[i] - viaTransform.distances[i]) < 1e-6); // the kernel uses the GEMM expansion
    assert.ok(Math.abs(viaIndex.distances[i] - viaTransform.distances[i]) < 2e-3, `${viaIndex.distances[i]} vs ${viaTransform.distances[i]}`); // float32 storage and the GEMM expansion
  }
});

test('knn regressor: uniform and distance-weighted means', () => {
  const r = new KNeighborsRegressor({ k: 2 }).fit([[0], [1], [3]], [0, 10, 30]);
  assert.deepEqual(Array.from(r.predict([[0.2]])), [5]);
  const w = new KNeighborsRegressor({ k: 2, weights: 'distance' }).fit([[0], [1], [3]], [0, 10, 30]);
  // d = 0.5 and 0.5 → equal weights; d = 0.25 (x=0) and 0.75 (x=1): (0·4 + 10·4/3)/(4 + 4/3) = 2.5
  assert.ok(Math.abs(w.predict([[0.25]])[0] - 2.5) < 1e-12);
  assert.equal(r.mse([[0], [1]], [5, 5]), 0);
});

test('knn: clear errors', () => {
  assert.throws(() => new KNeighborsClassifier({ k: 6 }).fit(X, y), /k = 6 must be smaller than the number of training samples \(6\)/);
  assert.throws(() => new KNeighborsClassifier({ k: 0 }), /positive integer/);
  assert.throws(() => new KNeighborsClassifier({ weights: 'cubic' as never }), /weights/);
  assert.throws(() => new KNeighborsClassifier().predict(X), /not fitted/);
  assert.throws(() => new KNeighborsClassifier().fit(X, y.slice(1)), /one per row/);
  assert.throws(() => new KNeighborsClassifier().fit(X, y).predict([[1, 2]]), /features/);
  assert.throws(() => new KNeighborsRegressor().fit(X, [1, 2, 3, 4, NaN, 6]), /y\[4\]/);
  assert.throws(() => new KNeighborsClassifier().fit([[0], [NaN], [1], [2]], [1, 1, 0, 0]), /NaN/);
  assert.ok(Matrix.identity(1));
});
