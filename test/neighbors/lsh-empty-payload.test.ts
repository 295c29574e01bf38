import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimHashIndex } from '../../src/neighbors/lsh/simhash-index.js';
import { E2LshIndex } from '../../src/neighbors/lsh/e2lsh-index.js';
import { indexFromPayload } from '../../src/neighbors/registry.js';
import { encodeModel, decodeModel, type ModelPayload } from '../../src/io/model-file.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';

const rng = new Random(3);
const data = new Matrix(400, 8, rng.fillNormal(new Float32Array(400 * 8)));
const queries = new Matrix(20, 8, rng.fillNormal(new Float32Array(20 * 8)));

const roundTrip = (p: ModelPayload) => indexFromPayload(decodeModel(encodeModel(p)));

const makers: Array<[string, () => SimHashIndex | E2LshIndex]> = [
  ['simhash, planned', () => new SimHashIndex({ seed: 1 })],
  ['simhash, explicit', () => new SimHashIndex({ seed: 2, hashLength: 6, tables: 4, probes: 2, dim: 8 })],
  ['simhash, partly planned', () => new SimHashIndex({ seed: 3, tables: 5, targetRecall: 0.8, calibrationK: 5 })],
  ['e2lsh, planned', () => new E2LshIndex({ seed: 1 })],
  ['e2lsh, explicit', () => new E2LshIndex({ seed: 2, hashLength: 4, tables: 3, probes: 1, bucketWidth: 2.5, metric: 'sqeuclidean' })],
  ['e2lsh, planned width', () => new E2LshIndex({ seed: 3, hashLength: 5, tables: 6, maxTables: 10 })],
];

test('an empty SimHash or E2LSH index survives a payload round trip and then plans as the original', () => {
  for (const [name, make] of makers) {
    const original = make();
    const back = roundTrip(original.toPayload()) as SimHashIndex | E2LshIndex;
    assert.equal(back.constructor, original.constructor, name);
    assert.equal(back.size, 0, name);
    assert.equal(back.dim, original.dim, name);
    assert.equal(back.metric, original.metric, name);
    assert.throws(() => back.search(queries, 3), /the index is empty/, name);
    // the first add chooses the same plan and draws the same hashes in both
    original.add(data);
    back.add(data);
    assert.deepEqual([back.K, back.L, back.probes], [original.K, original.L, original.probes], name);
    assert.deepEqual(back.plan, original.plan, name);
    assert.deepEqual(back.search(queries, 5), original.search(queries, 5), name);
    // and the configured index still round-trips as before
    assert.deepEqual(roundTrip(back.toPayload()).search(queries, 5), original.search(queries, 5), name);
  }
});

test('an empty index payload says its plan is not chosen yet (no K = 0)', () => {
  const p = new SimHashIndex({ seed: 1, probes: 3 }).toPayload();
  assert.equal(p.meta.K, null);
  assert.equal(p.meta.L, null);
  assert.deepEqual(p.meta.pending, { probes: 3 });
});

test('an empty index payload written with K = 0 (before pending settings were saved) still loads', () => {
  for (const make of [() => new SimHashIndex({ seed: 4 }), () => new E2LshIndex({ seed: 4, dim: 8 })]) {
    const p = make().toPayload();
    p.meta.K = 0;
    p.meta.L = 0;
    p.meta.probes = 0;
    delete p.meta.pending;
    const back = roundTrip(p) as SimHashIndex | E2LshIndex;
    const fresh = make();
    back.add(data);
    fresh.add(data);
    assert.deepEqual(back.search(queries, 5), fresh.search(queries, 5));
  }
});
