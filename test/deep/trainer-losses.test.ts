/**
 * Every loss and every miner, trained through the Trainer on a small problem: the loss over the
 * whole training set (no mining) must go down and MAP@R on held-out data must beat the untrained
 * head. The problem: three classes separable along two features, hidden among six noisy ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/random.js';
import { hiddenClassesProblem } from './hidden-classes.js';
import { MLP, embed } from '../../src/deep/layers/index.js';
import { Adam } from '../../src/deep/optim/index.js';
import { Trainer, evaluateRetrieval } from '../../src/deep/trainer.js';
import { lossByName } from '../../src/deep/losses/by-name.js';
import { minerByName } from '../../src/deep/miners/by-name.js';
import { MPerClassSampler } from '../../src/deep/samplers/m-per-class.js';
import { PairBatchSampler } from '../../src/deep/samplers/pair-batch.js';
import { PxKSampler } from '../../src/deep/samplers/pxk.js';
import { fromLabeledPairs, fromScoredPairs, fromGroups, fromQueryPositivePairs } from '../../src/deep/inputs.js';
import type { Loss } from '../../src/deep/types.js';

const problem = hiddenClassesProblem;

const train = problem(150, 1);
const val = problem(90, 2);

/** 150 (query, positive) pairs of distinct training rows of the same class. */
function sameClassPairs(seed: number): ReturnType<typeof fromQueryPositivePairs> {
  const q: number[][] = [], p: number[][] = [];
  const r = new Random(seed);
  for (let k = 0; k < 150; k++) {
    const i = r.int(train.X.rows);
    let j = r.int(train.X.rows);
    while (train.y[j] !== train.y[i] || j === i) j = r.int(train.X.rows);
    q.push(Array.from(train.X.row(i)));
    p.push(Array.from(train.X.row(j)));
  }
  return fromQueryPositivePairs(q, p);
}

/** The loss over all training rows (no miner), with the loss's current parameters. */
function fullLoss(loss: Loss, model: MLP): number {
  const inner = (loss as { loss?: Loss }).loss ?? loss; // cross-batch memory: evaluate the wrapped loss, leave the memory alone
  return inner.compute(embed(model, train.X), train.y).loss;
}

function check(label: string, lossName: string, lossOptions: Record<string, unknown>, minerName: string | null, minerOptions: Record<string, unknown> = {}, lr = 1e-2, epochs = 10) {
  test(`trains: ${label}`, () => {
    const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 7 });
    const loss = lossByName(lossName, lossOptions);
    const miner = minerName ? minerByName(minerName, minerOptions) : null;
    const before = evaluateRetrieval(model, val);
    const lossBefore = fullLoss(loss, model);
    const trainer = new Trainer({ model, loss, miner, sampler: new MPerClassSampler(train.y, { m: 8, batchSize: 48, seed: 7 }), optimizer: (p) => new Adam(p, { lr }) }, { epochs, seed: 7, restoreBest: false, validateEvery: epochs, progress: false });
    const r = trainer.fit(train, val);
    const lossAfter = fullLoss(loss, model);
    assert.ok(lossAfter < lossBefore, `${label}: loss ${lossBefore} → ${lossAfter}`);
    assert.ok(r.final!.mapAtR > before.mapAtR + 0.1, `${label}: MAP@R ${before.mapAtR.toFixed(3)} → ${r.final!.mapAtR.toFixed(3)}`);
  });
}

