import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MinHasher, estimateJaccard, hashToken, jaccard } from '../../src/neighbors/lsh/minhash.js';
import { MinHashIndex, chooseBandRows } from '../../src/neighbors/lsh/minhash-index.js';
import { loadIndex } from '../../src/neighbors/registry.js';
import { Random } from '../../src/random.js';

/** Two sets over 0..(u−1) sharing `common` tokens: Jaccard = common / (|A| + |B| − common). */
function pair(rng: Random, sizeA: number, sizeB: number, common: number): [number[], number[]] {
  const tokens = rng.sample(100000, sizeA + sizeB - common);
  const A = Array.from(tokens.subarray(0, sizeA));
  const B = [...Array.from(tokens.subarray(0, common)), ...Array.from(tokens.subarray(sizeA, sizeA + sizeB - common))];
  return [A, B];
}

test('exact Jaccard by hand', () => {
  assert.equal(jaccard(['a', 'b', 'c'], ['b', 'c', 'd']), 2 / 4);
  assert.equal(jaccard([1, 2], [3]), 0);
  assert.equal(jaccard(['x', 'x'], ['x']), 1);
});

test('128-permutation MinHash estimates Jaccard within ±0.05', () => {
  const mh = new MinHasher(128, 7);
  const rng = new Random(11);
  let worst = 0;
  let sumErr = 0;
  const n = 60;
  for (let t = 0; t < n; t++) {
    const sizeA = 50 + rng.int(150);
    const sizeB = 50 + rng.int(150);
    const common = rng.int(Math.min(sizeA, sizeB) + 1);
    const [A, B] = pair(rng, sizeA, sizeB, common);
    const est = estimateJaccard(mh.signature(A), mh.signature(B));
    const err = Math.abs(est - jaccard(A, B));
    worst = Math.max(worst, err);
    sumErr += err;
  }
  // s.e. ≤ √(0.25/128) = 0.044: the mean error is far inside 0.05, the worst case within ~3 s.e.
  assert.ok(sumErr / n < 0.03, `mean |error| ${sumErr / n}`);
  assert.ok(worst < 0.12, `worst |error| ${worst}`);
  // identical sets agree everywhere; the estimate is deterministic for a seed
  const [A] = pair(rng, 40, 40, 10);
  assert.equal(estimateJaccard(mh.signature(A), mh.signature([...A].reverse())), 1);
  assert.deepEqual(new MinHasher(16, 3).signature(['a', 'b']), new MinHasher(16, 3).signature(['b', 'a']));
  assert.notEqual(hashToken('ab'), hashToken('ba'));
  assert.throws(() => mh.signature([]), /empty/);
});

test('band choice: the largest r whose candidate probability at the threshold reaches the target', () => {
  // P = 128, s* = 0.5, target 0.9: r = 5 gives b = 25, 1 − (1 − 1/32)^25 = 0.548 < 0.9;
  // r = 4 gives b = 32, 1 − (1 − 1/16)^32 = 0.873 < 0.9; r = 3: b = 42, 1 − (7/8)^42 = 0.996 ✓
  assert.equal(chooseBandRows(128, 0.5, 0.9), 3);
  const idx = new MinHashIndex({ threshold: 0.5, targetRecall: 0.9 });
  assert.equal(idx.bandRows, 3);
  assert.equal(idx.bands, 42);
  assert.ok(idx.candidateProbability(0.5) >= 0.9);
});

test('MinHashIndex finds near-duplicate sets, re-ranks by exact Jaccard, saves, loads and removes', () => {
  const rng = new Random(5);
  const base: number[][] = [];
  for (let i = 0; i < 300; i++) base.push(Array.from(rng.sample(50000, 40)));
  // each query is a copy of base[i] with 4 tokens swapped: Jaccard 36/44 = 0.818
  const queries = base.slice(0, 50).map((s) => [...s.slice(4), ...Array.from(rng.sample(50000, 4)).map((v) => v + 50000)]);
  const idx = new MinHashIndex({ seed: 2 });
  idx.add(base);
  const r = idx.search(queries, 3);
  let found = 0;
  r.ids.forEach((ids, q) => {
    if (ids[0] === q) found++;
    if (ids.length) assert.ok(Math.abs(r.distances[q][0] - (1 - jaccard(base[ids[0]], queries[q]))) < 1e-12);
  });
  assert.ok(found >= 48, `found ${found} of 50 near duplicates`);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-minhash-'));
  try {
    const path = join(dir, 'mh.simlearn');
    idx.save(path);
    const back = loadIndex(path) as MinHashIndex;
    assert.equal(back.size, 300);
    assert.deepEqual(back.search(queries, 3), r);
    back.remove([0, 1]);
    assert.equal(back.size, 298);
    const after = back.search(queries.slice(0, 3), 3);
    assert.ok(!after.ids[0].includes(0) && !after.ids[1].includes(1));
    assert.equal(after.ids[2][0], 2);
    assert.throws(() => back.add([[]]), /set 0 is empty/);
    assert.throws(() => new MinHashIndex().search([['a']], 1), /the index is empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
