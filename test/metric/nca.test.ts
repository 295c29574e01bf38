import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NCA, ncaLossGrad } from '../../src/metric/nca.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { runConformance, subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';
import { rankDeficientClasses, metricGap } from './span-fixtures.js';

runConformance('nca', (o) => new NCA(o), (m, X, y) => (m as NCA).fit(X, y));

test('nca: gradient matches finite differences (full and reduced rank)', () => {
  const { X, y } = subset('wine', 6);
  const codes = Int32Array.from(y.map(Number));
  const rng = new Random(3);
  for (const k of [X.cols, 4]) {
    const L = new Float64Array(k * X.cols).map(() => 0.3 * rng.normal());
    checkGradient((x, g) => ncaLossGrad(X, codes, x, k, g), L, { coords: 15 });
  }
});

test('nca: objective on a hand-computable case', () => {
  // Three points on a line, L = 1: p_01 = e^{-1}/(e^{-1}+e^{-4}), etc.
  const X = Matrix.from64([[0], [1], [3]]);
  const y = Int32Array.from([0, 0, 1]);
  const g = new Float64Array(1);
  const f = ncaLossGrad(X, y, Float64Array.from([1]), 1, g);
  const e = Math.exp;
  const p0 = e(-1) / (e(-1) + e(-9));
  const p1 = e(-1) / (e(-1) + e(-4));
  const p2 = 0; // its only neighbours are of the other class
  assert.ok(Math.abs(f - -(p0 + p1 + p2)) < 1e-12);
});

test('nca: iris and wine accuracy with the shipped folds reaches metric-learn', () => {
  // metric-learn 0.7: iris 0.9667 ± 0.0365, wine 0.9830 ± 0.0139.
  const iris = subset('iris', 1);
  const folds = foldsOf('iris');
  const r = crossValidate(iris.X, iris.y, { algorithm: 'nca', folds });
  assert.ok(r.accuracy!.mean >= 0.9667 - 0.5 * 0.0365, `iris ${r.accuracy!.mean}`);
  const wine = subset('wine', 1);
  const r2 = crossValidate(wine.X, wine.y, { algorithm: 'nca', folds: foldsOf('wine') });
  assert.ok(r2.accuracy!.mean >= 0.9830 - 0.5 * 0.0139, `wine ${r2.accuracy!.mean}`);
});

test('nca: nComponents reduces the dimension and maxIter stops with a warning', () => {
  const { X, y } = subset('wine', 4);
  const m = new NCA({ nComponents: 2, maxIter: 2 }).fit(X, y);
  assert.equal(m.transform(X).cols, 2);
  assert.equal(m.converged, false);
  assert.ok(m.warnings.some((w) => /maxIter/.test(w)));
  assert.throws(() => new NCA({ maxIter: 0 }).fit(X, y), /maxIter/);
});

import { readFolds } from '../../src/io/csv.js';
import { join } from 'node:path';
import { DATA } from '../helpers.js';
function foldsOf(name: string): Int32Array {
  return readFolds(join(DATA, `${name}.folds.csv`));
}

test('nca: with fewer points than features, L-BFGS in the span of the rows gives the full-space fit', () => {
  // 24 points in 40 dimensions. The gradient 2 L Xᵀ Lap X never leaves the rows' span, so
  // both ways take the same iterates up to rounding; NCA's path amplifies rounding over many
  // iterations (the objective has no finite minimiser here), so a few are compared.
  const rng = new Random(22);
  const n = 24, d = 40;
  const X = new Matrix(n, d, rng.fillNormal(new Float64Array(n * d)));
  const y = Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) X.data[i * d + y[i]] += 1;
  const fit = (rowSpace: boolean) => new NCA({ rowSpace, maxIter: 4 }).fit(X, y);
  const a = fit(true), b = fit(false);
  assert.equal(a.nIter, b.nIter);
  const Ma = a.getMahalanobisMatrix().data, Mb = b.getMahalanobisMatrix().data;
  const { diff, top, off } = metricGap(Ma, Mb, d);
  assert.ok(diff <= 1e-8 * top, `max |ΔM| = ${diff} against ${top}`);
  assert.ok(off > 1e-3, `M moved from the identity by ${off}`);
  // Outside the span L keeps its start (the identity): a direction orthogonal to every row
  // has the same length before and after.
  // Projections onto each row in turn, repeated until u is orthogonal to all of them
  // (the rows are not orthogonal to each other, so one pass is not enough).
  const u = rng.fillNormal(new Float64Array(d));
  for (let pass = 0; pass < 50; pass++) for (let i = 0; i < n; i++) {
    let p = 0, q = 0;
    for (let c = 0; c < d; c++) { p += u[c] * X.data[i * d + c]; q += X.data[i * d + c] ** 2; }
    for (let c = 0; c < d; c++) u[c] -= (p / q) * X.data[i * d + c];
  }
  let uMu = 0, uu = 0;
  for (let i = 0; i < d; i++) { uu += u[i] * u[i]; for (let j = 0; j < d; j++) uMu += u[i] * Ma[i * d + j] * u[j]; }
  assert.ok(Math.abs(uMu - uu) <= 1e-8 * uu, `uᵀMu ${uMu} vs uᵀu ${uu}`);
});

test('nca: with rank-deficient data (constant and collinear features), L-BFGS in the span of the differences gives the full-space fit', () => {
  const { X, y } = rankDeficientClasses(new Random(24), 60, 1);
  const fit = (rowSpace: boolean) => new NCA({ rowSpace, maxIter: 4 }).fit(X, y);
  const a = fit(true), b = fit(false);
  assert.equal(a.nIter, b.nIter);
  const { diff, top, off } = metricGap(a.getMahalanobisMatrix().data, b.getMahalanobisMatrix().data, X.cols);
  assert.ok(diff <= 1e-8 * top, `max |ΔM| = ${diff} against ${top}`);
  assert.ok(off > 1e-3, `M moved from the identity by ${off}`);
});

test('nca: a saturated softmax at the start stops L-BFGS before its first step, and the fit says so with the scale that fixes it', () => {
  // Three classes in 6 dimensions at a scale where nearest neighbours are hundreds apart in
  // squared distance: every p_ij is 0 or 1 to double precision, so the gradient underflows.
  const rng = new Random(25);
  const n = 45, d = 6;
  const y = Array.from({ length: n }, (_, i) => i % 3);
  const base = rng.fillNormal(new Float64Array(n * d));
  for (let i = 0; i < n; i++) base[i * d + y[i]] += 1;
  const big = new Matrix(n, d, base.map((v) => v * 200));
  const stuck = new NCA().fit(big, y);
  assert.equal(stuck.nIter, 0);
  assert.equal(stuck.warnings.length, 1);
  const m = /nearest neighbour is ([\d.e+]+).*Scale the features by about ([\d.e+-]+)/.exec(stuck.warnings[0]);
  assert.ok(m, stuck.warnings[0]);
  assert.ok(Number(m[1]) > 100, `median squared distance ${m[1]}`);
  // Following the advice, the fit moves and says nothing.
  const s = Number(m[2]);
  const moved = new NCA().fit(new Matrix(n, d, base.map((v) => v * 200 * s)), y);
  assert.ok(moved.nIter > 0, `nIter ${moved.nIter}`);
  assert.deepEqual(moved.warnings, []);
});
