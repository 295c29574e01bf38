import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Matrix } from '../../src/matrix.js';
import { NCA } from '../../src/metric/nca.js';
import { asSimilarityModel, euclideanModel } from '../../src/service/similarity-model.js';
import { startService, buildService } from '../../src/service/server.js';
import type { ItemSet } from '../../src/service/items.js';

// L doubles feature 0 and drops feature 2, so the learned distance is √(4Δ0² + Δ1²).
const learner = new NCA().restoreState({ components: { rows: 2, cols: 3, data: [2, 0, 0, 0, 1, 0] }, nIter: 0, converged: true, warnings: [] });
const model = asSimilarityModel(learner, { kind: 'metric/nca' });
const items: ItemSet = {
  ids: ['a', 'b', 'c', 'd', 'e'],
  labels: ['x', 'x', 'y', 'y', 'y'],
  X: Matrix.from64([
    [0, 0, 0],
    [0, 1, 50], // distance to a: 1 (feature 2 is ignored)
    [1, 0, 0], // distance to a: 2
    [1, 2, 0], // distance to a: √8
    [3, 0, -9], // distance to a: 6
  ]),
};

let app: FastifyInstance;
let url: string;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: any }> {
  const res = await fetch(url + path, { method, headers: body === undefined ? {} : headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}
const post = (path: string, body: unknown) => call('POST', path, body);

before(async () => {
  ({ app, url } = await startService({ model, items, threshold: -2.5, bodyLimit: 4096, maxK: 3, host: '127.0.0.1', port: 0 }));
});
after(async () => {
  await app.close();
});

test('GET /health describes the model, the items and the threshold', async () => {
  const r = await call('GET', '/health');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.model, 'metric/nca');
  assert.equal(r.json.items, 5);
  assert.equal(r.json.dim, 3);
  assert.equal(r.json.embeddingDim, 2);
  assert.equal(r.json.threshold, -2.5);
  assert.equal(r.json.thresholdSource, 'option');
  assert.ok(['js', 'native'].includes(r.json.backend));
});

test('POST /similar by id: hand-computed neighbours in the learned metric, query excluded', async () => {
  const r = await post('/similar', { id: 'a', k: 3 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.query, { id: 'a', label: 'x' });
  assert.deepEqual(r.json.results.map((x: { id: string }) => x.id), ['b', 'c', 'd']);
  const d = r.json.results.map((x: { distance: number }) => x.distance);
  assert.ok(Math.abs(d[0] - 1) < 1e-12 && Math.abs(d[1] - 2) < 1e-12 && Math.abs(d[2] - Math.sqrt(8)) < 1e-12);
  for (const x of r.json.results) assert.equal(x.score, -x.distance);
  assert.equal(r.json.results[0].label, 'x');
});

test('POST /similar by vector ranks every item, k defaults and clamps to maxK', async () => {
  const r = await post('/similar', { vector: [3, 0, 100] });
  assert.equal(r.status, 200);
  assert.equal(r.json.query, null);
  assert.deepEqual(r.json.results.map((x: { id: string }) => x.id), ['e', 'c', 'd']);
  assert.equal(r.json.results[0].distance, 0);
});

test('POST /pair-score and /verify agree with the learner, with ids, vectors or both', async () => {
  const byIds = await post('/pair-score', { a: 'a', b: 'd' });
  assert.equal(byIds.status, 200);
  const expected = learner.pairDistance([[[0, 0, 0], [1, 2, 0]]])[0];
  assert.ok(Math.abs(byIds.json.distance - expected) < 1e-12);
  assert.equal(byIds.json.score, -byIds.json.distance);
  const mixed = await post('/pair-score', { a: [0, 0, 7], b: 'd' });
  assert.equal(mixed.json.distance, byIds.json.distance);
  const swapped = await post('/pair-score', { a: 'd', b: 'a' });
  assert.equal(swapped.json.distance, byIds.json.distance);

  const same = await post('/verify', { a: 'a', b: 'c' }); // score −2 ≥ −2.5
  assert.deepEqual({ same: same.json.same, threshold: same.json.threshold }, { same: true, threshold: -2.5 });
  const diff = await post('/verify', { a: 'a', b: 'd' }); // score −√8 < −2.5
  assert.equal(diff.json.same, false);
});

test('POST /embed returns learner.transform of each vector', async () => {
  const r = await post('/embed', { vectors: [[1, 2, 3], [-1, 0.5, 0]] });
  assert.equal(r.status, 200);
  assert.equal(r.json.dim, 2);
  assert.deepEqual(r.json.embeddings, [[2, 2], [-2, 0.5]]);
});

test('GET /items pages and filters the item list', async () => {
  const all = await call('GET', '/items?limit=2&offset=1');
  assert.equal(all.json.total, 5);
  assert.deepEqual(all.json.items, [{ id: 'b', label: 'x' }, { id: 'c', label: 'y' }]);
  const ys = await call('GET', '/items?q=y');
  assert.deepEqual(ys.json.items.map((x: { id: string }) => x.id), ['c', 'd', 'e']);
});

test('GET / serves the page, self-contained (no external scripts or styles)', async () => {
  const res = await fetch(url + '/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /id="item-select"/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\//);
});

const errorCases: [string, string, unknown, number, RegExp][] = [
  ['unknown item id', '/similar', { id: 'zzz', k: 2 }, 404, /unknown item id "zzz"/],
  ['unknown id in a pair', '/pair-score', { a: 'a', b: 42 }, 404, /unknown item id 42/],
  ['wrong vector length', '/similar', { vector: [1, 2] }, 400, /vector has 2 values but the model takes 3 features/],
  ['wrong length inside a batch', '/embed', { vectors: [[1, 2, 3], [1]] }, 400, /vector 1 has 1 values/],
  ['both id and vector', '/similar', { id: 'a', vector: [1, 2, 3] }, 400, /exactly one of "id".*or "vector"/],
  ['neither id nor vector', '/similar', { k: 2 }, 400, /exactly one of/],
  ['k above the limit', '/similar', { id: 'a', k: 4 }, 400, /k: .*<=3/],
  ['k not an integer', '/similar', { id: 'a', k: 1.5 }, 400, /k: /],
  ['a string in a vector', '/embed', { vectors: [[1, 'x', 3]] }, 400, /vectors\.0\.1/],
  ['an unknown field', '/pair-score', { a: 'a', b: 'b', c: 1 }, 400, /Unrecognized key.*"c"/],
  ['an empty batch', '/embed', { vectors: [] }, 400, /vectors: /],
  ['malformed JSON', '/similar', '{"id": "a",', 400, /malformed JSON body/],
  ['an overflowing number (parses to Infinity)', '/similar', '{"vector": [1e999, 0, 0]}', 400, /vector\.0: .*Infinity/],
];
for (const [name, path, body, status, message] of errorCases) {
  test(`4xx with a clear message: ${name}`, async () => {
    const r = await post(path, body);
    assert.equal(r.status, status, JSON.stringify(r.json));
    assert.equal(r.json.statusCode, status);
    assert.match(r.json.message, message);
  });
}

test('4xx: oversized body (413), wrong content type (415), unknown route (404)', async () => {
  const big = await post('/embed', { vectors: [Array.from({ length: 5000 }, () => 1)] });
  assert.equal(big.status, 413);
  assert.match(big.json.message, /exceeds the 4096-byte limit/);
  const text = await call('POST', '/similar', 'id=a', { 'content-type': 'text/plain' });
  assert.equal(text.status, 415);
  assert.match(text.json.message, /application\/json/);
  const none = await post('/nearest', { id: 'a' });
  assert.equal(none.status, 404);
  assert.match(none.json.message, /no route POST \/nearest/);
});

test('/verify without any threshold is a 409 naming the fix; labels calibrate one', async () => {
  const unlabelled = buildService({ model: euclideanModel(3), items: { ...items, labels: null } });
  assert.equal(unlabelled.info.threshold, null);
  const r = await unlabelled.app.inject({ method: 'POST', url: '/verify', payload: { a: 'a', b: 'b' } });
  assert.equal(r.statusCode, 409);
  assert.match(r.json().message, /--threshold/);
  await unlabelled.app.close();
  // With labels: calibrated on sampled pairs; in this learned metric x-pairs (d = 1) sit closer than any x/y pair (d ≥ 2).
  const labelled = buildService({ model, items });
  assert.equal(labelled.info.thresholdSource, 'calibrated');
  assert.ok((labelled.info.threshold as number) < -1 && (labelled.info.threshold as number) > -2 - 1e-9, String(labelled.info.threshold));
  await labelled.app.close();
});

test('a model threshold in the file header is used when no option overrides it', async () => {
  const withMeta = asSimilarityModel(learner, { kind: 'metric/nca', meta: { threshold: -1.25 } });
  const s = buildService({ model: withMeta, items });
  assert.equal(s.info.threshold, -1.25);
  assert.equal(s.info.thresholdSource, 'model');
  await s.app.close();
});

test('start-up refuses items whose width does not match the model', () => {
  assert.throws(() => buildService({ model, items: { ...items, X: Matrix.from64([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]) } }), /items have 2 features but the model takes 3/);
  assert.throws(() => asSimilarityModel({ fit() {} }, { kind: 'index/lsh' }), /no transform\(X\) method/);
});
