import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLKR, mlkrLossGrad } from '../../src/metric/mlkr.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { runConformance, subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';

/** y depends on feature 0 only; features 1..4 are noise. */
function regressionSet(n: number, seed: number): { X: Matrix<Float64Array>; y: number[] } {
  const r = new Random(seed);
  const X = Matrix.zeros(n, 5);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 5; c++) X.data[i * 5 + c] = r.normal();
    y.push(Math.sin(2 * X.data[i * 5]) + 0.05 * r.normal());
  }
  return { X, y };
}

const reg = regressionSet(60, 1);
const reg2 = regressionSet(50, 2);
runConformance('mlkr', (o) => new MLKR({ maxIter: 50, ...o }), (m, X, y) => (m as MLKR).fit(X, y as number[]), { task: 'regression', data: reg, data2: reg2 });

test('mlkr: gradient matches finite differences (full and reduced rank)', () => {
  const { X, y } = regressionSet(30, 4);
  const rng = new Random(2);
  for (const k of [5, 2]) {
    const L = new Float64Array(k * 5).map(() => 0.5 * rng.normal());
    checkGradient((x, g) => mlkrLossGrad(X, Float64Array.from(y), x, k, g), L, { coords: 10 });
  }
});

test('mlkr: learns to ignore the noise features and beats Euclidean k-NN regression', () => {
  const { X, y } = regressionSet(200, 7);
  const m = new MLKR({ maxIter: 200 }).fit(X, y);
  const M = m.getMahalanobisMatrix();
  for (let c = 1; c < 5; c++) assert.ok(M.get(c, c) < 0.2 * M.get(0, 0), `feature ${c}: ${M.get(c, c)} vs ${M.get(0, 0)}`);
  const base = crossValidate(X, y, { algorithm: 'euclidean', task: 'regression', nFolds: 4, k: 5 });
  const learned = crossValidate(X, y, { algorithm: 'mlkr', params: { maxIter: 200 }, nFolds: 4, k: 5 });
  assert.equal(learned.task, 'regression');
  assert.ok(learned.mse!.mean < 0.6 * base.mse!.mean, `mlkr ${learned.mse!.mean} vs euclidean ${base.mse!.mean}`);
});

test('mlkr: non-numeric or non-finite targets are rejected', () => {
  const { X } = subset('iris', 10);
  assert.throws(() => new MLKR().fit(X, Array.from({ length: X.rows }, (_, i) => (i === 3 ? NaN : i))), /y\[3\]/);
});

test('mlkr: a saturated kernel at the start stops L-BFGS before its first step, and the fit says so', () => {
  const rng = new Random(26);
  const n = 40, d = 5;
  const X = rng.fillNormal(new Float64Array(n * d));
  const y = Array.from({ length: n }, (_, i) => X[i * d] + 0.5 * X[i * d + 1]);
  const stuck = new MLKR().fit(new Matrix(n, d, X.map((v) => v * 300)), y);
  assert.equal(stuck.nIter, 0);
  assert.match(stuck.warnings[0] ?? '', /^mlkr: L-BFGS stopped before its first step.*neighbour softmax is saturated/);
  const moved = new MLKR().fit(new Matrix(n, d, X), y);
  assert.ok(moved.nIter > 0);
  assert.deepEqual(moved.warnings, []);
});
