import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CosineSimilarity, DotProductSimilarity, LpDistance, SquaredL2Distance, distanceByName, DISTANCE_NAMES } from '../../src/deep/distances/index.js';
import type { PreciseDistance } from '../../src/deep/distances/base.js';
import { randomEmbeddings } from './similarity-helpers.js';

function brute(name: string, a: Float32Array, na: number, b: Float32Array, nb: number, d: number): Float64Array {
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) {
    let sq = 0, dot = 0, qa = 0, qb = 0;
    for (let k = 0; k < d; k++) {
      const x = a[i * d + k], y = b[j * d + k];
      sq += (x - y) ** 2; dot += x * y; qa += x * x; qb += y * y;
    }
    out[i * nb + j] = name === 'euclidean' ? Math.sqrt(sq) : name === 'sqeuclidean' ? sq : name === 'dot' ? dot : dot / Math.sqrt(qa * qb);
  }
  return out;
}

const all: PreciseDistance[] = [new LpDistance(), new SquaredL2Distance(), new CosineSimilarity(), new DotProductSimilarity()];

test('pairwise matches a brute-force loop for every distance, float64 and float32 paths', () => {
  const a = randomEmbeddings(5, 3, 1);
  const b = randomEmbeddings(4, 3, 2);
  for (const dist of all) {
    const ref = brute(dist.name, a.data, 5, b.data, 4, 3);
    const p64 = dist.pairwise64(a.data, 5, b.data, 4, 3);
    const p32 = dist.pairwise(a.data, 5, b.data, 4, 3);
    for (let i = 0; i < ref.length; i++) {
      assert.ok(Math.abs(p64[i] - ref[i]) < 1e-12 * (1 + Math.abs(ref[i])), `${dist.name} float64 entry ${i}`);
      assert.ok(Math.abs(p32[i] - ref[i]) < 1e-5 * (1 + Math.abs(ref[i])), `${dist.name} float32 entry ${i}`);
    }
  }
});

test('largerIsCloser is declared by the distance', () => {
  assert.deepEqual(all.map((d) => d.largerIsCloser), [false, false, true, true]);
  assert.deepEqual(DISTANCE_NAMES.map((n) => distanceByName(n).name), ['euclidean', 'sqeuclidean', 'cosine', 'dot']);
  assert.throws(() => distanceByName('manhattan'), /unknown name "manhattan".*euclidean/);
});

test('same-set Euclidean: exact zero diagonal, symmetric, triangle inequality', () => {
  const a = randomEmbeddings(6, 4, 3);
  const D = new LpDistance().pairwise64(a.data, 6, a.data, 6, 4);
  for (let i = 0; i < 6; i++) {
    assert.equal(D[i * 6 + i], 0);
    for (let j = 0; j < 6; j++) {
      assert.ok(Math.abs(D[i * 6 + j] - D[j * 6 + i]) < 1e-12);
      for (let k = 0; k < 6; k++) assert.ok(D[i * 6 + k] <= D[i * 6 + j] + D[j * 6 + k] + 1e-12);
    }
  }
});

/** Checks backward against central differences of Σ G ∘ D for a random G. */
function checkBackward(dist: PreciseDistance, same: boolean): number {
  const na = 4, nb = 3, d = 3;
  const a = randomEmbeddings(na, d, 11);
  const b = same ? a : randomEmbeddings(nb, d, 12);
  const m = same ? na : nb;
  const G = Float64Array.from(randomEmbeddings(na, m, 13).data);
  const f = (): number => {
    const D = dist.pairwise64(a.data, na, b.data, m, d);
    let s = 0;
    for (let i = 0; i < D.length; i++) s += G[i] * D[i];
    return s;
  };
  const ga = new Float64Array(na * d);
  const gb = same ? ga : new Float64Array(m * d);
  dist.backward64(a.data, na, b.data, m, d, G, ga, gb);
  let err = 0;
  const h = 1e-3;
  const probe = (x: Float32Array, g: Float64Array): void => {
    for (let k = 0; k < x.length; k++) {
      const o = x[k];
      x[k] = o + h; const up = x[k]; const fp = f();
      x[k] = o - h; const dn = x[k]; const fm = f();
      x[k] = o;
      err = Math.max(err, Math.abs((fp - fm) / (up - dn) - g[k]));
    }
  };
  probe(a.data, ga);
  if (!same) probe(b.data, gb);
  return err;
}

test('backward agrees with finite differences (separate sets and a == b)', () => {
  for (const dist of all) {
    for (const same of [false, true]) {
      const err = checkBackward(dist, same);
      assert.ok(err < 1e-5, `${dist.name} same=${same}: max error ${err}`);
    }
  }
});

test('float32 backward accumulates the same gradient as the float64 one', () => {
  const a = randomEmbeddings(3, 2, 5);
  const b = randomEmbeddings(2, 2, 6);
  const G = new Float32Array([1, -2, 0.5, 3, -1, 2]);
  for (const dist of all) {
    const ga = new Float32Array(6).fill(1);
    const gb = new Float32Array(4).fill(1);
    dist.backward(a.data, 3, b.data, 2, 2, G, ga, gb);
    const ga64 = new Float64Array(6).fill(1);
    const gb64 = new Float64Array(4).fill(1);
    dist.backward64(a.data, 3, b.data, 2, 2, Float64Array.from(G), ga64, gb64);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(ga[i] - ga64[i]) < 1e-5);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(gb[i] - gb64[i]) < 1e-5);
  }
});

