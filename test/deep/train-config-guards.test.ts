/**
 * Training configurations that used to run to exit 0 having learned nothing, or failed with
 * messages in terms of internal class codes and function options: each is now refused (or
 * flagged) up front, in the config's own terms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainConfig, ConfigError } from '../../src/deep/config.js';
import { buildLoss, buildSampler } from '../../src/deep/build.js';
import { runTraining, trainingWarnings, checkOutputPath } from '../../src/deep/pipeline.js';
import { ContrastiveLoss } from '../../src/deep/losses/contrastive.js';
import { MarginLoss } from '../../src/deep/losses/margin.js';
import { CrossBatchMemory } from '../../src/deep/losses/cross-batch-memory.js';
import { lossByName } from '../../src/deep/losses/by-name.js';
import { trainTestSplit } from '../../src/preprocessing/split.js';
import type { EpochLog, TrainResult } from '../../src/deep/trainer.js';
import { DATA } from '../helpers.js';

const minimal = { data: 'x.csv', loss: { name: 'contrastive' }, optimizer: { name: 'adam', lr: 0.001 }, epochs: 2 };
const ctx = { numClasses: 3, embeddingSize: 4, seed: 0 };

const configIssue = (v: unknown, re: RegExp) =>
  assert.throws(() => parseTrainConfig(v, 'cfg.json'), (e: Error) => e instanceof ConfigError && re.test(e.message), String(re));

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-guards-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** A CSV of well-separated blobs: `sizes[c]` rows of class `labels[c]`. */
function blobsCsv(path: string, labels: (string | number)[], sizes: number[]): void {
  const rows: string[] = [];
  labels.forEach((lab, c) => {
    for (let i = 0; i < sizes[c]; i++) rows.push(`${c * 5 + (i % 3) * 0.1},${-c * 3 + (i % 4) * 0.1},${typeof lab === 'string' ? lab : String(lab)}`);
  });
  writeFileSync(path, `a,b,label\n${rows.join('\n')}\n`);
}

test('contrastive with a similarity and the distance defaults is refused, naming pytorch-metric-learning\'s setting', () => {
  for (const distance of ['cosine', 'dot']) {
    assert.throws(() => buildLoss({ name: 'contrastive', distance }, ctx), (e: Error) => e instanceof RangeError
      && /contrastive: with the (cosine|dot) similarity .*defaults posMargin 0 and negMargin 1, meant for distances, would make every negative pair cost nothing( once s ≤ 1)?; set posMargin 1 and negMargin 0/.test(e.message), distance);
    // PML's own setting for a similarity is accepted.
    assert.ok(buildLoss({ name: 'contrastive', distance, posMargin: 1, negMargin: 0 }, { ...ctx, normalized: true }) instanceof ContrastiveLoss);
  }
  // One margin given, the other left at its distance default.
  assert.throws(() => new ContrastiveLoss({ distance: 'cosine', posMargin: 0.5 }), /posMargin must be above negMargin .*negMargin 1 \(the default, meant for distances\)/);
  // Bounded similarity: a negMargin of 1 or more can never be exceeded.
  assert.throws(() => new ContrastiveLoss({ distance: 'cosine', posMargin: 1.5, negMargin: 1 }), /at most 1 here, negMargin 1 makes every negative pair cost nothing/);
  // A dot product is bounded only when the head normalises its output.
  assert.ok(buildLoss({ name: 'contrastive', distance: 'dot', posMargin: 1.5, negMargin: 1 }, { ...ctx, normalized: false }));
  assert.throws(() => buildLoss({ name: 'contrastive', distance: 'dot', posMargin: 1.5, negMargin: 1 }, { ...ctx, normalized: true }), /at most 1 since head\.normalize is true.*negMargin 1 makes every negative pair cost nothing/);
  // With a distance: negMargin positive and above posMargin.
  assert.throws(() => new ContrastiveLoss({ negMargin: 0 }), /euclidean distance \(never negative\) negMargin 0 makes every negative pair cost nothing/);
  assert.throws(() => new ContrastiveLoss({ posMargin: 1 }), /posMargin must be below negMargin .*posMargin 1 and negMargin 1 \(the default\)/);
  assert.ok(new ContrastiveLoss({ posMargin: 0.2, negMargin: 0.8, distance: 'sqeuclidean' }));
});

