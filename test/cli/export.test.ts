import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readDataset } from '../../src/io/index.js';
import { NCA } from '../../src/metric/nca.js';
import { Pipeline } from '../../src/metric/registry.js';
import { StandardScaler } from '../../src/preprocessing/standard-scaler.js';
import { searchLanceDb } from '../../src/export/lancedb.js';
import { loadSimilarityModel } from '../../src/service/load-model.js';
import { embedDataFile } from '../../src/export/embed-data.js';
import { runCli, DATA } from '../helpers.js';

let dir: string;
let modelPath: string;
const iris = readDataset(join(DATA, 'iris.csv'));
let pipeline: Pipeline;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'simlearn-export-cli-'));
  const scaler = new StandardScaler().fit(iris.X);
  const nca = new NCA({ seed: 0, maxIter: 10, nComponents: 2 }).fit(scaler.transform(iris.X), iris.y as number[]);
  pipeline = new Pipeline([scaler, nca]);
  modelPath = join(dir, 'iris.simlearn');
  pipeline.save(modelPath);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('simlearn export --to model.onnx: onnxruntime reproduces the saved pipeline', async () => {
  const out = join(dir, 'onnx', 'iris.onnx');
  const r = runCli(['export', '--model', modelPath, '--to', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.deepEqual({ format: info.format, kind: info.kind, input: info.input, output: info.output }, { format: 'onnx', kind: 'pipeline', input: 'input', output: 'embedding' });
  const session = await ort.InferenceSession.create(readFileSync(out));
  const res = await session.run({ input: new ort.Tensor('float32', Float32Array.from(iris.X.data), [150, 4]) });
  const expected = pipeline.transform(iris.X);
  const got = res.embedding.data as Float32Array;
  let err = 0, scale = 0;
  for (let i = 0; i < got.length; i++) { err = Math.max(err, Math.abs(got[i] - expected.data[i])); scale = Math.max(scale, Math.abs(expected.data[i])); }
  assert.ok(err / scale < 1e-5, String(err / scale));
});

test('simlearn export --to lancedb://DIR/TABLE writes ids, labels and vectors; --to FILE.jsonl the same as JSON Lines', async () => {
  const r = runCli(['export', '--model', modelPath, '--data', join(DATA, 'iris.csv'), '--to', `lancedb://${join(dir, 'db')}/iris`, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.rows, 150);
  assert.equal(info.index, null); // 150 rows: below IVF-PQ's minimum
  const q = pipeline.transform(iris.X.sliceRows(100, 101)).row(0);
  const hits = await searchLanceDb({ uri: join(dir, 'db'), table: 'iris' }, q, { k: 3, exact: true });
  assert.equal(hits[0].id, 100);
  assert.equal(hits[0].label, 2); // iris.csv codes the species 0, 1, 2
  assert.ok(hits[0].distance < 1e-5);

  const jl = join(dir, 'iris.jsonl');
  const j = runCli(['export', '--model', modelPath, '--data', join(DATA, 'iris.csv'), '--to', jl]);
  assert.equal(j.code, 0, j.stderr);
  const lines = readFileSync(jl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 150);
  assert.equal(lines[7].id, 7);
  assert.equal(lines[7].vector.length, 2);
});

test('simlearn export: a data target without --data is a usage error with the fix', () => {
  const noData = runCli(['export', '--model', modelPath, '--to', `lancedb://${dir}/x`]);
  assert.equal(noData.code, 2);
  assert.match(noData.stderr, /--data FILE is required/);
});

test('data of the wrong width is refused before embedding, naming both widths', () => {
  const model = loadSimilarityModel(modelPath);
  assert.equal(model.nFeatures, 4);
  assert.throws(() => embedDataFile(model, join(DATA, 'wine.csv')), /13 feature columns but the model takes 4/);
  assert.throws(() => loadSimilarityModel(join(dir, 'missing.simlearn')), /missing\.simlearn/);
});
