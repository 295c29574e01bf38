import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainConfig, readTrainConfig, ConfigError } from '../../src/deep/config.js';
import { buildLoss, buildMiner, buildOptimizer, buildSampler } from '../../src/deep/build.js';
import { runTraining } from '../../src/deep/pipeline.js';
import { DeepHead } from '../../src/deep/head.js';
import { foldSplit } from '../../src/deep/split.js';
import { ROOT, DATA } from '../helpers.js';

const minimal = { data: 'x.csv', loss: { name: 'contrastive' }, optimizer: { name: 'adam', lr: 0.001 }, epochs: 2 };

test('the shipped example configs are valid and describe the protocol of record', () => {
  for (const name of ['triplet', 'contrastive', 'multisimilarity']) {
    const { config } = readTrainConfig(join(ROOT, 'examples', `train-digits-${name}.json`));
    assert.deepEqual(config.head.hidden, [128]);
    assert.equal(config.head.output, 32);
    assert.equal(config.head.normalize, true);
    assert.deepEqual(config.sampler, { name: 'm-per-class', m: 8, batchSize: 128, epochSize: 1200 });
    assert.deepEqual(config.optimizer, { name: 'adam', lr: 0.001 });
    assert.equal(config.epochs, 30);
    assert.equal(config.seed, 0);
  }
});

test('defaults are filled in', () => {
  const c = parseTrainConfig(minimal);
  assert.equal(c.seed, 0);
  assert.equal(c.standardize, true);
  assert.deepEqual(c.split, { test: 0.3, stratify: true });
  assert.equal(c.head.activation, 'relu');
  assert.equal(c.monitor, 'mapAtR');
});

test('errors name the bad field', () => {
  const bad = (v: unknown, re: RegExp) => assert.throws(() => parseTrainConfig(v, 'cfg.json'), (e: Error) => e instanceof ConfigError && re.test(e.message), String(re));
  bad({ ...minimal, optimizer: { name: 'adam', lr: -1 } }, /optimizer\.lr: .*>0/);
  bad({ ...minimal, optimizer: { name: 'rmsprop', lr: 1 } }, /optimizer\.name/);
  bad({ ...minimal, epochs: 'ten' }, /epochs: .*number/);
  bad({ ...minimal, epochz: 3 }, /epochz/);
  bad({ ...minimal, head: { hidden: [128, 0] } }, /head\.hidden\.1/);
  bad({ ...minimal, loss: {} }, /loss\.name/);
  bad({ ...minimal, split: { folds: 'f.csv' } }, /folds and testFold go together/);
  bad({ data: 'x.csv' }, /loss: .*\n.*optimizer: .*\n.*epochs/);
  // Schedule and optimiser messages name the keys a config writes (stepEpochs, not stepSize).
  bad({ ...minimal, schedule: { name: 'step' } }, /schedule\.stepEpochs: the step schedule needs stepEpochs/);
  bad({ ...minimal, schedule: { name: 'cosine', gamma: 0.5 } }, /schedule\.gamma: gamma applies to the step schedule only, not "cosine"/);
  bad({ ...minimal, schedule: { name: 'constant', stepEpochs: 2 } }, /schedule\.stepEpochs: stepEpochs applies to the step schedule only/);
  bad({ ...minimal, schedule: { name: 'step', stepEpochs: 2, minFactor: 0.1 } }, /schedule\.minFactor: minFactor applies to the cosine schedule only/);
  bad({ ...minimal, optimizer: { name: 'sgd', lr: 0.1, nesterov: true } }, /optimizer\.nesterov: nesterov needs momentum > 0/);
  // Seeds the generator would wrap (2^32 is seed 0 again).
  bad({ ...minimal, seed: 2 ** 32 }, /seed: .*4294967295/);
  bad({ ...minimal, split: { seed: -1 } }, /split\.seed: .*>=0/);
  assert.equal(parseTrainConfig({ ...minimal, schedule: { name: 'step', stepEpochs: 2, gamma: 0.5, warmupEpochs: 1 } }).schedule!.stepEpochs, 2);
  assert.throws(() => readTrainConfig(join(ROOT, 'no-such-config.json')), /cannot read the config file .*no such file/);
});

test('the factories reject unknown names and options, naming them', () => {
  const ctx = { numClasses: 3, embeddingSize: 4, seed: 0 };
  assert.throws(() => buildLoss({ name: 'tripplet' }, ctx), /unknown name "tripplet"/);
  assert.throws(() => buildLoss({ name: 'triplet-margin', margn: 0.1 }, ctx), /unknown option "margn"/);
  assert.equal(buildLoss({ name: 'proxy-anchor' }, ctx).parameters()[0].value.length, 12); // 3 proxies x 4
  assert.equal(buildMiner(null), null);
  assert.throws(() => buildMiner({ name: 'batch-hard', k: 3 }), /unknown option "k"/);
  assert.throws(() => buildSampler({ name: 'm-per-class', n: 3 }, Int32Array.from([0, 1]), 0), /unknown option "n"/);
  assert.throws(() => buildSampler({ name: 'balanced' }, Int32Array.from([0, 1]), 0), /sampler: unknown name "balanced"/);
  assert.throws(() => buildOptimizer({ name: 'sgd', lr: 0.1, beta1: 0.9 }), /option beta1 belongs to adam\/adamw/);
  assert.equal(buildOptimizer({ name: 'adamw', lr: 0.1 })([]).lr, 0.1);
});

