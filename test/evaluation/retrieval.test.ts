import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { metricsFromRelevance, retrievalMetrics } from '../../src/evaluation/retrieval.js';
import { readDataset } from '../../src/io/index.js';
import { Matrix } from '../../src/matrix.js';
import { DATA, randomMatrix } from '../helpers.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('metric formulas on two hand-worked ranked lists', () => {
  // query 0: relevance 1 0 1 0 0, R = 2      query 1: relevance 0 1 1 1 0, R = 3
  const relevance = Uint8Array.from([1, 0, 1, 0, 0, 0, 1, 1, 1, 0]);
  const m = metricsFromRelevance({ relevance, depth: 5, nRelevant: Int32Array.from([2, 3]) }, [1, 3], 3);
  // P@1: (1 + 0)/2
  close(m.precisionAt1, 0.5);
  // R-precision: q0 hits(2)/2 = 1/2, q1 hits(3)/3 = 2/3
  close(m.rPrecision, (1 / 2 + 2 / 3) / 2);
  // MAP@R: q0 (1/2)(1/1) = 1/2; q1 (1/3)(1/2 + 2/3) = 7/18
  close(m.mapAtR, (1 / 2 + 7 / 18) / 2);
  // OML map@3 (divide by hits in top 3): q0 (1/1 + 2/3)/2 = 5/6; q1 (1/2 + 2/3)/2 = 7/12
  close(m.mapAtK, (5 / 6 + 7 / 12) / 2);
  // P@3: (2/3 + 2/3)/2; recall@3: (2/2 + 2/3)/2; CMC@1: (1 + 0)/2, CMC@3 = 1
  close(m.precisionAt['3'], 2 / 3);
  close(m.recallAt['3'], (1 + 2 / 3) / 2);
  close(m.cmcAt['1'], 0.5);
  close(m.cmcAt['3'], 1);
  // NDCG@3: q0 (1 + 1/log2 4)/(1 + 1/log2 3); q1 (1/log2 3 + 1/log2 4)/(1 + 1/log2 3 + 1/log2 4)
  const l3 = 1 / Math.log2(3);
  close(m.ndcgAt['3'], ((1 + 0.5) / (1 + l3) + (l3 + 0.5) / (1 + l3 + 0.5)) / 2);
  close(m.ndcgAt['1'], 0.5);
});

test('leave-one-out metrics on a 1-D toy set, neighbours worked out by hand', () => {
  // points 0,1,2,10,11,12,5 with labels a a b b b a b
  const X = [[0], [1], [2], [10], [11], [12], [5]];
  const y = ['a', 'a', 'b', 'b', 'b', 'a', 'b'];
  const r = retrievalMetrics(X, y, { kValues: [1, 2], k: 2 });
  // nearest other point (ties to the lower index): 1, 0, 1, 4, 3, 4, 2 → relevant for 0,1,3,4,6
  close(r.precisionAt1, 5 / 7);
  // second neighbours: 2, 2, 0, 5, 5, 3, 1 → hits@2 = 1,1,0,1,1,0,1 → P@2 = 2.5/7
  close(r.precisionAt['2'], 2.5 / 7);
  assert.equal(r.sameSet, true);
  assert.equal(r.depth, 3); // the largest R: class b has 4 members, minus the query itself
  assert.equal(r.nEvaluated, 7);
  // query 5 (12, label a): R = 2, ranking 4(b) 3(b) 2... → R-precision 0 and MAP@R 0;
  // query 0 (0, a): R = 2, ranking 1(a) 2(b) → R-precision 1/2, MAP@R (1/2)(1) = 1/2
  assert.ok(r.mapAtR > 0 && r.mapAtR < 1);
});

test('agrees with an independent brute-force computation on random data with separate references', () => {
  const Q = randomMatrix(40, 3, 1);
  const Rm = randomMatrix(60, 3, 2);
  const ql = Array.from({ length: 40 }, (_, i) => i % 4);
  const rl = Array.from({ length: 60 }, (_, i) => (i * 7) % 5); // class 4 has no query → fine
  const r = retrievalMetrics(Q, ql, { references: Rm, referenceLabels: rl, kValues: [1, 5], k: 5 });
  let p1 = 0, rp = 0, mapr = 0;
  for (let q = 0; q < 40; q++) {
    const d = Array.from({ length: 60 }, (_, j) => {
      let s = 0;
      for (let c = 0; c < 3; c++) s += (Q.get(q, c) - Rm.get(j, c)) ** 2;
      return [s, j] as [number, number];
    }).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const rel = d.map(([, j]) => (rl[j] === ql[q] ? 1 : 0));
    const R = rl.filter((v) => v === ql[q]).length;
    p1 += rel[0];
    let hits = 0, ap = 0;
    for (let i = 0; i < R; i++) if (rel[i]) { hits++; ap += hits / (i + 1); }
    rp += hits / R;
    mapr += ap / R;
  }
  close(r.precisionAt1, p1 / 40, 1e-12);
  close(r.rPrecision, rp / 40, 1e-12);
  close(r.mapAtR, mapr / 40, 1e-12);
});