test('the margin loss with a similarity and its distance defaults is refused; a similarity β or a learned β is not', () => {
  assert.throws(() => buildLoss({ name: 'margin', distance: 'cosine' }, ctx), /margin: with the cosine similarity .*beta 1\.2 \(the default\) and margin 0\.2 \(the default\) make every negative pair cost nothing; set beta to a similarity between −1 \+ margin and 1 − margin \(e\.g\. 0\.5\)/);
  assert.ok(buildLoss({ name: 'margin', distance: 'cosine', beta: 0.5 }, ctx) instanceof MarginLoss);
  assert.ok(buildLoss({ name: 'margin', distance: 'cosine', learnBeta: true }, ctx) instanceof MarginLoss);
  assert.throws(() => buildLoss({ name: 'margin', distance: 'dot' }, { ...ctx, normalized: true }), /margin: with the dot similarity .*since head\.normalize is true.*beta 1\.2 \(the default\)/);
  assert.ok(buildLoss({ name: 'margin', distance: 'dot' }, { ...ctx, normalized: false }));
  assert.throws(() => new MarginLoss({ beta: -0.5, margin: 0.2 }), /euclidean distance \(never negative\) negative pairs pay .*beta -0\.5 and margin 0\.2 make every negative pair cost nothing/);
});

test('a triplet-margin margin ≤ 0 is refused (the hinge is then vacuous); the soft margin takes 0', () => {
  assert.throws(() => buildLoss({ name: 'triplet-margin', margin: -1 }, ctx), /^RangeError: triplet-margin: option margin must be positive, got -1: .*even misordered triplets cost nothing/);
  assert.throws(() => buildLoss({ name: 'triplet', margin: 0 }, ctx), /option margin must be positive, got 0/);
  // Wrapped in cross-batch memory too.
  assert.throws(() => buildLoss({ name: 'xbm', loss: { name: 'triplet-margin', options: { margin: -0.1 } } }, ctx), /triplet-margin: option margin must be positive/);
  assert.ok(buildLoss({ name: 'triplet-margin', margin: 0, smooth: true }, ctx));
  assert.ok(lossByName('triplet-margin', { margin: 0.05 }));
});

test('option-type errors quote a string value ("0.2", not 0.2)', () => {
  assert.throws(() => buildLoss({ name: 'triplet-margin', margin: '0.2' }, ctx), /option margin must be a finite number, got "0\.2"/);
  assert.throws(() => buildLoss({ name: 'contrastive', posMargin: '0' }, ctx), /option posMargin must be a finite number, got "0"/);
  assert.throws(() => buildLoss({ name: 'xbm', loss: 'contrastive', memorySize: '512' }, ctx), /memorySize must be a positive integer, got "512"/);
  assert.throws(() => buildSampler({ name: 'm-per-class', m: '4' }, Int32Array.from([0, 0, 1, 1]), 0), /option m must be a positive integer, got "4"/);
});

test('head.output 1 with head.normalize is a config error naming both keys', () => {
  configIssue({ ...minimal, head: { output: 1 } }, /head\.output: with head\.normalize true an embedding of size 1 is always \+1 or −1.*set head\.output to 2 or more .*or head\.normalize to false/);
  assert.equal(parseTrainConfig({ ...minimal, head: { output: 1, normalize: false } }).head.output, 1);
});

test('validation together with split is a config error, as other ignored keys are', () => {
  configIssue({ ...minimal, validation: 'v.csv', split: { test: 0.5 } }, /split: split is ignored when a validation file is given .*remove split, or remove validation/);
  assert.equal(parseTrainConfig({ ...minimal, validation: 'v.csv' }).validation, 'v.csv');
});

