/**
 * The trainer and the samplers refuse what would otherwise train on nothing, read rows that do
 * not exist (blamed later on divergence), stop early on a NaN threshold, or allocate without end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hiddenClassesProblem } from './hidden-classes.js';
import { MLP } from '../../src/deep/layers/index.js';
import { Adam } from '../../src/deep/optim/index.js';
import { Trainer, type TrainerOptions } from '../../src/deep/trainer.js';
import { ContrastiveLoss } from '../../src/deep/losses/contrastive.js';
import { MPerClassSampler } from '../../src/deep/samplers/m-per-class.js';
import { PxKSampler } from '../../src/deep/samplers/pxk.js';
import type { BatchSampler } from '../../src/deep/types.js';

const train = hiddenClassesProblem(60, 1);
const val = hiddenClassesProblem(30, 2);

function trainerWith(sampler: BatchSampler, extra: Partial<TrainerOptions> = {}): Trainer {
  const model = new MLP({ inputDim: 8, hidden: [8], outputDim: 4, seed: 0 });
  return new Trainer({ model, loss: new ContrastiveLoss(), sampler, optimizer: (p) => new Adam(p, { lr: 1e-2 }) }, { epochs: 2, progress: false, ...extra });
}

/** A sampler returning fixed batches every epoch. */
function fixedBatches(batches: number[][]): BatchSampler {
  return { batchSize: Math.max(...batches.map((b) => b.length)), batchesPerEpoch: batches.length, epoch: () => batches.map((b) => Int32Array.from(b)) } as unknown as BatchSampler;
}

test('a batch row outside the training set is named, not reported later as divergence', () => {
  assert.throws(() => trainerWith(fixedBatches([[0, 1, 2, 99]])).fit(train), /batch 0 of epoch 1 holds row 99 but the training set has 60 rows/);
  // A sampler built on another (larger) label array does the same.
  const other = hiddenClassesProblem(300, 3);
  assert.throws(() => trainerWith(new PxKSampler(other.y, { p: 2, k: 4, seed: 0 })).fit(train), /holds row \d+ but the training set has 60 rows/);
});

test('an epoch whose batches all have fewer than 2 rows is an error, not a NaN loss', () => {
  assert.throws(() => trainerWith(fixedBatches([[0], [1], [2]])).fit(train), /every batch of epoch 1 had fewer than 2 rows/);
  assert.throws(() => trainerWith(new MPerClassSampler(train.y, { m: 1, batchSize: 1, seed: 0 })).fit(train), /fewer than 2 rows/);
});

test('validation without any repeated label fails before training; minDelta must be a number', () => {
  const single = { X: val.X.takeRows([0]), y: val.y.slice(0, 1) };
  let epochs = 0;
  const t = trainerWith(new MPerClassSampler(train.y, { m: 4, batchSize: 16, seed: 0 }), { onEpoch: () => { epochs++; } } as Partial<TrainerOptions>);
  assert.throws(() => t.fit(train, single), /validation: no label occurs twice among its 1 item/);
  assert.equal(epochs, 0);
  assert.throws(() => trainerWith(new MPerClassSampler(train.y, { m: 4, batchSize: 16 }), { earlyStopping: { patience: 1, minDelta: NaN } }), /minDelta must be a finite number/);
});

test('sampler sizes far beyond any batch fail at once instead of allocating', () => {
  assert.throws(() => new PxKSampler(train.y, { p: 1, k: 1e9, smallClasses: 'replace' }), /P x K = 1 x 1000000000 rows is above the limit/);
  assert.throws(() => new MPerClassSampler(train.y, { m: 1e9, batchSize: 2e9 }), /option m is 1000000000, above the limit/);
  assert.throws(() => new MPerClassSampler(train.y, { m: 2, batchSize: 4, epochSize: 1e9 }), /option epochSize is 1000000000, above the limit/);
});