test('Euclidean gradient at zero distance is finite (zero), not NaN', () => {
  const a = new Float32Array([1, 2, 1, 2, 0, 0]);
  const dist = new LpDistance();
  const ga = new Float64Array(6);
  const G = new Float64Array(9).fill(1);
  dist.backward64(a, 3, a, 3, 2, G, ga, ga);
  for (const v of ga) assert.ok(Number.isFinite(v));
  // Rows 0 and 1 coincide: their pair contributes nothing; each is pulled only by row 2.
  const d = Math.sqrt(5);
  assert.ok(Math.abs(ga[0] - 2 * (1 / d)) < 1e-12);
});

test('cosine of a zero row is 0 with a finite gradient', () => {
  const a = new Float32Array([0, 0, 1, 0]);
  const dist = new CosineSimilarity();
  const S = dist.pairwise64(a, 2, a, 2, 2);
  assert.equal(S[1], 0);
  const ga = new Float64Array(4);
  dist.backward64(a, 2, a, 2, 2, new Float64Array([1, 1, 1, 1]), ga, ga);
  for (const v of ga) assert.ok(Number.isFinite(v));
});

test('dimension mismatches are reported with the argument', () => {
  assert.throws(() => new LpDistance().pairwise(new Float32Array(5), 2, new Float32Array(4), 2, 2), /a has 5 values/);
});

test('sparse backward equals the dense backward (the path losses take on few mined tuples)', () => {
  const a = randomEmbeddings(6, 3, 41);
  const b = randomEmbeddings(5, 3, 42);
  a.data.set(b.data.subarray(0, 3), 0); // a_0 == b_0: zero distance entry
  const rows = Int32Array.from([0, 2, 5, 2, 0]);
  const cols = Int32Array.from([0, 1, 4, 1, 3]);
  const vals = Float64Array.from([1.5, -2, 0.7, 0.3, -1]);
  for (const dist of all) {
    for (const same of [false, true]) {
      const B = same ? a : b;
      const m = same ? 6 : 5;
      const G = new Float64Array(6 * m);
      for (let k = 0; k < rows.length; k++) G[rows[k] * m + cols[k]] += vals[k];
      const ga = new Float64Array(18), gb = same ? ga : new Float64Array(m * 3);
      dist.backward64(a.data, 6, B.data, m, 3, G, ga, gb);
      const sa = new Float64Array(18), sb = same ? sa : new Float64Array(m * 3);
      dist.backwardSparse64(a.data, 6, B.data, m, 3, rows, cols, vals, rows.length, sa, sb);
      for (let i = 0; i < 18; i++) assert.ok(Math.abs(ga[i] - sa[i]) < 1e-9, `${dist.name} same=${same} ga[${i}]`);
      if (!same) for (let i = 0; i < m * 3; i++) assert.ok(Math.abs(gb[i] - sb[i]) < 1e-9, `${dist.name} gb[${i}]`);
    }
  }
});

test('pairwiseF64 repeats: a rewritten buffer, a mutated result or another distance never see a stale matrix', async () => {
  const { pairwiseF64, clearPairwiseMemo } = await import('../../src/deep/distances/base.js');
  clearPairwiseMemo();
  const a = randomEmbeddings(6, 4, 3);
  const buf = a.data;
  const shared = pairwiseF64(new LpDistance(), buf, 6, buf, 6, 4, true);
  const own = pairwiseF64(new LpDistance(), buf, 6, buf, 6, 4);
  assert.notEqual(own, shared, 'a caller that may write gets a copy');
  own.fill(-1); // a caller scribbling on its copy
  const again = pairwiseF64(new LpDistance(), buf, 6, buf, 6, 4, true);
  const ref0 = brute('euclidean', buf, 6, buf, 6, 4);
  assert.equal(again, shared, 'the repeat (miner, then loss) is served without recomputing');
  for (let i = 0; i < again.length; i++) assert.ok(Math.abs(again[i] - ref0[i]) < 1e-9, `entry ${i}`);
  // Same buffer rewritten in place (the trainer's pooled batches): must be recomputed.
  buf.set(randomEmbeddings(6, 4, 4).data);
  const fresh = pairwiseF64(new LpDistance(), buf, 6, buf, 6, 4, true);
  const ref = brute('euclidean', buf, 6, buf, 6, 4);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(fresh[i] - ref[i]) < 1e-9, `rewritten buffer, entry ${i}`);
  // Same inputs, another distance: never the euclidean matrix.
  const sq = pairwiseF64(new SquaredL2Distance(), buf, 6, buf, 6, 4, true);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(sq[i] - ref[i] * ref[i]) < 1e-9, `squared, entry ${i}`);
  // A separate (equal-valued) b is not the a === b case.
  pairwiseF64(new CosineSimilarity(), buf, 6, buf, 6, 4, true);
  const cos = pairwiseF64(new CosineSimilarity(), buf, 6, buf.slice(), 6, 4, true);
  const cref = brute('cosine', buf, 6, buf, 6, 4);
  for (let i = 0; i < cref.length; i++) assert.ok(Math.abs(cos[i] - cref[i]) < 1e-12, `cosine, entry ${i}`);
  // A user's subclass may carry state the memo cannot see: never served from it.
  class Scaled extends LpDistance {
    constructor(readonly k: number) { super(); }
    override pairwise64(a: Float32Array | Float64Array, na: number, b: Float32Array | Float64Array, nb: number, d: number): Float64Array {
      return super.pairwise64(a, na, b, nb, d).map((v) => v * this.k);
    }
  }
  pairwiseF64(new Scaled(2), buf, 6, buf, 6, 4, true);
  const s3 = pairwiseF64(new Scaled(3), buf, 6, buf, 6, 4, true);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(s3[i] - 3 * ref[i]) < 1e-9, `subclass, entry ${i}`);
  clearPairwiseMemo();
});
