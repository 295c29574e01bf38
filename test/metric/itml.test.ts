import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ITML, ITMLSupervised, itmlSolve } from '../../src/metric/itml.js';
import { Matrix } from '../../src/matrix.js';
import { rocAuc } from '../../src/evaluation/verification.js';
import { Constraints } from '../../src/metric/constraints.js';
import { priorMatrix } from '../../src/metric/prior.js';
import { Random } from '../../src/random.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA } from '../helpers.js';
import { getBackend, useBackend, LinAlgError } from '../../src/backend/index.js';
import { pairsFromLabels } from '../../src/metric/supervised-tuples.js';
import { percentiles } from '../../src/metric/percentiles.js';
import { runConformance, subset } from './conformance.js';

runConformance('itml', (o) => new ITMLSupervised(o), (m, X, y) => (m as ITMLSupervised).fit(X, y), { nComponentsOption: null });

test('itml: one similar pair, hand-computed Bregman projection with slack', () => {
  // v = (1, 0), M₀ = I, p = 1, u = 0.25, γ = 1: α = ½(1/1 − 1/0.25) = −1.5, β = α/(1 − αp) = −0.6,
  // so M = diag(0.4, 1); ξ = 1/(1/0.25 − 1.5) = 0.4 = vᵀMv, after which α = 0 (converged).
  const t = { points: Matrix.from64([[0, 0], [1, 0]]), indices: Int32Array.of(0, 1), arity: 2 };
  const r = itmlSolve(t, Int8Array.of(1), { bounds: [0.25, 4] }, new Random(0));
  assert.ok(r.converged);
  assert.ok(Math.abs(r.M[0] - 0.4) < 1e-12 && Math.abs(r.M[3] - 1) < 1e-12 && Math.abs(r.M[1]) < 1e-12, `M = ${Array.from(r.M)}`);
  // A very large γ makes the constraint hard: vᵀMv → u.
  const hard = itmlSolve(t, Int8Array.of(1), { bounds: [0.25, 4], gamma: 1e9 }, new Random(0));
  assert.ok(Math.abs(hard.M[0] - 0.25) < 1e-6);
  // A dissimilar pair closer than ℓ is pushed out: vᵀMv = ξ = 1/(1/4 + ½(1/4 − 1)) ... ≥ 1.
  const dis = itmlSolve(t, Int8Array.of(-1), { bounds: [0.25, 4] }, new Random(0));
  // α = ½(1/4 − 1) = −0.375, β = 0.375/(1 − 0.375) = 0.6 → M₀₀ = 1.6, ξ = 1/(0.25 + 0.375) = 1.6.
  assert.ok(Math.abs(dis.M[0] - 1.6) < 1e-12, `M00 ${dis.M[0]}`);
});

test('itml: learns to separate similar from dissimilar pairs and down-weights a noise feature', () => {
  const rng = new Random(3);
  const rows: number[][] = [];
  for (let i = 0; i < 40; i++) rows.push([rng.normal() + (i % 2) * 3, rng.normal() * 5]);
  const X = Matrix.from64(rows);
  const idx: number[] = [], y: number[] = [];
  for (let k = 0; k < 60; k++) {
    const i = rng.int(40), j = rng.int(40);
    if (i === j) continue;
    idx.push(i, j);
    y.push(i % 2 === j % 2 ? 1 : -1);
  }
  const m = new ITML({ seed: 1, gamma: 100 }).fit({ points: X, indices: Int32Array.from(idx) }, y);
  assert.ok(m.converged);
  const [u, l] = m.bounds;
  assert.ok(u < l);
  const pairs = { points: X, indices: Int32Array.from(idx) };
  assert.ok(m.score(pairs, y) > 0.8, `training AUC ${m.score(pairs, y)}`);
  // Euclidean AUC is much lower: the noise feature dominates plain distances.
  const eu = idx.filter((_, k) => k % 2 === 0).map((i, k) => -Math.hypot(rows[i][0] - rows[idx[2 * k + 1]][0], rows[i][1] - rows[idx[2 * k + 1]][1]));
  const e = rocAuc(eu, y);
  assert.ok(e < m.score(pairs, y) - 0.1, `Euclidean AUC ${e}, learned ${m.score(pairs, y)}`);
  // The noisy second feature gets down-weighted relative to the informative first one.
  const M = m.getMahalanobisMatrix();
  assert.ok(M.get(0, 0) > 5 * M.get(1, 1), `M = ${Array.from(M.data)}`);
});

