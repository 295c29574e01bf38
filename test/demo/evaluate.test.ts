import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import { evaluateEmbedding, project2d, verificationPairs } from '../../src/demo/evaluate.js';

test('verificationPairs: equal numbers of same- and different-class pairs, seeded, never a row with itself', () => {
  const labels = ['a', 'a', 'a', 'b', 'b', 'c'];
  const p = verificationPairs(labels, 50, 3);
  assert.equal(p.genuine.length, 100);
  assert.equal(p.genuine.reduce((s, g) => s + g, 0), 50);
  for (let i = 0; i < p.a.length; i++) {
    assert.notEqual(p.a[i], p.b[i]);
    assert.equal(labels[p.a[i]] === labels[p.b[i]], p.genuine[i] === 1);
  }
  assert.deepEqual(verificationPairs(labels, 50, 3), p);
  assert.throws(() => verificationPairs(['a', 'a'], 5, 0), /at least two classes/);
  assert.throws(() => verificationPairs(['a', 'b'], 5, 0), /two or more rows/);
});

test('evaluateEmbedding on a hand-worked 1-D case: 3-NN accuracy, MAP@R, precision@1', () => {
  // References A: 0, 1; B: 10, 11. Queries: 0.4 (A), 10.6 (B), 5.4 (B).
  // Query 5.4 ranks 1(A) 4.4, 10(B) 4.6, 0(A) 5.4, 11(B) 5.6: R = 2, AP@R = (0 + 1/2) / 2 = 0.25, P@1 = 0,
  // and its 3 nearest vote A (wrong). The other two queries are perfect.
  const Ztr = Matrix.from64([[0], [1], [10], [11]]);
  const Zte = Matrix.from64([[0.4], [10.6], [5.4]]);
  const r = evaluateEmbedding(Ztr, ['A', 'A', 'B', 'B'], Zte, ['A', 'B', 'B'], { k: 3, pairs: { a: Int32Array.from([1, 0]), b: Int32Array.from([2, 2]), genuine: Uint8Array.from([1, 0]) } });
  assert.ok(Math.abs(r.metrics.knnAccuracy - 2 / 3) < 1e-12);
  assert.ok(Math.abs(r.metrics.mapAtR - 0.75) < 1e-12);
  assert.ok(Math.abs(r.metrics.precisionAt1 - 2 / 3) < 1e-12);
  // Genuine pair (10.6, 5.4) at distance 5.2 vs impostor (0.4, 5.4) at 5.0: the impostor scores higher, AUC 0.
  assert.equal(r.metrics.rocAuc, 0);
  assert.equal(r.roc.fpr[r.roc.fpr.length - 1], 1);
});

test('evaluateEmbedding: well separated classes score 1 everywhere', () => {
  const tr: number[][] = [];
  const te: number[][] = [];
  const ytr: number[] = [];
  const yte: number[] = [];
  for (let c = 0; c < 3; c++) for (let i = 0; i < 6; i++) {
    tr.push([c * 100 + i * 0.1, -c * 50]);
    ytr.push(c);
    if (i < 4) { te.push([c * 100 + i * 0.13, -c * 50 + 0.2]); yte.push(c); }
  }
  const pairs = verificationPairs(yte, 30, 1);
  const r = evaluateEmbedding(Matrix.from64(tr), ytr, Matrix.from64(te), yte, { k: 3, pairs });
  assert.deepEqual(r.metrics, { knnAccuracy: 1, mapAtR: 1, precisionAt1: 1, rocAuc: 1 });
});

test('project2d: points on a line project onto the first axis with a zero second coordinate', () => {
  const Z = Matrix.from64([[0, 0, 0], [1, 2, 2], [2, 4, 4], [3, 6, 6]]);
  const p = project2d(Z);
  // Distances along the line are preserved (‖(1, 2, 2)‖ = 3 per step).
  for (let i = 1; i < 4; i++) assert.ok(Math.abs(Math.abs(p.x[i] - p.x[i - 1]) - 3) < 1e-9);
  for (const v of p.y) assert.ok(Math.abs(v) < 1e-9);
  const one = project2d(Matrix.from64([[1], [2]]));
  assert.deepEqual([...one.x, ...one.y], [1, 2, 0, 0]);
});
