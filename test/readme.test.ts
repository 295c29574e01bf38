// The README's library example must keep working as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LMNN, KNeighborsClassifier, StandardScaler, readDataset } from '../src/index.js';
import { DATA } from './helpers.js';

test('README library example: LMNN on wine, then 3-NN in the learned space', () => {
  const { X, y } = readDataset(join(DATA, 'wine.csv'));
  const Z = new StandardScaler().fitTransform(X);
  const lmnn = new LMNN({ k: 3, seed: 0 }).fit(Z, y!);
  assert.deepEqual(lmnn.components.shape, [13, 13]);
  assert.deepEqual(lmnn.getMahalanobisMatrix().shape, [13, 13]);
  const d = lmnn.pairDistance([[Z.row(0), Z.row(1)]]);
  assert.equal(d.length, 1);
  assert.ok(d[0] > 0 && Number.isFinite(d[0]));
  const knn = new KNeighborsClassifier({ k: 3 }).fit(lmnn.transform(Z), y!);
  const predicted = knn.predict(lmnn.transform(Z));
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === y![i]) correct++;
  assert.ok(correct / predicted.length > 0.95, `training accuracy ${correct / predicted.length}`);
});
