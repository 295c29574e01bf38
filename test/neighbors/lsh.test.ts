import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimHashIndex } from '../../src/neighbors/lsh/simhash-index.js';
import { E2LshIndex } from '../../src/neighbors/lsh/e2lsh-index.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { e2lshCollision, planLsh, simhashCollision, tableCollision } from '../../src/neighbors/lsh/collision.js';
import { perturbationSets } from '../../src/neighbors/lsh/probe.js';
import { BucketTable } from '../../src/neighbors/lsh/bucket-table.js';
import { loadIndex } from '../../src/neighbors/registry.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { searchRecall } from '../../src/neighbors/recall.js';

function clustered(n: number, d: number, clusters: number, sigma: number, seed: number): Matrix<Float32Array> {
  const rng = new Random(seed);
  const centers = rng.fillNormal(new Float32Array(clusters * d));
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    for (let j = 0; j < d; j++) X[i * d + j] = centers[c * d + j] + sigma * rng.normal();
  }
  return new Matrix(n, d, X);
}

const data = clustered(3000, 32, 60, 0.35, 1);
const queries = clustered(3100, 32, 60, 0.35, 1).sliceRows(3000, 3100); // same centres, fresh points

test('collision probabilities: SimHash 1 − θ/π and the E2LSH closed form of Datar et al.', () => {
  assert.equal(simhashCollision(1)[0], 1);
  assert.ok(Math.abs(simhashCollision(0)[0] - 0.5) < 1e-15);
  assert.ok(Math.abs(simhashCollision(Math.cos(Math.PI / 3))[0] - 2 / 3) < 1e-12);
  // p(c) = 1 − 2Φ(−w/c) − 2/(√(2π) w/c) (1 − e^{−(w/c)²/2}); at w/c = 1: Φ(−1) = 0.15865525393145707
  const r = 1;
  const closed = 1 - 2 * 0.15865525393145707 - (2 / (Math.sqrt(2 * Math.PI) * r)) * (1 - Math.exp(-(r * r) / 2));
  const [p, q] = e2lshCollision(3, 3);
  assert.ok(Math.abs(p - closed) < 1e-6, `${p} vs ${closed}`);
  assert.ok(q > 0 && p + q <= 1);
  // probability falls with distance
  assert.ok(e2lshCollision(1, 4)[0] > e2lshCollision(2, 4)[0]);
  // probes only add collision probability
  assert.ok(tableCollision(0.8, 0.2, 10, 4, 10) > tableCollision(0.8, 0.2, 10, 0, 10));
});

test('planLsh meets the target with the fewest tables it needs', () => {
  // every neighbour at p = 0.9, background p = 0.5: with K = 10, one table gives 0.9^10 = 0.349
  const plan = planLsh({ near: Array(50).fill([0.9, 0.1]), background: Array(50).fill([0.5, 0.5]), n: 10000, d: 64, targetRecall: 0.9, perturbationsOf: (K) => K, kRange: [10, 10], maxTables: 64, probeChoices: [0] });
  // smallest L with 1 − (1 − 0.349)^L ≥ 0.9 is 6 (0.9235); L = 5 gives 0.882
  assert.equal(plan.L, 6);
  assert.ok(Math.abs(plan.predictedRecall - (1 - (1 - 0.9 ** 10) ** 6)) < 1e-12);
});

test('multi-probe perturbation sets come in increasing total score', () => {
  const scores = [0.01, 0.04, 0.09, 0.5];
  const sets = perturbationSets(scores, 6);
  const totals = sets.map((s) => s.reduce((a, i) => a + scores[i], 0));
  // {0}=.01, {1}=.04, {0,1}=.05, {2}=.09, {0,2}=.10, {1,2}=.13
  assert.deepEqual(sets, [[0], [1], [0, 1], [2], [0, 2], [1, 2]]);
  for (let i = 1; i < totals.length; i++) assert.ok(totals[i] >= totals[i - 1]);
  const valid = perturbationSets(scores, 3, (s) => !(s.includes(0) && s.includes(1)));
  assert.deepEqual(valid, [[0], [1], [2]]);
});

