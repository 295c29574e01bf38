/**
 * --id (serve, export) names the id column of a CSV/TSV file or the field of JSON Lines records
 * holding the ids; it is never ignored. JSON Lines: each record's id comes from that field, and a
 * record without it is a data error (exit 1) naming the line. .npy holds features only, so --id
 * there is a usage error (exit 2) naming the formats that carry ids. search takes no --id (its
 * ids are those `index build` kept), so commander refuses the flag.
 */
import { test, before, after } from 'node:test';
import { startServe } from './serve-process.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset, writeNpy } from '../../src/io/index.js';
import { Euclidean } from '../../src/metric/euclidean.js';
import { UsageError, checkIdFlag } from '../../src/cli/command.js';
import { runInProcess, parseOneJson } from '../contracts/fixtures.js';
import { DATA } from '../helpers.js';

let dir: string;
let jsonl: string;
let gap: string;
let npy: string;
let model: string;
const iris = readDataset(join(DATA, 'iris.csv'));
const skus = Array.from({ length: 150 }, (_, i) => `sku-${String(i).padStart(3, '0')}`);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'simlearn-id-flag-'));
  jsonl = join(dir, 'iris.jsonl');
  // "id" holds numbers the --id field must win over.
  writeFileSync(jsonl, skus.map((sku, i) => JSON.stringify({ id: 1000 + i, sku, vector: Array.from(iris.X.row(i)), label: (iris.y as number[])[i] })).join('\n') + '\n');
  gap = join(dir, 'gap.jsonl');
  writeFileSync(gap, readFileSync(jsonl, 'utf8').split('\n').map((l, i) => (i === 4 ? l.replace(/"sku":"[^"]*",/, '') : l)).join('\n'));
  npy = join(dir, 'iris.npy');
  writeNpy(npy, iris.X.data, [iris.X.rows, iris.X.cols]);
  model = join(dir, 'euclid.simlearn');
  new Euclidean().fit(iris.X, iris.y as number[]).save(model);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('export --id FIELD on JSON Lines: the ids come from that field (JSON Lines and LanceDB targets)', async () => {
  const out = join(dir, 'out.jsonl');
  const r = await runInProcess(['export', '--model', model, '--data', jsonl, '--id', 'sku', '--to', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(parseOneJson(r.stdout).rows, 150);
  const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((x) => x.id), skus);
  assert.equal(recs[3].label, (iris.y as number[])[3]);
  // Without --id the field "id" still gives the ids.
  const d = await runInProcess(['export', '--model', model, '--data', jsonl, '--to', out]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(JSON.parse(readFileSync(out, 'utf8').split('\n')[0]).id, 1000);

  const { searchLanceDb } = await import('../../src/export/lancedb.js');
  const l = await runInProcess(['export', '--model', model, '--data', jsonl, '--id', 'sku', '--to', `lancedb://${join(dir, 'db')}/iris`, '--json']);
  assert.equal(l.code, 0, l.stderr);
  const hits = await searchLanceDb({ uri: join(dir, 'db'), table: 'iris' }, iris.X.row(42), { k: 1, exact: true });
  assert.equal(hits[0].id, 'sku-042');
});

test('export --id FIELD on JSON Lines: a record without the field is a data error naming the line', async () => {
  const r = await runInProcess(['export', '--model', model, '--data', gap, '--id', 'sku', '--to', join(dir, 'gap-out.jsonl')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /gap\.jsonl: line 5: the id field "sku" is missing \(the record's fields: "id", "vector", "label"\); give every record an id in "sku"/);
  const typo = await runInProcess(['export', '--model', model, '--data', jsonl, '--id', 'skuu', '--to', join(dir, 'typo.jsonl')]);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /line 1: the id field "skuu" is missing \(the record's fields: "id", "sku", "vector", "label"\)/);
});

test('--id with .npy is a usage error naming the formats that carry ids; --id vector with JSON Lines too', async () => {
  const NPY = /--id sku: --id names a column of a CSV\/TSV file or a field of JSON Lines records, but \S+iris\.npy is \.npy, which holds features only \(its items are numbered by row\); give ids as a CSV file with an id column \(named by --id\) or as JSON Lines with an id field/;
  const cases: [string, string[], RegExp][] = [
    ['export npy', ['export', '--model', model, '--data', npy, '--id', 'sku', '--to', join(dir, 'n.jsonl')], NPY],
    ['serve npy', ['serve', '--model', model, '--items', npy, '--id', 'sku', '--port', '0'], NPY],
    ['serve jsonl vector', ['serve', '--model', model, '--items', jsonl, '--id', 'vector', '--port', '0'], /--id vector: "vector" holds the features of the JSON Lines records/],
    ['export onnx', ['export', '--model', model, '--id', 'sku', '--to', join(dir, 'm.onnx')], /--id sku: an ONNX export reads no data .*drop --id/],
    ['export onnx label', ['export', '--model', model, '--label', 'y', '--to', join(dir, 'm.onnx')], /--label y: an ONNX export reads no data .*drop --label/],
  ];
  for (const [name, args, re] of cases) {
    const r = await runInProcess(args);
    assert.equal(r.code, 2, `${name}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, re, name);
    assert.equal(r.stdout, '', name);
  }
  // search has no --id: the flag is refused, not ignored.
  const s = await runInProcess(['search', '--index', join(dir, 'none.idx'), '--queries', npy, '--id', 'sku']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /unknown option '--id'/);
  assert.throws(() => checkIdFlag('x', 'a.NPY'), UsageError);
  assert.doesNotThrow(() => checkIdFlag('x', 'a.parquet')); // left to the reader
  assert.doesNotThrow(() => checkIdFlag(undefined, 'a.npy'));
  assert.doesNotThrow(() => checkIdFlag('sku', 'a.csv'));
});

test('serve --id FIELD on JSON Lines answers by those ids', async () => {
  const { url, child, stderr, exited } = await startServe(['--model', model, '--items', jsonl, '--id', 'sku']);
  try {
    const res = await fetch(`${url}/similar`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'sku-000', k: 3 }) });
    assert.equal(res.status, 200);
    const body = await res.json() as { query: { id: unknown }; results: { id: unknown }[] };
    assert.equal(body.query.id, 'sku-000');
    for (const r of body.results) assert.match(String(r.id), /^sku-\d{3}$/);
    const byNumber = await fetch(`${url}/similar`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1000, k: 1 }) });
    assert.equal(byNumber.status, 404, 'the "id" field is not the ids when --id names another');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr());
});
