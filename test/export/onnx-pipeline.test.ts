import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readDataset } from '../../src/io/index.js';
import { Pipeline } from '../../src/metric/registry.js';
import { NCA } from '../../src/metric/nca.js';
import { LFDA } from '../../src/metric/lfda.js';
import { StandardScaler } from '../../src/preprocessing/standard-scaler.js';
import { PCA } from '../../src/preprocessing/pca.js';
import { exportOnnx } from '../../src/export/onnx.js';
import { onnxSpecFromModel } from '../../src/export/from-model.js';
import type { Matrix, FloatArray } from '../../src/matrix.js';
import { DATA } from '../helpers.js';

const wine = readDataset(join(DATA, 'wine.csv'));

type Step = { transform(X: Matrix<FloatArray>): Matrix<FloatArray>; toPayload(): never };
const step = (s: { transform(X: Matrix<FloatArray>): Matrix<FloatArray> }) => ({ transform: (X: Matrix<FloatArray>) => s.transform(X), toPayload: () => { throw new Error('not saved in this test'); } }) as unknown as Step;

async function onnxOf(p: Pipeline): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(exportOnnx(onnxSpecFromModel(p, 'pipeline'), { dtype: 'float64' }));
  const out = await session.run({ input: new ort.Tensor('float64', Float64Array.from(wine.X.data), [wine.X.rows, wine.X.cols]) });
  return out.embedding.data as Float64Array;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0, s = 1e-30;
  for (let i = 0; i < b.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return m / s;
}

test('pipeline scaler → NCA (what the demo saves) exports as Sub/Div + one linear layer, equal to pipeline.transform', async () => {
  const scaler = new StandardScaler().fit(wine.X);
  const nca = new NCA({ seed: 0, maxIter: 10 }).fit(scaler.transform(wine.X), wine.y as number[]);
  // Pipeline's steps are real objects so instanceof dispatch sees them; toPayload is unused here.
  const p = new Pipeline([scaler, nca]);
  const expected = p.transform(wine.X);
  const got = await onnxOf(p);
  assert.equal(got.length, expected.data.length);
  assert.ok(maxRel(got, expected.data) < 1e-12, String(maxRel(got, expected.data)));
});

test('pipeline PCA (whitened) → scaler → LFDA: affine steps compose into linear layers with biases', async () => {
  const pca = new PCA({ nComponents: 6, whiten: true }).fit(wine.X);
  const Zp = pca.transform(wine.X);
  const scaler = new StandardScaler().fit(Zp);
  const lfda = new LFDA({ nComponents: 3, k: 5 }).fit(scaler.transform(Zp), wine.y as number[]);
  const p = new Pipeline([pca, scaler, lfda]);
  const spec = onnxSpecFromModel(p);
  assert.equal(spec.kind, 'mlp');
  assert.equal(spec.kind === 'mlp' && spec.scaler, undefined); // the scaler is not first, so it is a layer
  const expected = p.transform(wine.X);
  assert.equal(expected.cols, 3);
  assert.ok(maxRel(await onnxOf(p), expected.data) < 1e-10);
});

test('a pipeline with a step that has no linear form is refused', () => {
  const odd = new Pipeline([step({ transform: (X) => X })]);
  assert.throws(() => onnxSpecFromModel(odd), /step 0 is not a scaler, PCA or Mahalanobis learner/);
});