test('score-regression cannot learn from class labels: a config error naming the library route', () => {
  configIssue({ ...minimal, loss: { name: 'score-regression', scores: [0.1, 0.2] } }, /loss\.name: the score-regression loss learns from scored pairs \(a, b, score\), but train reads one class label per row; train it through the library API \(simlearn's fromScoredPairs/);
  configIssue({ ...minimal, loss: { name: 'xbm', loss: 'cosine-similarity' } }, /loss\.loss: the cosine-similarity loss learns from scored pairs/);
});

test('.npy data is refused up front, naming the formats that carry labels', async () => {
  configIssue({ ...minimal, data: 'dig.npy' }, /data: dig\.npy is \.npy, which holds features only, so it gives no class labels .*CSV\/TSV file with a label column .*JSON Lines with a "label" field/);
  configIssue({ ...minimal, validation: 'val.npy' }, /validation: val\.npy is \.npy/);
  // --data (RunOptions.data) bypasses the config check: the pipeline says the same, before reading.
  await withDir(async (dir) => {
    blobsCsv(join(dir, 'd.csv'), [0, 1, 2], [8, 8, 8]);
    const config = parseTrainConfig({ ...minimal, data: 'd.csv' });
    await assert.rejects(runTraining(config, { baseDir: dir, data: join(dir, 'missing.npy') }), /missing\.npy is \.npy, which holds features only.*JSON Lines with a "label" field/);
  });
});

test('cross-batch memory fills in the class count for the loss it wraps', () => {
  const xbm = buildLoss({ name: 'xbm', loss: { name: 'margin', options: { learnBeta: true } } }, ctx) as CrossBatchMemory;
  assert.equal((xbm.loss as MarginLoss).beta.value.length, 3, 'one β per class');
  const named = buildLoss({ name: 'cross-batch-memory', loss: 'contrastive', memorySize: 64 }, ctx) as CrossBatchMemory;
  assert.equal(named.loss.name, 'contrastive');
  // ArcFace gets its class count, and is then refused for what it is: it takes no reference set.
  assert.throws(() => buildLoss({ name: 'xbm', loss: 'arcface' }, ctx), (e: Error) => /the arcface loss takes no reference set/.test(e.message) && !/numClasses/.test(e.message));
});

test('split messages name the user\'s labels and the config\'s keys', async () => {
  await withDir(async (dir) => {
    const run = (over: Record<string, unknown>) => runTraining(parseTrainConfig({ ...minimal, head: { hidden: [4], output: 2 }, sampler: { name: 'm-per-class', m: 2, batchSize: 6 }, ...over }), { baseDir: dir });
    const configError = (over: Record<string, unknown>, re: RegExp) => assert.rejects(run(over), (e: Error) => e instanceof ConfigError && re.test(e.message), String(re));
    // Singleton labels 102 and 103 are codes 3 and 4 internally.
    blobsCsv(join(dir, 'single.csv'), [0, 1, 2, 102, 103], [6, 6, 6, 1, 1]);
    await configError({ data: 'single.csv' }, /^split: class 102 has only 1 row \(2 classes have 1 row: 102, 103\); a stratified split needs at least 2 per class \(drop those classes or set split\.stratify to false\)/);
    blobsCsv(join(dir, 'mixed.csv'), [0, 1, 2, 'x'], [6, 6, 6, 1]);
    await configError({ data: 'mixed.csv' }, /^split: class "x" has only 1 row; .*set split\.stratify to false/);
    blobsCsv(join(dir, 'tiny.csv'), ['a', 'b', 'c'], [2, 2, 2]);
    await configError({ data: 'tiny.csv' }, /^split: with 3 classes both parts need at least 3 rows \(2 in the validation part, 4 in the training part\); set split\.test above 0\.3333 and at most 0\.5/);
    // A validation part with no class twice cannot be scored: said in terms of split.test.
    await configError({ data: 'tiny.csv', split: { test: 0.5 } }, /^split\.test: the validation part \(3 of 6 rows with split\.test 0\.5\) has no class with 2 or more rows, .*raise split\.test, give more rows per class/);
  });
  // The library function keeps its own names by default.
  assert.throws(() => trainTestSplit([0, 0, 1, 1, 2, 2], { testSize: 0.3, stratify: true }), /^RangeError: trainTestSplit: .*\(2 in the test part, 4 in the train part\); change testSize$/);
});

test('a validation file with no class twice is a data error naming the file', async () => {
  await withDir(async (dir) => {
    blobsCsv(join(dir, 'd.csv'), [0, 1, 2], [8, 8, 8]);
    blobsCsv(join(dir, 'v.csv'), [0, 1, 2], [1, 1, 1]);
    const config = parseTrainConfig({ ...minimal, data: 'd.csv', validation: 'v.csv', head: { hidden: [4], output: 2 }, sampler: { name: 'm-per-class', m: 2, batchSize: 6 } });
    await assert.rejects(runTraining(config, { baseDir: dir }), (e: Error) => !(e instanceof ConfigError) && /^v\.csv: the validation file \(3 rows\) has no class with 2 or more rows/.test(e.message));
  });
});

test('P x K messages name the user\'s label and say they count the training part', async () => {
  await withDir(async (dir) => {
    blobsCsv(join(dir, 'str.csv'), ['cls_0', 'cls_3', 'cls_7'], [12, 12, 3]);
    const config = parseTrainConfig({ ...minimal, data: 'str.csv', loss: { name: 'triplet-margin' }, sampler: { name: 'pxk', p: 2, k: 4 } });
    await assert.rejects(runTraining(config, { baseDir: dir }), (e: Error) => e instanceof ConfigError
      && /^sampler: PxKSampler: 1 class\(es\) of the training part have fewer than K = 4 samples \(e\.g\. label "cls_7" has 2 there\)/.test(e.message), 'pxk');
    const p = parseTrainConfig({ ...minimal, data: 'str.csv', loss: { name: 'triplet-margin' }, sampler: { name: 'pxk', p: 4, k: 2 } });
    await assert.rejects(runTraining(p, { baseDir: dir }), /only 3 class\(es\) exist in the training part/);
  });
});

test('an unwritable checkpoint fails before training', async () => {
  await withDir(async (dir) => {
    blobsCsv(join(dir, 'd.csv'), [0, 1, 2], [8, 8, 8]);
    const epochs: number[] = [];
    const config = parseTrainConfig({ ...minimal, data: 'd.csv', checkpoint: 'no-such-dir/ck.simlearn', head: { hidden: [4], output: 2 }, sampler: { name: 'm-per-class', m: 2, batchSize: 6 } });
    await assert.rejects(runTraining(config, { baseDir: dir, onEpoch: (l) => epochs.push(l.epoch) }), /^Error: checkpoint: cannot write .*no-such-dir\/ck\.simlearn: no directory .*no-such-dir \(does the directory exist\?\); create it or write elsewhere \(checked before training/);
    assert.deepEqual(epochs, [], 'no epoch ran');
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => checkOutputPath(join(dir, 'file', 'h.simlearn'), '--out'), /--out: cannot write .*not a directory/);
    assert.throws(() => checkOutputPath(dir, '--out'), /is a directory; give a file name/);
    checkOutputPath(join(dir, 'h.simlearn'), '--out');
  });
});

test('a run whose loss is never active, and that ends no better than untrained, is flagged', async () => {
  // The "easy" triplets are those the margin already satisfies: the triplet loss is 0 in every batch.
  const config = parseTrainConfig({
    data: join(DATA, 'wine.csv'), head: { hidden: [8], output: 4 }, loss: { name: 'triplet-margin' },
    miner: { name: 'triplet-margin', type: 'easy' }, sampler: { name: 'm-per-class', m: 4, batchSize: 32 },
    optimizer: { name: 'adam', lr: 0.01 }, epochs: 3,
  });
  const warnings: string[] = [];
  const run = await runTraining(config, { baseDir: DATA, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(run.training.history.map((h) => h.activeTerms), [0, 0, 0]);
  assert.match(warnings.join('\n'), /no loss term was active in any epoch \(1–3\): the triplet-margin loss was 0 in every batch, so the head was not trained at all; the triplet-margin miner may pick only tuples the loss already satisfies/);
  assert.match(warnings.join('\n'), /validation mapAtR 0\.\d{4} after training is not above the untrained head's 0\.\d{4}/);
});

test('trainingWarnings: partial idle epochs are listed as ranges; an improved run gives none', () => {
  const log = (epoch: number, activeTerms: number | undefined): EpochLog => ({ epoch, loss: 0, seconds: 0, cpuSeconds: 0, lr: 0.1, phases: { batch: 0, forward: 0, mine: 0, loss: 0, backward: 0, step: 0 }, activeTerms });
  const result = (history: EpochLog[], mapAtR: number): TrainResult => ({ history, best: null, final: { mapAtR, precisionAt1: 0.5, rPrecision: 0.5 }, epochsRun: history.length, stoppedEarly: false, epochSeconds: 0, epochCpuSeconds: 0 });
  const untrained = { mapAtR: 0.3, precisionAt1: 0.5, rPrecision: 0.5 };
  const cfg = { monitor: 'mapAtR' as const, miner: null, loss: { name: 'contrastive' } };
  const w = trainingWarnings(result([log(1, 5), log(2, 0), log(3, 0), log(4, 7), log(5, 0)], 0.6), untrained, cfg);
  assert.equal(w.length, 1);
  assert.match(w[0], /no loss term was active in epochs 2–3, 5: .*so those epochs trained nothing; check the loss's margins/);
  assert.deepEqual(trainingWarnings(result([log(1, 5), log(2, undefined)], 0.6), untrained, cfg), []);
  assert.match(trainingWarnings(result([log(1, 5)], 0.3), untrained, cfg).join(), /validation mapAtR 0\.3000 after training is not above the untrained head's 0\.3000/);
});

test('optimizer.lossLr: the loss\'s own parameters take their own learning rate; a loss without parameters refuses it', async () => {
  // Adam's first step moves every weight by its learning rate against the gradient's sign, so
  // after one step the class weights moved by lossLr and the head's weights by lr.
  const { Adam } = await import('../../src/deep/optim/adam.js');
  const { SGD } = await import('../../src/deep/optim/sgd.js');
  const head = { name: 'w', value: Float32Array.of(1, 1), grad: Float32Array.of(0.5, -0.5), shape: [2] };
  const proxies = { name: 'p', value: Float32Array.of(1, 1), grad: Float32Array.of(0.5, -0.5), shape: [2], lrScale: 20 };
  new Adam([head, proxies], { lr: 1e-3 }).step();
  assert.ok(Math.abs(head.value[0] - 0.999) < 1e-6 && Math.abs(head.value[1] - 1.001) < 1e-6, String(head.value));
  assert.ok(Math.abs(proxies.value[0] - 0.98) < 1e-6 && Math.abs(proxies.value[1] - 1.02) < 1e-6, String(proxies.value));
  const q = { name: 'q', value: Float32Array.of(0), grad: Float32Array.of(1), shape: [1], lrScale: 4 };
  new SGD([q], { lr: 0.1 }).step();
  assert.ok(Math.abs(q.value[0] + 0.4) < 1e-7, String(q.value));
  await withDir(async (dir) => {
    blobsCsv(join(dir, 'x.csv'), [0, 1, 2], [12, 12, 12]);
    const base = { ...minimal, head: { hidden: [4], output: 3 }, sampler: { name: 'm-per-class', m: 4, batchSize: 12 }, epochs: 1 };
    await assert.rejects(runTraining(parseTrainConfig({ ...base, optimizer: { name: 'adam', lr: 0.001, lossLr: 0.01 } }), { baseDir: dir }),
      (e: Error) => e instanceof ConfigError && /^optimizer\.lossLr: the contrastive loss has no parameters of its own/.test(e.message));
    // Through the config: the class weights now move ten times as fast, so the loss differs.
    const lossAfter = async (optimizer: Record<string, unknown>) => (await runTraining(parseTrainConfig({ ...base, epochs: 3, loss: { name: 'arcface' }, optimizer }), { baseDir: dir })).training.history.map((h) => h.loss);
    const same = await lossAfter({ name: 'adam', lr: 0.001 });
    const fast = await lossAfter({ name: 'adam', lr: 0.001, lossLr: 0.01 });
    assert.ok(fast.every(Number.isFinite) && fast[2] < same[2], `losses ${fast} against ${same}`);
  });
});
