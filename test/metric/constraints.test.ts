import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Constraints, defaultNumConstraints } from '../../src/metric/constraints.js';
import { Matrix } from '../../src/matrix.js';
import { getBackend } from '../../src/backend/index.js';

// 3 classes of sizes 4, 3, 2 plus two unlabelled points (null and -1).
const labels = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', null, -1];

test('constraints: feasible maxima are the exact pair counts', () => {
  const c = new Constraints(labels);
  assert.equal(c.nClasses, 3);
  assert.equal(c.nKnown, 9);
  assert.equal(c.maxPositivePairs(), 6 + 3 + 1);
  assert.equal(c.maxNegativePairs(), (81 - (16 + 9 + 4)) / 2);
});

test('constraints: positive/negative pairs are distinct, correctly labelled, never unlabelled, seeded', () => {
  const c = new Constraints(labels);
  for (const num of [3, 10]) { // 10 = all positive pairs: exercises the enumerate path
    const { positive, negative } = c.positiveNegativePairs(num, { seed: 4 });
    assert.equal(positive.a.length, num);
    assert.equal(negative.a.length, num);
    const keys = new Set<string>();
    for (let t = 0; t < num; t++) {
      const [i, j] = [positive.a[t], positive.b[t]];
      assert.notEqual(i, j);
      assert.equal(labels[i], labels[j]);
      assert.ok(i < 9 && j < 9);
      keys.add(`${Math.min(i, j)},${Math.max(i, j)}`);
      const [k, l] = [negative.a[t], negative.b[t]];
      assert.notEqual(labels[k], labels[l]);
      assert.ok(k < 9 && l < 9);
    }
    assert.equal(keys.size, num, 'positive pairs are distinct');
    const again = c.positiveNegativePairs(num, { seed: 4 });
    assert.deepEqual(Array.from(again.positive.a), Array.from(positive.a));
    assert.deepEqual(Array.from(again.negative.b), Array.from(negative.b));
  }
});

test('constraints: impossible requests fail with the feasible maximum', () => {
  const c = new Constraints(labels);
  assert.throws(() => c.positiveNegativePairs(11), /at most 10 distinct same-class pairs; use numConstraints <= 10/);
  assert.throws(() => c.positiveNegativePairs(0), /positive integer/);
  assert.throws(() => c.chunks(5, 2), /at most 4/); // 2 + 1 + 1
  assert.throws(() => c.knnTriplets(Matrix.zeros(11, 2), 2, 1), /smallest class has 2 points.*kGenuine <= 1/);
  assert.throws(() => c.knnTriplets(Matrix.zeros(11, 2), 1, 6), /kImpostor <= 5/);
  // A single-point class: no kGenuine can help, and the message does not suggest kGenuine <= 0.
  const single = new Constraints([0, 0, 0, 1, 1, 1, 2]);
  assert.throws(() => single.knnTriplets(Matrix.zeros(7, 2), 1, 1), (e: Error) => /smallest class has 1 point, so no same-class neighbours exist; a class with a single point has no same-class neighbour at any kGenuine/.test(e.message) && !/<= 0/.test(e.message));
  assert.equal(defaultNumConstraints(c), 10); // 20·9 capped by the labels
});

test('constraints: quadruplets pair a same-class pair with a different-class pair', () => {
  const c = new Constraints(labels);
  const q = c.quadruplets(5, { seed: 1 });
  assert.equal(q.length, 20);
  for (let t = 0; t < 5; t++) {
    assert.equal(labels[q[4 * t]], labels[q[4 * t + 1]]);
    assert.notEqual(labels[q[4 * t + 2]], labels[q[4 * t + 3]]);
  }
  const lp = c.labelledPairs(4, { seed: 2 });
  assert.deepEqual(Array.from(lp.y), [1, 1, 1, 1, -1, -1, -1, -1]);
});

test('constraints: chunks are disjoint same-class groups of the asked size', () => {
  const y = Array.from({ length: 40 }, (_, i) => i % 4);
  const ch = new Constraints(y).chunks(12, 3, 5);
  const groups = new Map<number, number[]>();
  ch.forEach((id, i) => { if (id >= 0) groups.set(id, [...(groups.get(id) ?? []), i]); });
  assert.equal(groups.size, 12);
  for (const g of groups.values()) {
    assert.equal(g.length, 3);
    assert.ok(g.every((i) => y[i] === y[g[0]]));
  }
});

test('constraints: k-NN triplets use the true nearest genuine and impostor neighbours', () => {
  // Points on a line; classes alternate in blocks.
  const xs = [0, 1, 2, 10, 11, 12, 20.5, 21];
  const y = [0, 0, 0, 1, 1, 1, 0, 0];
  const X = Matrix.from64(xs.map((v) => [v]));
  const T = new Constraints(y).knnTriplets(X, 1, 2);
  assert.equal(T.length, 3 * 8 * 1 * 2);
  const byAnchor = new Map<number, number[][]>();
  for (let t = 0; t < T.length / 3; t++) byAnchor.set(T[3 * t], [...(byAnchor.get(T[3 * t]) ?? []), [T[3 * t + 1], T[3 * t + 2]]]);
  // Anchor 2 (x=2): nearest same-class is 1 (x=1); nearest impostors 3 (x=10), 4 (x=11).
  assert.deepEqual(byAnchor.get(2)?.map((r) => r[0]), [1, 1]);
  assert.deepEqual(byAnchor.get(2)?.map((r) => r[1]).sort(), [3, 4]);
  // Anchor 6 (x=20.5): same-class 7; impostors 5 (x=12), 4 (x=11).
  assert.deepEqual(byAnchor.get(6)?.map((r) => r[1]).sort(), [4, 5]);
  // Brute-force check of every genuine: it is the nearest same-class point.
  const D = getBackend().sqeuclidean(X.data, 8, X.data, 8, 1);
  for (const [a, rows] of byAnchor) {
    let best = -1;
    for (let j = 0; j < 8; j++) if (j !== a && y[j] === y[a] && (best < 0 || D[a * 8 + j] < D[a * 8 + best])) best = j;
    assert.equal(rows[0][0], best);
  }
});