test('fold split: the chosen fold validates, the rest train', () => {
  const f = foldSplit(Int32Array.from([0, 1, 1, 0]), 1);
  assert.deepEqual(Array.from(f.test), [1, 2]);
  assert.deepEqual(Array.from(f.train), [0, 3]);
  assert.throws(() => foldSplit(Int32Array.from([0, 0]), 1, 'f.csv'), /f.csv: no row is in fold 1/);
  assert.throws(() => foldSplit(Int32Array.from([1, 1]), 1, 'f.csv'), /nothing is left to train on/);
});

test('a run from a config trains on wine and beats the untrained head', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cfg-'));
  try {
    const config = parseTrainConfig({
      data: join(DATA, 'wine.csv'),
      head: { hidden: [16], output: 8 },
      loss: { name: 'multi-similarity' },
      miner: { name: 'multi-similarity', epsilon: 0.1 },
      sampler: { name: 'm-per-class', m: 8, batchSize: 48 },
      optimizer: { name: 'adam', lr: 0.01 },
      schedule: { name: 'cosine', warmupEpochs: 1 },
      epochs: 8,
      validateEvery: 4,
      checkpoint: 'best.simlearn',
    });
    const run = await runTraining(config, { baseDir: dir });
    assert.equal(run.nTrain + run.nValidation, 178);
    assert.equal(run.nValidation, Math.ceil(0.3 * 178));
    assert.ok(run.training.final!.mapAtR > run.untrained.mapAtR + 0.05, `${run.untrained.mapAtR} → ${run.training.final!.mapAtR}`);
    assert.deepEqual(run.classes, [0, 1, 2]);
    // The checkpoint holds the best validated weights, which fit() restored into the head.
    const saved = DeepHead.load(join(dir, 'best.simlearn'));
    assert.equal(saved.info.epoch, run.training.best!.epoch);
    assert.deepEqual(Array.from(saved.transform([[13, 2, 2.4, 19, 100, 2.5, 2.5, 0.3, 1.6, 5, 1, 3, 800]]).data), Array.from(run.head.transform([[13, 2, 2.4, 19, 100, 2.5, 2.5, 0.3, 1.6, 5, 1, 3, 800]]).data));
    // The head standardises raw rows itself.
    assert.equal(run.head.transform([[13, 2, 2.4, 19, 100, 2.5, 2.5, 0.3, 1.6, 5, 1, 3, 800]]).cols, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('data problems are reported clearly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cfg-'));
  try {
    writeFileSync(join(dir, 'one.csv'), 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n');
    await assert.rejects(runTraining(parseTrainConfig({ ...minimal, data: 'one.csv' }), { baseDir: dir }), /1 class; similarity learning needs at least 2/);
    await assert.rejects(runTraining(parseTrainConfig({ ...minimal, data: 'missing.csv' }), { baseDir: dir }), /missing.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what the config asks of the loss, miner, sampler, optimizer and split is a ConfigError naming the entry; data problems are not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cfg-'));
  try {
    const rows = Array.from({ length: 24 }, (_, i) => `${i % 3 + i / 100},${(i * 7) % 5},${i % 3}`);
    writeFileSync(join(dir, 'd.csv'), `a,b,label\n${rows.join('\n')}\n`);
    const base = { ...minimal, data: 'd.csv', head: { hidden: [4], output: 2 }, sampler: { name: 'm-per-class', m: 2, batchSize: 6 } };
    const run = (over: Record<string, unknown>, onWarning?: (m: string) => void) => runTraining(parseTrainConfig({ ...base, ...over }), { baseDir: dir, onWarning });
    const configError = async (over: Record<string, unknown>, re: RegExp) => {
      await assert.rejects(run(over), (e: Error) => e instanceof ConfigError && re.test(e.message), `${JSON.stringify(over)} → ${re}`);
    };
    await configError({ loss: { name: 'nope' } }, /^loss: unknown name "nope"/);
    await configError({ loss: { name: 'contrastive', posMargin: 'x' } }, /^loss: contrastive: .*posMargin/);
    await configError({ miner: { name: 'nope' } }, /^miner: unknown name "nope"/);
    await configError({ sampler: { name: 'nope' } }, /^sampler: unknown name "nope"/);
    await configError({ sampler: { name: 'm-per-class', m: 0, batchSize: 6 } }, /^sampler: MPerClassSampler: option m must be a positive integer/);
    await configError({ sampler: { name: 'pxk', p: 5, k: 2 } }, /^sampler: PxKSampler: P x K = 5 x 2 cannot be met/);
    await configError({ optimizer: { name: 'sgd', lr: 0.1, beta1: 0.9 } }, /^optimizer sgd: option beta1 belongs to adam\/adamw/);
    await configError({ split: { test: 0.05 } }, /^split: with 3 classes both parts need at least 3 rows \(2 in the validation part, 22 in the training part\); set split\.test above 0\.0833 and at most 0\.875/);
    // One class is the data's problem, not the config's.
    writeFileSync(join(dir, 'one.csv'), 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n');
    await assert.rejects(run({ data: 'one.csv' }), (e: Error) => !(e instanceof ConfigError) && /1 class/.test(e.message));
    // Settings the sampler clips are reported as warnings, and training goes on.
    const warnings: string[] = [];
    const r = await run({ sampler: { name: 'm-per-class', m: 50, batchSize: 6 } }, (m) => warnings.push(m));
    assert.ok(r.training.final);
    assert.match(warnings.join('\n'), /sampler m-per-class: m = 50 but the largest class has \d+ samples/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
