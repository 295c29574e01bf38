import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MMC, MMCSupervised, mmcDiagonalFactorObjective, mmcFactorObjective, mmcObjective, mmcProblem, mmcSolve } from '../../src/metric/mmc.js';
import { Constraints } from '../../src/metric/constraints.js';
import { Random } from '../../src/random.js';
import { Matrix } from '../../src/matrix.js';
import { pairsFromLabels } from '../../src/metric/supervised-tuples.js';
import { readDataset } from '../../src/io/index.js';
import { StandardScaler } from '../../src/preprocessing/standard-scaler.js';
import { jsBackend } from '../../src/backend/js-backend.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA, maxAbsDiff } from '../helpers.js';
import { runConformance, subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';

runConformance('mmc', (o) => new MMCSupervised(o), (m, X, y) => (m as MMCSupervised).fit(X, y), { nComponentsOption: null });
runConformance('mmc diagonal', (o) => new MMCSupervised({ ...o, diagonal: true }), (m, X, y) => (m as MMCSupervised).fit(X, y), { nComponentsOption: null });

const iris = subset('iris', 3);
const lp = new Constraints(iris.y).labelledPairs(30, { seed: 1 });
const t = { points: iris.X, indices: lp.indices, arity: 2 };

test('mmc: gradients (full and diagonal) match finite differences', () => {
  const rng = new Random(2);
  const full = mmcProblem(t, lp.y, false);
  const d = 4;
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j] = (i === j ? 1 : 0) + 0.1 * rng.normal();
  const sym = (x: Float64Array, g: Float64Array) => {
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] = 0.5 * (x[i * d + j] + x[j * d + i]);
    const G = new Float64Array(d * d);
    const v = mmcObjective(full, S, G);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] = 0.5 * (G[i * d + j] + G[j * d + i]);
    return v;
  };
  checkGradient(sym, A, { coords: 16 });
  const diag = mmcProblem(t, lp.y, true);
  checkGradient((x, g) => mmcObjective(diag, x, g), Float64Array.of(0.7, 1.3, 0.2, 2));
  // The full solver's objective: F(LᵀL) over a square, non-symmetric L, ∇_L F = 2 L ∇_A F.
  const L = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) L[i] = (i % (d + 1) === 0 ? 1 : 0) + 0.3 * rng.normal();
  checkGradient((x, g) => mmcFactorObjective(full, x, g), L, { coords: 16 });
  // The diagonal solver's: F(diag(l ∘ l)), ∇_l F = 2 l ∘ ∇_a F (signs of l included).
  checkGradient((x, g) => mmcDiagonalFactorObjective(diag, x, g), Float64Array.of(0.8, -1.1, 0.4, 1.5));
});

test('mmc: converges to the constrained optimum — Σ_S d² = 1 and no feasible direction improves Σ_D d', () => {
  for (const diagonal of [false, true]) {
    const P = mmcProblem(t, lp.y, diagonal);
    const r = mmcSolve(P, {});
    assert.ok(r.converged, `diagonal=${diagonal}: ${r.nIter} iterations`);
    const M = r.M, d = 4;
    const quad = (a: number, b: number) => { let s = 0; for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += (iris.X.get(a, i) - iris.X.get(b, i)) * M[i * d + j] * (iris.X.get(a, j) - iris.X.get(b, j)); return s; };
    let sim = 0, dis = 0;
    for (let k = 0; k < lp.y.length; k++) {
      const q = quad(lp.indices[2 * k], lp.indices[2 * k + 1]);
      if (lp.y[k] > 0) sim += q; else dis += Math.sqrt(q);
    }
    assert.ok(Math.abs(sim - 1) < 1e-9, `Σ_S d² = ${sim}`);
    // Any random PSD metric rescaled onto the constraint has a smaller Σ_D d.
    const rng = new Random(5);
    for (let trial = 0; trial < 20; trial++) {
      const B = new Float64Array(d * d);
      const R = Array.from({ length: d * d }, () => rng.normal());
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        if (diagonal && i !== j) continue;
        let s = 0;
        for (let k = 0; k < d; k++) s += R[i * d + k] * R[j * d + k];
        B[i * d + j] = s;
      }
      let bs = 0, bd = 0;
      for (let k = 0; k < lp.y.length; k++) {
        const a = lp.indices[2 * k], b = lp.indices[2 * k + 1];
        let q = 0;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += (iris.X.get(a, i) - iris.X.get(b, i)) * B[i * d + j] * (iris.X.get(a, j) - iris.X.get(b, j));
        if (lp.y[k] > 0) bs += q; else bd += Math.sqrt(q);
      }
      assert.ok(bd / Math.sqrt(bs) <= dis * (1 + 1e-6), `random metric beats the optimum: ${bd / Math.sqrt(bs)} > ${dis}`);
    }
  }
});

