import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LFDA } from '../../src/metric/lfda.js';
import { Matrix } from '../../src/matrix.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA } from '../helpers.js';
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