test('itml: iris and wine reach metric-learn (mean − ½ std) through cross-validation', () => {
  // metric-learn 0.7 ITML_Supervised: iris 0.9467 ± 0.0267, wine 0.9832 ± 0.0137.
  for (const [name, floor] of [['iris', 0.9467 - 0.5 * 0.0267], ['wine', 0.9832 - 0.5 * 0.0137]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'itml', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= floor, `${name} ${r.accuracy!.mean}`);
  }
});

test('itml: bad options and inputs', () => {
  const d = subset('iris', 5);
  assert.throws(() => new ITMLSupervised({ gamma: -1 }).fit(d.X, d.y), /gamma must be a positive/);
  assert.throws(() => new ITMLSupervised({ bounds: [0, 1] }).fit(d.X, d.y), /bounds must satisfy 0 < u < l/);
  // Swapped or equal bounds would pull dissimilar pairs in as far as similar ones.
  assert.throws(() => new ITMLSupervised({ bounds: [5, 1] }).fit(d.X, d.y), /bounds must satisfy 0 < u < l .*got \[5, 1\]; did you mean \[1, 5\]\?/);
  assert.throws(() => new ITMLSupervised({ bounds: [2, 2] }).fit(d.X, d.y), /bounds must satisfy 0 < u < l .*got \[2, 2\]$/);
  for (const b of [5, [1, 2, 3], [1], [Number.NaN, 1], [1, Infinity], ['1', 2]]) {
    assert.throws(() => new ITMLSupervised({ bounds: b as never }).fit(d.X, d.y), /bounds must be two finite numbers \[u, l\]/, JSON.stringify(b));
  }
  assert.throws(() => new ITMLSupervised({ boundsFrom: 'x' as never }).fit(d.X, d.y), /boundsFrom/);
  assert.throws(() => new ITMLSupervised({ numConstraints: 10 ** 6 }).fit(d.X, d.y), /use numConstraints <= \d+/);
  assert.throws(() => new ITMLSupervised({ prior: [[1, 2], [3, 4]] }).fit(d.X, d.y), /prior must be a 4 x 4/);
  assert.throws(() => new ITML().fit([[[0, 0], [0, 0]]], [1]), /fewer than 2 distinct points/);
});