test('mmc: weak form predicts pairs; needs both kinds of pairs', () => {
  const m = new MMC().fit({ points: iris.X, indices: lp.indices }, Array.from(lp.y));
  assert.ok(m.score({ points: iris.X, indices: lp.indices }, Array.from(lp.y)) > 0.9);
  assert.throws(() => new MMC().fit({ points: iris.X, indices: lp.indices }, Array.from(lp.y, () => 1)), /both similar/);
});

test('mmc: iris and wine reach metric-learn (mean − ½ std) through cross-validation', () => {
  // metric-learn 0.7 MMC_Supervised: iris 0.9667 ± 0.0365, wine 0.9386 ± 0.0406.
  for (const [name, floor] of [['iris', 0.9667 - 0.5 * 0.0365], ['wine', 0.9386 - 0.5 * 0.0406]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'mmc', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= floor, `${name} ${r.accuracy!.mean}`);
    assert.ok(r.warnings.every((w) => !/maxIter/.test(w)), `${name}: did not converge: ${r.warnings.join('; ')}`);
  }
});

test('mmc: MMC_Supervised draws metric-learn\'s pairs — 20·K² of each kind, distinct, anchor uniform over points', () => {
  // Digits: 10 classes, so 2000 similar and 2000 dissimilar pairs, as metric-learn 0.7 draws.
  const digits = subset('digits', 1);
  const { tuples, labels } = pairsFromLabels(digits.X, digits.y, 'mmc', { seed: 0 });
  assert.equal(labels.length, 4000);
  assert.equal(labels.filter((v) => v > 0).length, 2000);
  const keys = new Set<string>();
  for (let t = 0; t < labels.length; t++) {
    const a = tuples.indices[2 * t], b = tuples.indices[2 * t + 1];
    assert.equal(digits.y[a] === digits.y[b], labels[t] > 0);
    keys.add(`${labels[t]}:${Math.min(a, b)},${Math.max(a, b)}`);
  }
  assert.equal(keys.size, 4000, 'pairs are distinct');
  // metric-learn picks the first point uniformly, then its partner uniformly within the class:
  // a class with 60 of 260 points gets ~23 % of the similar pairs (uniform over pairs would
  // give it 1770 / 21670 ≈ 8 %).
  const y = Array.from({ length: 260 }, (_, i) => (i < 200 ? 0 : 1));
  const X = Array.from({ length: 260 }, (_, i) => [i, 0]);
  const p = pairsFromLabels(X, y, 'mmc', { seed: 3, numConstraints: 400 });
  let small = 0;
  for (let t = 0; t < 400; t++) if (y[p.tuples.indices[2 * t]] === 1) small++;
  assert.ok(small > 65 && small < 120, `similar pairs inside the small class: ${small} (expected ≈ 92)`);
});

