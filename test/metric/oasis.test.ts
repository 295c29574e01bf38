import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OASIS } from '../../src/metric/oasis.js';
import { encodeModel, decodeModel } from '../../src/io/model-file.js';
import { modelFromPayload } from '../../src/io/model-registry.js';
import { Constraints } from '../../src/metric/constraints.js';
import { subset } from './conformance.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('oasis: one passive-aggressive step by hand (clipped at C, and the exact PA step)', () => {
  // a = (1,0), p⁺ = (0,1), p⁻ = (1,0): margin aᵀI(p⁺ − p⁻) = −1, loss 2, ‖V‖² = 1·2, τ = min(C, 1).
  const trip = [[[1, 0], [0, 1], [1, 0]]];
  const W = new OASIS({ C: 0.1 }).fit(trip).weights.data;
  [0.9, 0.1, 0, 1].forEach((v, i) => close(W[i], v));
  const m = new OASIS({ C: 10 }).fit(trip);
  [0, 1, 0, 1].forEach((v, i) => close(m.weights.data[i], v));
  // After the unclipped step the margin is exactly 1 (loss 0), so a second pass changes nothing.
  close(m.similarity([1, 0], [0, 1]) - m.similarity([1, 0], [1, 0]), 1);
  m.fit(trip, { warmStart: true });
  [0, 1, 0, 1].forEach((v, i) => close(m.weights.data[i], v));
  assert.equal(m.nUpdates, 2);
  assert.equal(m.nSteps, 1);
});

