import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RCA, chunksFromLabels, maxChunks } from '../../src/metric/rca.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA } from '../helpers.js';
import { runConformance, subset } from './conformance.js';

runConformance('rca', (o) => new RCA(o), (m, X, y) => (m as RCA).fit(X, y));

test('rca: chunklets are disjoint, same-class, of the asked size, and deterministic', () => {
  const y = Int32Array.from({ length: 30 }, (_, i) => i % 3);
  const c = chunksFromLabels(y, 3, 12, 2, new Random(1));
  const members = new Map<number, number[]>();
  c.forEach((id, i) => { if (id >= 0) members.set(id, [...(members.get(id) ?? []), i]); });
  assert.equal(members.size, 12);
  for (const m of members.values()) {
    assert.equal(m.length, 2);
    assert.equal(y[m[0]], y[m[1]]);
  }
  assert.deepEqual(Array.from(chunksFromLabels(y, 3, 12, 2, new Random(1))), Array.from(c));
  assert.equal(maxChunks(y, 3, 2), 15);
  assert.equal(maxChunks(y, 3, 3), 9);
});

test('rca: whitens the within-chunklet covariance (hand-checkable case, no shrinkage)', () => {
  // Chunklets differ only along x₀ by ±1 and along x₁ by ±3: Ĉ = diag(1, 9), so M = diag(1, 1/9).
  const rows: number[][] = [];
  const chunks: number[] = [];
  for (let j = 0; j < 4; j++) {
    rows.push([10 * j + 1, 7 * j], [10 * j - 1, 7 * j]);
    rows.push([5 * j, 20 + 3], [5 * j, 20 - 3]);
    chunks.push(2 * j, 2 * j, 2 * j + 1, 2 * j + 1);
  }
  const M = new RCA({ shrinkage: 0 }).fitChunks(rows, chunks).getMahalanobisMatrix();
  // Ĉ = (1/16) Σ (x − m)(x − m)ᵀ over 16 points: 8 points with (±1, 0), 8 with (0, ±3) → diag(0.5, 4.5).
  assert.ok(Math.abs(M.get(0, 0) - 2) < 1e-9, `M00 ${M.get(0, 0)}`);
  assert.ok(Math.abs(M.get(1, 1) - 1 / 4.5) < 1e-9, `M11 ${M.get(1, 1)}`);
  assert.ok(Math.abs(M.get(0, 1)) < 1e-9);
});

test('rca: infeasible chunk counts give an error naming the maximum; defaults adapt with a warning', () => {
  const { X, y } = subset('iris', 5); // 30 rows, 10 per class → at most 15 chunklets of 2
  assert.throws(() => new RCA({ numChunks: 100 }).fit(X, y), /at most 15/);
  const m = new RCA().fit(X, y);
  assert.ok(m.warnings.some((w) => /maximum, 15/.test(w)));
  assert.throws(() => new RCA({ shrinkage: 1 }).fit(X, y), /shrinkage/);
  assert.throws(() => new RCA().fitChunks(X, new Array(X.rows).fill(-1)), /no chunklet/);
  assert.throws(() => new RCA().fitChunks(X, [1, 2]), /one chunk id/);
});

test('rca: iris and wine reach metric-learn; digits (where metric-learn fails) is finite and useful', () => {
  // metric-learn 0.7 (n_chunks = 50): iris 0.9600 ± 0.0133, wine 0.9829 ± 0.0229; digits fails.
  for (const [name, floor] of [['iris', 0.96 - 0.5 * 0.0133], ['wine', 0.9829 - 0.5 * 0.0229], ['digits', 0.9]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'rca', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= floor - 1e-9, `${name} ${r.accuracy!.mean}`);
  }
  assert.ok(Matrix.identity(1));
});
