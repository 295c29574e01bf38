/**
 * Finite-difference checks of every loss's analytic gradient (embeddings, reference set and the
 * loss's own parameters), with several distances, all-tuples and mined tuples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import {
  ArcFaceLoss, CircleLoss, ContrastiveLoss, CosFaceLoss, CrossBatchMemory, MarginLoss, MultiSimilarityLoss, NTXentLoss,
  ProxyAnchorLoss, ScoreRegressionLoss, SupConLoss, TripletMarginLoss,
} from '../../src/deep/losses/index.js';
import { BatchHardMiner, MultiSimilarityMiner } from '../../src/deep/miners/index.js';
import { ThresholdReducer } from '../../src/deep/reducers/index.js';
import type { Distance, Loss } from '../../src/deep/types.js';
import { CosineSimilarity } from '../../src/deep/distances/index.js';
import { gradCheck, randomEmbeddings } from './similarity-helpers.js';

const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 0]);
const n = labels.length;
const d = 3;
const TOL = 2e-4;

function check(loss: Loss, what: string, scale = 1, h = 1e-3): void {
  const E = randomEmbeddings(n, d, 7, scale);
  const r = gradCheck(loss, E, labels, undefined, undefined, h);
  assert.ok(r.error < TOL, `${what}: relative error ${r.error}`);
  assert.ok(r.maxGrad > 1e-6, `${what}: gradient is identically zero, the check would prove nothing`);
}

const distances = ['euclidean', 'sqeuclidean', 'cosine', 'dot'];

test('contrastive: gradient with every distance, plain and squared hinges', () => {
  for (const distance of distances) {
    // Margins suited to each distance's range so that both kinds of terms are active.
    const sim = distance === 'cosine' || distance === 'dot';
    check(new ContrastiveLoss({ distance, posMargin: sim ? 0.9 : 0.3, negMargin: sim ? -0.2 : 2.5 }), `contrastive/${distance}`);
    check(new ContrastiveLoss({ distance, squared: true, posMargin: sim ? 0.9 : 0.3, negMargin: sim ? -0.2 : 2.5 }), `contrastive squared/${distance}`);
  }
});

test('triplet margin: gradient with every distance, swap, smooth, and a threshold reducer', () => {
  for (const distance of distances) {
    check(new TripletMarginLoss({ distance, margin: 0.45 }), `triplet/${distance}`);
    check(new TripletMarginLoss({ distance, margin: 0.5, swap: true }), `triplet swap/${distance}`);
    check(new TripletMarginLoss({ distance, margin: 0.2, smooth: true }), `triplet smooth/${distance}`);
  }
  check(new TripletMarginLoss({ margin: 0.5, reducer: new ThresholdReducer({ low: 0.1, high: 3 }) }), 'triplet threshold');
});

test('multi-similarity, NT-Xent, SupCon: gradient with cosine and Euclidean', () => {
  for (const distance of ['cosine', 'euclidean']) {
    check(new MultiSimilarityLoss({ distance, alpha: 2, beta: 10, base: 0.5 }), `ms/${distance}`);
    check(new NTXentLoss({ distance, temperature: 0.5 }), `ntxent/${distance}`);
    check(new SupConLoss({ distance, temperature: 0.3 }), `supcon/${distance}`);
  }
  check(new MultiSimilarityLoss(), 'ms defaults (α 2, β 50)', 1, 1e-4);
  check(new NTXentLoss(), 'ntxent default τ 0.07', 1, 1e-4);
});

test('circle loss: exact gradient with detachAlpha false; detached gradient = gradient with α frozen', () => {
  check(new CircleLoss({ m: 0.25, gamma: 4, detachAlpha: false }), 'circle full');
  // With α detached the analytic gradient is that of the loss where α_p, α_n are constants
  // fixed at the current point: rebuild that loss by hand and difference it.
  const E = randomEmbeddings(n, d, 7);
  const loss = new CircleLoss({ m: 0.25, gamma: 4 });
  const r = loss.compute(E, labels);
  const cos = (x: Float32Array, i: number, j: number): number => {
    let s = 0, a = 0, b = 0;
    for (let k = 0; k < d; k++) { s += x[i * d + k] * x[j * d + k]; a += x[i * d + k] ** 2; b += x[j * d + k] ** 2; }
    return s / Math.sqrt(a * b);
  };
  const m = 0.25, g = 4;
  const alpha0 = (i: number, j: number): number => {
    const s = cos(E.data, i, j);
    return labels[i] === labels[j] ? Math.max(1 + m - s, 0) : Math.max(s + m, 0);
  };
  const frozen: number[][] = [];
  for (let i = 0; i < n; i++) { frozen.push([]); for (let j = 0; j < n; j++) frozen[i].push(alpha0(i, j)); }
  const f = (): number => {
    let total = 0, count = 0;
    for (let i = 0; i < n; i++) {
      let sp = 0, sn = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const s = cos(E.data, i, j);
        if (labels[i] === labels[j]) sp += Math.exp(-g * frozen[i][j] * (s - (1 - m)));
        else sn += Math.exp(g * frozen[i][j] * (s - m));
      }
      const v = Math.log1p(sp * sn);
      total += v; count++;
    }
    return total / count;
  };
  assert.ok(Math.abs(f() - r.loss) < 1e-9, 'hand-built circle loss equals the library value');
  let err = 0;
  for (let k = 0; k < E.data.length; k++) {
    const o = E.data[k];
    E.data[k] = o + 1e-3; const up = E.data[k]; const fp = f();
    E.data[k] = o - 1e-3; const dn = E.data[k]; const fm = f();
    E.data[k] = o;
    err = Math.max(err, Math.abs((fp - fm) / (up - dn) - r.grad[k]));
  }
  assert.ok(err < 1e-5, `circle detached: error ${err}`);
  assert.throws(() => new CircleLoss({ distance: 'euclidean' }), /needs a similarity/);
});

test('ArcFace and CosFace: gradient for embeddings and class weights', () => {
  check(new CosFaceLoss({ numClasses: 3, embeddingSize: d, scale: 4, margin: 0.35, seed: 1 }), 'cosface');
  check(new ArcFaceLoss({ numClasses: 3, embeddingSize: d, scale: 4, margin: 0.5, seed: 1 }), 'arcface');
  check(new ArcFaceLoss({ numClasses: 3, embeddingSize: d, seed: 2 }), 'arcface defaults (s 64)', 1, 1e-4);
});

test('proxy-anchor: gradient for embeddings and proxies, cosine and Euclidean', () => {
  check(new ProxyAnchorLoss({ numClasses: 3, embeddingSize: d, alpha: 4, margin: 0.1, seed: 1 }), 'proxy-anchor cosine');
  check(new ProxyAnchorLoss({ numClasses: 3, embeddingSize: d, alpha: 2, margin: 0.1, distance: 'euclidean', seed: 1 }), 'proxy-anchor euclidean');
  check(new ProxyAnchorLoss({ numClasses: 4, embeddingSize: d, seed: 3 }), 'proxy-anchor defaults, a class absent from the batch', 1, 1e-4);
});

test('margin loss: gradient for embeddings and learnable β (global and per class, with ν)', () => {
  check(new MarginLoss({ margin: 0.5, beta: 1.5 }), 'margin');
  check(new MarginLoss({ margin: 0.5, beta: 1.5, learnBeta: true, nu: 0.1 }), 'margin learn β');
  check(new MarginLoss({ margin: 0.5, beta: 1.5, learnBeta: true, numClasses: 3, nu: 0.05 }), 'margin per-class β');
  check(new MarginLoss({ margin: 0.3, beta: 0.2, distance: 'cosine' }), 'margin cosine');
});

test('score regression: gradient with cosine and Euclidean', () => {
  const pairLabels = Int32Array.from([0, 1, 2, 0, 1, 2]);
  for (const distance of ['cosine', 'euclidean']) {
    const loss = new ScoreRegressionLoss({ scores: [0.9, -0.2, 0.4], distance });
    const r = gradCheck(loss, randomEmbeddings(6, d, 4), pairLabels);
    assert.ok(r.error < TOL && r.maxGrad > 1e-6, `score-regression/${distance}: ${r.error}`);
  }
});

test('losses with mined tuples: gradient is exact for the given tuples (triplets → pairs and pairs → triplets)', () => {
  const E = randomEmbeddings(n, d, 9);
  const triplets = new BatchHardMiner().mine(E, labels);
  const pairs = new MultiSimilarityMiner({ epsilon: 0.5 }).mine(E, labels);
  assert.ok(triplets.kind === 'triplets' && triplets.anchors.length > 0);
  assert.ok(pairs.kind === 'pairs' && pairs.posA.length > 0 && pairs.negA.length > 0);
  const losses: Loss[] = [
    new ContrastiveLoss({ negMargin: 2.5 }), new TripletMarginLoss({ margin: 0.5 }), new MultiSimilarityLoss({ beta: 10 }),
    new NTXentLoss({ temperature: 0.5 }), new SupConLoss(), new CircleLoss({ gamma: 4, detachAlpha: false }),
    new MarginLoss({ margin: 0.5, beta: 1.5 }), new CosFaceLoss({ numClasses: 3, embeddingSize: d, scale: 4 }),
    new ProxyAnchorLoss({ numClasses: 3, embeddingSize: d, alpha: 4 }),
  ];
  for (const loss of losses) {
    for (const tuples of [triplets, pairs]) {
      const r = gradCheck(loss, E, labels, tuples);
      assert.ok(r.error < TOL, `${loss.name} with ${tuples.kind}: ${r.error}`);
    }
  }
});

test('losses with a reference set: gradient for both the batch and the reference', () => {
  const E = randomEmbeddings(4, d, 21);
  const qLabels = Int32Array.from([0, 1, 2, 3]);
  const reference = { embeddings: randomEmbeddings(4, d, 22), labels: Int32Array.from([0, 1, 2, 3]) };
  const losses: Loss[] = [
    new NTXentLoss({ temperature: 0.5 }), new SupConLoss({ temperature: 0.5 }), new MultiSimilarityLoss({ beta: 10 }),
    new ContrastiveLoss({ posMargin: 0.5, negMargin: 2 }), new TripletMarginLoss({ margin: 1, swap: true }),
    new CircleLoss({ gamma: 4, detachAlpha: false }), new MarginLoss({ margin: 0.5 }),
  ];
  for (const loss of losses) {
    const r = gradCheck(loss, E, qLabels, undefined, reference);
    assert.ok(r.error < TOL, `${loss.name} with reference: ${r.error}`);
  }
});

test('cross-batch memory: gradient flows to the batch only; the memory is a detached copy', () => {
  const xbm = new CrossBatchMemory({ loss: new ContrastiveLoss({ negMargin: 2 }), memorySize: 20 });
  const first = randomEmbeddings(6, d, 31);
  xbm.compute(first, Int32Array.from([0, 1, 2, 0, 1, 2]));
  // The memory now holds `first`; compare a second batch against it and its own copies.
  const E = randomEmbeddings(4, d, 32);
  const lab = Int32Array.from([0, 1, 1, 2]);
  const inner = new ContrastiveLoss({ negMargin: 2 });
  const memE = new Float32Array(10 * d);
  memE.set(first.data, 0);
  memE.set(E.data, 6 * d);
  const memL = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 1, 2]);
  const viaInner = inner.compute(E, lab, undefined, { embeddings: new Matrix(10, d, memE), labels: memL, selfIndex: Int32Array.from([6, 7, 8, 9]) });
  const r = xbm.compute(E, lab);
  assert.ok(Math.abs(r.loss - viaInner.loss) < 1e-12);
  assert.deepEqual(Array.from(r.grad), Array.from(viaInner.grad));
  assert.equal(r.referenceGrad, undefined);
});

test('cross-batch memory with its own miner mines against the memory, never a row with its own copy', () => {
  const miner = new BatchHardMiner();
  const xbm = new CrossBatchMemory({ loss: new TripletMarginLoss({ margin: 0.5 }), memorySize: 12, miner });
  xbm.compute(randomEmbeddings(6, d, 41), Int32Array.from([0, 1, 2, 0, 1, 2]));
  const E = randomEmbeddings(6, d, 42);
  const lab = Int32Array.from([0, 1, 2, 2, 1, 0]);
  const r = xbm.compute(E, lab);
  // Rebuild the same reference by hand: memory slots 0..5 hold batch 1, 6..11 batch 2.
  const memE = new Float32Array(12 * d);
  memE.set(randomEmbeddings(6, d, 41).data, 0);
  memE.set(E.data, 6 * d);
  const reference = { embeddings: new Matrix(12, d, memE), labels: Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 1, 0]), selfIndex: Int32Array.from([6, 7, 8, 9, 10, 11]) };
  const tuples = miner.mine(E, lab, reference);
  assert.ok(tuples.kind === 'triplets' && tuples.anchors.length === 6);
  if (tuples.kind === 'triplets') for (let t = 0; t < 6; t++) assert.notEqual(tuples.positives[t], 6 + tuples.anchors[t]);
  const direct = new TripletMarginLoss({ margin: 0.5 }).compute(E, lab, tuples, reference);
  assert.ok(Math.abs(r.loss - direct.loss) < 1e-12);
  assert.deepEqual(Array.from(r.grad), Array.from(direct.grad));
});

test('a user Distance with only the float32 interface works with losses and miners', () => {
  const inner = new CosineSimilarity();
  // Only the public interface: no float64 or sparse fast paths.
  const custom: Distance = {
    name: 'cosine',
    largerIsCloser: true,
    pairwise: (a, na, b, nb, dd) => inner.pairwise(a, na, b, nb, dd),
    backward: (a, na, b, nb, dd, g, ga, gb) => inner.backward(a, na, b, nb, dd, g, ga, gb),
  };
  const E = randomEmbeddings(n, d, 51);
  const viaCustom = new SupConLoss({ distance: custom, temperature: 0.5 }).compute(E, labels);
  const viaPrecise = new SupConLoss({ distance: 'cosine', temperature: 0.5 }).compute(E, labels);
  assert.ok(Math.abs(viaCustom.loss - viaPrecise.loss) < 1e-5);
  for (let i = 0; i < E.data.length; i++) assert.ok(Math.abs(viaCustom.grad[i] - viaPrecise.grad[i]) < 1e-4);
  const mined = new BatchHardMiner({ distance: custom }).mine(E, labels);
  assert.deepEqual(mined, new BatchHardMiner({ distance: 'cosine' }).mine(E, labels));
  assert.throws(() => new SupConLoss({ distance: { name: 'cosine' } as unknown as Distance }), /distance must be a name .* or a Distance object/);
});
