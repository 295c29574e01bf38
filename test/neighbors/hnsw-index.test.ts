import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HnswIndex } from '../../src/neighbors/hnsw-index.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { loadIndex } from '../../src/neighbors/registry.js';
import { randomMatrix } from '../helpers.js';

test('HnswIndex: recall@10 against ExactIndex on 2000 random vectors', () => {
  const X = randomMatrix(2000, 16, 1);
  const Q = randomMatrix(100, 16, 2);
  const h = new HnswIndex({ metric: 'euclidean', expansionSearch: 128 });
  h.add(X);
  const e = new ExactIndex({ metric: 'euclidean' });
  e.add(X);
  const r = h.search(Q, 10);
  const t = e.search(Q, 10);
  let hit = 0;
  t.ids.forEach((ids, q) => { const s = new Set(r.ids[q]); for (const id of ids) if (s.has(id)) hit++; });
  assert.ok(hit / 1000 >= 0.95, `recall ${hit / 1000}`);
  // distances follow the euclidean convention (√ of usearch's l2sq)
  r.ids.forEach((ids, q) => { const pos = t.ids[q].indexOf(ids[0]); if (pos >= 0) assert.ok(Math.abs(r.distances[q][0] - t.distances[q][pos]) < 1e-3); });
});

test('HnswIndex: distance conventions of each metric on a hand example', () => {
  const X = [[1, 0], [0, 2]];
  const ip = new HnswIndex({ metric: 'inner_product' });
  ip.add(X);
  const r = ip.search([[1, 1]], 2);
  assert.deepEqual(r.ids, [[1, 0]]); // ⟨q, x⟩ = 2 and 1
  assert.ok(Math.abs(r.distances[0][0] + 2) < 1e-5 && Math.abs(r.distances[0][1] + 1) < 1e-5);
  const cos = new HnswIndex({ metric: 'cosine' });
  cos.add(X);
  const c = cos.search([[1, 1]], 1);
  assert.ok(Math.abs(c.distances[0][0] - (1 - Math.SQRT1_2)) < 1e-5);
  const sq = new HnswIndex();
  sq.add(X, [7, 9]);
  assert.deepEqual(sq.search([[0, 0]], 2), { ids: [[7, 9]], distances: [[1, 4]] });
});

test('HnswIndex: save/load keeps the graph; remove(); errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-hnsw-'));
  try {
    const X = randomMatrix(500, 8, 3);
    const Q = randomMatrix(20, 8, 4);
    const h = new HnswIndex({ metric: 'cosine' });
    h.add(X);
    const before = h.search(Q, 5);
    const path = join(dir, 'h.simlearn');
    h.save(path);
    const back = loadIndex(path) as HnswIndex;
    assert.equal(back.size, 500);
    assert.deepEqual(back.search(Q, 5), before);
    const gone = before.ids.map((ids) => ids[0]);
    back.remove(gone);
    assert.equal(back.size, 500 - new Set(gone).size);
    for (const ids of back.search(Q, 5).ids) for (const id of ids) assert.ok(!gone.includes(id));
    back.add(randomMatrix(3, 8, 5));
    assert.throws(() => back.add([[1, 2]]), /2 columns but the index holds 8-dimensional/);
    assert.throws(() => new HnswIndex().search([[1]], 1), /the index is empty/);
    assert.throws(() => new HnswIndex({ connectivity: 1 }), /connectivity must be an integer in 2\.\.1024/);
    assert.throws(() => back.add([[0, 0, 0, 0, 0, 0, 0, 0]]), /all zeros/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HnswIndex.withExpansionSearch: same graph, ef changes recall, the original is untouched', () => {
  const X = randomMatrix(3000, 32, 5);
  const Q = randomMatrix(200, 32, 6);
  const h = new HnswIndex({ metric: 'sqeuclidean', connectivity: 4, expansionAdd: 16, expansionSearch: 200, threads: 1 });
  h.add(X);
  const e = new ExactIndex({ metric: 'sqeuclidean' });
  e.add(X);
  const truth = e.search(Q, 10).ids;
  const recall = (ids: number[][]): number => {
    let hit = 0;
    truth.forEach((t, q) => { const s = new Set(ids[q]); for (const id of t) if (s.has(id)) hit++; });
    return hit / (truth.length * 10);
  };
  const wide = h.search(Q, 10);
  const narrow = h.withExpansionSearch(10);
  assert.equal(narrow.expansionSearch, 10);
  assert.equal(narrow.size, h.size);
  assert.equal(h.expansionSearch, 200);
  const rNarrow = recall(narrow.search(Q, 10).ids);
  const rWide = recall(wide.ids);
  // a sparse graph (M = 4) needs a wide beam: ef = 10 must lose recall that ef = 200 keeps
  assert.ok(rWide > rNarrow + 0.02, `ef=200 recall ${rWide} vs ef=10 recall ${rNarrow}`);
  // the same ef on the copied graph answers exactly as the original
  assert.deepEqual(h.withExpansionSearch(200).search(Q, 10).ids, wide.ids);
  assert.deepEqual(h.search(Q, 10).ids, wide.ids, 'the original keeps its ef');
  assert.throws(() => h.withExpansionSearch(0), /expansionSearch must be an integer in 1\.\.1000000/);
});
