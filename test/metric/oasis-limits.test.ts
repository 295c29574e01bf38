import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OASIS } from '../../src/metric/oasis.js';
import { encodeModel, decodeModel } from '../../src/io/model-file.js';

// 3 classes x 4 points, 3 features, on comparable scales
const X = [
  [1, 0.2, 0.1], [1.2, 0.1, 0], [0.9, 0, 0.3], [1.1, 0.3, 0.2],
  [0.1, 1, 0.2], [0, 1.3, 0.1], [0.2, 0.9, 0], [0.3, 1.1, 0.1],
  [0.2, 0.1, 1], [0, 0.3, 1.2], [0.1, 0, 0.8], [0.3, 0.2, 1.1],
];
const y = X.map((_, i) => Math.floor(i / 4));
const scaled = (s: number) => X.map((r) => r.map((v) => v * s));
const triplets = (Z: number[][]) => ({ points: Z, indices: [[0, 1, 4], [4, 5, 8], [8, 9, 0], [2, 3, 10]] });

test('oasis: features so large that the step squares them past float64 are refused, naming the fix', () => {
  // 1e160 turned W into NaN; 1e80 left W silently at the identity (τ = loss/∞ = 0).
  for (const s of [1e80, 1e160, 1e200]) {
    const m = new OASIS({ seed: 1 });
    assert.throws(() => m.fitSupervised(scaled(s), y, { nUpdates: 200 }), /features reach .*overflows float64.*standardise the features \(z-score\)/);
    assert.equal(m.isFitted, false);
    assert.throws(() => new OASIS({ seed: 1 }).fit(triplets(scaled(s)), { epochs: 3 }), /features reach .*standardise/);
  }
  // large but representable scales still learn (W moves away from the identity); labels across
  // the groups make many triplets violated
  const ok = new OASIS({ seed: 1 }).fitSupervised(scaled(1e60), X.map((_, i) => i % 3), { nUpdates: 200 });
  assert.ok(ok.nSteps > 0);
  assert.ok(ok.weights.data.every(Number.isFinite));
  // only the rows the triplets use count: an unused huge row is no reason to refuse
  const Z = scaled(1);
  Z.push([1e200, 0, 0]);
  assert.ok(new OASIS({ seed: 1 }).fit(triplets(Z)).weights.data.every(Number.isFinite));
});

test('oasis: a fit whose W turns non-finite is refused and the model is left as it was', () => {
  const m = new OASIS({ seed: 1 }).fitSupervised(X, y, { nUpdates: 10 });
  const p = m.toPayload();
  // a warm start from a (finite) W so large that the margins aᵀW(p − n) overflow
  (p.arrays.W.data as Float64Array).fill(-1e308).forEach((_, i, a) => { if (i % 4 === 0) a[i] = 1e308; });
  const big = OASIS.fromModel(p);
  const before = Array.from(big.weights.data);
  assert.throws(() => big.fitSupervised(X, y, { nUpdates: 50, warmStart: true }), /W non-finite.*W was left as it was/);
  assert.deepEqual(Array.from(big.weights.data), before);
  assert.equal(big.nUpdates, 10);
  assert.throws(() => big.fit(triplets(X), { epochs: 20, warmStart: true }), /W non-finite/);
  assert.deepEqual(Array.from(big.weights.data), before);
});

test('oasis: a model file with a non-finite W is refused on load', () => {
  const p = decodeModel(encodeModel(new OASIS({ seed: 1 }).fitSupervised(X, y, { nUpdates: 10 }).toPayload()));
  (p.arrays.W.data as Float64Array)[4] = NaN;
  assert.throws(() => OASIS.fromModel(p), /W\[1, 1\] is NaN.*damaged/);
  const q = new OASIS().fitSupervised(X, y, { nUpdates: 10 }).toPayload();
  (q as { meta: unknown }).meta = null;
  assert.ok(OASIS.fromModel(q).isFitted);
});

test('oasis: an absurd epochs count is a clear error, not a typed-array allocation failure', () => {
  const m = new OASIS();
  assert.throws(() => m.fit(triplets(X), { epochs: 2e9 }), /epochs × triplets = 2000000000 × 4 updates exceeds the limit.*lower epochs/);
  assert.equal(m.isFitted, false);
});

// without the cap this would run for hours
test('oasis: an absurd nUpdates is a clear error too', { timeout: 10000 }, () => {
  const m = new OASIS();
  assert.throws(() => m.fitSupervised(X, y, { nUpdates: 1e10 }), /nUpdates = 10000000000 updates exceeds the limit/);
  assert.equal(m.isFitted, false);
});

