/**
 * Contracts of `fit` + `transform`, `index build` + `search` (vectors and MinHash sets) and
 * `evaluate`, on generated data checked against brute-force answers computed here.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers.js';
import { tempDir, blobs, writeBlobsCsv, parseOneJson, runInProcess, bruteKnn } from './fixtures.js';

const dir = tempDir('fse');
after(() => rmSync(dir, { recursive: true, force: true }));

test('fit --out then transform --model: a model file that maps new data, labels copied', async () => {
  const data = writeBlobsCsv(join(dir, 'train.csv'), blobs([15, 15, 15], 5, 21), { labelName: 'kind', labelFirst: true, labels: (c) => `k${c}` });
  const model = join(dir, 'nca.simlearn');
  const f = await runInProcess(['fit', '--data', data, '--label', 'kind', '--algo', 'nca', '--set', 'maxIter=20', '--out', model, '--json']);
  assert.equal(f.code, 0, f.stderr);
  const info = parseOneJson(f.stdout);
  assert.equal(info.algorithm, 'nca');
  assert.ok(existsSync(model));
  const out = join(dir, 'mapped.csv');
  // A real process here: the model file must load in a fresh process.
  const t = runCli(['transform', '--model', model, '--data', data, '--label', 'kind', '--out', out]);
  assert.equal(t.code, 0, t.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 46, 'header + 45 rows');
  const header = lines[0].split(',');
  assert.equal(header.at(-1), 'kind');
  assert.equal(lines[1].split(',').at(-1), 'k0');
  assert.ok(lines.slice(1).every((l) => l.split(',').slice(0, -1).every((v) => Number.isFinite(Number(v)))));
  // Unlabelled data: every column is a feature, no label column is invented.
  const plain = join(dir, 'plain.csv');
  writeFileSync(plain, readFileSync(data, 'utf8').split('\n').map((l) => l.split(',').slice(1).join(',')).join('\n'));
  const u = await runInProcess(['transform', '--model', model, '--data', plain, '--out', join(dir, 'plain-out.csv'), '--json']);
  assert.equal(u.code, 0, u.stderr);
  assert.deepEqual([parseOneJson(u.stdout).rows, parseOneJson(u.stdout).cols], [45, 5]);
  assert.equal(readFileSync(join(dir, 'plain-out.csv'), 'utf8').split('\n')[0], 'c0,c1,c2,c3,c4');
  // Wrong width: a clear error, not a crash.
  const wide = writeBlobsCsv(join(dir, 'wide.csv'), blobs([5, 5], 7, 22));
  const bad = await runInProcess(['transform', '--model', model, '--data', wide, '--out', join(dir, 'x.csv')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /7 features.*5/);
  const notModel = await runInProcess(['transform', '--model', data, '--data', data, '--out', join(dir, 'x.csv')]);
  assert.notEqual(notModel.code, 0);
  assert.match(notModel.stderr, /not a simlearn model file/);
});

test('index build + search --json: ids and distances per query; exact and hnsw match brute force', async () => {
  const refs = blobs([60, 60], 6, 23).X;
  const queries = blobs([4], 6, 24, 1).X;
  const write = (p: string, X: number[][]) => writeFileSync(p, [X[0].map((_, j) => `f${j}`).join(','), ...X.map((r) => r.join(','))].join('\n') + '\n');
  write(join(dir, 'refs.csv'), refs);
  write(join(dir, 'q.csv'), queries);
  for (const kind of ['exact', 'hnsw', 'simhash', 'e2lsh']) {
    const idx = join(dir, `${kind}.idx`);
    const b = await runInProcess(['index', 'build', '--data', join(dir, 'refs.csv'), '--index', kind, '--out', idx, '--json']);
    assert.equal(b.code, 0, `${kind}: ${b.stderr}`);
    parseOneJson(b.stdout);
    const s = await runInProcess(['search', '--index', idx, '--queries', join(dir, 'q.csv'), '--k', '5', '--json']);
    assert.equal(s.code, 0, `${kind}: ${s.stderr}`);
    const out = parseOneJson(s.stdout) as { ids: number[][]; distances: number[][]; queriesPerSecond: number };
    assert.equal(out.ids.length, 4);
    assert.equal(out.distances.length, 4);
    assert.equal(typeof out.queriesPerSecond, 'number');
    out.ids.forEach((row, q) => {
      assert.ok(row.length <= 5 && out.distances[q].length === row.length);
      for (let j = 1; j < row.length; j++) assert.ok(out.distances[q][j] >= out.distances[q][j - 1], 'sorted by distance');
      if (kind === 'exact' || kind === 'hnsw') assert.deepEqual(row, bruteKnn(refs, queries[q], 5), `${kind} query ${q}`);
    });
  }
  const e = await runInProcess(['search', '--index', join(dir, 'exact.idx'), '--queries', join(dir, 'q.csv'), '--k', '0', '--json']);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /--k/);
});

test('MinHash: index build --sets and search --sets (or --queries) find the most similar sets', async () => {
  const sets = [['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'e'], ['x', 'y', 'z'], ['p', 'q', 'r', 's', 't'], ['a', 'b', 'c', 'd', 'f']];
  writeFileSync(join(dir, 'sets.jsonl'), sets.map((s) => JSON.stringify(s)).join('\n') + '\n');
  writeFileSync(join(dir, 'qsets.jsonl'), JSON.stringify(['a', 'b', 'c', 'd']) + '\n' + JSON.stringify(['x', 'y', 'z']) + '\n');
  const idx = join(dir, 'mh.idx');
  const b = await runInProcess(['index', 'build', '--sets', join(dir, 'sets.jsonl'), '--index', 'minhash', '--out', idx, '--json']);
  assert.equal(b.code, 0, b.stderr);
  for (const flag of ['--sets', '--queries']) {
    const s = await runInProcess(['search', '--index', idx, flag, join(dir, 'qsets.jsonl'), '--k', '1', '--json']);
    assert.equal(s.code, 0, `${flag}: ${s.stderr}`);
    const out = parseOneJson(s.stdout) as { ids: number[][]; distances: number[][] };
    assert.deepEqual(out.ids, [[0], [2]], flag);
    assert.ok(out.distances[0][0] < 0.2 && out.distances[1][0] < 0.2, 'identical sets are at Jaccard distance ~0');
  }
  const wrong = await runInProcess(['search', '--index', join(dir, 'exact.idx'), '--sets', join(dir, 'qsets.jsonl'), '--k', '1']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--sets.*minhash/);
});

test('evaluate --json: the contract keys, values equal to a brute-force computation', async () => {
  // Overlapping classes so the metrics are neither 0 nor 1; string labels in a first column.
  const b = blobs([8, 8, 8], 3, 25, 0.8);
  const path = writeBlobsCsv(join(dir, 'emb.csv'), b, { labelName: 'who', labelFirst: true, labels: (c) => `person ${c}` });
  const r = await runInProcess(['evaluate', '--data', path, '--label', 'who', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = parseOneJson(r.stdout) as Record<string, number & Record<string, number>>;
  for (const key of ['precisionAt1', 'rPrecision', 'mapAtR', 'mapAtK', 'cmcAt', 'ndcgAt', 'k']) assert.ok(key in out, `missing ${key}`);
  assert.equal(out.k, 10);
  assert.equal(typeof out.cmcAt['1'], 'number');
  const n = b.X.length;
  let p1 = 0, rp = 0, mapr = 0, mapk = 0, cmc5 = 0;
  for (let i = 0; i < n; i++) {
    const order = bruteKnn(b.X, b.X[i], n - 1, i);
    const rel = order.map((j) => (b.y[j] === b.y[i] ? 1 : 0));
    const R = b.y.filter((c) => c === b.y[i]).length - 1;
    p1 += rel[0];
    let hits = 0, ap = 0;
    for (let t = 0; t < R; t++) { hits += rel[t]; if (rel[t]) ap += hits / (t + 1); }
    rp += hits / R;
    mapr += ap / R;
    let hk = 0, apk = 0;
    for (let t = 0; t < 10; t++) { hk += rel[t]; if (rel[t]) apk += hk / (t + 1); }
    mapk += hk ? apk / hk : 0;
    cmc5 += rel.slice(0, 5).some((v) => v === 1) ? 1 : 0;
  }
  const close = (a: number, e: number, what: string) => assert.ok(Math.abs(a - e) < 1e-9, `${what}: ${a} vs ${e}`);
  close(out.precisionAt1, p1 / n, 'precisionAt1');
  close(out.rPrecision, rp / n, 'rPrecision');
  close(out.mapAtR, mapr / n, 'mapAtR');
  close(out.mapAtK, mapk / n, 'mapAtK');
  close(out.cmcAt['5'], cmc5 / n, 'cmcAt 5');
  assert.ok(out.precisionAt1 > 0 && out.precisionAt1 < 1, 'the data must not make the check trivial');
  const noLabels = await runInProcess(['evaluate', '--data', path, '--label', 'nope', '--json']);
  assert.notEqual(noLabels.code, 0);
  assert.match(noLabels.stderr, /nope/);
  assert.equal(noLabels.stdout, '');
});
