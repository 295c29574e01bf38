import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { OnnxEncoder, encodeCached, cacheKey, EmbeddingCache } from '../../src/deep/encoders/index.js';
import { writeLinearOnnx } from './onnx-fixture.js';

const din = 5, dout = 3;
const r = new Random(1);
const W = Float32Array.from({ length: din * dout }, () => r.normal());
const b = Float32Array.from([0.5, -1, 2]);
const X = new Matrix(7, din, Float32Array.from({ length: 7 * din }, () => r.normal()));

function expected(x: Matrix<Float32Array>): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < dout; j++) {
    let s = b[j];
    for (let k = 0; k < din; k++) s += x.data[i * din + k] * W[k * dout + j];
    out.push(s);
  }
  return out;
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simlearn-enc-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('the ONNX encoder computes x W + b in batches', withDir(async (dir) => {
  const path = join(dir, 'enc.onnx');
  writeLinearOnnx(path, W, din, dout, b);
  const enc = await OnnxEncoder.load(path, { batchSize: 3 }); // 7 rows: batches of 3, 3, 1
  assert.equal(enc.inputName, 'x');
  assert.equal(enc.outputName, 'y');
  const E = await enc.encode(X);
  assert.equal(E.rows, 7);
  assert.equal(E.cols, dout);
  const want = expected(X);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(E.data[i] - want[i]) < 1e-5);
  await enc.close();
}));

test('the cache encodes once per (input, encoder) and recomputes when either changes', withDir(async (dir) => {
  const path = join(dir, 'enc.onnx');
  writeLinearOnnx(path, W, din, dout, b);
  const cacheDir = join(dir, 'cache');
  const enc = await OnnxEncoder.load(path);
  let calls = 0;
  const counting = { fileHash: enc.fileHash, encode: (x: Matrix<Float32Array>) => { calls++; return enc.encode(x); } };
  const first = await encodeCached(counting, X, cacheDir);
  const second = await encodeCached(counting, X, cacheDir);
  assert.equal(first.hit, false);
  assert.equal(second.hit, true);
  assert.equal(calls, 1);
  assert.deepEqual(Array.from(second.embeddings.data), Array.from(first.embeddings.data));
  // A different input is a different key.
  const X2 = X.clone();
  X2.data[0] += 1e-3;
  assert.notEqual(cacheKey(enc.fileHash, X2), cacheKey(enc.fileHash, X));
  assert.equal((await encodeCached(counting, X2, cacheDir)).hit, false);
  // A different encoder file is a different key.
  const path2 = join(dir, 'enc2.onnx');
  const W2 = W.slice(); W2[0] += 1;
  writeLinearOnnx(path2, W2, din, dout, b);
  const enc2 = await OnnxEncoder.load(path2);
  assert.notEqual(enc2.fileHash, enc.fileHash);
  const other = await encodeCached(enc2, X, cacheDir);
  assert.equal(other.hit, false);
  assert.notDeepEqual(Array.from(other.embeddings.data), Array.from(first.embeddings.data));
  // A corrupted entry is recomputed, not trusted.
  const cache = new EmbeddingCache(cacheDir);
  writeFileSync(cache.pathOf(first.key), 'garbage');
  const again = await encodeCached(counting, X, cacheDir);
  assert.equal(again.hit, false);
  assert.deepEqual(Array.from(again.embeddings.data), Array.from(first.embeddings.data));
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.simlearn')).length, 3);
  await enc.close();
  await enc2.close();
}));

test('encoder errors name the file and the problem', withDir(async (dir) => {
  await assert.rejects(OnnxEncoder.load(join(dir, 'missing.onnx')), /cannot read .*missing.onnx: no such file/);
  writeFileSync(join(dir, 'junk.onnx'), 'not a model');
  await assert.rejects(OnnxEncoder.load(join(dir, 'junk.onnx')), /junk.onnx is not a model onnxruntime can load/);
  const path = join(dir, 'enc.onnx');
  writeLinearOnnx(path, W, din, dout, b);
  await assert.rejects(OnnxEncoder.load(path, { inputName: 'image' }), /has no input "image" \(it has x\)/);
  const enc = await OnnxEncoder.load(path);
  await assert.rejects(enc.encode(new Matrix(2, 4, new Float32Array(8))), /inference failed on rows 0..1 \(input 2 x 4\)/);
  await enc.close();
}));