test('oasis: several epochs draw one permutation per epoch in turn (the same schedule as before)', async () => {
  const { Random } = await import('../../src/random.js');
  // epochs = 3 must equal three single-epoch passes over the triplets in the order of three
  // successive permutations of the seeded generator
  const t = triplets(X);
  const a = new OASIS({ seed: 5, kernel: 'js' }).fit(t, { epochs: 3 });
  const rng = new Random(5);
  const ordered = Array.from({ length: 3 }, () => Array.from(rng.permutation(4), (k) => t.indices[k])).flat();
  const b = new OASIS({ seed: 5, kernel: 'js' });
  b.fit({ points: X, indices: [ordered[0]] });
  // one triplet per call keeps the order fixed (a single triplet's permutation is the identity)
  for (const tr of ordered.slice(1)) b.fit({ points: X, indices: [tr] }, { warmStart: true });
  assert.deepEqual(Array.from(a.weights.data), Array.from(b.weights.data));
  assert.equal(a.nUpdates, 12);
});

test('oasis: features so small that no step could move W are learned in rescaled units, exactly', () => {
  // Features ~1e-100: ‖a‖²‖p − n‖² underflowed to 0, every step was skipped and W stayed the
  // identity without a word. Rows of largest norm in [1, 2) (X's are) times 2^-340 are trained
  // as X itself, and W comes back times 2^680: the same model, bit for bit, in the tiny units.
  const labels = X.map((_, i) => i % 3);
  const tiny = scaled(2 ** -340);
  const unit = new OASIS({ seed: 1 }).fitSupervised(X, labels, { nUpdates: 300 });
  assert.equal(unit.rescaleExponent, 0);
  const m = new OASIS({ seed: 1 }).fitSupervised(tiny, labels, { nUpdates: 300 });
  assert.equal(m.rescaleExponent, 340);
  assert.ok(m.nSteps > 0);
  assert.deepEqual(Array.from(m.weights.data), Array.from(unit.weights.data, (v) => v * 2 ** 680));
  assert.ok(Array.from(unit.weights.data).some((v, i) => v !== (i % 4 === 0 ? 1 : 0)), 'W moved away from the identity');
  assert.deepEqual(Array.from(m.mostSimilar(tiny, tiny, 4).indices), Array.from(unit.mostSimilar(X, X, 4).indices));
  // a warm start continues in the same units
  unit.fitSupervised(X, labels, { nUpdates: 100, warmStart: true });
  m.fitSupervised(tiny, labels, { nUpdates: 100, warmStart: true });
  assert.deepEqual(Array.from(m.weights.data), Array.from(unit.weights.data, (v) => v * 2 ** 680));
  // triplets too, and values like 1e-100 (not an exact power-of-two multiple of anything)
  const t = new OASIS({ seed: 2 }).fit(triplets(tiny), { epochs: 5 });
  assert.deepEqual(Array.from(t.weights.data), Array.from(new OASIS({ seed: 2 }).fit(triplets(X), { epochs: 5 }).weights.data, (v) => v * 2 ** 680));
  const e100 = new OASIS({ seed: 1 }).fitSupervised(scaled(1e-100), labels, { nUpdates: 300 });
  assert.ok(e100.rescaleExponent > 0 && e100.nSteps > 0 && e100.weights.data.every(Number.isFinite));
  const s = (a: number[], b: number[]) => e100.similarity(a, b);
  const Z = scaled(1e-100);
  // the learned similarity ranks a same-label row above a different-label one more often than W = I
  let better = 0;
  for (let i = 0; i < Z.length; i++) for (let j = 0; j < Z.length; j++) for (let k = 0; k < Z.length; k++) {
    if (i === j || labels[i] !== labels[j] || labels[i] === labels[k]) continue;
    if (s(Z[i], Z[j]) > s(Z[i], Z[k])) better++;
  }
  let identity = 0;
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, c) => acc + v * b[c], 0);
  for (let i = 0; i < Z.length; i++) for (let j = 0; j < Z.length; j++) for (let k = 0; k < Z.length; k++) {
    if (i === j || labels[i] !== labels[j] || labels[i] === labels[k]) continue;
    if (dot(Z[i], Z[j]) > dot(Z[i], Z[k])) identity++;
  }
  assert.ok(better > identity, `${better} vs ${identity} triplets ranked right`);
});

test('oasis: features too small to rescale with W representable are refused, naming the fix', () => {
  const m = new OASIS({ seed: 1 });
  assert.throws(() => m.fitSupervised(scaled(1e-150), X.map((_, i) => i % 3), { nUpdates: 50 }), /oasis: the features are tiny \(row norms up to 1\.\d+e-150\).*multiply the features by a constant or standardise them \(z-score\) first/);
  assert.equal(m.isFitted, false);
  // a tiny C on unit-scale rows is the caller's choice: nothing is rescaled down
  assert.equal(new OASIS({ seed: 1, C: 1e-30 }).fitSupervised(scaled(3), X.map((_, i) => i % 3), { nUpdates: 50 }).rescaleExponent, 0);
});