test('itml: with every constraint already satisfied the result is the prior (identity, covariance, random, given)', () => {
  const d = subset('iris', 3);
  const lp = new Constraints(d.y).labelledPairs(20, { seed: 1 });
  const given = [[2, 0.5, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0.2], [0, 0, 0.2, 3]];
  // Bounds must keep u < l, so the similar and the dissimilar pairs are satisfied separately:
  // every similar pair lies within u = 1e9, every dissimilar one beyond l = 1e-9.
  const kinds = [{ sign: 1, bounds: [1e9, 2e9] }, { sign: -1, bounds: [1e-10, 1e-9] }] as const;
  for (const prior of ['identity', 'covariance', 'random', given] as const) {
    for (const { sign, bounds } of kinds) {
      const keep = Array.from(lp.y).flatMap((v, k) => (v === sign ? [k] : []));
      const some = { points: d.X, indices: Int32Array.from(keep.flatMap((k) => [lp.indices[2 * k], lp.indices[2 * k + 1]])) };
      const m = new ITML({ prior, bounds: [...bounds], seed: 4 }).fit(some, keep.map(() => sign));
      const M0 = priorMatrix(prior, d.X.data, d.X.rows, 4, new Random(4), 'itml');
      const M = m.getMahalanobisMatrix().data;
      for (let i = 0; i < 16; i++) assert.ok(Math.abs(M[i] - M0[i]) < 1e-8 * (1 + Math.abs(M0[i])), `${String(prior)}, ${sign > 0 ? 'similar' : 'dissimilar'}: M[${i}] ${M[i]} vs ${M0[i]}`);
      assert.equal(m.nIter, 1);
    }
  }
  // The covariance prior is the inverse sample covariance.
  const C = priorMatrix('covariance', d.X.data, d.X.rows, 4, new Random(0), 'itml');
  const mean = [0, 1, 2, 3].map((c) => d.y.reduce((s: number, _v, i) => s + d.X.get(i, c), 0) / d.X.rows);
  const cov = new Float64Array(16);
  for (let i = 0; i < d.X.rows; i++) for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) cov[a * 4 + b] += (d.X.get(i, a) - mean[a]) * (d.X.get(i, b) - mean[b]) / (d.X.rows - 1);
  for (let a = 0; a < 4; a++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += C[a * 4 + k] * cov[k * 4 + a];
    assert.ok(Math.abs(s - 1) < 1e-8, `(M₀ Σ)[${a},${a}] = ${s}`);
  }
});

test('itml: the hand-computed projection also holds at 40 features (the BLAS path on the native backend)', () => {
  const d = 40;
  const rows = [new Array(d).fill(0), new Array(d).fill(0), new Array(d).fill(0)];
  rows[1][0] = 1;
  rows[2][3] = 2; // a second, orthogonal similar pair: p = 4 > u, α = ½(1/4 − 1/0.25) = −1.875, β = α/(1 − 4α) = −0.22059…
  const t = { points: Matrix.from64(rows), indices: Int32Array.of(0, 1, 0, 2), arity: 2 };
  // rowSpace: false keeps the 40 x 40 projections (3 points would otherwise be solved in the 2-dimensional span of their differences).
  for (const rowSpace of [false, true]) {
    const r = itmlSolve(t, Int8Array.of(1, 1), { bounds: [0.25, 4], rowSpace }, new Random(0));
    assert.equal(r.spanRank, rowSpace ? 2 : null);
    assert.ok(r.converged);
    assert.ok(Math.abs(r.M[0] - 0.4) < 1e-12, `M00 ${r.M[0]}`);
    // For v = 2e₃: M₃₃ = 1 + β·4 with β = −1.875/(1 + 7.5); then vᵀMv = ξ = 1/(4 − 1.875) = 0.470588…
    assert.ok(Math.abs(4 * r.M[3 * d + 3] - 1 / (4 - 1.875)) < 1e-12, `M33 ${r.M[3 * d + 3]}`);
    for (let i = 0; i < d; i++) if (i !== 0 && i !== 3) assert.ok(Math.abs(r.M[i * d + i] - 1) < 1e-12);
  }
});

/** max |A − B| / max |B|. */
function relDiff(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < B.length; i++) {
    num = Math.max(num, Math.abs(A[i] - B[i]));
    den = Math.max(den, Math.abs(B[i]));
  }
  return num / den;
}

/** n points in d dimensions around one of `classes` random centres. */
function clustered(n: number, d: number, classes: number, seed: number): { X: Matrix<Float64Array>; y: number[] } {
  const rng = new Random(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => rng.normal()));
  const y = Array.from({ length: n }, (_, i) => i % classes);
  return { X: Matrix.from64(y.map((c) => centres[c].map((v) => v + 1.5 * rng.normal()))), y };
}

