import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromGroups, fromLabeledPairs, fromQueryPositivePairs, fromScoredPairs, tuplesForBatch } from '../../src/deep/inputs.js';
import { ContrastiveLoss, NTXentLoss, ScoreRegressionLoss } from '../../src/deep/losses/index.js';
import { PairBatchSampler } from '../../src/deep/samplers/index.js';
import { gradCheck } from './similarity-helpers.js';

test('labelled pairs: distinct items as rows, pairs as tuples, labels = components of similar pairs', () => {
  // Items: p = (0,0), q = (1,1), r = (2,2), s = (5,5). Pairs: p~q similar, q~r similar, p≁s.
  // p and r are linked through q: one component {p, q, r}; s alone.
  const d = fromLabeledPairs([[0, 0], [1, 1], [0, 0]], [[1, 1], [2, 2], [5, 5]], [1, true, -1]);
  assert.equal(d.X.rows, 4, 'q and p occur twice but are one row each');
  assert.deepEqual(Array.from(d.pairRows.a), [0, 1, 0]);
  assert.deepEqual(Array.from(d.pairRows.b), [1, 2, 3]);
  assert.deepEqual(Array.from(d.X.row(3)), [5, 5]);
  assert.deepEqual([Array.from(d.tuples.posA), Array.from(d.tuples.posB)], [[0, 1], [1, 2]]);
  assert.deepEqual([Array.from(d.tuples.negA), Array.from(d.tuples.negB)], [[0], [3]]);
  assert.deepEqual(Array.from(d.labels), [0, 0, 0, 1]);
  // The pairs feed a pair loss directly.
  assert.ok(new ContrastiveLoss({ negMargin: 10 }).compute(d.X, d.labels, d.tuples).loss > 0);
});

test('labelled pairs: contradictions and bad targets are refused', () => {
  // p~q and q~r similar but p≁r: a contradiction.
  assert.throws(() => fromLabeledPairs([[0], [1], [0]], [[1], [2], [2]], [1, 1, -1]), /pair 2 is marked dissimilar but its items are linked/);
  assert.throws(() => fromLabeledPairs([[0]], [[1]], [2]), /y\[0\] is 2/);
  assert.throws(() => fromLabeledPairs([[0], [1]], [[1]], [1, 1]), /a has 2 rows but b has 1/);
  assert.throws(() => fromLabeledPairs([[0]], [[1]], [1, 1]), /y has 2 entries for 1 pairs/);
  assert.throws(() => fromLabeledPairs([[NaN]], [[1]], [1]), /NaN/);
});

test('tuplesForBatch keeps the tuples inside the batch, re-indexed; pair batches hold both items', () => {
  const d = fromLabeledPairs([[0], [1], [2], [3]], [[10], [11], [12], [0]], [1, -1, 1, 1]);
  const sampler = new PairBatchSampler(d.pairRows, { pairsPerBatch: 2, seed: 0 });
  let total = 0;
  for (const rows of sampler.epoch(0)) {
    const t = tuplesForBatch(d.tuples, rows, d.X.rows);
    assert.equal(t.kind, 'pairs');
    if (t.kind !== 'pairs') continue;
    total += t.posA.length + t.negA.length;
  }
  assert.ok(total >= 4, 'every pair is inside the batch that drew it');
  const tr = tuplesForBatch({ kind: 'triplets', anchors: Int32Array.from([0, 1]), positives: Int32Array.from([2, 2]), negatives: Int32Array.from([3, 4]) }, [4, 0, 2, 3], 5);
  assert.ok(tr.kind === 'triplets');
  if (tr.kind === 'triplets') assert.deepEqual([Array.from(tr.anchors), Array.from(tr.positives), Array.from(tr.negatives)], [[1], [2], [3]]);
});

test('scored pairs: label = pair id on both rows, for the score-regression loss', () => {
  const d = fromScoredPairs([[1, 0], [0, 1]], [[1, 1], [0, 1]], [0.5, 1]);
  assert.deepEqual(Array.from(d.labels), [0, 1, 0, 1]);
  const loss = new ScoreRegressionLoss({ scores: d.scores });
  // cos((1,0),(1,1)) = 0.7071 vs 0.5; cos((0,1),(0,1)) = 1 vs 1.
  assert.ok(Math.abs(loss.compute(d.X, d.labels).loss - (Math.SQRT1_2 - 0.5) ** 2 / 2) < 1e-6);
  assert.throws(() => fromScoredPairs([[1]], [[1]], [Infinity]), /scores\[0\] is Infinity/);
});

test('groups become pseudo-classes', () => {
  const g = fromGroups([[[0, 0], [0, 1]], [[5, 5]], [[9, 9], [9, 8], [9, 7]]]);
  assert.deepEqual(Array.from(g.labels), [0, 0, 1, 2, 2, 2]);
  assert.equal(g.X.rows, 6);
  assert.throws(() => fromGroups([[[0, 0]]]), /at least 2 groups/);
  assert.throws(() => fromGroups([[[0, 0]], [[1]]]), /group 1 has 1 columns but group 0 has 2/);
  assert.throws(() => fromGroups([[[0, 0]], []]), /group 1 is empty/);
});

test('query/positive pairs: in-batch negatives through the reference set (asymmetric InfoNCE)', () => {
  const q = fromQueryPositivePairs([[1, 0], [0, 1], [1, 1]], [[0.9, 0.1], [0.2, 1], [1, 0.8]]);
  const loss = new NTXentLoss({ temperature: 0.5 });
  const ref = { embeddings: q.positives, labels: q.labels };
  const r = loss.compute(q.queries, q.labels, undefined, ref);
  // Query i's positive is reference i, the other two references are its negatives.
  const S = (a: Float32Array, b: Float32Array): number => (a[0] * b[0] + a[1] * b[1]) / Math.hypot(a[0], a[1]) / Math.hypot(b[0], b[1]);
  let want = 0;
  for (let i = 0; i < 3; i++) {
    const z = [0, 1, 2].map((j) => S(q.queries.row(i), q.positives.row(j)) / 0.5);
    want += Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[i];
  }
  assert.ok(Math.abs(r.loss - want / 3) < 1e-6);
  assert.ok(r.referenceGrad && r.referenceGrad.length === 6);
  assert.ok(gradCheck(loss, q.queries, q.labels, undefined, ref).error < 2e-4);
  // The stacked (symmetric) form: 6 rows, labels pair ids.
  assert.deepEqual(Array.from(q.stackedLabels), [0, 1, 2, 0, 1, 2]);
  assert.ok(loss.compute(q.X, q.stackedLabels).loss > 0);
});