test('mmc: an unbounded problem (a direction no similar pair spans) is solved on the range of Σ_S, with a warning', () => {
  // Feature 2 is zero except at point 0, which only ever appears in dissimilar pairs: A = e₂e₂ᵀ
  // keeps Σ_S d² = 0 while Σ_D d > 0, so the paper's problem has no maximiser.
  const rng = new Random(9);
  const n = 40, d = 3;
  const pts = Array.from({ length: n }, (_, i) => [rng.normal() + (i % 2) * 2, rng.normal(), i === 0 ? 4 : 0]);
  const X = new Matrix(n, d, Float64Array.from(pts.flat()));
  const idx: number[] = [], lab: number[] = [];
  for (let i = 2; i + 2 < n; i++) { idx.push(i, i + 2); lab.push(1); } // same parity = same class
  for (let i = 0; i + 1 < n; i += 1) { idx.push(i, i + 1); lab.push(-1); }
  const tt = { points: X, indices: Int32Array.from(idx), arity: 2 };
  const y8 = Int8Array.from(lab);
  for (const diagonal of [false, true]) {
    const P = mmcProblem(tt, y8, diagonal);
    assert.equal(P.nullDims, 1, `diagonal=${diagonal}`);
    const r = mmcSolve(P, {});
    assert.ok(r.converged, `diagonal=${diagonal}: ${r.nIter} iterations`);
    assert.ok(r.warnings.some((w) => /unbounded/.test(w)), r.warnings.join('; '));
    for (let c = 0; c < d; c++) {
      assert.ok(Math.abs(r.M[2 * d + c]) < 1e-12 && Math.abs(r.M[c * d + 2]) < 1e-12, `M has weight on the null direction: ${r.M}`);
    }
    // Optimal among metrics on the range: random PSD metrics with no weight on feature 2 do no better.
    const stats = (M: ArrayLike<number>) => {
      let s = 0, g = 0;
      for (let k = 0; k < lab.length; k++) {
        let q = 0;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += (pts[idx[2 * k]][i] - pts[idx[2 * k + 1]][i]) * M[i * d + j] * (pts[idx[2 * k]][j] - pts[idx[2 * k + 1]][j]);
        if (lab[k] > 0) s += q; else g += Math.sqrt(Math.max(q, 0));
      }
      return { s, ratio: g / Math.sqrt(s) };
    };
    const best = stats(r.M);
    assert.ok(Math.abs(best.s - 1) < 1e-9, `Σ_S d² = ${best.s}`);
    for (let trial = 0; trial < 20; trial++) {
      const R = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
      const B = diagonal ? [R[0] ** 2, 0, 0, 0, R[1] ** 2, 0, 0, 0, 0] : [R[0] ** 2 + R[1] ** 2, R[0] * R[2] + R[1] * R[3], 0, R[0] * R[2] + R[1] * R[3], R[2] ** 2 + R[3] ** 2, 0, 0, 0, 0];
      assert.ok(stats(B).ratio <= best.ratio * (1 + 1e-6), `random metric beats the restricted optimum: ${stats(B).ratio} > ${best.ratio}`);
    }
  }
  // The weak learner surfaces the warning; a bounded problem has no null directions.
  const m = new MMC().fit({ points: X, indices: Int32Array.from(idx) }, lab);
  assert.ok(m.warnings.some((w) => /unbounded/.test(w)));
  assert.equal(mmcProblem(t, lp.y, false).nullBasis, null);
});