test('itml: fewer rows than features, solved within the rows\' span: the same metric, iterations and warnings as the d x d projections', () => {
  const { X, y } = clustered(30, 60, 3, 11);
  for (const prior of ['identity', 'covariance'] as const) {
    const fit = (rowSpace: boolean) => new ITMLSupervised({ rowSpace, prior, seed: 2 }).fit(X, y);
    const span = fit(true), full = fit(false);
    assert.equal(span.nIter, full.nIter, prior);
    assert.ok(span.nIter > 1, `${prior}: ${span.nIter} iterations`);
    assert.equal(span.converged, full.converged);
    assert.deepEqual(span.warnings, full.warnings);
    const tol = prior === 'covariance' ? 1e-4 : 1e-8; // see the pairs test below
    const e = relDiff(span.getMahalanobisMatrix().data, full.getMahalanobisMatrix().data);
    assert.ok(e < tol, `${prior}: relative difference ${e}`);
    // Points outside the span (new ones) are transformed alike, up to a rotation: same distances.
    const Z = clustered(5, 60, 3, 12).X;
    const dist = (m: ITMLSupervised) => Array.from({ length: 4 }, (_, i) => m.pairDistance([[Array.from(Z.row(i)), Array.from(Z.row(i + 1))]])[0]);
    const ed = relDiff(dist(span), dist(full));
    assert.ok(ed < tol, `${prior}: distances of new points differ by ${ed}`);
    // And the training rows (within the span, where 'covariance' does not put c).
    const trainDist = (m: ITMLSupervised) => Array.from({ length: 29 }, (_, i) => m.pairDistance([[Array.from(X.row(i)), Array.from(X.row(i + 1))]])[0]);
    const et = relDiff(trainDist(span), trainDist(full));
    assert.ok(et < tol, `${prior}: distances of training rows differ by ${et}`);
  }
  // The solver itself: r = m − 1 for the m distinct points the pairs use (the span of their differences).
  const lp = new Constraints(Int32Array.from(y)).labelledPairs(40, { seed: 1 });
  const t = { points: X, indices: lp.indices, arity: 2 };
  const a = itmlSolve(t, lp.y, {}, new Random(0)), b = itmlSolve(t, lp.y, { rowSpace: false }, new Random(0));
  assert.equal(a.spanRank, new Set(lp.indices).size - 1);
  assert.equal(b.spanRank, null);
  assert.deepEqual(a.bounds, b.bounds);
  assert.equal(a.nIter, b.nIter);
  assert.ok(relDiff(a.M, b.M) < 1e-8, `M differs by ${relDiff(a.M, b.M)}`);
  // The factor is one of M (Lᵀ L = M over all 60 features).
  const L = a.components!;
  const LtL = new Float64Array(60 * 60);
  for (let i = 0; i < 60; i++) for (let j = 0; j < 60; j++) {
    let s = 0;
    for (let k = 0; k < L.rows; k++) s += L.data[k * 60 + i] * L.data[k * 60 + j];
    LtL[i * 60 + j] = s;
  }
  assert.ok(relDiff(LtL, a.M) < 1e-10);
});