test('digits leave-one-out: values match an independent numpy computation of the same definitions', () => {
  const ds = readDataset(join(DATA, 'digits.csv'));
  const r = retrievalMetrics(ds.X, ds.y as number[]);
  // reference values computed once with numpy (argsort of the full distance matrix, same formulas)
  close(r.precisionAt1, 0.988313856427379, 1e-9);
  close(r.rPrecision, 0.6116326530267554, 1e-9);
  close(r.mapAtR, 0.545621538576936, 1e-9);
  close(r.mapAtK, 0.9847390915340971, 1e-9);
  close(r.cmcAt['5'], 0.9977740678909294, 1e-9);
  assert.equal(r.depth, 182); // largest digits class has 183 members
});

test('an explicit depth below the largest class is an error, not a silently wrong MAP@R', () => {
  const X = randomMatrix(30, 2, 3);
  const y = Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1));
  assert.throws(() => retrievalMetrics(X, y, { depth: 5 }), /smaller than the largest class.*R = 19/);
  assert.doesNotThrow(() => retrievalMetrics(X, y, { depth: 25 }));
});

test('lone queries are excluded and counted; bad inputs give clear errors', () => {
  const X = new Matrix(4, 1, Float64Array.from([0, 1, 2, 3]));
  const r = retrievalMetrics(X, [0, 0, 1, 2], { kValues: [1], k: 1 });
  assert.equal(r.nEvaluated, 2);
  assert.match(r.warnings[0], /2 of 4 queries have no relevant reference/);
  close(r.precisionAt1, 1);
  assert.throws(() => retrievalMetrics(X, [0, 1, 2, 3]), /no query has a relevant reference/);
  assert.throws(() => retrievalMetrics(X, [0, 1]), /queryLabels: got 2 labels for 4 queries/);
  assert.throws(() => retrievalMetrics([[0], [NaN]], [0, 0]), /queries: value at row 1/);
  assert.throws(() => retrievalMetrics(X, [0, 0, 1, 1], { references: [[1, 2]], referenceLabels: [0] }), /columns/);
  assert.throws(() => retrievalMetrics(X, [0, 0, 1, 1], { kValues: [0] }), /positive integer/);
});

test('nearestReferences: the sampled-threshold fast path returns exactly the sorted nearest rows', async () => {
  const { nearestReferences } = await import('../../src/evaluation/retrieval.js');
  // 6000 references on a coarse grid (many exact ties) so tie-breaking by index is exercised
  const rng = new (await import('../../src/random.js')).Random(8);
  const R = new Matrix(6000, 2, Float64Array.from({ length: 12000 }, () => rng.int(40)));
  const Q = R.sliceRows(0, 30);
  for (const depth of [1, 25, 700]) {
    const nn = nearestReferences(Q, R, depth, true);
    for (let q = 0; q < 30; q++) {
      const order = Array.from({ length: 6000 }, (_, j) => j).filter((j) => j !== q)
        .map((j) => [(R.get(j, 0) - Q.get(q, 0)) ** 2 + (R.get(j, 1) - Q.get(q, 1)) ** 2, j])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(Array.from(nn.subarray(q * depth, (q + 1) * depth)), order.slice(0, depth).map((o) => o[1]));
    }
  }
});

test('nearestReferences and retrievalMetrics: the native knn path and the JS path give identical neighbour lists on exact data with duplicates and ties', async () => {
  const { nearestReferences } = await import('../../src/evaluation/retrieval.js');
  const { getBackend, useBackend } = await import('../../src/backend/index.js');
  const { requireNative } = await import('../backend/native-helpers.js');
  const { Random } = await import('../../src/random.js');
  const native = requireNative();
  const before = getBackend();
  const rng = new Random(9);
  // 4 values per coordinate in 3-d: 64 distinct points among 1500 rows, so nearly every
  // neighbour list is decided by index among exact duplicates (distance 0) and equal distances
  const R = new Matrix(1500, 3, Float64Array.from({ length: 4500 }, () => rng.int(4) - 1.5));
  const Q = new Matrix(200, 3, Float32Array.from({ length: 600 }, () => rng.int(4) - 1.5));
  const labels = Array.from({ length: 1500 }, () => rng.int(3));
  const run = (): { nn: Int32Array[]; metrics: object } => {
    const nn: Int32Array[] = [];
    // 1 and 40 use the sorted lists in the native knn, 100 and 700 the candidate buffers; 1500
    // asks for more than the 1499 others (padding)
    for (const depth of [1, 40, 100, 700, 1500]) {
      nn.push(nearestReferences(R, R, depth, true), nearestReferences(Q, R, Math.min(depth, 1000), false));
    }
    const metrics = retrievalMetrics(R, labels, { kValues: [1, 5, 50] });
    return { nn, metrics };
  };
  try {
    useBackend(native);
    const viaNative = run();
    useBackend('js');
    const viaJs = run();
    for (let i = 0; i < viaJs.nn.length; i++) assert.deepEqual(viaNative.nn[i], viaJs.nn[i], `list ${i}`);
    assert.deepEqual(viaNative.metrics, viaJs.metrics);
  } finally {
    useBackend(before);
  }
});
