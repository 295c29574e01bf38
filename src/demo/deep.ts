/**
 * Trains the demo's deep head: an MLP (z-scored input, L2-normalised output) with the triplet
 * margin loss over semi-hard triplets (Schroff et al. 2015, FaceNet) mined in m-per-class
 * batches, Adam. The held-out part is evaluated after each epoch for the training curve only:
 * no early stopping and no best-epoch restore, so the test data never choose the model.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { DeepHead, applyStandardization, fitStandardization } from '../deep/head.js';
import { MLP } from '../deep/layers/mlp.js';
import { Trainer, type EpochLog } from '../deep/trainer.js';
import { buildLoss, buildMiner, buildOptimizer, buildSampler } from '../deep/build.js';
import type { DeepHeadSpec } from './learners.js';

export interface DeepTrainResult {
  head: DeepHead;
  history: { epoch: number; loss: number; validation?: number }[];
}

function codes(labels: (string | number)[], classes: Map<string, number>): Int32Array {
  return Int32Array.from(labels, (v) => {
    const c = classes.get(String(v));
    if (c === undefined) throw new Error(`label ${JSON.stringify(v)} of the held-out part does not occur in the training part`);
    return c;
  });
}

export function trainDeepHead(spec: DeepHeadSpec, Xtr: Matrix<FloatArray>, ytr: (string | number)[], Xte: Matrix<FloatArray>, yte: (string | number)[], seed: number, onEpoch?: (log: EpochLog) => void): DeepTrainResult {
  const classes = new Map<string, number>();
  for (const v of ytr) if (!classes.has(String(v))) classes.set(String(v), classes.size);
  const standardization = fitStandardization(Xtr);
  const train = { X: applyStandardization(Xtr, standardization), y: codes(ytr, classes) };
  // Test labels unseen in training cannot be scored by retrieval; they are not in the curve.
  const keep: number[] = [];
  yte.forEach((v, i) => { if (classes.has(String(v))) keep.push(i); });
  const validation = { X: applyStandardization(Xte.takeRows(keep), standardization), y: codes(keep.map((i) => yte[i]), classes) };
  const model = new MLP({ inputDim: Xtr.cols, hidden: spec.hidden, outputDim: spec.output, activation: 'relu', normalize: true, seed });
  const loss = buildLoss({ name: 'triplet-margin', margin: spec.margin }, { numClasses: classes.size, embeddingSize: spec.output, seed });
  const miner = buildMiner({ name: 'triplet-margin', type: 'semihard', margin: spec.margin });
  const sampler = buildSampler({ name: 'm-per-class', m: spec.m, batchSize: spec.batchSize, ...(spec.epochSize ? { epochSize: spec.epochSize } : {}) }, train.y, seed);
  const trainer = new Trainer({ model, loss, miner, sampler, optimizer: buildOptimizer({ name: 'adam', lr: spec.lr }) }, {
    epochs: spec.epochs, seed, validateEvery: 1, monitor: 'mapAtR', restoreBest: false, progress: false, onEpoch,
  });
  const result = trainer.fit(train, validation);
  const history = result.history.map((h) => ({ epoch: h.epoch, loss: h.loss, validation: h.metrics?.mapAtR }));
  const head = new DeepHead(model, {
    standardization,
    // The history travels in the file so `simlearn report` can draw the training curve later.
    info: { recipe: 'simlearn demo', loss: { name: 'triplet-margin', margin: spec.margin }, miner: { name: 'triplet-margin', type: 'semihard' }, epochs: spec.epochs, seed, classes: [...classes.keys()], history, validationMetric: 'MAP@R (held-out, leave-one-out)' },
  });
  return { head, history };
}
