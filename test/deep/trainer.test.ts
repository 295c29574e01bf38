import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import { hiddenClassesProblem } from './hidden-classes.js';
import { MLP, getState } from '../../src/deep/layers/index.js';
import { Adam, SGD } from '../../src/deep/optim/index.js';
import { Trainer, evaluateRetrieval, type TrainerOptions } from '../../src/deep/trainer.js';
import { ContrastiveLoss } from '../../src/deep/losses/contrastive.js';
import { TripletMarginLoss } from '../../src/deep/losses/triplet-margin.js';
import { ProxyAnchorLoss } from '../../src/deep/losses/proxy-anchor.js';
import { TripletMarginMiner } from '../../src/deep/miners/triplet-margin.js';
import { MPerClassSampler } from '../../src/deep/samplers/m-per-class.js';

const problem = hiddenClassesProblem;

const train = problem(150, 1);
const val = problem(90, 2);

function makeTrainer(seed: number, extra: Partial<TrainerOptions> = {}, dropout = 0) {
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, dropout, seed });
  const trainer = new Trainer({
    model,
    loss: new ContrastiveLoss({ posMargin: 0, negMargin: 1 }),
    sampler: new MPerClassSampler(train.y, { m: 8, batchSize: 48, epochSize: 144, seed }),
    optimizer: (p) => new Adam(p, { lr: 1e-2 }),
  }, { epochs: 12, seed, progress: false, ...extra });
  return { model, trainer };
}

test('training improves MAP@R and precision@1 over the untrained head', () => {
  const { model, trainer } = makeTrainer(0);
  const before = evaluateRetrieval(model, val);
  const r = trainer.fit(train, val);
  assert.equal(r.history.length, 12);
  assert.ok(r.history[r.history.length - 1].loss < r.history[0].loss, 'loss decreases');
  assert.ok(r.final!.mapAtR > before.mapAtR + 0.2, `MAP@R ${before.mapAtR} → ${r.final!.mapAtR}`);
  assert.ok(r.final!.mapAtR > 0.75, `MAP@R after training ${r.final!.mapAtR}`);
  assert.ok(r.final!.precisionAt1 >= before.precisionAt1);
  assert.ok(r.epochSeconds > 0);
  // The restored best weights give the reported metrics.
  const again = evaluateRetrieval(model, val);
  assert.equal(again.mapAtR, r.best!.metrics.mapAtR);
});

test('deterministic for a seed (dropout included); another seed differs', () => {
  const a = makeTrainer(3, {}, 0.2);
  const b = makeTrainer(3, {}, 0.2);
  const c = makeTrainer(4, {}, 0.2);
  const ra = a.trainer.fit(train, val);
  const rb = b.trainer.fit(train, val);
  c.trainer.fit(train, val);
  assert.deepEqual(ra.history.map((h) => [h.loss, h.metrics]), rb.history.map((h) => [h.loss, h.metrics]));
  const sa = getState(a.model), sb = getState(b.model), sc = getState(c.model);
  for (const k of Object.keys(sa)) assert.deepEqual(Array.from(sa[k].data), Array.from(sb[k].data), k);
  assert.notDeepEqual(Array.from(sa['output.weight'].data), Array.from(sc['output.weight'].data));
});

test('early stopping stops after `patience` validations without improvement', () => {
  const model = new MLP({ inputDim: 8, hidden: [8], outputDim: 4, seed: 1 });
  // A learning rate so small the metric cannot move: every validation after the first is "no improvement".
  const trainer = new Trainer({
    model, loss: new ContrastiveLoss(), sampler: new MPerClassSampler(train.y, { m: 8, batchSize: 48, seed: 1 }),
    optimizer: (p) => new SGD(p, { lr: 1e-12 }),
  }, { epochs: 20, validateEvery: 2, earlyStopping: { patience: 2 }, progress: false });
  const r = trainer.fit(train, val);
  assert.equal(r.epochsRun, 6); // validations at 2 (best), 4, 6 → stop
  assert.equal(r.stoppedEarly, true);
  assert.equal(r.best!.epoch, 2);
  assert.equal(r.history.filter((h) => h.metrics).length, 3);
});

test('schedule, clipping, miner and the last-epoch weights (restoreBest: false)', () => {
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 2 });
  const logs: number[] = [];
  const trainer = new Trainer({
    model, loss: new TripletMarginLoss({ margin: 0.2 }), miner: new TripletMarginMiner({ type: 'semihard', margin: 0.2 }),
    sampler: new MPerClassSampler(train.y, { m: 8, batchSize: 48, epochSize: 144, seed: 2 }),
    optimizer: (p) => new Adam(p, { lr: 1e-2 }),
  }, { epochs: 6, schedule: { name: 'cosine', warmupSteps: 3 }, clipGradNorm: 1, restoreBest: false, validateEvery: 3, progress: false, onEpoch: (l) => logs.push(l.lr) });
  const before = evaluateRetrieval(model, val);
  const r = trainer.fit(train, val);
  assert.equal(logs.length, 6);
  assert.ok(logs[5] < 0.01 * 1e-2 * 2, `cosine ends near zero, got ${logs[5]}`);
  assert.ok(r.final!.mapAtR > before.mapAtR, 'semihard triplets improve MAP@R');
  assert.deepEqual(r.final, r.history[5].metrics);
  assert.deepEqual(evaluateRetrieval(model, val), r.final);
});

test('losses with parameters are trained; a hand-built optimiser must include them', () => {
  const model = new MLP({ inputDim: 8, hidden: [16], outputDim: 4, seed: 5 });
  const loss = new ProxyAnchorLoss({ numClasses: 3, embeddingSize: 4, seed: 5 });
  const proxies = loss.parameters()[0].value.slice();
  const sampler = new MPerClassSampler(train.y, { m: 8, batchSize: 48, seed: 5 });
  assert.throws(() => new Trainer({ model, loss, sampler, optimizer: new Adam(model.parameters()) }, { epochs: 1 }), /loss's parameter .* is not in the optimiser/);
  const before = evaluateRetrieval(model, val);
  const trainer = new Trainer({ model, loss, sampler, optimizer: (p) => new Adam(p, { lr: 0.1 }) }, { epochs: 10, progress: false });
  const r = trainer.fit(train, val);
  assert.notDeepEqual(Array.from(loss.parameters()[0].value), Array.from(proxies));
  assert.ok(r.final!.mapAtR > before.mapAtR + 0.2, `MAP@R ${before.mapAtR} → ${r.final!.mapAtR}`);
});

test('bad inputs are named', () => {
  const { trainer } = makeTrainer(0);
  assert.throws(() => trainer.fit({ X: train.X, y: train.y.subarray(1) }), /150 rows but 149 labels/);
  const bad = train.X.clone();
  bad.data[9] = NaN;
  assert.throws(() => trainer.fit({ X: bad, y: train.y }), /train.X has NaN at row 1, column 1/);
  assert.throws(() => trainer.fit({ X: train.X.toFloat64() as never, y: train.y }), /float32 Matrix/);
  assert.throws(() => makeTrainer(0, { epochs: 0 }), /epochs must be a positive integer/);
  assert.throws(() => makeTrainer(0, { monitor: 'auc' as never }), /monitor must be one of/);
});
