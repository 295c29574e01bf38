/**
 * The triplet-margin miner's cap (maxTriplets): above it a clear error, below it the exact mined
 * set in brute-force order, whichever internal path (candidates fit / counted first) ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { DEFAULT_MAX_TRIPLETS, TripletMarginMiner, type TripletType } from '../../src/deep/miners/triplet-margin.js';
import { distanceByName } from '../../src/deep/distances/index.js';
import type { MinedTuples, Reference } from '../../src/deep/types.js';
import { randomEmbeddings } from './similarity-helpers.js';

interface Triplets {
  anchors: Int32Array;
  positives: Int32Array;
  negatives: Int32Array;
}

function triplets(t: MinedTuples): Triplets {
  assert.equal(t.kind, 'triplets');
  if (t.kind !== 'triplets') throw new Error('unreachable');
  return t;
}

/** Every kept triplet in (anchor, positive, negative) loop order, with the miner's window test. */
function brute(E: Matrix<Float32Array>, R: Matrix<Float32Array>, L: Int32Array, RL: Int32Array, self: (i: number) => number, distance: string, type: TripletType, margin: number): Triplets {
  const dist = distanceByName(distance);
  const M = dist.pairwise(E.data, E.rows, R.data, R.rows, E.cols);
  const m = R.rows;
  const u = (i: number, j: number): number => (dist.largerIsCloser ? -M[i * m + j] : M[i * m + j]);
  const A: number[] = [], P: number[] = [], N: number[] = [];
  for (let a = 0; a < E.rows; a++) for (let p = 0; p < m; p++) {
    if (p === self(a) || RL[p] !== L[a]) continue;
    for (let n = 0; n < m; n++) {
      if (RL[n] === L[a]) continue;
      const an = u(a, n), ap = u(a, p);
      const ok = type === 'easy' ? an > ap + margin : type === 'semihard' ? an > ap + 0 && an <= ap + margin : type === 'hard' ? an <= ap + Math.min(0, margin) : an <= ap + margin;
      if (ok) { A.push(a); P.push(p); N.push(n); }
    }
  }
  return { anchors: Int32Array.from(A), positives: Int32Array.from(P), negatives: Int32Array.from(N) };
}

function sameTriplets(got: Triplets, want: Triplets, what: string): void {
  assert.deepEqual(got.anchors, want.anchors, `${what}: anchors`);
  assert.deepEqual(got.positives, want.positives, `${what}: positives`);
  assert.deepEqual(got.negatives, want.negatives, `${what}: negatives`);
  // Exact-size arrays: no oversized buffer behind a view.
  for (const a of [got.anchors, got.positives, got.negatives]) assert.equal(a.buffer.byteLength, a.length * 4, `${what}: exact-size array`);
}

function labelsBy(n: number, classes: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i % classes);
}

test('triplet-margin miner: a batch above maxTriplets throws a RangeError naming the option, the batch and the fixes', () => {
  // 40 rows in 4 classes: 40 x 9 positives x 30 negatives = 10,800 candidates, nearly all within a large margin.
  const E = randomEmbeddings(40, 3, 11, 0.05);
  const L = labelsBy(40, 4);
  const miner = new TripletMarginMiner({ type: 'all', margin: 1, maxTriplets: 1000 });
  const total = triplets(new TripletMarginMiner({ type: 'all', margin: 1, maxTriplets: Infinity }).mine(E, L)).anchors.length;
  assert.ok(total > 1000, `the batch must exceed the cap (has ${total})`);
  assert.throws(() => miner.mine(E, L), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    const msg = (e as Error).message;
    assert.match(msg, /^triplet-margin miner: this batch of 40 rows has /);
    assert.ok(msg.includes(`${total.toLocaleString('en-US')} 'all' triplets`), msg);
    assert.match(msg, /more than maxTriplets = 1,000/);
    assert.match(msg, /smaller batch/);
    assert.match(msg, /'batch-hard' miner/);
    assert.match(msg, /type 'semihard' or 'hard'/);
    assert.match(msg, /raise the miner option maxTriplets \(Infinity, or null in a config file: no cap\)/);
    return true;
  });
  // Exactly at the cap is allowed; one below refuses.
  assert.equal(triplets(new TripletMarginMiner({ type: 'all', margin: 1, maxTriplets: total }).mine(E, L)).anchors.length, total);
  assert.throws(() => new TripletMarginMiner({ type: 'all', margin: 1, maxTriplets: total - 1 }).mine(E, L), /maxTriplets/);
  // The cap applies to every type; the stricter-type hint only where it is one.
  const hard = triplets(new TripletMarginMiner({ type: 'hard', margin: 1, maxTriplets: Infinity }).mine(E, L)).anchors.length;
  assert.ok(hard > 2);
  assert.throws(() => new TripletMarginMiner({ type: 'hard', margin: 1, maxTriplets: hard - 1 }).mine(E, L), (e: unknown) => {
    const msg = (e as Error).message;
    return /'hard' triplets/.test(msg) && !/type 'semihard' or 'hard'/.test(msg);
  });
});

