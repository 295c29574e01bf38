import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LMNN, LmnnEvaluator, lmnnActiveLossGrad, lmnnBruteLoss, selectTargets } from '../../src/metric/lmnn.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { checkXy } from '../../src/metric/base.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { join } from 'node:path';
import { DATA } from '../helpers.js';
import { runConformance, subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';
import { rankDeficientClasses, metricGap } from './span-fixtures.js';

runConformance('lmnn', (o) => new LMNN({ maxIter: 60, ...o }), (m, X, y) => (m as LMNN).fit(X, y));

test('lmnn: gradient on a fixed active set matches finite differences', () => {
  const { X, y } = subset('wine', 6);
  const codes = checkXy(X, y, 't').y;
  const k = 3;
  const targets = selectTargets(X, codes, 3, k);
  const rng = new Random(5);
  // An arbitrary fixed set of (i, j, l) triples with y_l ≠ y_i.
  const triples: number[] = [];
  for (let i = 0; i < X.rows; i += 2) {
    for (let l = 0; l < X.rows; l += 5) if (codes[l] !== codes[i]) { triples.push(i, targets[i * k + (l % k)], l); break; }
  }
  for (const kd of [X.cols, 3]) {
    const L = new Float64Array(kd * X.cols).map(() => 0.4 * rng.normal());
    checkGradient((x, g) => lmnnActiveLossGrad(X, targets, k, Int32Array.from(triples), 0.5, x, kd, g), L, { coords: 15 });
  }
});

test('lmnn: the evaluator\'s gradient matches finite differences, through the scatter (many points) and through Zᵀ(Lap X) (few points per dimension)', () => {
  // Every sixth wine row: 30 points in 13 dimensions, where 4 kd > n takes the Zᵀ (Lap X) form
  // for kd = 13 and the bounds never pay (dense throughout); kd = 2 takes the scatter form.
  const { X, y } = subset('wine', 6);
  const codes = checkXy(X, y, 't').y;
  const k = 3;
  const targets = selectTargets(X, codes, 3, k);
  const rng = new Random(12);
  for (const kd of [X.cols, 2]) {
    const ev = new LmnnEvaluator(X, codes, targets, k, 0.5, kd);
    const L = new Float64Array(kd * X.cols).map(() => 0.5 * rng.normal());
    for (let i = 0; i < kd; i++) L[i * X.cols + i] += 1;
    const f = ev.evaluate(L, new Float64Array(L.length));
    assert.ok(Math.abs(f - lmnnBruteLoss(X, codes, targets, k, 0.5, L, kd)) <= 1e-9 * Math.max(1, f));
    checkGradient((x, g) => ev.evaluate(x, g), L, { coords: 20, h: 1e-7 });
  }
});

/** Every second wine row, scaled up so the margin is small against the class gaps: the regime where the bound pays. */
function scaledWine(): { X: Matrix<Float64Array>; codes: Int32Array; k: number; targets: Int32Array } {
  const { X, y } = subset('wine', 2);
  const codes = checkXy(X, y, 't').y;
  const k = 3;
  const targets = selectTargets(X, codes, 3, k);
  for (let i = 0; i < X.data.length; i++) X.data[i] *= 3;
  return { X, codes, k, targets };
}

test('lmnn: the bound-accelerated evaluator equals the brute-force loss along random moves', () => {
  const { X, codes, k, targets } = scaledWine();
  const rng = new Random(9);
  for (const kd of [X.cols, 2]) {
    const ev = new LmnnEvaluator(X, codes, targets, k, 0.5, kd);
    let L = new Float64Array(kd * X.cols);
    for (let i = 0; i < kd; i++) L[i * X.cols + i] = 1;
    const g = new Float64Array(L.length);
    for (let step = 0; step < 25; step++) {
      const f = ev.evaluate(L, g);
      const brute = lmnnBruteLoss(X, codes, targets, k, 0.5, L, kd);
      assert.ok(Math.abs(f - brute) <= 1e-9 * Math.max(1, brute), `step ${step}: ${f} vs ${brute}`);
      L = L.map((v) => v + (step % 8 === 7 ? 0.2 : 0.004) * rng.normal());
    }
    if (kd === X.cols) assert.ok(ev.fullRefreshes < 10, `the bound should skip most full impostor searches (${ev.fullRefreshes} of 25 done)`);
  }
});

test('lmnn: when every move outruns the bounds, the evaluator drops them (dense mode) and stays exact, and goes back when moves are small', () => {
  const { X, codes, k, targets } = scaledWine();
  const rng = new Random(4);
  const ev = new LmnnEvaluator(X, codes, targets, k, 0.5, X.cols);
  let L = new Float64Array(X.cols * X.cols);
  for (let i = 0; i < X.cols; i++) L[i * X.cols + i] = 1;
  const g = new Float64Array(L.length);
  for (let step = 0; step < 60; step++) {
    const f = ev.evaluate(L, g);
    const brute = lmnnBruteLoss(X, codes, targets, k, 0.5, L, X.cols);
    assert.ok(Math.abs(f - brute) <= 1e-9 * Math.max(1, brute), `step ${step}: ${f} vs ${brute}`);
    if (step === 29) assert.ok(ev.failedBoundSwitches >= 1, 'large moves should switch the bounds off');
    // Large moves for 30 steps, then tiny ones: the retry after 25 dense evaluations keeps the bounds.
    L = L.map((v) => v + (step < 30 ? 0.3 : 1e-5) * rng.normal());
  }
  const before = ev.fullRefreshes;
  for (let step = 0; step < 10; step++) {
    ev.evaluate(L, g);
    L = L.map((v) => v + 1e-5 * rng.normal());
  }
  assert.ok(ev.fullRefreshes - before <= 2, `small moves should be served by the bounds again (${ev.fullRefreshes - before} full searches in 10)`);
});

test('lmnn: target neighbours are the k nearest same-class points', () => {
  const X = Matrix.from64([[0], [1], [5], [10], [11], [13]]);
  const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const t = selectTargets(X, y, 2, 1);
  assert.deepEqual(Array.from(t), [1, 0, 1, 4, 3, 4]);
});

test('lmnn: iris and wine accuracy with the shipped folds reaches metric-learn', () => {
  // metric-learn 0.7: iris 0.9400 ± 0.0249, wine 0.9832 ± 0.0223.
  const iris = subset('iris', 1);
  const r = crossValidate(iris.X, iris.y, { algorithm: 'lmnn', folds: readFolds(join(DATA, 'iris.folds.csv')) });
  assert.ok(r.accuracy!.mean >= 0.94 - 0.5 * 0.0249, `iris ${r.accuracy!.mean}`);
  const wine = subset('wine', 1);
  const r2 = crossValidate(wine.X, wine.y, { algorithm: 'lmnn', folds: readFolds(join(DATA, 'wine.folds.csv')) });
  assert.ok(r2.accuracy!.mean >= 0.9832 - 0.5 * 0.0223, `wine ${r2.accuracy!.mean}`);
});

test('lmnn: clear errors for k ≥ class size and bad regularization; maxIter warns', () => {
  const { X, y } = subset('iris', 10); // 5 per class
  assert.throws(() => new LMNN({ k: 5 }).fit(X, y), /class .* has 5 samples.*k = 5.*lower k to 4/);
  assert.throws(() => new LMNN({ regularization: 2 }).fit(X, y), /regularization/);
  const m = new LMNN({ maxIter: 3, minIter: 0 }).fit(X, y);
  assert.equal(m.nIter, 3);
  assert.equal(m.converged, false);
  assert.ok(m.warnings.some((w) => /maxIter/.test(w)));
});

test('lmnn: verbose callback receives one event per iteration', () => {
  const { X, y } = subset('iris', 5);
  const events: number[] = [];
  new LMNN({ maxIter: 5, minIter: 0, verbose: (e) => events.push(e.iteration) }).fit(X, y);
  assert.deepEqual(events, [1, 2, 3, 4, 5].slice(0, events.length));
  assert.ok(events.length >= 1);
});

test('lmnn: with fewer points than features, descending in the span of the rows gives the full-space fit', () => {
  // 24 points in 40 dimensions: the gradient never leaves the rows' span, so both ways are
  // the same iterates; only rounding differs.
  const rng = new Random(21);
  const n = 24, d = 40;
  const X = new Matrix(n, d, rng.fillNormal(new Float64Array(n * d)));
  const y = Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) X.data[i * d + y[i]] += 2;
  const fit = (rowSpace: boolean) => new LMNN({ rowSpace, maxIter: 60, minIter: 60 }).fit(X, y).getMahalanobisMatrix().data;
  const a = fit(true), b = fit(false);
  let diff = 0, top = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); top = Math.max(top, Math.abs(b[i])); }
  assert.ok(diff <= 1e-9 * top, `max |ΔM| = ${diff} against ${top}`);
  // And the fit did move: M is not the identity it started from.
  let off = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) off = Math.max(off, Math.abs(b[i * d + j] - (i === j ? 1 : 0)));
  assert.ok(off > 1e-3, `M moved by ${off}`);
});

test('lmnn: with rank-deficient data (constant and collinear features), descending in the span of the differences gives the full-space fit', () => {
  // 60 points, 12 features: 3 constant, 2 sums of others, so the differences span 7 dimensions
  // (descentSpan); outside that span the gradient is zero, and L keeps its start there.
  const { X, y } = rankDeficientClasses(new Random(23), 60, 1.5);
  const fit = (rowSpace: boolean) => new LMNN({ rowSpace, maxIter: 60, minIter: 60 }).fit(X, y).getMahalanobisMatrix().data;
  const { diff, top, off } = metricGap(fit(true), fit(false), X.cols);
  assert.ok(diff <= 1e-9 * top, `max |ΔM| = ${diff} against ${top}`);
  assert.ok(off > 1e-3, `M moved by ${off}`);
});
