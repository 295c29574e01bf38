import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Covariance } from '../../src/metric/covariance.js';
import { Euclidean } from '../../src/metric/euclidean.js';
import { Matrix } from '../../src/matrix.js';
import { runConformance, subset } from './conformance.js';

runConformance('covariance', (o) => new Covariance(o), (m, X, y) => (m as Covariance).fit(X, y), { nComponentsOption: null, labelsIgnored: true });
runConformance('euclidean', (o) => new Euclidean(o), (m, X, y) => (m as Euclidean).fit(X, y), { nComponentsOption: null, labelsIgnored: true });

test('covariance: M is the inverse sample covariance (hand-computed 2-D case)', () => {
  const X = Matrix.from64([[1, 2], [3, 1], [0, 0], [2, 5]]);
  // Sample covariance (n − 1): mean (1.5, 2); Σ = [[5/3, 1], [1, 14/3]].
  const M = new Covariance().fit(X).getMahalanobisMatrix();
  const S = [[5 / 3, 1], [1, 14 / 3]];
  const det = S[0][0] * S[1][1] - S[0][1] * S[1][0];
  const inv = [[S[1][1] / det, -S[0][1] / det], [-S[1][0] / det, S[0][0] / det]];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) assert.ok(Math.abs(M.get(i, j) - inv[i][j]) < 1e-12);
});

test('covariance: a constant column gets zero weight (pseudo-inverse) instead of failing', () => {
  const { X } = subset('wine', 3);
  const Xc = X.clone();
  for (let i = 0; i < Xc.rows; i++) Xc.data[i * Xc.cols + 2] = 4;
  const m = new Covariance().fit(Xc);
  assert.equal(m.nComponents, X.cols - 1);
  const M = m.getMahalanobisMatrix();
  for (let j = 0; j < M.cols; j++) assert.ok(Math.abs(M.get(2, j)) < 1e-9);
  assert.throws(() => new Covariance().fit([[1, 1], [1, 1]]), /constant/);
});

test('euclidean: the identity metric', () => {
  const m = new Euclidean().fit([[0, 0], [3, 4]]);
  assert.equal(m.pairDistance([[[0, 0], [3, 4]]])[0], 5);
});
