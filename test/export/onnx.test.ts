import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { readDataset } from '../../src/io/index.js';
import { NCA } from '../../src/metric/nca.js';
import { LFDA } from '../../src/metric/lfda.js';
import { DeepHead } from '../../src/deep/head.js';
import { MLP } from '../../src/deep/layers/mlp.js';
import { exportOnnx, type OnnxExportSpec } from '../../src/export/onnx.js';
import { onnxSpecFromModel } from '../../src/export/from-model.js';
import { DATA } from '../helpers.js';
import { join } from 'node:path';

async function runOnnx(bytes: Uint8Array, X: Matrix<Float64Array | Float32Array>, dtype: 'float32' | 'float64' = 'float32'): Promise<{ data: Float32Array | Float64Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual(session.outputNames, ['embedding']);
  const data = dtype === 'float64' ? Float64Array.from(X.data) : Float32Array.from(X.data);
  const out = await session.run({ input: new ort.Tensor(dtype, data, [X.rows, X.cols]) });
  const e = out.embedding;
  return { data: e.data as Float32Array | Float64Array, dims: e.dims };
}

/** max |a − b| relative to the largest |b| (float32 rounding scales with the magnitude). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0, scale = 1e-30;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

const iris = readDataset(join(DATA, 'iris.csv'));
const wine = readDataset(join(DATA, 'wine.csv'));

test('a hand-built linear map runs in onnxruntime with the exact expected values (float64 graph)', async () => {
  // L = [[1, 2, 3], [0, -1, 0.5]], scaler mean [1, 0, 0], scale [2, 1, 0 → 1]
  const spec: OnnxExportSpec = { kind: 'linear', components: { rows: 2, cols: 3, data: [1, 2, 3, 0, -1, 0.5] }, scaler: { mean: [1, 0, 0], scale: [2, 1, 0] } };
  const X = Matrix.from64([[3, 1, 2], [1, 0, 0]]);
  const r = await runOnnx(exportOnnx(spec, { dtype: 'float64' }), X, 'float64');
  assert.deepEqual(r.dims, [2, 2]);
  // row 0: z = [1, 1, 2] → [1 + 2 + 6, -1 + 1] = [9, 0]; row 1: z = 0 → [0, 0]
  assert.deepEqual(Array.from(r.data), [9, 0, 0, 0]);
});

test('NCA fitted on iris: ONNX output matches learner.transform to 1e-5 (float32) and 1e-12 (float64)', async () => {
  const nca = new NCA({ seed: 1, maxIter: 30 }).fit(iris.X, iris.y as number[]);
  const spec = onnxSpecFromModel(nca, 'metric/nca');
  const expected = nca.transform(iris.X);
  const r32 = await runOnnx(exportOnnx(spec), iris.X);
  assert.deepEqual(r32.dims, [iris.X.rows, expected.cols]);
  assert.ok(relErr(r32.data, expected.data) < 1e-5, `float32 error ${relErr(r32.data, expected.data)}`);
  const r64 = await runOnnx(exportOnnx(spec, { dtype: 'float64' }), iris.X, 'float64');
  assert.ok(relErr(r64.data, expected.data) < 1e-12);
});

test('LFDA with fewer components than features (a rectangular L) exports to the reduced width', async () => {
  const lfda = new LFDA({ nComponents: 2, k: 5 }).fit(wine.X, wine.y as number[]);
  const expected = lfda.transform(wine.X);
  const r = await runOnnx(exportOnnx(onnxSpecFromModel(lfda)), wine.X);
  assert.deepEqual(r.dims, [wine.X.rows, 2]);
  assert.ok(relErr(r.data, expected.data) < 1e-5);
});

function randomHead(options: ConstructorParameters<typeof MLP>[0], seed: number, standardize: boolean): DeepHead {
  const mlp = new MLP({ ...options, seed });
  const rng = new Random(seed + 100);
  // Non-trivial running statistics and affine norm parameters, so every term of the formulas matters.
  for (const b of mlp.buffers()) {
    if (b.name.endsWith('running_mean')) rng.fillNormal(b.value, 0, 0.3);
    else rng.fillUniform(b.value, 0.5, 2);
  }
  for (const p of mlp.parameters()) if (p.name.includes('norm')) rng.fillUniform(p.value, 0.5, 1.5);
  const d = options.inputDim;
  const standardization = standardize ? { mean: rng.fillNormal(new Float32Array(d), 5, 1), invScale: rng.fillUniform(new Float32Array(d), 0.2, 1) } : null;
  return new DeepHead(mlp, { standardization });
}

const headCases: { name: string; options: ConstructorParameters<typeof MLP>[0]; standardize: boolean }[] = [
  { name: 'relu, two hidden layers, L2-normalised, standardised input', options: { inputDim: 13, hidden: [16, 8], outputDim: 4, activation: 'relu' }, standardize: true },
  { name: 'gelu (exact erf form) with batch norm', options: { inputDim: 13, hidden: [10], outputDim: 5, activation: 'gelu', norm: 'batch' }, standardize: true },
  { name: 'tanh with layer norm, no output normalisation', options: { inputDim: 13, hidden: [12], outputDim: 6, activation: 'tanh', norm: 'layer', normalize: false }, standardize: false },
  { name: 'sigmoid, two hidden layers', options: { inputDim: 13, hidden: [9, 7], outputDim: 3, activation: 'sigmoid' }, standardize: true },
  { name: 'softplus, dropout (identity at inference)', options: { inputDim: 13, hidden: [8], outputDim: 3, activation: 'softplus', dropout: 0.3 }, standardize: false },
  { name: 'no hidden layer (a linear head)', options: { inputDim: 13, hidden: [], outputDim: 4 }, standardize: true },
];

for (const c of headCases) {
  test(`deep head export (${c.name}) matches DeepHead.transform to 1e-5`, async () => {
    const head = randomHead(c.options, 7, c.standardize);
    const expected = head.transform(wine.X);
    const r = await runOnnx(exportOnnx(onnxSpecFromModel(head, 'deep/head')), wine.X);
    assert.deepEqual(r.dims, [wine.X.rows, c.options.outputDim]);
    const err = relErr(r.data, expected.data);
    assert.ok(err < 1e-5, `relative error ${err}`);
  });
}

test('the exported file carries simlearn metadata and a symbolic batch dimension', async () => {
  const bytes = exportOnnx({ kind: 'linear', components: { rows: 1, cols: 2, data: [1, 1] } }, { metadata: { 'simlearn.algorithm': 'test' } });
  const text = new TextDecoder('latin1').decode(bytes);
  assert.ok(text.includes('simlearn.algorithm') && text.includes('batch'));
  // Any batch size runs through the same graph.
  for (const n of [1, 5]) {
    const r = await runOnnx(bytes, Matrix.from64(Array.from({ length: n }, (_, i) => [i, 1])));
    assert.deepEqual(Array.from(r.data), Array.from({ length: n }, (_, i) => i + 1));
  }
});

test('bad models are refused with a clear message', () => {
  assert.throws(() => exportOnnx({ kind: 'linear', components: { rows: 1, cols: 2, data: [1, NaN] } }), /components\[1\] is NaN/);
  assert.throws(() => exportOnnx({ kind: 'linear', components: { rows: 2, cols: 2, data: [1, 2, 3] } }), /2 x 2 matrix/);
  assert.throws(() => exportOnnx({ kind: 'mlp', inFeatures: 3, layers: [{ kind: 'linear', inFeatures: 4, outFeatures: 2, weight: new Float32Array(8) }] }), /layer 0 expects 4 inputs but receives 3/);
  assert.throws(() => exportOnnx({ kind: 'linear', components: { rows: 1, cols: 2, data: [1, 1] }, scaler: { mean: [0], scale: [1] } }), /scaler has 1 means/);
  assert.throws(() => onnxSpecFromModel({ transform: () => null }, 'index/hnsw'), /"index\/hnsw" has no linear or MLP form/);
  assert.throws(() => onnxSpecFromModel(new NCA()), /not fitted/);
});
