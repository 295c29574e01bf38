import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KNeighborsClassifier } from '../../src/neighbors/knn-classifier.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { HnswIndex } from '../../src/neighbors/hnsw-index.js';
import { E2LshIndex } from '../../src/neighbors/lsh/e2lsh-index.js';
import { readDataset } from '../../src/io/index.js';
import { DATA } from '../helpers.js';

test('the k-NN classifier runs on every vector index through its index factory', () => {
  const ds = readDataset(join(DATA, 'wine.csv'));
  const y = ds.y as number[];
  const train = Array.from({ length: ds.X.rows }, (_, i) => i).filter((i) => i % 3 !== 0);
  const testRows = Array.from({ length: ds.X.rows }, (_, i) => i).filter((i) => i % 3 === 0);
  const Xtr = ds.X.takeRows(train);
  const Xte = ds.X.takeRows(testRows);
  const ytr = train.map((i) => y[i]);
  const yte = testRows.map((i) => y[i]);
  const base = new KNeighborsClassifier({ k: 3 }).fit(Xtr, ytr).predict(Xte);
  for (const make of [() => new ExactIndex(), () => new HnswIndex({ expansionSearch: 200 }), () => new E2LshIndex({ seed: 1, targetRecall: 0.99 })]) {
    const pred = new KNeighborsClassifier({ k: 3, index: make }).fit(Xtr, ytr).predict(Xte);
    const agree = pred.filter((p, i) => p === base[i]).length / pred.length;
    assert.ok(agree >= 0.95, `${make().kind}: ${agree} agreement with the exact kernel`);
    const acc = pred.filter((p, i) => p === yte[i]).length / pred.length;
    assert.ok(acc >= 0.6, `${make().kind}: accuracy ${acc}`);
  }
});