test('itml: pairs of points with fewer points than features: the span of the points the pairs use, the same metric either way', () => {
  const { X } = clustered(40, 50, 2, 21);
  const rng = new Random(5);
  // The pairs use only rows 0..24 (rows 25..39 play no part), one of them twice over by content.
  const idx: number[] = [], y: number[] = [];
  for (let k = 0; k < 80; k++) {
    const i = rng.int(25), j = rng.int(25);
    if (i === j) continue;
    idx.push(i, j);
    y.push(i % 2 === j % 2 ? 1 : -1);
  }
  const pts = Matrix.from64([...Array.from({ length: 40 }, (_, i) => Array.from(X.row(i))), Array.from(X.row(3))]);
  idx.push(40, 3, 40, 4); // a pair of equal points (constrains nothing) and one with the copy
  y.push(-1, 3 % 2 === 4 % 2 ? 1 : -1);
  const pairs = { points: pts, indices: Int32Array.from(idx) };
  const given = Array.from({ length: 50 }, (_, i) => Array.from({ length: 50 }, (_, j) => (i === j ? 2.5 : 0)));
  for (const prior of ['identity', 'covariance', given] as const) {
    const fit = (rowSpace: boolean, input: typeof pairs | number[][][]) => new ITML({ rowSpace, prior, gamma: 10, seed: 3 }).fit(input, y);
    const full = fit(false, pairs);
    // The same pairs given as tuples of points: 2 x 82 rows, as many distinct ones as above.
    const tuples = Array.from({ length: y.length }, (_, k) => [Array.from(pts.row(idx[2 * k])), Array.from(pts.row(idx[2 * k + 1]))]);
    for (const span of [fit(true, pairs), ...(prior === 'covariance' ? [] : [fit(true, tuples)])]) {
      const name = Array.isArray(prior) ? '2.5 I' : prior;
      assert.equal(span.nIter, full.nIter, name);
      assert.equal(span.converged, full.converged, name);
      assert.deepEqual(span.warnings, full.warnings);
      // 'covariance' puts c = 1e10/(largest variance) on the d − r directions outside the span.
      // The d x d path then rounds at ε·c, against eigenvalues ~1/(largest variance) within the
      // span: its prior distances cancel to ~1e-8 relative (its bounds here are √60 and √80 to
      // 2e-8, the span path's to 1e-15), its learned ones to ~1e-5 (the span path's agree to
      // 1e-10 with the d x d path's under a floor of 1e-2, c = 100/largest, when neither drops
      // eigenvalues below 1e-10 of c). So it is compared at 1e-4.
      const tol = prior === 'covariance' ? 1e-4 : 1e-8;
      for (let i = 0; i < 2; i++) assert.ok(Math.abs(span.bounds[i] - full.bounds[i]) < tol * full.bounds[i], `${name}: bounds ${span.bounds} vs ${full.bounds}`);
      const e = relDiff(span.getMahalanobisMatrix().data, full.getMahalanobisMatrix().data);
      assert.ok(e < tol, `${name}: relative difference ${e}`);
      assert.ok(Math.abs(span.threshold - full.threshold) < tol * Math.abs(full.threshold), name);
    }
  }
  // The span of the used points' differences: 25 distinct rows, fewer than 50 features.
  const t = { points: pts, indices: Int32Array.from(idx), arity: 2 };
  assert.equal(itmlSolve(t, Int8Array.from(y), { gamma: 10 }, new Random(3)).spanRank, 24);
  // 'covariance' spans all 41 rows (40 distinct); 'random' (the general span path) the used ones.
  assert.equal(itmlSolve(t, Int8Array.from(y), { gamma: 10, prior: 'covariance' }, new Random(3)).spanRank, 39);
  assert.equal(itmlSolve(t, Int8Array.from(y), { gamma: 10, prior: 'random', maxIter: 3 }, new Random(3)).spanRank, 24);
  assert.equal(itmlSolve(t, Int8Array.from(y), { gamma: 10, prior: 'random', maxIter: 3, rowSpace: false }, new Random(3)).spanRank, null);
});

/** Lᵀ L (d x d) for components L (k x d). */
function gramOf(L: Matrix<Float64Array>): Float64Array {
  const d = L.cols;
  const out = new Float64Array(d * d);
  getBackend().gemm(true, false, d, d, L.rows, 1, L.data, d, L.data, d, 0, out, d);
  return out;
}

