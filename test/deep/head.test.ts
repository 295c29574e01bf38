import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { loadModelObject } from '../../src/io/model-registry.js';
import { encodeModel, decodeModel } from '../../src/io/model-file.js';
import { DeepHead, fitStandardization, applyStandardization } from '../../src/deep/head.js';
import '../../src/deep/registry.js';

function data(n: number, d: number, seed: number): Matrix<Float64Array> {
  const r = new Random(seed);
  return new Matrix(n, d, Float64Array.from({ length: n * d }, () => 5 + 3 * r.normal()));
}

test('standardization: zero mean, unit population variance; constant columns left unscaled', () => {
  const X = data(50, 3, 1);
  for (let i = 0; i < 50; i++) X.data[i * 3 + 2] = 7;
  const s = fitStandardization(X);
  const Z = applyStandardization(X, s);
  for (let j = 0; j < 2; j++) {
    let m = 0, v = 0;
    for (let i = 0; i < 50; i++) m += Z.data[i * 3 + j];
    m /= 50;
    for (let i = 0; i < 50; i++) v += (Z.data[i * 3 + j] - m) ** 2;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v / 50 - 1) < 1e-4);
  }
  assert.equal(s.invScale[2], 1);
  assert.equal(Z.data[2], 0);
});

test('save/load round trip gives the same embeddings, through the registry too', () => {
  const X = data(20, 6, 2);
  const head = new DeepHead({ inputDim: 6, hidden: [10], outputDim: 4, norm: 'layer', activation: 'gelu', seed: 3 }, { standardization: fitStandardization(X), info: { loss: 'triplet-margin' } });
  const E = head.transform(X);
  assert.equal(E.rows, 20);
  assert.equal(E.cols, 4);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-head-'));
  try {
    const path = join(dir, 'head.simlearn');
    head.save(path);
    const back = DeepHead.load(path);
    assert.deepEqual(Array.from(back.transform(X).data), Array.from(E.data));
    assert.deepEqual(back.info, { loss: 'triplet-margin' });
    assert.deepEqual(back.spec, head.spec);
    const viaRegistry = loadModelObject(path);
    assert.ok(viaRegistry instanceof DeepHead);
    assert.deepEqual(Array.from(viaRegistry.transform(X).data), Array.from(E.data));
    // Accepts nested arrays as input as well.
    assert.deepEqual(Array.from(back.transform(X.toArrays()).data), Array.from(E.data));
    writeFileSync(join(dir, 'bad.simlearn'), 'not a model');
    assert.throws(() => DeepHead.load(join(dir, 'bad.simlearn')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a head with batch norm keeps its running statistics through the file', () => {
  const head = new DeepHead({ inputDim: 3, hidden: [5], outputDim: 2, norm: 'batch', seed: 1 });
  const bn = head.model.buffers();
  bn[0].value.set([0.5, -0.5, 1, 2, 3]);
  bn[1].value.set([2, 3, 4, 5, 6]);
  const back = DeepHead.fromModel(decodeModel(encodeModel(head.toPayload())));
  assert.deepEqual(Array.from(back.model.buffers()[1].value), [2, 3, 4, 5, 6]);
  const X = data(4, 3, 4);
  assert.deepEqual(Array.from(back.transform(X).data), Array.from(head.transform(X).data));
});

test('bad inputs and files are named', () => {
  const head = new DeepHead({ inputDim: 3, outputDim: 2, seed: 1 });
  assert.throws(() => head.transform([[1, 2]]), /X has 2 features, the head was trained on 3/);
  assert.throws(() => head.transform([[1, NaN, 2]]), /X/);
  const p = head.toPayload();
  delete p.arrays['param.output.bias'];
  assert.throws(() => DeepHead.fromModel(p), /missing array "output.bias"/);
  assert.throws(() => DeepHead.fromModel({ kind: 'metric/lmnn', meta: {}, arrays: {} }), /holds a "metric\/lmnn" model/);
  const q = head.toPayload();
  q.version = 99;
  assert.throws(() => DeepHead.fromModel(q), /newer than this simlearn reads/);
});
