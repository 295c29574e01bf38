import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HnswIndex } from '../../src/neighbors/hnsw-index.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';

const X = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]];

/** The message an index throws for `queries`, or null when it answers. */
function errorOf(search: () => unknown): string | null {
  try {
    search();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

test('HnswIndex (cosine) refuses an all-zero query, in ExactIndex\'s words, instead of arbitrary neighbours at distance 1', () => {
  const h = new HnswIndex({ metric: 'cosine', threads: 1 });
  h.add(X);
  const e = new ExactIndex({ metric: 'cosine' });
  e.add(X);
  const queries = [[1, 0, 0], [0, 0, 0]];
  const hMessage = errorOf(() => h.search(queries, 2));
  assert.equal(hMessage, "HnswIndex.search: queries: row 1 is all zeros, so its cosine distance is undefined; remove it or use metric 'euclidean'");
  assert.equal(hMessage.replace(/^HnswIndex/, ''), (errorOf(() => e.search(queries, 2)) ?? '').replace(/^ExactIndex/, ''));
  // A reloaded index (what `simlearn search` uses) checks too.
  assert.match(errorOf(() => HnswIndex.fromPayload(h.toPayload()).search([[0, 0, 0]], 1)) ?? '', /row 0 is all zeros/);
  // Non-zero queries and other metrics are unaffected.
  assert.deepEqual(h.search([[2, 0, 0]], 1).ids, [[0]]);
  const l2 = new HnswIndex({ metric: 'sqeuclidean', threads: 1 });
  l2.add(X);
  assert.equal(l2.search([[0, 0, 0]], 4).ids[0].length, 4);
});