test('E2LSH allocation-free probing (T ≤ 8) probes the same buckets as the heap sequence', () => {
  const rng = new Random(3);
  interface ProbeAccess { K: number; L: number; w: number; probes: number; offsets: Float32Array; probeKeysSmall(p: Float32Array, o: number, t: number, out: number[]): void; probeKeysHeap(p: Float32Array, o: number, t: number, out: number[]): void }
  for (const K of [1, 3, 12]) {
    for (const T of [1, 2, 4, 8]) {
      const e = new E2LshIndex({ hashLength: K, tables: 2, probes: T, bucketWidth: 1.7 }) as unknown as ProbeAccess;
      Object.assign(e, { K, L: 2, w: 1.7, probes: T, offsets: Float32Array.from({ length: 2 * K }, () => rng.uniform(0, 1.7)) });
      for (let rep = 0; rep < 30; rep++) {
        const proj = Float32Array.from({ length: 2 * K }, () => rng.normal() * 5);
        const a: number[] = [];
        const b: number[] = [];
        e.probeKeysSmall(proj, 0, 1, a);
        e.probeKeysHeap(proj, 0, 1, b);
        assert.equal(a.length, Math.min(T, b.length));
        assert.deepEqual([...a].sort(), [...b].sort());
      }
    }
  }
});

test('bucket table: chains survive growth, unlink and rename', () => {
  const t = new BucketTable(4);
  for (let r = 0; r < 200; r++) t.insert(r % 7 === 0 ? 0xffffffff : r % 13, r);
  const rows = (key: number): number[] => { const out: number[] = []; for (let r = t.head(key); r !== -1; r = t.next[r]) out.push(r); return out.sort((a, b) => a - b); };
  assert.deepEqual(rows(5), Array.from({ length: 200 }, (_, i) => i).filter((r) => r % 7 !== 0 && r % 13 === 5));
  t.unlink(5, 5);
  t.rename(5, 18, 500);
  assert.ok(!rows(5).includes(5) && !rows(5).includes(18) && rows(5).includes(500));
  assert.equal(t.head(123456), -1);
  // the read-optimised CSR copy holds exactly the chains, rebuilt after a change
  const csr = (key: number): number[] => { t.freeze(); const b = t.lookup(key); return b < 0 ? [] : Array.from(t.csrRows.subarray(t.frozen[3 * b + 1], t.frozen[3 * b + 2])).sort((a, b) => a - b); };
  for (const key of [0, 5, 12, 0xffffffff]) assert.deepEqual(csr(key), rows(key));
  t.insert(5, 777);
  assert.ok(csr(5).includes(777));
  assert.equal(t.lookup(123456), -1);
});

