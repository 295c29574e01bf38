import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MPerClassSampler, PairBatchSampler, PxKSampler } from '../../src/deep/samplers/index.js';
import { DATA } from '../helpers.js';

function labelsFrom(counts: number[]): Int32Array {
  const out: number[] = [];
  counts.forEach((c, k) => { for (let i = 0; i < c; i++) out.push(k); });
  return Int32Array.from(out);
}

function classCounts(batch: Int32Array, labels: Int32Array): Map<number, number> {
  const m = new Map<number, number>();
  for (const i of batch) m.set(labels[i], (m.get(labels[i]) ?? 0) + 1);
  return m;
}

test('PxK (labels epoch): P distinct classes x K distinct samples, every class once per epoch', () => {
  const labels = labelsFrom([10, 12, 9, 15, 8, 11, 10]);
  const s = new PxKSampler(labels, { p: 3, k: 4, seed: 5 });
  const batches = s.epoch(0);
  assert.equal(batches.length, 3); // ceil(7 / 3)
  assert.equal(s.batchesPerEpoch, 3);
  const seen = new Set<number>();
  for (const b of batches) {
    assert.equal(b.length, 12);
    assert.equal(new Set(b).size, 12, 'no repeated sample inside a batch');
    const cc = classCounts(b, labels);
    assert.equal(cc.size, 3);
    for (const [c, k] of cc) { assert.equal(k, 4); seen.add(c); }
  }
  assert.equal(seen.size, 7, 'every class appears in the epoch');
});

test('PxK is deterministic per (seed, epoch) and differs across epochs and seeds', () => {
  const labels = labelsFrom([10, 12, 9, 15, 8, 11]);
  const a = new PxKSampler(labels, { p: 2, k: 3, seed: 1 });
  const b = new PxKSampler(labels, { p: 2, k: 3, seed: 1 });
  assert.deepEqual(a.epoch(3).map((x) => Array.from(x)), b.epoch(3).map((x) => Array.from(x)));
  assert.deepEqual(a.epoch(3).map((x) => Array.from(x)), a.epoch(3).map((x) => Array.from(x)), 'replaying an epoch gives the same batches');
  assert.notDeepEqual(a.epoch(0).map((x) => Array.from(x)), a.epoch(1).map((x) => Array.from(x)));
  const c = new PxKSampler(labels, { p: 2, k: 3, seed: 2 });
  assert.notDeepEqual(a.epoch(0).map((x) => Array.from(x)), c.epoch(0).map((x) => Array.from(x)));
});

test('PxK (samples epoch): about every sample once', () => {
  const labels = labelsFrom([40, 36, 44, 40, 40]);
  const s = new PxKSampler(labels, { p: 4, k: 5, seed: 9, epoch: 'samples' });
  const batches = s.epoch(0);
  assert.equal(batches.length, Math.ceil(200 / 20));
  const seen = new Set<number>();
  for (const b of batches) {
    const cc = classCounts(b, labels);
    assert.equal(cc.size, 4);
    for (const k of cc.values()) assert.equal(k, 5);
    for (const i of b) seen.add(i);
  }
  // 200 draws over 200 samples, each class dealt from a shuffled deck: coverage close to all.
  assert.ok(seen.size >= 180, `covered ${seen.size} of 200`);
});

test('PxK errors name the maximum; small classes replace or skip on request', () => {
  const labels = labelsFrom([10, 3, 10, 10]);
  assert.throws(() => new PxKSampler(labels, { p: 2, k: 4 }), /fewer than K = 4 samples \(e\.g\. label 1 has 3\); the maximum K for every class is 3.*smallClasses/);
  assert.throws(() => new PxKSampler(labels, { p: 5, k: 2 }), /P x K = 5 x 2 cannot be met.*only 4 class\(es\).*maximum P is 4/);
  assert.throws(() => new PxKSampler(labels, { p: 4, k: 4, smallClasses: 'skip' }), /only 3 class\(es\) with at least K = 4 samples exist; the maximum P is 3/);
  const rep = new PxKSampler(labels, { p: 4, k: 4, smallClasses: 'replace', seed: 1 });
  for (const b of rep.epoch(0)) {
    const small = Array.from(b).filter((i) => labels[i] === 1);
    assert.equal(small.length, 4);
    assert.equal(new Set(small).size, 3, 'all 3 samples of the small class, one repeated');
  }
  const skip = new PxKSampler(labels, { p: 3, k: 4, smallClasses: 'skip' });
  for (const b of skip.epoch(0)) assert.ok(Array.from(b).every((i) => labels[i] !== 1));
  assert.throws(() => new PxKSampler(labels, { p: 0, k: 2 }), /option p must be a positive integer/);
  assert.throws(() => new PxKSampler(labels, { p: 2, k: 2, epoch: 'rows' as never }), /epoch must be 'labels' or 'samples'/);
  assert.throws(() => new PxKSampler(new Int32Array(0), { p: 1, k: 1 }), /labels is empty/);
});

