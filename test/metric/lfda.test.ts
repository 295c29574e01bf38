import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LFDA, ledoitWolfIntensity } from '../../src/metric/lfda.js';
import { toRandom } from '../../src/random.js';
import { Matrix } from '../../src/matrix.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA, maxAbsDiff } from '../helpers.js';
import { runConformance, subset } from './conformance.js';

runConformance('lfda', (o) => new LFDA(o), (m, X, y) => (m as LFDA).fit(X, y));
for (const embeddingType of ['orthonormalized', 'plain'] as const) {
  runConformance(`lfda (${embeddingType})`, (o) => new LFDA({ embeddingType, ...o }), (m, X, y) => (m as LFDA).fit(X, y));
}

test('lfda: the leading direction separates two elongated classes (Fisher would too)', () => {
  // Two classes differing along x₀ only, with large shared spread along x₁.
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const c = i % 2;
    rows.push([c * 2 + 0.1 * Math.sin(i), 5 * Math.cos(i * 1.3)]);
    y.push(c);
  }
  const m = new LFDA({ nComponents: 1 }).fit(rows, y);
  const L = m.components;
  assert.ok(Math.abs(L.get(0, 0)) > 20 * Math.abs(L.get(0, 1)), `components ${Array.from(L.data)}`);
});

test('lfda: orthonormalized components are orthonormal', () => {
  const { X, y } = subset('wine', 2);
  const L = new LFDA({ embeddingType: 'orthonormalized', nComponents: 5 }).fit(X, y).components;
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) {
    let s = 0;
    for (let c = 0; c < L.cols; c++) s += L.get(a, c) * L.get(b, c);
    assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-9);
  }
});

test('lfda: finite on data with constant columns (where metric-learn returns NaN)', () => {
  const { X, y } = subset('digits', 6);
  const Xc = X.clone();
  for (let i = 0; i < Xc.rows; i++) { Xc.data[i * Xc.cols] = 0; Xc.data[i * Xc.cols + 7] = 0; }
  const m = new LFDA().fit(Xc, y);
  const Z = m.transform(Xc);
  for (const v of Z.data) assert.ok(Number.isFinite(v));
  // Constant columns get no weight.
  for (let r = 0; r < m.nComponents; r++) assert.ok(Math.abs(m.components.get(r, 0)) < 1e-6);
});

test('lfda: iris, wine (and digits) accuracy with the shipped folds reaches metric-learn', () => {
  // metric-learn 0.7: iris 0.9533 ± 0.0267, wine 0.9832 ± 0.0137, digits 0.9716 ± 0.0081 (after dropping constant columns).
  for (const [name, mean, std] of [['iris', 0.9533, 0.0267], ['wine', 0.9832, 0.0137], ['digits', 0.9716, 0.0081]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'lfda', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= mean - 0.5 * std, `${name} ${r.accuracy!.mean}`);
  }
});

test('lfda: bad options and tiny classes give clear errors', () => {
  const { X, y } = subset('iris', 5);
  assert.throws(() => new LFDA({ embeddingType: 'bogus' as never }).fit(X, y), /embeddingType/);
  assert.throws(() => new LFDA({ k: 0 }).fit(X, y), /k must be/);
  const y2 = y.slice();
  y2[0] = 'lonely';
  // A lone sample (common for rare classes inside CV folds) is kept out of the local scatters, as in metric-learn.
  const lone = new LFDA().fit(X, y2);
  assert.ok(lone.warnings.some((w) => /single sample/.test(w)));
  assert.ok(lone.transform(X).data.every(Number.isFinite));
  const m = new LFDA({ k: 20 }).fit(X, y);
  assert.ok(m.warnings.some((w) => /capped/.test(w)));
  assert.ok(Matrix.identity(2));
});

