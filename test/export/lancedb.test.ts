import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset } from '../../src/io/index.js';
import { NCA } from '../../src/metric/nca.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { Matrix } from '../../src/matrix.js';
import { exportToLanceDb, parseLanceTarget, planIvfPq, searchLanceDb, LANCEDB_MIN_INDEX_ROWS } from '../../src/export/lancedb.js';
import { DATA } from '../helpers.js';

test('parseLanceTarget splits lancedb://DIR/TABLE and rejects malformed targets', () => {
  assert.deepEqual(parseLanceTarget('lancedb://./out/db/items'), { uri: './out/db', table: 'items' });
  assert.deepEqual(parseLanceTarget('lancedb:///abs/path/t_1'), { uri: '/abs/path', table: 't_1' });
  assert.deepEqual(parseLanceTarget('lancedb://s3://bucket/prefix/tbl'), { uri: 's3://bucket/prefix', table: 'tbl' });
  assert.throws(() => parseLanceTarget('out/items'), /not a LanceDB target/);
  assert.throws(() => parseLanceTarget('lancedb://items'), /both a database directory and a table name/);
  assert.throws(() => parseLanceTarget('lancedb://dir/'), /both a database directory and a table name/);
  assert.throws(() => parseLanceTarget('lancedb://dir/bad name'), /may only contain/);
});

test('planIvfPq: no index below 256 rows, ≥ 256 rows per partition, sub-vectors dividing the dimension', () => {
  assert.equal(planIvfPq(LANCEDB_MIN_INDEX_ROWS - 1, 64), null);
  assert.deepEqual(planIvfPq(256, 64), { numPartitions: 1, numSubVectors: 8 });
  assert.deepEqual(planIvfPq(1797, 64), { numPartitions: 7, numSubVectors: 8 });
  // Large n: capped at √n partitions (LanceDB's default), still ≥ 256 rows each.
  assert.deepEqual(planIvfPq(1_000_000, 24), { numPartitions: 1000, numSubVectors: 3 });
  assert.equal(planIvfPq(10_000, 12)?.numSubVectors, 3); // 12 = 3 x 4
  assert.equal(planIvfPq(10_000, 7)?.numSubVectors, 7); // prime: one value per sub-vector
});

test('digits through NCA into a real LanceDB table: IVF-PQ index built, neighbours match simlearn exact search', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-lance-'));
  try {
    const digits = readDataset(join(DATA, 'digits.csv'));
    const nca = new NCA({ seed: 0, nComponents: 16, maxIter: 5 }).fit(digits.X, digits.y as number[]);
    const Z = nca.transform(digits.X);
    const ids = Array.from({ length: Z.rows }, (_, i) => i);
    const target = { uri: join(dir, 'db'), table: 'digits_nca' };
    const res = await exportToLanceDb({ ...target, vectors: Z, ids, labels: digits.y });
    assert.equal(res.rows, 1797);
    assert.deepEqual(res.index, { type: 'IVF_PQ', distance: 'l2', numPartitions: 7, numSubVectors: 2 });

    const exact = new ExactIndex({ metric: 'euclidean' });
    exact.add(Z);
    const k = 10;
    const queries = [0, 17, 404, 999, 1796];
    let agree = 0;
    for (const q of queries) {
      const truth = exact.search(new Matrix(1, Z.cols, Z.row(q)), k);
      // Flat scan: exactly simlearn's neighbours and distances.
      const flat = await searchLanceDb(target, Z.row(q), { k, exact: true });
      assert.deepEqual(flat.map((r) => r.id), truth.ids[0]);
      flat.forEach((r, j) => assert.ok(Math.abs(r.distance - truth.distances[0][j]) < 1e-3 * (1 + truth.distances[0][j])));
      assert.equal(flat[0].label, digits.y?.[q]);
      // Through the ANN index, probing every partition with refinement: PQ is the only approximation left.
      const ann = await searchLanceDb(target, Z.row(q), { k, refineFactor: 20 });
      const truthSet = new Set(truth.ids[0]);
      agree += ann.filter((r) => truthSet.has(r.id as number)).length;
    }
    assert.ok(agree / (k * queries.length) >= 0.9, `ANN recall@${k} ${agree / (k * queries.length)}`);

    // A second export to the same table is refused unless asked to overwrite.
    await assert.rejects(exportToLanceDb({ ...target, vectors: Z, ids }), /already exists.*--overwrite/);
    const small = await exportToLanceDb({ ...target, vectors: Z.sliceRows(0, 100), ids: ids.slice(0, 100), overwrite: true });
    assert.equal(small.index, null);
    assert.match(small.message, /needs at least 256 rows/);
    const hits = await searchLanceDb(target, Z.row(3), { k: 3 });
    assert.equal(hits[0].id, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is refused before anything is written', async () => {
  const V = Matrix.from64([[1, 2], [3, NaN]]);
  await assert.rejects(exportToLanceDb({ uri: '/nonexistent-never-created', table: 't', vectors: V, ids: [0, 1] }), /non-finite/);
  await assert.rejects(exportToLanceDb({ uri: '/nonexistent-never-created', table: 't', vectors: Matrix.from64([[1, 2]]), ids: [0, 1] }), /2 ids for 1 vectors/);
});
