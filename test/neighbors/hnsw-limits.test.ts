/**
 * HnswIndex refuses what usearch would only fail on later (an out-of-memory abort) or answer
 * arbitrarily (float32 distances overflowed to Infinity), as the exact index does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HnswIndex } from '../../src/neighbors/hnsw-index.js';
import { runCli, DATA } from '../helpers.js';

const X = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1]];
const scaled = (s: number) => X.map((r) => r.map((v) => v * s));

test('HnswIndex: vectors whose float32 squared distances overflow are refused at add and at search', () => {
  assert.throws(() => new HnswIndex({ threads: 1 }).add(scaled(1e20)), /HnswIndex\.add: vectors: values up to 1\.00e\+20 overflow float32 squared distances/);
  const h = new HnswIndex({ metric: 'euclidean', threads: 1 });
  h.add(scaled(1e18));
  assert.deepEqual(h.search(scaled(1e18).slice(0, 1), 1).ids, [[0]]);
  assert.throws(() => h.search([[1e20, 0, 0]], 1), /HnswIndex\.search: queries: .*overflow float32/);
  // After a reload the queries are still checked.
  assert.throws(() => HnswIndex.fromPayload(h.toPayload()).search([[1e20, 0, 0]], 1), /overflow float32/);
  // Cosine normalises rows first: large values are fine there.
  const c = new HnswIndex({ metric: 'cosine', threads: 1 });
  c.add(scaled(1e20));
  assert.deepEqual(c.search([[1e20, 0, 0]], 1).ids, [[0]]);
});

test('HnswIndex: settings beyond what usearch can allocate are refused when the index is made', () => {
  assert.throws(() => new HnswIndex({ connectivity: 1e9 }), /HnswIndex: HNSW connectivity must be an integer in 2\.\.1024/);
  assert.throws(() => new HnswIndex({ expansionSearch: 1e12 }), /expansionSearch must be an integer in 1\.\.1000000/);
  const h = new HnswIndex({ threads: 1 });
  h.add(X);
  assert.throws(() => h.withExpansionSearch(5e9), /withExpansionSearch: HNSW expansionSearch/);
});

test('search --ef beyond the limit is a usage error, not an out-of-memory abort', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-hnsw-limits-'));
  try {
    const out = join(dir, 'iris.idx');
    assert.equal(runCli(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', 'hnsw', '--out', out]).code, 0);
    const r = runCli(['search', '--index', out, '--queries', join(DATA, 'iris.csv'), '--k', '1', '--ef', '5000000000']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--ef: HNSW expansionSearch must be an integer in 1\.\.1000000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
