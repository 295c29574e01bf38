/**
 * The class-weight losses (ArcFace, CosFace, proxy-anchor) at many classes, where their GEMM
 * forward/backward matter: finite-difference gradients (embeddings and the class parameters,
 * most classes absent from the batch), and values against a direct triple-loop evaluation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { ArcFaceLoss, CosFaceLoss, ProxyAnchorLoss } from '../../src/deep/losses/index.js';
import type { MinedTuples } from '../../src/deep/types.js';
import { ThresholdReducer } from '../../src/deep/reducers/index.js';
import { gradCheck, randomEmbeddings } from './similarity-helpers.js';

const TOL = 2e-4;

function labelsFor(n: number, classes: number, seed: number): Int32Array {
  const r = new Random(seed);
  return Int32Array.from({ length: n }, () => r.int(classes));
}

test('ArcFace and CosFace at 60 classes: finite-difference gradients for embeddings and class weights', () => {
  const n = 16, d = 4, C = 60;
  const E = randomEmbeddings(n, d, 41);
  const labels = labelsFor(n, 12, 42); // classes 12..59 never appear: their weights still get a gradient
  const losses = [
    ['cosface', new CosFaceLoss({ numClasses: C, embeddingSize: d, scale: 8, margin: 0.35, seed: 1 })],
    ['arcface', new ArcFaceLoss({ numClasses: C, embeddingSize: d, scale: 8, margin: 0.5, seed: 2 })],
    ['arcface threshold reducer', new ArcFaceLoss({ numClasses: C, embeddingSize: d, scale: 8, margin: 0.3, seed: 3, reducer: new ThresholdReducer({ low: 2 }) })],
  ] as const;
  for (const [what, loss] of losses) {
    const r = gradCheck(loss, E, labels);
    assert.ok(r.error < TOL, `${what}: relative error ${r.error}`);
    assert.ok(r.maxGrad > 1e-6, `${what}: zero gradient`);
  }
  // Mined tuples weight rows (rows in no tuple drop out).
  const tuples: MinedTuples = { kind: 'triplets', anchors: Int32Array.from([0, 3]), positives: Int32Array.from([5, 5]), negatives: Int32Array.from([7, 9]) };
  const r = gradCheck(new CosFaceLoss({ numClasses: C, embeddingSize: d, scale: 8, seed: 4 }), E, labels, tuples);
  assert.ok(r.error < TOL && r.maxGrad > 1e-6, `cosface with tuples: relative error ${r.error}`);
});

test('proxy-anchor at 60 classes: finite-difference gradients, cosine and Euclidean', () => {
  const n = 16, d = 4, C = 60;
  const E = randomEmbeddings(n, d, 51);
  const labels = labelsFor(n, 10, 52);
  for (const [what, loss] of [
    ['cosine', new ProxyAnchorLoss({ numClasses: C, embeddingSize: d, alpha: 4, margin: 0.1, seed: 1 })],
    ['euclidean', new ProxyAnchorLoss({ numClasses: C, embeddingSize: d, alpha: 2, margin: 0.1, distance: 'euclidean', seed: 2 })],
  ] as const) {
    const r = gradCheck(loss, E, labels);
    assert.ok(r.error < TOL, `proxy-anchor ${what}: relative error ${r.error}`);
    assert.ok(r.maxGrad > 1e-6, `proxy-anchor ${what}: zero gradient`);
  }
});

function unit(x: ArrayLike<number>, o: number, d: number): number[] {
  let q = 0;
  for (let k = 0; k < d; k++) q += x[o + k] * x[o + k];
  const r = Math.max(Math.sqrt(q), 1e-12);
  return Array.from({ length: d }, (_, k) => x[o + k] / r);
}

function cosines(E: Matrix<Float32Array>, W: Float32Array, C: number): number[][] {
  const d = E.cols;
  const Ws = Array.from({ length: C }, (_, c) => unit(W, c * d, d));
  return Array.from({ length: E.rows }, (_, i) => {
    const x = unit(E.data, i * d, d);
    return Ws.map((w) => x.reduce((s, v, k) => s + v * w[k], 0));
  });
}

function close(got: number, want: number, what: string): void {
  assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);
}

test('ArcFace, CosFace and proxy-anchor at 500 classes equal a direct triple-loop evaluation', () => {
  const n = 48, d = 8, C = 500;
  const E = randomEmbeddings(n, d, 61);
  const labels = labelsFor(n, C, 62);
  const s = 30;
  for (const kind of ['cosface', 'arcface'] as const) {
    const m = kind === 'cosface' ? 0.35 : 0.5;
    const loss = kind === 'cosface' ? new CosFaceLoss({ numClasses: C, embeddingSize: d, scale: s, margin: m, seed: 7 }) : new ArcFaceLoss({ numClasses: C, embeddingSize: d, scale: s, margin: m, seed: 7 });
    const cos = cosines(E, loss.weight.value, C);
    let want = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      const logits = cos[i].map((c, k) => (k === y ? s * (kind === 'cosface' ? c - m : Math.cos(Math.acos(c) + m)) : s * c));
      const mx = Math.max(...logits);
      want += mx + Math.log(logits.reduce((a, z) => a + Math.exp(z - mx), 0)) - logits[y];
    }
    close(loss.compute(E, labels).loss, want / n, kind);
  }
  const alpha = 16, delta = 0.1;
  const pa = new ProxyAnchorLoss({ numClasses: C, embeddingSize: d, alpha, margin: delta, seed: 8 });
  const cos = cosines(E, pa.proxies.value, C);
  let pos = 0, neg = 0, present = 0;
  for (let c = 0; c < C; c++) {
    let sp = 1, sn = 1, any = false;
    for (let i = 0; i < n; i++) {
      if (labels[i] === c) { sp += Math.exp(-alpha * (cos[i][c] - delta)); any = true; } else sn += Math.exp(alpha * (cos[i][c] + delta));
    }
    if (any) { pos += Math.log(sp); present++; }
    neg += Math.log(sn);
  }
  close(pa.compute(E, labels).loss, pos / present + neg / C, 'proxy-anchor');
});