test('mmc: the digits metric (rank 7, dozens of ~1e-19 eigenvalues) factors with the pure-TS eigh', () => {
  // Fold 1 of the protocol of record: this matrix once made the JS QL iteration give up.
  const ds = readDataset(join(DATA, 'digits.csv'));
  const folds = readFolds(join(DATA, 'digits.folds.csv'));
  const tr: number[] = [];
  for (let i = 0; i < folds.length; i++) if (folds[i] !== 1) tr.push(i);
  const Z = new StandardScaler().fit(ds.X.takeRows(tr)).transform(ds.X.takeRows(tr)).toFloat64();
  const { tuples, labels } = pairsFromLabels(Z, tr.map((i) => (ds.y as number[])[i]), 'mmc', { seed: 0 });
  const r = mmcSolve(mmcProblem(tuples, labels, false), {});
  assert.ok(r.converged);
  const d = 64;
  const { values, vectors } = jsBackend.eigh(r.M.slice(), d);
  let err = 0, norm = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += vectors[i * d + k] * values[k] * vectors[j * d + k];
    err = Math.max(err, Math.abs(s - r.M[i * d + j]));
    norm = Math.max(norm, Math.abs(r.M[i * d + j]));
  }
  assert.ok(err <= 1e-12 * norm, `reconstruction error ${err} (max entry ${norm})`);
  // 3 learned directions + 4 that no pair spans (constant pixels), left at the starting value;
  // the rest are zero, or (the solver stops on a relative decrease of F ≤ 2.2e-9) still decaying
  // below 1e-6 of the largest, where they no longer move any distance.
  assert.equal(Array.from(values).filter((v) => v > 1e-6 * values[d - 1]).length, 7);
});

test('mmc: ill-conditioned similar spread (scales 1 to 300) still converges in few iterations', () => {
  // Σ_S's condition number here is ~1e5; without the whitening of solveFactored, L-BFGS on L
  // needs several hundred iterations (as on breast cancer, whose 30 features are correlated).
  const rng = new Random(4);
  const n = 150, d = 12;
  const mix = Array.from({ length: d * d }, () => rng.normal());
  const rows: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    const z = Array.from({ length: d }, (_, c) => rng.normal() + (c < 3 && c === cls ? 2.5 : 0));
    rows.push(Array.from({ length: d }, (_, c) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += mix[c * d + k] * z[k];
      return s * 300 ** (c / (d - 1));
    }));
    y.push(cls);
  }
  const { tuples, labels } = pairsFromLabels(rows, y, 'mmc', { seed: 1 });
  const P = mmcProblem(tuples, labels, false);
  const r = mmcSolve(P, { maxIter: 60 });
  assert.ok(r.converged, `${r.nIter} iterations, F = ${r.objective}`);
  // And it is the optimum: more iterations and a tighter tolerance do not lower F.
  const tight = mmcSolve(P, { maxIter: 5000, tol: 1e-10 });
  assert.ok(r.objective - tight.objective <= 1e-7 * Math.abs(tight.objective), `${r.objective} vs ${tight.objective}`);
});

test('mmc: with fewer points than features, the solve within the points\' span gives the full-space metric', () => {
  const rng = new Random(13);
  const n = 21, d = 35;
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    y.push(i % 3);
    X.push(Array.from({ length: d }, (_, j) => rng.normal() + (j % 3 === i % 3 ? 2 : 0)));
  }
  const close = (a: MMCSupervised, b: MMCSupervised, what: string) => {
    const Ma = a.getMahalanobisMatrix().data, Mb = b.getMahalanobisMatrix().data;
    const diff = maxAbsDiff(Ma, Mb), top = maxAbsDiff(Mb, new Float64Array(Mb.length));
    assert.ok(diff <= 1e-7 * top, `${what}: max |ΔM| ${diff} against ${top}`);
    // New points off the span get the same distances too.
    const u = Array.from({ length: d }, () => rng.normal()), v = Array.from({ length: d }, () => rng.normal());
    const da = a.pairDistance([[u, v]])[0], db = b.pairDistance([[u, v]])[0];
    assert.ok(Math.abs(da - db) <= 1e-7 * db, `${what}: ${da} vs ${db}`);
    assert.equal(a.warnings.length, b.warnings.length, what);
  };
  for (const seed of [0, 1, 2]) {
    const fit = (rowSpace: boolean) => new MMCSupervised({ rowSpace, seed, numConstraints: 40 }).fit(X, y);
    close(fit(true), fit(false), `seed ${seed}`);
  }
});