test('m-per-class reproduces the digits protocol of record: 1200 samples = 9 x 128 + 48, groups of 8', () => {
  // Training labels of digits: the class column of data/digits.csv (10 classes).
  const lines = readFileSync(join(DATA, 'digits.csv'), 'utf8').trim().split('\n').slice(1);
  const labels = Int32Array.from(lines.map((l) => Number(l.slice(l.lastIndexOf(',') + 1))));
  const s = new MPerClassSampler(labels, { m: 8, batchSize: 128, epochSize: 1200, seed: 0 });
  const batches = s.epoch(0);
  assert.deepEqual(batches.map((b) => b.length), [128, 128, 128, 128, 128, 128, 128, 128, 128, 48]);
  const flat = batches.flatMap((b) => Array.from(b));
  // Consecutive groups of 8 share a class, and every pass of 80 holds each class exactly once.
  for (let g = 0; g < 150; g++) {
    const grp = flat.slice(g * 8, g * 8 + 8);
    assert.equal(new Set(grp.map((i) => labels[i])).size, 1);
    assert.equal(new Set(grp).size, 8, 'distinct samples inside a group');
  }
  for (let p = 0; p < 15; p++) assert.equal(new Set(flat.slice(p * 80, p * 80 + 80).map((i) => labels[i])).size, 10);
  // A batch straddles passes, so some class appears in two groups of one batch.
  assert.ok(batches.some((b) => [...classCounts(b, labels).values()].some((c) => c === 16)));
  assert.deepEqual(s.epoch(4).map((b) => Array.from(b)), new MPerClassSampler(labels, { m: 8, batchSize: 128, epochSize: 1200, seed: 0 }).epoch(4).map((b) => Array.from(b)));
});

test('m-per-class: epoch size rounding and small classes (PML rules)', () => {
  const labels = labelsFrom([5, 20, 20]);
  // One pass = 3 classes x 4 = 12; 50 rounds down to 48.
  const s = new MPerClassSampler(labels, { m: 4, batchSize: 10, epochSize: 50 });
  assert.equal(s.epochSize, 48);
  assert.deepEqual(s.epoch(0).map((b) => b.length), [10, 10, 10, 10, 8]);
  // m larger than a class: repeats (all 5 samples plus repeats).
  const big = new MPerClassSampler(labels, { m: 8, batchSize: 24, epochSize: 24 });
  const b = big.epoch(0)[0];
  const small = Array.from(b).filter((i) => labels[i] === 0);
  assert.equal(small.length, 8);
  assert.equal(new Set(small).size, 5);
  // Smaller than one pass: the first epochSize entries of one pass.
  assert.deepEqual(new MPerClassSampler(labels, { m: 4, batchSize: 4, epochSize: 6 }).epoch(0).map((x) => x.length), [4, 2]);
  assert.throws(() => new MPerClassSampler(labels, { m: 0, batchSize: 4 }), /option m must be a positive integer/);
});

test('m-per-class warns of settings the labels clip: m above every class, a pass or a batch longer than the epoch', () => {
  const labels = labelsFrom([7, 7, 7]);
  assert.deepEqual(new MPerClassSampler(labels, { m: 4, batchSize: 12 }).warnings, []);
  const bigM = new MPerClassSampler(labels, { m: 50, batchSize: 12, epochSize: 60 }).warnings;
  assert.equal(bigM.length, 2, bigM.join('\n'));
  assert.match(bigM[0], /m = 50 but the largest class has 7 samples.*use m ≤ 7/);
  assert.match(bigM[1], /one pass \(m = 50 samples x 3 classes = 150\) is longer than the epoch \(60 samples\)/);
  const bigBatch = new MPerClassSampler(labels, { m: 4, batchSize: 1000 });
  // The epoch is the 21 rows rounded down to whole passes of 4 x 3.
  assert.deepEqual(bigBatch.warnings, ['batchSize 1000 is larger than the epoch (12 samples), so each epoch is one batch of 12']);
  assert.deepEqual(bigBatch.epoch(0).map((b) => b.length), [12]);
});

test('samplers refuse seeds that the generator would wrap', () => {
  const labels = labelsFrom([4, 4]);
  for (const seed of [-1, 1.5, 2 ** 32]) {
    assert.throws(() => new MPerClassSampler(labels, { m: 2, batchSize: 4, seed }), /MPerClassSampler: seed must be an integer in 0\.\.4294967295/);
    assert.throws(() => new PxKSampler(labels, { p: 2, k: 2, seed }), /PxKSampler: seed must be an integer/);
    assert.throws(() => new PairBatchSampler(4, { pairsPerBatch: 2, seed }), /PairBatchSampler: seed must be an integer/);
  }
  assert.equal(new MPerClassSampler(labels, { m: 2, batchSize: 4, seed: 2 ** 32 - 1 }).seed, 2 ** 32 - 1);
});

test('pair batches keep both rows of each pair together', () => {
  const s = new PairBatchSampler(7, { pairsPerBatch: 3, seed: 2 });
  const batches = s.epoch(0);
  assert.deepEqual(batches.map((b) => b.length), [6, 6, 2]);
  const firsts = new Set<number>();
  for (const b of batches) {
    const h = b.length / 2;
    for (let i = 0; i < h; i++) { assert.equal(b[h + i], b[i] + 7); firsts.add(b[i]); }
  }
  assert.equal(firsts.size, 7);
});