test('itml: a prior that is not c·I (random, a given SPD matrix) with fewer points than features: projected on Uᵀ M U, the same metric, components, bounds and iterations as the d x d projections', () => {
  const n = 30, d = 80;
  const { X, y } = clustered(n, d, 3, 41);
  const given = priorMatrix('random', X.data, n, d, new Random(99), 'itml');
  const Z = clustered(6, d, 3, 42).X; // new points, outside the span of the training rows
  for (const prior of ['random', given] as const) {
    const name = prior instanceof Float64Array ? 'given' : prior;
    // The solver: the pairs drawn from the labels, both paths from the same seed.
    const lp = new Constraints(Int32Array.from(y)).labelledPairs(60, { seed: 1 });
    const t = { points: X, indices: lp.indices, arity: 2 };
    for (const gamma of [1, 100]) {
      const a = itmlSolve(t, lp.y, { prior, gamma }, new Random(5)), b = itmlSolve(t, lp.y, { prior, gamma, rowSpace: false }, new Random(5));
      assert.equal(a.spanRank, new Set(lp.indices).size - 1, name);
      assert.equal(b.spanRank, null);
      assert.deepEqual(a.bounds, b.bounds, `${name}: bounds`);
      assert.equal(a.nIter, b.nIter, `${name} γ=${gamma}: iterations`);
      assert.ok(a.nIter > 1, `${name} γ=${gamma}: ${a.nIter} iterations`);
      assert.equal(a.converged, b.converged);
      const M0 = priorMatrix(prior, X.data, n, d, new Random(5), 'itml');
      assert.ok(relDiff(b.M, M0) > 0.1, `${name}: the metric moved from the prior`);
      const e = relDiff(a.M, b.M);
      assert.ok(e < 1e-12, `${name} γ=${gamma}: M differs by ${e}`);
      // The components are a factor of M (Lᵀ L = M, over all 80 features).
      const eL = relDiff(gramOf(a.components!), a.M);
      assert.ok(eL < 1e-12, `${name} γ=${gamma}: Lᵀ L differs from M by ${eL}`);
    }
    // The learner: the same iterations and warnings; distances of new points (outside the span) agree.
    const fit = (rowSpace: boolean) => new ITMLSupervised({ rowSpace, prior, seed: 2 }).fit(X, y);
    const span = fit(true), full = fit(false);
    assert.equal(span.nIter, full.nIter, name);
    assert.equal(span.converged, full.converged, name);
    assert.deepEqual(span.warnings, full.warnings);
    const e = relDiff(span.getMahalanobisMatrix().data, full.getMahalanobisMatrix().data);
    assert.ok(e < 1e-10, `${name}: the learners' metrics differ by ${e}`);
    const dist = (m: ITMLSupervised) => Array.from({ length: 5 }, (_, i) => m.pairDistance([[Array.from(Z.row(i)), Array.from(Z.row(i + 1))]])[0]);
    const ed = relDiff(dist(span), dist(full));
    assert.ok(ed < 1e-10, `${name}: distances of new points differ by ${ed}`);
    const trainDist = (m: ITMLSupervised) => Array.from({ length: n - 1 }, (_, i) => m.pairDistance([[Array.from(X.row(i)), Array.from(X.row(i + 1))]])[0]);
    const et = relDiff(trainDist(span), trainDist(full));
    assert.ok(et < 1e-10, `${name}: distances of training rows differ by ${et}`);
  }
  // Every constraint already satisfied: K never moves, so the result is the prior itself, bit for bit.
  const lp = new Constraints(Int32Array.from(y)).labelledPairs(20, { seed: 3 });
  const keep = Array.from(lp.y).flatMap((v, k) => (v > 0 ? [k] : []));
  const similar = { points: X, indices: Int32Array.from(keep.flatMap((k) => [lp.indices[2 * k], lp.indices[2 * k + 1]])), arity: 2 };
  const r = itmlSolve(similar, Int8Array.from(keep, () => 1), { prior: given, bounds: [1e9, 2e9] }, new Random(0));
  assert.ok(r.spanRank !== null && r.nIter === 1);
  assert.deepEqual(Array.from(r.M), Array.from(given));
  assert.ok(relDiff(gramOf(r.components!), given) < 1e-14);
});