test('oasis: pairScore, similarity, rank and mostSimilar agree with xᵀWy', () => {
  const m = new OASIS({ C: 0.5, seed: 1 }).fit([[[1, 2, 0], [1, 1, 1], [0, 3, -1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]]]);
  const W = m.weights;
  const s = (a: number[], b: number[]) => { let v = 0; for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += a[i] * W.get(i, j) * b[j]; return v; };
  const refs = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [-1, 0, 2]];
  const q = [0.5, -1, 2];
  const r = m.rank(q, refs);
  const expected = refs.map((x, i) => [s(q, x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  assert.deepEqual(Array.from(r.indices), expected.map((e) => e[1]));
  for (let i = 0; i < 5; i++) close(r.scores[i], expected[i][0]);
  close(m.similarity(q, refs[3]), s(q, refs[3]));
  const ps = m.pairScore([[q, refs[4]], [refs[0], refs[1]]]);
  close(ps[0], s(q, refs[4]));
  close(ps[1], s(refs[0], refs[1]));
  const top2 = m.mostSimilar([q, refs[0]], refs, 2);
  assert.deepEqual(Array.from(top2.indices.subarray(0, 2)), expected.slice(0, 2).map((e) => e[1]));
});

test('oasis: learning from labels improves precision@5 over the identity W (wine, z-scored)', () => {
  const tr = subset('wine', 2, 0), te = subset('wine', 2, 1);
  const p5 = (m: OASIS) => {
    const { indices } = m.mostSimilar(te.X, tr.X, 5);
    let ok = 0;
    for (let q = 0; q < te.X.rows; q++) for (let j = 0; j < 5; j++) if (tr.y[indices[q * 5 + j]] === te.y[q]) ok++;
    return ok / (5 * te.X.rows);
  };
  const identity = new OASIS().fit([[Array.from(tr.X.row(0)), Array.from(tr.X.row(0)), Array.from(tr.X.row(0))]]); // zero diff: no step
  const learned = new OASIS({ seed: 3 }).fitSupervised(tr.X, tr.y, { nUpdates: 20000 });
  assert.ok(p5(learned) > p5(identity) + 0.02, `learned ${p5(learned)} vs identity ${p5(identity)}`);
  // Deterministic for a seed; k-NN by similarity classifies most test points.
  const again = new OASIS({ seed: 3 }).fitSupervised(tr.X, tr.y, { nUpdates: 20000 });
  assert.deepEqual(Array.from(again.weights.data), Array.from(learned.weights.data));
  const pred = learned.knnPredict(tr.X, tr.y, te.X, 3);
  const acc = pred.filter((p, i) => p === te.y[i]).length / pred.length;
  assert.ok(acc > 0.9, `k-NN accuracy ${acc}`);
});

test('oasis: triplets from labels in index form; the learned W respects most of them', () => {
  const d = subset('iris', 2);
  const T = new Constraints(d.y).knnTriplets(d.X, 2, 3);
  const m = new OASIS({ seed: 1 }).fit({ points: d.X, indices: T }, { epochs: 5 });
  let ok = 0;
  for (let t = 0; t < T.length / 3; t++) if (m.similarity(d.X.row(T[3 * t]), d.X.row(T[3 * t + 1])) > m.similarity(d.X.row(T[3 * t]), d.X.row(T[3 * t + 2]))) ok++;
  assert.ok(ok / (T.length / 3) > 0.85, `${ok}/${T.length / 3}`);
});

test('oasis: model file round trip through the registry', () => {
  const m = new OASIS({ C: 0.2, seed: 2 }).fitSupervised(subset('iris', 3).X, subset('iris', 3).y, { nUpdates: 500 });
  const back = modelFromPayload(decodeModel(encodeModel(m.toPayload()))) as OASIS;
  assert.ok(back instanceof OASIS);
  assert.deepEqual(Array.from(back.weights.data), Array.from(m.weights.data));
  assert.equal(back.nUpdates, 500);
  assert.equal(back.options.C, 0.2);
});

test('oasis: bad input', () => {
  assert.throws(() => new OASIS({ C: -1 }), /C must be/);
  assert.throws(() => new OASIS().similarity([1], [1]), /not fitted/);
  const m = new OASIS().fit([[[1, 0], [0, 1], [1, 0]]]);
  assert.throws(() => m.similarity([1, 0, 0], [1, 0]), /2 features/);
  assert.throws(() => m.mostSimilar([[1, 0]], [[1, 0]], 2), /k <= 1/);
  assert.throws(() => new OASIS().fitSupervised([[1, 0], [0, 1]], [0, 0]), /at least 2/);
  assert.throws(() => new OASIS().fitSupervised([[1, 0], [0, 1]], [0, 1]), /single point/);
  assert.throws(() => new OASIS().fit([[[1, NaN], [0, 1], [1, 0]]]), /finite/);
  assert.throws(() => new OASIS().fitSupervised([[1, 0], [0, 1], [1, 1]], [0, NaN, 0]), /y\[1\] is NaN/);
  // ±1 labels are two classes (not "unknown" as in partial labels).
  assert.ok(new OASIS().fitSupervised([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], [-1, -1, 1, 1], { nUpdates: 10 }).isFitted);
});

test('oasis: the BLAS and loop kernels give the same W; a bad kernel name is an error', async () => {
  const { Random } = await import('../../src/random.js');
  const { Matrix } = await import('../../src/matrix.js');
  const rng = new Random(4);
  const X = new Matrix(200, 40, rng.fillNormal(new Float64Array(200 * 40)));
  const y = Array.from({ length: 200 }, (_, i) => i % 4);
  const a = new OASIS({ seed: 2, kernel: 'js' }).fitSupervised(X, y, { nUpdates: 3000 });
  const b = new OASIS({ seed: 2, kernel: 'blas' }).fitSupervised(X, y, { nUpdates: 3000 });
  assert.equal(a.nSteps, b.nSteps);
  const wa = a.weights.data, wb = b.weights.data;
  for (let i = 0; i < wa.length; i++) assert.ok(Math.abs(wa[i] - wb[i]) < 1e-9, `W[${i}] ${wa[i]} vs ${wb[i]}`);
  assert.throws(() => new OASIS({ kernel: 'gpu' as never }).fitSupervised(X, y, { nUpdates: 1 }), /kernel must be/);
});