for (const [name, make, metric] of [
  ['SimHashIndex', () => new SimHashIndex({ seed: 3, targetRecall: 0.9 }), 'cosine'],
  ['E2LshIndex', () => new E2LshIndex({ seed: 3, targetRecall: 0.9 }), 'euclidean'],
] as const) {
  test(`${name}: tuned from a target recall, its recall@10 against ExactIndex is high and distances are exact`, () => {
    const idx = make();
    idx.add(data);
    const exact = new ExactIndex({ metric });
    exact.add(data);
    const truth = exact.search(queries, 10);
    const r = idx.search(queries, 10);
    const rec = searchRecall(r, truth);
    assert.ok(idx.plan && idx.plan.predictedRecall >= 0.9, 'the plan predicts the target');
    assert.ok(rec >= 0.8, `recall@10 ${rec}`);
    // re-ranked exactly: a found id has the exact distance, results are sorted
    r.ids.forEach((ids, q) => {
      const pos = truth.ids[q].indexOf(ids[0]);
      if (pos >= 0) assert.ok(Math.abs(r.distances[q][0] - truth.distances[q][pos]) < 1e-4);
      for (let j = 1; j < ids.length; j++) assert.ok(r.distances[q][j] >= r.distances[q][j - 1]);
    });
    assert.ok(idx.lastCandidates < data.rows / 2, `candidates ${idx.lastCandidates} should be far fewer than n`);
  });

  test(`${name}: save/load round trip, remove(), errors`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'simlearn-lsh-'));
    try {
      const idx = make();
      idx.add(data.sliceRows(0, 1000));
      const before = idx.search(queries, 5);
      const path = join(dir, 'lsh.simlearn');
      idx.save(path);
      const back = loadIndex(path) as SimHashIndex | E2LshIndex;
      assert.equal(back.kind, idx.kind);
      assert.deepEqual([back.K, back.L, back.probes], [idx.K, idx.L, idx.probes]);
      assert.deepEqual(back.search(queries, 5), before);
      // remove the first result of every query: it never comes back, the others stay findable
      const gone = [...new Set(before.ids.map((ids) => ids[0]).filter((x) => x !== undefined))];
      back.remove(gone);
      assert.equal(back.size, 1000 - gone.length);
      const after = back.search(queries, 5);
      for (const ids of after.ids) for (const id of ids) assert.ok(!gone.includes(id));
      back.add(data.sliceRows(1000, 1010));
      assert.equal(back.size, 1010 - gone.length);
      assert.throws(() => back.search([[1, 2]], 1), /columns but the index holds 32-dimensional/);
      assert.throws(() => make().search(queries, 1), /the index is empty/);
      assert.throws(() => make().save(join(dir, 'x')), /the index is empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('explicit parameters are used as given; bad parameters are refused', () => {
  const idx = new SimHashIndex({ hashLength: 8, tables: 4, probes: 2, seed: 1 });
  idx.add(data.sliceRows(0, 200));
  assert.deepEqual([idx.K, idx.L, idx.probes], [8, 4, 2]);
  assert.equal(idx.plan, null);
  assert.throws(() => new SimHashIndex({ hashLength: 40, tables: 2 }), /at most 30 bits/);
  assert.throws(() => new SimHashIndex({ targetRecall: 1.5 }), /targetRecall must be in \(0, 1\)/);
  assert.throws(() => new E2LshIndex({ metric: 'cosine' as 'euclidean' }), /use SimHashIndex for cosine/);
  assert.throws(() => new E2LshIndex({ bucketWidth: -1 }), /bucketWidth must be a positive number/);
  // multi-probe finds at least what the home buckets find
  const e0 = new E2LshIndex({ hashLength: 8, tables: 2, probes: 0, bucketWidth: 2, seed: 5 });
  const e8 = new E2LshIndex({ hashLength: 8, tables: 2, probes: 8, bucketWidth: 2, seed: 5 });
  e0.add(data);
  e8.add(data);
  e0.search(queries, 10);
  e8.search(queries, 10);
  assert.ok(e8.lastCandidates > e0.lastCandidates);
});

test('E2LSH with K and L given but no bucket width: w is calibrated, K and L are kept', () => {
  const idx = new E2LshIndex({ hashLength: 6, tables: 3, seed: 2 });
  idx.add(data.sliceRows(0, 500));
  assert.deepEqual([idx.K, idx.L], [6, 3]);
  assert.ok(idx.w > 0 && idx.plan !== null);
});

test('a batch of queries (gathered table by table, re-ranked in one call) returns exactly what one-at-a-time search returns', () => {
  const makers: Array<[string, () => SimHashIndex | E2LshIndex]> = [
    ['SimHash multi-probe', () => new SimHashIndex({ hashLength: 10, tables: 6, probes: 3, seed: 4 })],
    ['E2LSH multi-probe', () => new E2LshIndex({ hashLength: 6, tables: 5, probes: 4, bucketWidth: 6, seed: 4 })],
  ];
  for (const [name, make] of makers) {
    const idx = make();
    idx.add(data.sliceRows(0, 1500));
    idx.remove([3, 700, 1499]); // a swap-removed store must still agree
    const batch = idx.search(queries.sliceRows(0, 40), 7);
    for (let q = 0; q < 40; q++) {
      const one = idx.search(queries.sliceRows(q, q + 1), 7);
      assert.deepEqual(batch.ids[q], one.ids[0], `${name}: ids of query ${q}`);
      assert.deepEqual(batch.distances[q], one.distances[0], `${name}: distances of query ${q}`);
    }
    assert.ok(batch.ids.filter((ids) => ids.length === 7).length >= 30, `${name}: most queries found 7 neighbours (the comparison is not vacuous)`);
  }
});