// Losses (no miner: all tuples of the batch).
check('contrastive', 'contrastive', {}, null);
check('triplet margin', 'triplet-margin', { margin: 0.2 }, null);
check('multi-similarity', 'multi-similarity', {}, null, {}, 0.03);
check('NT-Xent / InfoNCE', 'ntxent', { temperature: 0.1 }, null);
check('SupCon', 'supcon', { temperature: 0.1 }, null);
check('circle', 'circle', { gamma: 16 }, null, {}, 0.03);
check('ArcFace', 'arcface', { numClasses: 3, embeddingSize: 4, scale: 16, margin: 0.2 }, null, {}, 0.05);
check('CosFace', 'cosface', { numClasses: 3, embeddingSize: 4, scale: 16, margin: 0.2 }, null, {}, 0.05);
check('proxy-anchor', 'proxy-anchor', { numClasses: 3, embeddingSize: 4 }, null, {}, 0.1);
check('margin loss', 'margin', {}, null);
check('cross-batch memory (contrastive)', 'cross-batch-memory', { loss: 'contrastive', memorySize: 96 }, null);
// Miners.
check('batch-hard miner + triplet', 'triplet-margin', { margin: 0.2 }, 'batch-hard', {}, 0.03);
check('batch-easy-hard miner + contrastive', 'contrastive', {}, 'batch-easy-hard');
check('triplet-margin miner (all) + triplet', 'triplet-margin', { margin: 0.2 }, 'triplet-margin', { type: 'all', margin: 0.2 });
check('triplet-margin miner (hard) + triplet', 'triplet-margin', { margin: 0.2 }, 'triplet-margin', { type: 'hard', margin: 0.2 });
check('triplet-margin miner (semihard) + triplet', 'triplet-margin', { margin: 0.2 }, 'triplet-margin', { type: 'semihard', margin: 0.2 });
// Easy triplets carry no triplet-margin loss by definition; the contrastive loss still pulls their positives in.
check('triplet-margin miner (easy) + contrastive', 'contrastive', {}, 'triplet-margin', { type: 'easy', margin: 0.2 });
check('multi-similarity miner + multi-similarity', 'multi-similarity', {}, 'multi-similarity', { epsilon: 0.1 }, 0.03);
check('pair-margin miner + contrastive', 'contrastive', {}, 'pair-margin', { posMargin: 0.2, negMargin: 0.8 });

/** Rows of two random members of each class, as pairs. */
function pairsOf(n: number, seed: number, similar: boolean) {
  const r = new Random(seed);
  const a: number[][] = [], b: number[][] = [];
  for (let k = 0; k < n; k++) {
    const i = r.int(train.X.rows);
    let j = r.int(train.X.rows);
    while ((train.y[j] === train.y[i]) !== similar || j === i) j = r.int(train.X.rows);
    a.push(Array.from(train.X.row(i)));
    b.push(Array.from(train.X.row(j)));
  }
  return { a, b };
}

test('trains: labelled (a, b, ±1) pairs with their own tuples', () => {
  const pos = pairsOf(120, 3, true), neg = pairsOf(120, 4, false);
  const data = fromLabeledPairs([...pos.a, ...neg.a], [...pos.b, ...neg.b], [...pos.a.map(() => 1), ...neg.a.map(() => -1)]);
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 3 });
  const before = evaluateRetrieval(model, val);
  const loss = lossByName('contrastive');
  const trainer = new Trainer({ model, loss, sampler: new PairBatchSampler(data.pairRows, { pairsPerBatch: 40, seed: 3 }), optimizer: (p) => new Adam(p, { lr: 1e-2 }) }, { epochs: 10, progress: false, restoreBest: false, validateEvery: 10 });
  const lossOf = () => loss.compute(embed(model, data.X), data.labels, data.tuples).loss;
  const l0 = lossOf();
  const r = trainer.fit({ X: data.X, y: data.labels, tuples: data.tuples }, val);
  assert.ok(lossOf() < l0);
  assert.ok(r.final!.mapAtR > before.mapAtR + 0.1, `MAP@R ${before.mapAtR} → ${r.final!.mapAtR}`);
  assert.throws(() => new Trainer({ model, loss, miner: minerByName('batch-hard'), sampler: new PairBatchSampler(data.pairRows, { pairsPerBatch: 40 }), optimizer: (p) => new Adam(p) }, { epochs: 1 }).fit({ X: data.X, y: data.labels, tuples: data.tuples }), /a miner must not be used/);
});

