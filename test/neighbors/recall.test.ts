import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchRecall } from '../../src/neighbors/recall.js';

test('searchRecall: fraction of the exact neighbours found, over all queries, in any order', () => {
  const truth = { ids: [[1, 2, 3], [4, 5, 6]], distances: [[0, 0, 0], [0, 0, 0]] };
  const found = { ids: [[3, 1, 9], [7, 8, 4]], distances: [[0, 0, 0], [0, 0, 0]] };
  // 2 of 3 for the first query, 1 of 3 for the second.
  assert.equal(searchRecall(found, truth), 3 / 6);
  assert.equal(searchRecall(truth, truth), 1);
  assert.throws(() => searchRecall({ ids: [[1]], distances: [[0]] }, truth), /same queries/);
});
