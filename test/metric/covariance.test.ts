import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Covariance, inverseSqrtComponents } from '../../src/metric/covariance.js';
import { toRandom } from '../../src/random.js';
import { maxAbsDiff } from '../helpers.js';
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

test('covariance: with fewer rows than features (SVD of the rows) M is the pseudo-inverse of the covariance', () => {
  const rng = toRandom(11);
  const n = 9, d = 15;
  const X = Matrix.zeros(n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X.data[i * d + j] = rng.normal() * (1 + j) + 3;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X.data[i * d + j] / n;
  const C = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) C[a * d + b] += (X.data[i * d + a] - mean[a]) * (X.data[i * d + b] - mean[b]) / (n - 1);
  const m = new Covariance().fit(X);
  assert.equal(m.components.rows, n - 1); // centred rows span n − 1 directions
  const M = m.getMahalanobisMatrix();
  const want = inverseSqrtComponents(C, d, 1e-10);
  const W = new Float64Array(d * d);
  for (let r = 0; r < want.rows; r++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) W[a * d + b] += want.data[r * d + a] * want.data[r * d + b];
  const diff = maxAbsDiff(M.data, W), scale = maxAbsDiff(W, new Float64Array(W.length));
  assert.ok(diff <= 1e-8 * scale, `max |ΔM| ${diff} against ${scale}`);
  // Pseudo-inverse: C M C = C.
  const CM = new Float64Array(d * d), CMC = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) { let s = 0; for (let c = 0; c < d; c++) s += C[a * d + c] * M.data[c * d + b]; CM[a * d + b] = s; }
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) { let s = 0; for (let c = 0; c < d; c++) s += CM[a * d + c] * C[c * d + b]; CMC[a * d + b] = s; }
  let cs = 0, cd = 0;
  for (let p = 0; p < d * d; p++) { cs = Math.max(cs, Math.abs(C[p])); cd = Math.max(cd, Math.abs(CMC[p] - C[p])); }
  assert.ok(cd <= 1e-9 * cs, `C M C − C: ${cd} against ${cs}`);
});

test('covariance: a rank-deficient covariance is reported with its rank, its causes and the fixes; a full-rank one is not', () => {
  const noVariance = (m: Covariance) => m.warnings.filter((w) => /^covariance: the training covariance has rank/.test(w));
  for (const name of ['iris', 'wine']) assert.deepEqual(new Covariance().fit(subset(name, 1).X).warnings, [], name);
  // Fewer rows than features: 9 centred rows span 8 of 15 directions.
  const rng = toRandom(3);
  const X = Matrix.zeros(9, 15);
  rng.fillNormal(X.data);
  let w = noVariance(new Covariance().fit(X));
  assert.equal(w.length, 1);
  assert.equal(w[0], "covariance: the training covariance has rank 8 of 15 features: 7 directions have no variance (9 rows, which once centred span at most 8 directions); the pseudo-inverse (as metric-learn's pinvh) gives them zero weight, so differences along them do not count in the distance; for a full-rank metric, reduce the features to 8 (e.g. PCA with nComponents 8), or use more rows than features");
  // Digits: three pixels are blank in every image.
  const digits = subset('digits', 1);
  const m = new Covariance().fit(digits.X);
  assert.equal(m.nComponents, 61);
  w = noVariance(m);
  assert.equal(w.length, 1);
  assert.match(w[0], /rank 61 of 64 features: 3 directions have no variance \(3 constant columns\);.*pseudo-inverse.*zero weight.*reduce the features to 61 \(e\.g\. PCA with nComponents 61\), or drop the constant columns$/);
  // A column that is a combination of two others: neither rows nor constants explain it, so
  // only the reduction is offered.
  const Y = Matrix.zeros(30, 4);
  rng.fillNormal(Y.data);
  for (let i = 0; i < 30; i++) Y.data[i * 4 + 3] = Y.data[i * 4] - 2 * Y.data[i * 4 + 1];
  w = noVariance(new Covariance().fit(Y));
  assert.equal(w.length, 1);
  assert.match(w[0], /rank 3 of 4 features: 1 direction has no variance \(1 from columns that are \(nearly\) linear combinations of others, with variance at most tol × the largest, tol = 1e-10\);.* gives it zero weight.*reduce the features to 3 \(e\.g\. PCA with nComponents 3\)$/);
});