test('itml: the general span path factors M₀ once, for the default bounds (past 2^24 pair-difference values) and the components', () => {
  // 200 distinct points x 900 features: 19 900 pairs x 900 = 17.9 million values, past the switch.
  const m = 200, d = 900;
  const { X } = clustered(m, d, 4, 51);
  const idx: number[] = [], y: number[] = [];
  for (let i = 0; i + 1 < m; i++) idx.push(i, i + 1), y.push(i % 4 === (i + 1) % 4 ? 1 : -1);
  for (let i = 0; i + 4 < m; i += 2) idx.push(i, i + 4), y.push(1);
  const t = { points: X, indices: Int32Array.from(idx), arity: 2 };
  const be = getBackend();
  let factors = 0;
  const spy = { ...be, cholesky: (a: Float64Array, n: number) => (factors++, be.cholesky(a, n)) };
  let r;
  try {
    useBackend(spy);
    r = itmlSolve(t, Int8Array.from(y), { prior: 'random', maxIter: 2 }, new Random(8));
  } finally {
    useBackend(be);
  }
  assert.equal(r.spanRank, m - 1);
  assert.equal(factors, 1, 'one factorisation of M₀');
  // The components give M's distances for the pairs (M formed as M₀ + B C Bᵀ).
  const L = r.components!;
  for (let p = 0; p < 20; p++) {
    const a = idx[2 * p], b = idx[2 * p + 1];
    const v = Float64Array.from({ length: d }, (_, c) => X.data[a * d + c] - X.data[b * d + c]);
    const Mv = new Float64Array(d), Lv = new Float64Array(L.rows);
    be.gemm(false, false, d, 1, d, 1, r.M, d, v, 1, 0, Mv, 1);
    be.gemm(false, false, L.rows, 1, d, 1, L.data, d, v, 1, 0, Lv, 1);
    const dm = v.reduce((s, x, c) => s + x * Mv[c], 0), dl = Lv.reduce((s, x) => s + x * x, 0);
    assert.ok(Math.abs(dl - dm) < 1e-10 * dm, `pair ${p}: ${dl} vs ${dm}`);
  }
});

test('itml: more rows than features keeps the d x d projections (the same bits with rowSpace either way)', () => {
  const d = subset('wine', 2);
  const a = new ITMLSupervised({ seed: 1 }).fit(d.X, d.y), b = new ITMLSupervised({ seed: 1, rowSpace: false }).fit(d.X, d.y);
  assert.deepEqual(Array.from(a.components.data), Array.from(b.components.data));
  assert.throws(() => new ITMLSupervised({ rowSpace: 1 as never }).fit(d.X, d.y), /itml: rowSpace must be true or false, got 1/);
});

