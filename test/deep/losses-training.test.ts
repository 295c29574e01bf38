/**
 * Every loss, trained on a small problem, must reduce its loss and improve MAP@R over the
 * untrained head. The head is a linear map plus L2 normalisation trained by plain gradient
 * descent (test helper), so these tests depend only on the losses' own gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArcFaceLoss, CircleLoss, ContrastiveLoss, CosFaceLoss, CrossBatchMemory, MarginLoss, MultiSimilarityLoss, NTXentLoss,
  ProxyAnchorLoss, ScoreRegressionLoss, SupConLoss, TripletMarginLoss,
} from '../../src/deep/losses/index.js';
import type { Loss } from '../../src/deep/types.js';
import { Matrix } from '../../src/matrix.js';
import { LinearHead, clusteredData, mapAtR, trainLinear } from './similarity-helpers.js';

const data = clusteredData(15, 4, 1);

function improves(loss: Loss, what: string, options: Parameters<typeof trainLinear>[3] = {}): void {
  const r = trainLinear(loss, null, data, options);
  assert.ok(r.lossAfter < r.lossBefore * 0.9, `${what}: loss ${r.lossBefore.toFixed(4)} → ${r.lossAfter.toFixed(4)}`);
  assert.ok(r.mapAfter > r.mapBefore + 0.15 && r.mapAfter > 0.7, `${what}: MAP@R ${r.mapBefore.toFixed(3)} → ${r.mapAfter.toFixed(3)}`);
}

test('untrained head is poor on the synthetic problem (the bar the losses must clear)', () => {
  const head = new LinearHead(data.X.cols, 4, 3);
  const map = mapAtR(head.forward(data.X).E, data.labels);
  assert.ok(map < 0.55, `untrained MAP@R ${map}`);
});

test('contrastive loss trains (Euclidean and cosine)', () => {
  improves(new ContrastiveLoss({ posMargin: 0, negMargin: 1 }), 'contrastive');
  improves(new ContrastiveLoss({ posMargin: 0.9, negMargin: 0.3, distance: 'cosine' }), 'contrastive cosine');
});

test('triplet margin loss trains (Euclidean, cosine, smooth)', () => {
  improves(new TripletMarginLoss({ margin: 0.2 }), 'triplet');
  improves(new TripletMarginLoss({ margin: 0.2, distance: 'cosine' }), 'triplet cosine');
  improves(new TripletMarginLoss({ margin: 0.2, smooth: true }), 'triplet smooth');
});

test('multi-similarity, NT-Xent, SupCon, circle train', () => {
  improves(new MultiSimilarityLoss({ alpha: 2, beta: 10, base: 0.5 }), 'multi-similarity', { lr: 0.3 });
  improves(new NTXentLoss({ temperature: 0.2 }), 'ntxent', { lr: 0.2 });
  improves(new SupConLoss({ temperature: 0.2 }), 'supcon', { lr: 0.5 });
  improves(new CircleLoss({ m: 0.25, gamma: 16 }), 'circle', { lr: 0.2 });
});

test('ArcFace, CosFace and proxy-anchor train (with their own parameters)', () => {
  improves(new CosFaceLoss({ numClasses: 4, embeddingSize: 4, scale: 8, margin: 0.2, seed: 1 }), 'cosface', { lr: 0.2 });
  improves(new ArcFaceLoss({ numClasses: 4, embeddingSize: 4, scale: 8, margin: 0.2, seed: 1 }), 'arcface', { lr: 0.2 });
  // α = 8: with plain gradient descent the default α = 32 takes steps too large for this tiny head.
  improves(new ProxyAnchorLoss({ numClasses: 4, embeddingSize: 4, alpha: 8, margin: 0.1, seed: 1 }), 'proxy-anchor', { lr: 0.5 });
});

test('margin loss trains, with a learned β', () => {
  const loss = new MarginLoss({ margin: 0.2, beta: 1.0, learnBeta: true });
  improves(loss, 'margin', { lr: 0.5, paramLr: 0.05 });
  assert.notEqual(loss.beta.value[0], 1.0, 'β moved');
});

test('cross-batch memory trains through mini-batches', () => {
  // Mini-batches of 12 rows; the memory of 48 lets each batch see most of the data.
  const xbm = new CrossBatchMemory({ loss: new ContrastiveLoss({ negMargin: 1 }), memorySize: 48 });
  const evalLoss = new ContrastiveLoss({ negMargin: 1 });
  const head = new LinearHead(data.X.cols, 4, 3);
  const before = head.forward(data.X);
  const lossBefore = evalLoss.compute(before.E, data.labels).loss;
  const mapBefore = mapAtR(before.E, data.labels);
  for (let epoch = 0; epoch < 40; epoch++) {
    for (let s = 0; s < data.X.rows; s += 12) {
      const idx = Array.from({ length: 12 }, (_, i) => (s + i + epoch * 5) % data.X.rows);
      const Xb = data.X.takeRows(idx);
      const lb = Int32Array.from(idx, (i) => data.labels[i]);
      const fw = head.forward(Xb);
      const r = xbm.compute(fw.E, lb);
      const gW = head.gradW(Xb, fw, r.grad);
      for (let k = 0; k < gW.length; k++) head.W[k] -= 0.3 * gW[k];
    }
  }
  const after = head.forward(data.X);
  const lossAfter = evalLoss.compute(after.E, data.labels).loss;
  const mapAfter = mapAtR(after.E, data.labels);
  assert.ok(lossAfter < lossBefore * 0.9, `xbm loss ${lossBefore} → ${lossAfter}`);
  assert.ok(mapAfter > mapBefore + 0.15, `xbm MAP@R ${mapBefore} → ${mapAfter}`);
});

test('score regression learns target similarities of scored pairs', () => {
  // Pairs (x_i, x_j) of the clustered data with score 1 for the same class and −0.3 otherwise.
  const n = 40;
  const rows: number[] = [];
  const scores: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = k;
    const j = (k * 7 + 3) % data.X.rows;
    rows.push(i, j);
    scores.push(data.labels[i] === data.labels[j] ? 1 : -0.3);
  }
  const X = data.X.takeRows([...rows.filter((_, t) => t % 2 === 0), ...rows.filter((_, t) => t % 2 === 1)]);
  const labels = Int32Array.from({ length: 2 * n }, (_, t) => t % n);
  const loss = new ScoreRegressionLoss({ scores });
  const r = trainLinear(loss, null, { X: X as Matrix<Float64Array>, labels }, { lr: 0.5, steps: 80 });
  assert.ok(r.lossAfter < r.lossBefore * 0.6, `score regression ${r.lossBefore} → ${r.lossAfter}`);
  // The scores encode the classes, so the trained head retrieves classes better than the untrained one.
  const untrained = mapAtR(new LinearHead(data.X.cols, 4, 3).forward(data.X).E, data.labels);
  const trained = mapAtR(r.head.forward(data.X).E, data.labels);
  assert.ok(trained > untrained + 0.15, `score regression MAP@R ${untrained} → ${trained}`);
});
