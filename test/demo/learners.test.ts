import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoLearners, fileStem } from '../../src/demo/learners.js';
import { algorithmNames } from '../../src/metric/algorithms.js';
import '../../src/metric/index.js';

test('the default line-up: Euclidean first, registered Mahalanobis learners, one deep head; unregistered ones are reported as skipped', () => {
  const { selected, skipped } = demoLearners(false);
  const stems = selected.map(fileStem);
  assert.equal(stems[0], 'euclidean');
  assert.ok(stems.includes('mlp-triplet'));
  for (const s of ['lfda', 'nca', 'lmnn']) assert.ok(stems.includes(s), s);
  const registered = new Set(algorithmNames());
  for (const s of selected) if (s.type === 'metric') assert.ok(registered.has(s.algorithm));
  for (const name of skipped) assert.ok(!stems.includes(name.toLowerCase()));
});

test('quick mode is a shorter line-up with the same baseline and a deep head', () => {
  const quick = demoLearners(true).selected;
  assert.ok(quick.length < demoLearners(false).selected.length);
  assert.equal(fileStem(quick[0]), 'euclidean');
  const deep = quick.find((s) => s.type === 'deep');
  assert.ok(deep && deep.type === 'deep' && deep.epochs <= 5);
});

test('a chosen subset always keeps the Euclidean baseline; unknown names are refused', () => {
  const { selected } = demoLearners(false, ['nca']);
  assert.deepEqual(selected.map(fileStem), ['euclidean', 'nca']);
  assert.throws(() => demoLearners(false, ['nca', 'xyz']), /unknown learner xyz; choose from/);
});
