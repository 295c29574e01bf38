import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Matrix, assertFinite, type FloatArray } from '../../src/matrix.js';
import { NCA } from '../../src/metric/nca.js';
import { asSimilarityModel, euclideanModel, type SimilarityModel } from '../../src/service/similarity-model.js';
import { startService, buildService } from '../../src/service/server.js';
import type { ItemSet } from '../../src/service/items.js';

const items: ItemSet = {
  ids: ['a', 'b', 'c', 'd'],
  labels: ['x', 'x', 'y', 'y'],
  X: Matrix.from64([
    [0, 0, 0, 0],
    [1, 0, 0, 0],
    [5, 5, 0, 0],
    [6, 5, 0, 0],
  ]),
};

// L doubles every feature, so 1e308 overflows float64 in the embedding itself.
const doubling = asSimilarityModel(new NCA().restoreState({ components: { rows: 4, cols: 4, data: [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2] }, nIter: 0, converged: true, warnings: [] }), { kind: 'metric/nca' });

// Two steps, the second checking its input as a pipeline's steps do: 1e308 · 10 makes it throw.
const twoStep: SimilarityModel = {
  kind: 'pipeline',
  nFeatures: 4,
  transform(X: Matrix<FloatArray>) {
    const scaled = X.toFloat64().clone();
    for (let i = 0; i < scaled.data.length; i++) scaled.data[i] *= 10;
    assertFinite(scaled, 'X');
    return scaled;
  },
};

const services: { app: FastifyInstance; url: string }[] = [];
let url: string;
let doublingUrl: string;
let twoStepUrl: string;

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

before(async () => {
  for (const model of [euclideanModel(4), doubling, twoStep]) services.push(await startService({ model, items, threshold: -2, port: 0 }));
  [url, doublingUrl, twoStepUrl] = services.map((s) => s.url);
});
after(async () => {
  for (const s of services) await s.app.close();
});

const big = [1e200, 0, 0, 0];
const huge = [1e308, 0, 0, 0];

const cases: [string, () => string, string, unknown, RegExp][] = [
  ['/pair-score whose distance overflows float64', () => url, '/pair-score', { a: big, b: [-1e200, 0, 0, 0] }, /^the distance between a and b overflows: values this large \(1e200\) cannot be compared in float64; rescale the vectors$/],
  ['/pair-score with one id', () => url, '/pair-score', { a: 'a', b: [1e300, 1e300, 0, 0] }, /distance between a and b overflows: values this large \(1e300\)/],
  ['/verify whose distance overflows float64', () => url, '/verify', { a: big, b: [-1e200, 0, 0, 0] }, /distance between a and b overflows/],
  ['/similar with 1e200 (beyond float32)', () => url, '/similar', { vector: big }, /^vector: values this large \(1e200\) cannot be searched: squared distances to the items exceed the float32 range/],
  ['/similar with 1e308', () => url, '/similar', { vector: huge }, /^vector: values this large \(1e308\) cannot be searched/],
  ['/similar with 1e20 (squared distances beyond float32)', () => url, '/similar', { vector: [1e20, 0, 0, 0] }, /^vector: values this large \(1e20\) cannot be searched/],
  ['/embed whose embedding overflows', () => doublingUrl, '/embed', { vectors: [huge] }, /^vector: values this large \(1e308\) overflow float64 in the model's embedding; rescale the vector$/],
  ['/similar whose embedding overflows', () => doublingUrl, '/similar', { vector: huge }, /^vector: values this large \(1e308\) overflow float64/],
  ['/pair-score whose b overflows in the model', () => doublingUrl, '/pair-score', { a: 'a', b: huge }, /^b: values this large \(1e308\) overflow float64/],
  ['/embed where a model step refuses an overflowed value', () => twoStepUrl, '/embed', { vectors: [[1, 2, 3, 4], huge] }, /^vector 1: values this large \(1e308\) overflow float64 inside the model; rescale the vector$/],
  ['/verify where a model step refuses an overflowed value', () => twoStepUrl, '/verify', { a: huge, b: 'b' }, /^a: values this large \(1e308\) overflow float64 inside the model/],
];
for (const [name, base, path, body, message] of cases) {
  test(`400 naming the field, not null or 500: ${name}`, async () => {
    const r = await post(base(), path, body);
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.statusCode, 400);
    assert.match(r.json.message, message);
  });
}

test('values that fit still get answers (the limits are not too tight)', async () => {
  const pair = await post(url, '/pair-score', { a: [1e150, 0, 0, 0], b: [-1e150, 0, 0, 0] });
  assert.equal(pair.status, 200);
  assert.equal(pair.json.distance, 2e150);
  const sim = await post(url, '/similar', { vector: [1e15, 0, 0, 0], k: 1 });
  assert.equal(sim.status, 200, JSON.stringify(sim.json));
  const emb = await post(url, '/embed', { vectors: [huge] });
  assert.deepEqual(emb.json.embeddings, [huge]);
});

test('GET /items: a repeated or malformed query parameter is a 400 naming it', async () => {
  for (const [query, message] of [
    ['q=a&q=b', /query parameter "q" is given 2 times; give it once/],
    ['limit=5&limit=6', /"limit" is given 2 times/],
    ['limit=many', /query parameter "limit" must be an integer ≥ 1, got "many"/],
    ['limit=0', /"limit" must be an integer ≥ 1/],
    ['offset=-1', /query parameter "offset" must be an integer ≥ 0, got "-1"/],
  ] as const) {
    const res = await fetch(`${url}/items?${query}`);
    const json = await res.json();
    assert.equal(res.status, 400, `${query}: ${JSON.stringify(json)}`);
    assert.match(json.message, message);
  }
  const ok = await (await fetch(`${url}/items?q=y&limit=1&offset=1`)).json();
  assert.deepEqual(ok, { total: 2, offset: 1, items: [{ id: 'd', label: 'y' }] });
});

test('start-up refuses items whose embeddings overflow, naming the item', () => {
  const hugeItems: ItemSet = { ...items, X: Matrix.from64([[0, 0, 0, 0], [1e308, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]) };
  assert.throws(() => buildService({ model: doubling, items: hugeItems }), /the model maps item "b" to an embedding too large for float64 \(its values reach 1e308\); rescale the items/);
  const farItems: ItemSet = { ...items, X: Matrix.from64([[0, 0, 0, 0], [1e20, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]) };
  assert.throws(() => buildService({ model: euclideanModel(4), items: farItems }), /squared distances between items overflow the float32 search index/);
});