test('triplet-margin miner: with a reference set the error names the reference rows too', () => {
  const E = randomEmbeddings(12, 3, 21, 0.05);
  const L = labelsBy(12, 2);
  const R = randomEmbeddings(30, 3, 22, 0.05);
  const reference: Reference = { embeddings: R, labels: labelsBy(30, 2) };
  assert.throws(() => new TripletMarginMiner({ margin: 1, maxTriplets: 10 }).mine(E, L, reference), /this batch of 12 rows against 30 reference rows has/);
});

test('triplet-margin miner: below the cap the triplets are unchanged, bit for bit, on both internal paths', () => {
  const r = new Random(5);
  const cases: Array<{ n: number; classes: number; d: number; scale: number }> = [
    { n: 24, classes: 4, d: 3, scale: 1 }, // few positives per anchor: linear counting
    { n: 60, classes: 2, d: 4, scale: 1 }, // 29 positives per anchor: counting by sorted negatives
    { n: 50, classes: 5, d: 2, scale: 0.3 },
  ];
  for (const { n, classes, d, scale } of cases) {
    const E = randomEmbeddings(n, d, r.int(1000), scale);
    const L = labelsBy(n, classes);
    for (const distance of ['euclidean', 'cosine', 'dot']) for (const type of ['all', 'hard', 'semihard', 'easy'] as const) {
      const margin = distance === 'euclidean' ? 0.5 : 0.2;
      const want = brute(E, E, L, L, (i) => i, distance, type, margin);
      const what = `${n} rows/${classes} classes ${distance} ${type}`;
      // Uncapped and default cap: the candidates fit, mined straight into buffers.
      sameTriplets(triplets(new TripletMarginMiner({ type, margin, distance, maxTriplets: Infinity }).mine(E, L)), want, `${what} (no cap)`);
      sameTriplets(triplets(new TripletMarginMiner({ type, margin, distance }).mine(E, L)), want, `${what} (default cap)`);
      // A cap below the candidates but at the survivors: counted first, then written at exact size.
      const T = want.anchors.length;
      sameTriplets(triplets(new TripletMarginMiner({ type, margin, distance, maxTriplets: Math.max(1, T) }).mine(E, L)), want, `${what} (cap = count)`);
      if (T > 1) assert.throws(() => new TripletMarginMiner({ type, margin, distance, maxTriplets: T - 1 }).mine(E, L), /maxTriplets/, `${what} (cap = count - 1)`);
    }
  }
});

test('triplet-margin miner: capped counting with a reference set and self indices matches brute force', () => {
  const E = randomEmbeddings(20, 3, 31);
  const L = labelsBy(20, 2);
  const R = randomEmbeddings(44, 3, 32);
  R.data.set(E.data, 4 * 3); // reference rows 4..23 are copies of the batch
  const RL = Int32Array.from({ length: 44 }, (_, j) => (j >= 4 && j < 24 ? L[j - 4] : j % 2));
  const reference: Reference = { embeddings: R, labels: RL, selfIndex: Int32Array.from({ length: 20 }, (_, i) => 4 + i) };
  const want = brute(E, R, L, RL, (i) => 4 + i, 'euclidean', 'all', 0.6);
  assert.ok(want.anchors.length > 100);
  sameTriplets(triplets(new TripletMarginMiner({ type: 'all', margin: 0.6, maxTriplets: want.anchors.length }).mine(E, L, reference)), want, 'reference, counted');
  sameTriplets(triplets(new TripletMarginMiner({ type: 'all', margin: 0.6 }).mine(E, L, reference)), want, 'reference, default');
});

test('triplet-margin miner: maxTriplets must be a positive integer or Infinity; the default is documented', () => {
  assert.equal(new TripletMarginMiner().maxTriplets, DEFAULT_MAX_TRIPLETS);
  assert.equal(DEFAULT_MAX_TRIPLETS, 5_000_000);
  assert.equal(new TripletMarginMiner({ maxTriplets: Infinity }).maxTriplets, Infinity);
  assert.equal(new TripletMarginMiner({ maxTriplets: 1 }).maxTriplets, 1);
  for (const bad of [0, -5, 1.5, Number.NaN, -Infinity, '100' as never]) {
    assert.throws(() => new TripletMarginMiner({ maxTriplets: bad }), /option maxTriplets must be a positive integer or Infinity/, String(bad));
  }
});