test('itml: default bounds past 2^24 pair-difference values come from a factor of the prior (random, given, covariance), as the differences would give them', () => {
  // 600 points x 100 features: 179 700 pairs x 100 = 18.0 million values, past the switch.
  const m = 600, d = 100;
  const { X } = clustered(m, d, 4, 31);
  const idx: number[] = [], y: number[] = [];
  for (let i = 0; i + 1 < m; i++) idx.push(i, i + 1), y.push(-1);
  for (let i = 0; i + 4 < m; i += 3) idx.push(i, i + 4), y.push(1);
  const t = { points: X, indices: Int32Array.from(idx), arity: 2 };
  const labels = Int8Array.from(y);
  const given = priorMatrix('random', X.data, m, d, new Random(99), 'itml');
  const be = getBackend();
  let factors = 0;
  const spy = { ...be, cholesky: (a: Float64Array, n: number) => (factors++, be.cholesky(a, n)) };
  const failing = { ...be, cholesky: (): Float64Array => { factors++; throw new LinAlgError('cholesky: the matrix is not positive definite'); } };
  try {
    for (const prior of ['random', given, 'covariance'] as const) {
      const name = prior instanceof Float64Array ? 'given' : prior;
      // The reference: vᵀ M₀ v for every pair from (x_i − x_j)·(y_i − y_j) with Y = X M₀ (the
      // prior the solver draws first from its seed).
      const M0 = priorMatrix(prior, X.data, m, d, new Random(7), 'itml');
      const Y = new Float64Array(m * d);
      be.gemm(false, false, m, d, d, 1, X.data, d, M0, d, 0, Y, d);
      const sq = new Float64Array((m * (m - 1)) / 2);
      for (let i = 0, k = 0; i < m; i++) for (let j = i + 1; j < m; j++, k++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += (X.data[i * d + c] - X.data[j * d + c]) * (Y[i * d + c] - Y[j * d + c]);
        sq[k] = s;
      }
      for (const boundsFrom of ['distance', 'squared'] as const) {
        const expected = percentiles(boundsFrom === 'squared' ? sq : sq.map(Math.sqrt), [5, 95]);
        for (const backend of [spy, failing]) {
          useBackend(backend);
          factors = 0;
          const r = itmlSolve(t, labels, { prior, boundsFrom, maxIter: 1 }, new Random(7));
          useBackend(be);
          assert.equal(factors, 1, `${name}: one factorisation of M₀, no differences`);
          for (let i = 0; i < 2; i++) assert.ok(Math.abs(r.bounds[i] - expected[i]) < 1e-10 * expected[i], `${name} ${boundsFrom}${backend === failing ? ' (eigen factor)' : ''}: bounds ${r.bounds} vs ${expected}`);
        }
      }
    }
    // Below the switch (iris: 150 points x 4 features) the differences are formed as before.
    useBackend(spy);
    factors = 0;
    const d4 = subset('iris', 1);
    new ITMLSupervised({ prior: 'random', seed: 1, maxIter: 2 }).fit(d4.X, d4.y);
    assert.equal(factors, 0);
  } finally {
    useBackend(be);
  }
});

test('itml: prior covariance where the points do not span every feature: the components keep the learned directions (Lᵀ L gives the fitted distances of the training pairs)', () => {
  // 'covariance' puts c = 1e10/(largest variance) outside the points' span, 1e10 times its
  // smallest eigenvalue within it; a cut at 1e-10 of M's largest eigenvalue (c) dropped the
  // directions the similar pairs shrank (here 10 of 80 and 28 of 64, distances off by 70% and
  // 90%). The d x d M the check reads is formed with c, so it is itself accurate to ~1e-5 only.
  const cases = [
    { name: '30 x 80', ...clustered(30, 80, 3, 11), runs: [{ rowSpace: true }, { rowSpace: false }] },
    { name: 'digits (3 constant columns)', ...subset('digits', 4), runs: [{}] },
  ];
  for (const { name, X, y, runs } of cases) {
    const d = X.cols;
    for (const run of runs) {
      const { tuples: t, labels, rng } = pairsFromLabels(X, y, 'itml', { seed: 0 });
      const r = itmlSolve(t, labels, { prior: 'covariance', ...run }, rng);
      const L = r.components!;
      let worst = 0;
      for (let p = 0; p < labels.length; p++) {
        const a = t.indices[2 * p], b = t.indices[2 * p + 1];
        const v = Array.from({ length: d }, (_, c) => X.data[a * d + c] - X.data[b * d + c]);
        let dm = 0, dl = 0;
        for (let i = 0; i < d; i++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += r.M[i * d + j] * v[j];
          dm += v[i] * s;
        }
        for (let k = 0; k < L.rows; k++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += L.data[k * d + c] * v[c];
          dl += s * s;
        }
        worst = Math.max(worst, Math.abs(dl - dm) / dm);
      }
      assert.ok(worst < 1e-3, `${name} ${JSON.stringify(run)}: training-pair distances of Lᵀ L differ from M's by ${worst}`);
      if (r.spanRank === null) assert.equal(L.rows, d, `${name}: every eigenvalue of M is kept`);
    }
  }
});