test('trains: scored (a, b, score) pairs with the score-regression loss', () => {
  const pos = pairsOf(100, 5, true), neg = pairsOf(100, 6, false);
  const data = fromScoredPairs([...pos.a, ...neg.a], [...pos.b, ...neg.b], [...pos.a.map(() => 0.9), ...neg.a.map(() => -0.5)]);
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 4 });
  const before = evaluateRetrieval(model, val);
  const loss = lossByName('score-regression', { scores: data.scores });
  const trainer = new Trainer({ model, loss, sampler: new PairBatchSampler(data.nPairs, { pairsPerBatch: 40, seed: 4 }), optimizer: (p) => new Adam(p, { lr: 1e-2 }) }, { epochs: 10, progress: false, restoreBest: false, validateEvery: 10 });
  const lossOf = () => loss.compute(embed(model, data.X), data.labels).loss;
  const l0 = lossOf();
  const r = trainer.fit({ X: data.X, y: data.labels }, val);
  assert.ok(lossOf() < l0);
  assert.ok(r.final!.mapAtR > before.mapAtR + 0.1, `MAP@R ${before.mapAtR} → ${r.final!.mapAtR}`);
});

test('trains: groups as pseudo-classes', () => {
  const groups = [0, 1, 2].map((c) => Array.from({ length: 50 }, (_, k) => Array.from(train.X.row(3 * k + c))));
  const data = fromGroups(groups);
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 5 });
  const before = evaluateRetrieval(model, val);
  const trainer = new Trainer({ model, loss: lossByName('supcon', { temperature: 0.1 }), sampler: new MPerClassSampler(data.labels, { m: 8, batchSize: 48, seed: 5 }), optimizer: (p) => new Adam(p, { lr: 1e-2 }) }, { epochs: 10, progress: false, restoreBest: false, validateEvery: 10 });
  const r = trainer.fit({ X: data.X, y: data.labels }, val);
  assert.ok(r.final!.mapAtR > before.mapAtR + 0.1, `MAP@R ${before.mapAtR} → ${r.final!.mapAtR}`);
});

test('trains: (query, positive) pairs with in-batch negatives (stacked form, NT-Xent)', () => {
  const data = sameClassPairs(9);
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 6 });
  const before = evaluateRetrieval(model, val);
  const trainer = new Trainer({ model, loss: lossByName('ntxent', { temperature: 0.1 }), sampler: new PairBatchSampler(150, { pairsPerBatch: 30, seed: 6 }), optimizer: (o) => new Adam(o, { lr: 1e-2 }) }, { epochs: 10, progress: false, restoreBest: false, validateEvery: 10 });
  const res = trainer.fit({ X: data.X, y: data.stackedLabels }, val);
  assert.ok(res.final!.mapAtR > before.mapAtR + 0.1, `MAP@R ${before.mapAtR} → ${res.final!.mapAtR}`);
});

test('trains: (query, positive) pairs in the asymmetric form (positives as the reference set)', () => {
  const data = sameClassPairs(10);
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 8 });
  const before = evaluateRetrieval(model, val);
  // One row per pair id, so P x K with K = 1 is a plain shuffled batch of 30 pairs.
  const sampler = new PxKSampler(data.labels, { p: 30, k: 1, seed: 8 });
  const trainer = new Trainer({ model, loss: lossByName('ntxent', { temperature: 0.1 }), sampler, optimizer: (o) => new Adam(o, { lr: 1e-2 }) }, { epochs: 10, progress: false, restoreBest: false, validateEvery: 10 });
  const res = trainer.fit({ X: data.queries, y: data.labels, positives: data.positives }, val);
  assert.ok(res.final!.mapAtR > before.mapAtR + 0.1, `MAP@R ${before.mapAtR} → ${res.final!.mapAtR}`);
  const noRef = new Trainer({ model, loss: lossByName('arcface', { numClasses: 150, embeddingSize: 4 }), sampler, optimizer: (o) => new Adam(o) }, { epochs: 1, progress: false });
  assert.throws(() => noRef.fit({ X: data.queries, y: data.labels, positives: data.positives }), /arcface/);
  assert.throws(() => trainer.fit({ X: data.queries, y: data.labels, positives: data.positives.sliceRows(0, 10) }), /row i of each forms pair i/);
});
