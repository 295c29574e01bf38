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