test('lfda: a singular local within-class scatter (one class of 2 rows, the rest singletons) is shrunk by default, refused at shrinkage 0', () => {
  // Same-class pairs span one direction of the four the data vary in: the whitening of S_lw
  // used to set the other three by its rounding ridge, giving components around 1e10.
  const X = [[0.3, -1.2, 0.8, 0.1], [1.1, 0.4, -0.5, 0.9], [-0.7, 0.6, 1.3, -1.1], [0.9, -0.3, 0.2, 1.4], [-1.5, 1.0, -0.9, 0.2], [0.2, 1.7, 0.5, -0.6]];
  const y = [0, 0, 1, 2, 3, 4];
  for (const embeddingType of ['weighted', 'orthonormalized', 'plain'] as const) {
    assert.throws(() => new LFDA({ embeddingType, shrinkage: 0 }).fit(X, y), (e: Error) => e instanceof RangeError
      && /lfda: the local within-class scatter is singular in 3 of the 4 directions the data span: same-class pairs span at most 1 of the 4 directions .*1 class of 2 rows, 4 classes of 1 row/.test(e.message)
      && /regularise with shrinkage in \(0, 1\] or "auto" \(e\.g\. \{ shrinkage: 0\.1 \}/.test(e.message), embeddingType);
    for (const shrinkage of [0.1, 'auto', undefined] as const) {
      const m = new LFDA({ embeddingType, shrinkage }).fit(X, y);
      const L = m.components;
      assert.equal(L.rows, 4);
      const biggest = Math.max(...Array.from(L.data, Math.abs));
      assert.ok(Number.isFinite(biggest) && biggest > 0.1 && biggest < 100, `${embeddingType}, ${shrinkage}: largest component entry ${biggest}`);
      for (const v of m.transform(X).data) assert.ok(Number.isFinite(v));
      // The default falls back to Ledoit–Wolf, and says so.
      assert.equal(m.warnings.some((w) => /singular in 3 of the 4 directions .* shrunk toward the identity with Ledoit–Wolf's intensity/.test(w)), shrinkage === undefined);
    }
    assert.deepEqual(Array.from(new LFDA({ embeddingType }).fit(X, y).components.data), Array.from(new LFDA({ embeddingType, shrinkage: 'auto' }).fit(X, y).components.data));
  }
  assert.throws(() => new LFDA({ shrinkage: 1e-15 }).fit(X, y), /shrinkage 1\.00e-15 is too small to lift it/);
});

test('lfda: Ledoit–Wolf intensity equals its definition, min(Σ‖w wᵀ − S‖² / n², ‖S − μI‖²) / ‖S − μI‖²', () => {
  const rng = toRandom(7);
  for (const [n, d] of [[40, 6], [12, 9], [300, 3]]) {
    const W = Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => rng.normal() * (1 + j)));
    const S = new Float64Array(d * d);
    let fourth = 0;
    for (const w of W) {
      let q = 0;
      for (let i = 0; i < d; i++) { q += w[i] * w[i]; for (let j = 0; j < d; j++) S[i * d + j] += w[i] * w[j]; }
      fourth += q * q;
    }
    const mean = (i: number, j: number) => S[i * d + j] / n;
    let tr = 0;
    for (let i = 0; i < d; i++) tr += mean(i, i);
    const mu = tr / d;
    let d2 = 0, b2 = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) d2 += (mean(i, j) - (i === j ? mu : 0)) ** 2;
    for (const w of W) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) b2 += (w[i] * w[j] - mean(i, j)) ** 2;
    b2 /= n * n;
    const want = Math.min(b2, d2) / d2;
    const got = ledoitWolfIntensity(S, fourth, n, d, d);
    assert.ok(Math.abs(got - want) < 1e-10 * Math.max(1, want), `${n} x ${d}: ${got} vs ${want}`);
    assert.ok(got > 0 && got <= 1);
  }
  // Isotropic: S = c I gives d² = 0, so shrink fully.
  assert.equal(ledoitWolfIntensity(Float64Array.from([2, 0, 0, 2]), 8, 2, 2, 2), 1);
});

test('lfda: shrinkage α blends S_lw with its mean eigenvalue; 0 is plain LFDA, bad values are refused', () => {
  const { X, y } = subset('iris', 3);
  const plain = new LFDA().fit(X, y).components;
  assert.deepEqual(Array.from(new LFDA({ shrinkage: 0 }).fit(X, y).components.data), Array.from(plain.data));
  // α = 1: S_lw becomes (tr S_lw / r) I, so the plain components are the eigenvectors of S_lb
  // scaled by 1/sqrt of that mean: orthogonal rows.
  const full = new LFDA({ shrinkage: 1, embeddingType: 'plain' }).fit(X, y).components;
  for (let a = 0; a < full.rows; a++) for (let b = 0; b < a; b++) {
    let s = 0;
    for (let c = 0; c < full.cols; c++) s += full.get(a, c) * full.get(b, c);
    assert.ok(Math.abs(s) < 1e-9 * (1 + Math.abs(full.get(a, 0))), `rows ${a}, ${b}: ${s}`);
  }
  for (const bad of [-0.1, 1.5, Number.NaN, '0.1', 'Auto']) assert.throws(() => new LFDA({ shrinkage: bad as number }).fit(X, y), /lfda: shrinkage must be a number in \[0, 1\] .* or "auto"/);
  assert.equal(new LFDA({ shrinkage: 0.25 }).params.shrinkage, 0.25);
});

test('lfda: with fewer rows than features, solving within the rows\' span gives the same metric', () => {
  // 24 rows, 40 features: 3 classes about different centres, so S_lw is regular in the span.
  const rng = toRandom(3);
  const X: number[][] = [];
  const y: number[] = [];
  const centres = Array.from({ length: 3 }, () => Array.from({ length: 40 }, () => 2 * rng.normal()));
  for (let i = 0; i < 24; i++) {
    y.push(i % 3);
    X.push(centres[i % 3].map((c, j) => c + rng.normal() * (1 + (j % 5))));
  }
  for (const embeddingType of ['weighted', 'orthonormalized', 'plain'] as const) {
    for (const shrinkage of [undefined, 0.2] as const) {
      const inSpan = new LFDA({ embeddingType, shrinkage }).fit(X, y);
      const full = new LFDA({ embeddingType, shrinkage, rowSpace: false }).fit(X, y);
      assert.equal(inSpan.components.rows, full.components.rows);
      const A = inSpan.getMahalanobisMatrix(), B = full.getMahalanobisMatrix();
      const diff = maxAbsDiff(A.data, B.data), scale = maxAbsDiff(B.data, new Float64Array(B.data.length));
      assert.ok(diff <= 1e-8 * scale, `${embeddingType}, ${shrinkage}: max |ΔM| ${diff} against ${scale}`);
      assert.deepEqual(inSpan.warnings, full.warnings);
    }
  }
});
