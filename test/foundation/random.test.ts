import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, toRandom, checkSeed, MAX_SEED } from '../../src/random.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const xa = Array.from({ length: 10 }, () => a.nextUint32());
  const xb = Array.from({ length: 10 }, () => b.nextUint32());
  const xc = Array.from({ length: 10 }, () => c.nextUint32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('the stream is pinned (cross-platform reproducibility)', () => {
  // Recorded once; a change to the generator or its seeding would silently change every seeded experiment.
  const r = new Random(0);
  assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32()], [1292791899, 1284423797, 2013314966]);
  assert.equal(new Random(1).next(), 0.5743167412573879);
});

test('next() is uniform in [0, 1): mean and variance within sampling error', () => {
  const r = new Random(7);
  const n = 200000;
  let s = 0, s2 = 0, min = 1, max = 0;
  for (let i = 0; i < n; i++) {
    const v = r.next();
    s += v; s2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / n, variance = s2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
  assert.ok(min >= 0 && max < 1);
});

test('normal() has mean 0 and variance 1 within sampling error', () => {
  const r = new Random(3);
  const n = 200000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
});

test('int(n) covers every value without bias', () => {
  const r = new Random(5);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70000; i++) counts[r.int(7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `count ${c}`);
  assert.throws(() => r.int(0), /positive integer/);
});

test('permutation and sample give distinct values in range', () => {
  const r = new Random(9);
  const p = Array.from(r.permutation(50)).sort((a, b) => a - b);
  assert.deepEqual(p, Array.from({ length: 50 }, (_, i) => i));
  const s = Array.from(r.sample(1000, 20));
  assert.equal(new Set(s).size, 20);
  assert.ok(s.every((v) => v >= 0 && v < 1000));
  assert.throws(() => r.sample(3, 4), /cannot draw 4/);
});

test('seed must be finite', () => {
  assert.throws(() => new Random(NaN), /finite/);
});

test('toRandom takes seeds in 0..2^32 − 1 only: others would be truncated or wrap onto another seed', () => {
  assert.equal(toRandom(0).next(), new Random(0).next());
  assert.equal(toRandom(MAX_SEED).next(), new Random(MAX_SEED).next());
  assert.equal(toRandom(undefined).next(), new Random(0).next());
  const r = new Random(5);
  assert.equal(toRandom(r), r);
  // 2^32 reads as 0, −1 as 2^32 − 1 and 1.5 as 1 in the generator's 32 bits.
  for (const bad of [2 ** 32, -1, 1.5, NaN, Infinity]) assert.throws(() => toRandom(bad), /seed must be an integer in 0\.\.4294967295/, String(bad));
  assert.throws(() => toRandom('3' as never), /seed must be an integer .*got "3"/);
  assert.throws(() => checkSeed(-1, 'lmnn: seed'), /^RangeError: lmnn: seed must be an integer/);
});
