// knnCandidates (re-ranking of given candidate lists): the JS kernel held to a brute-force
// reference written here, and the native kernel (every vector version) held to the JS one.
// The native half loads the addon directly, so it runs whatever SIMLEARN_BACKEND says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knnCandidates as jsKnnCandidates } from '../../src/backend/js-rerank.js';
import type { Backend, KnnCandidatesResult } from '../../src/backend/backend.js';
import type { FloatArray } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { integers, normal, requireNative, runWithIsa, type Ctor } from './native-helpers.js';

const native = requireNative();
type Metric = 'sqeuclidean' | 'dot';

/** Sorts every distinct candidate by (score, row) with scores rounded to the element type, and keeps k. */
function bruteForce(q: FloatArray, nq: number, refs: FloatArray, d: number, cand: Int32Array, start: Int32Array, k: number, metric: Metric): { indices: number[]; scores: number[] } {
  const round = q instanceof Float32Array ? Math.fround : (x: number): number => x;
  const indices: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < nq; i++) {
    const rows = [...new Set(Array.from(cand.subarray(start[i], start[i + 1])))];
    const scored = rows.map((r) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += metric === 'sqeuclidean' ? (q[i * d + j] - refs[r * d + j]) ** 2 : q[i * d + j] * refs[r * d + j];
      return { r, s: round(metric === 'sqeuclidean' ? s : -s) };
    });
    scored.sort((a, b) => a.s - b.s || a.r - b.r);
    for (let t = 0; t < k; t++) {
      indices.push(t < scored.length ? scored[t].r : -1);
      scores.push(t < scored.length ? scored[t].s : Infinity);
    }
  }
  return { indices, scores };
}

interface Case { q: FloatArray; nq: number; refs: FloatArray; nr: number; d: number; cand: Int32Array; start: Int32Array; k: number }

/** Random lists with repeats, empty lists and lists shorter than k. */
function randomCase(ctor: Ctor, r: Random, d: number, data: 'normal' | 'integers'): Case {
  const nr = 5 + r.int(60);
  const nq = 1 + r.int(9);
  const k = 1 + r.int(12);
  const gen = data === 'normal' ? normal : integers;
  const refs = gen(ctor, nr * d, r);
  const q = gen(ctor, nq * d, r);
  const lists: number[][] = [];
  for (let i = 0; i < nq; i++) {
    const len = r.int(4) === 0 ? 0 : r.int(3 * k);
    const list = Array.from({ length: len }, () => r.int(nr));
    if (len > 2) list.push(list[0], list[1]); // explicit repeats
    lists.push(list);
  }
  const start = new Int32Array(nq + 1);
  for (let i = 0; i < nq; i++) start[i + 1] = start[i] + lists[i].length;
  return { q, nq, refs, nr, d, cand: Int32Array.from(lists.flat()), start, k };
}

const DIMS = [1, 3, 8, 16, 17, 31, 33, 64, 130];

for (const [name, ctor] of [['float32', Float32Array], ['float64', Float64Array]] as Array<[string, Ctor]>) {
  test(`knnCandidates (js, ${name}): matches brute force over the distinct candidates, both metrics`, () => {
    const r = new Random(101);
    for (const d of DIMS) {
      for (const metric of ['sqeuclidean', 'dot'] as const) {
        for (const data of ['normal', 'integers'] as const) {
          const c = randomCase(ctor, r, d, data);
          const got = jsKnnCandidates(c.q, c.nq, c.refs, c.nr, c.d, c.cand, c.start, c.k, { metric });
          const want = bruteForce(c.q, c.nq, c.refs, c.d, c.cand, c.start, c.k, metric);
          assert.deepEqual(Array.from(got.indices), want.indices, `d=${d} ${metric} ${data}`);
          assert.deepEqual(Array.from(got.distances), want.scores, `d=${d} ${metric} ${data}`);
          let distinct = 0;
          for (let i = 0; i < c.nq; i++) distinct += new Set(c.cand.subarray(c.start[i], c.start[i + 1])).size;
          assert.equal(got.scored, distinct, 'scored counts each (query, row) once');
        }
      }
    }
  });

  test(`knnCandidates (native, ${name}): agrees with the JS kernel; exactly on integer data`, () => {
    const r = new Random(102);
    const tol = name === 'float32' ? 2e-5 : 1e-12;
    for (const d of DIMS) {
      for (const metric of ['sqeuclidean', 'dot'] as const) {
        for (const data of ['normal', 'integers'] as const) {
          const c = randomCase(ctor, r, d, data);
          const a = native.knnCandidates(c.q, c.nq, c.refs, c.nr, c.d, c.cand, c.start, c.k, { metric });
          const b = jsKnnCandidates(c.q, c.nq, c.refs, c.nr, c.d, c.cand, c.start, c.k, { metric });
          assert.equal(a.scored, b.scored);
          if (data === 'integers') {
            // small integers: every sum is exact in float32 too, so ties must break the same way
            assert.deepEqual(Array.from(a.indices), Array.from(b.indices), `d=${d} ${metric}`);
            assert.deepEqual(Array.from(a.distances), Array.from(b.distances), `d=${d} ${metric}`);
            continue;
          }
          for (let t = 0; t < a.indices.length; t++) {
            const close = Math.abs(a.distances[t] - b.distances[t]) <= tol * Math.max(1, Math.abs(b.distances[t])) || a.distances[t] === b.distances[t];
            assert.ok(close, `d=${d} ${metric} slot ${t}: ${a.distances[t]} vs ${b.distances[t]}`);
            if (a.indices[t] !== b.indices[t]) assert.ok(close, 'a different row only as a near tie');
          }
        }
      }
    }
  });
}

for (const [label, kernel] of [['js', jsKnnCandidates], ['native', native.knnCandidates.bind(native)]] as Array<[string, Backend['knnCandidates']]>) {
  test(`knnCandidates (${label}): hand-computed ties, repeats, padding, NaN and k = 0`, () => {
    // refs on a line: 0, 1, 2, −1, 1 (rows 1 and 4 tie, as do rows 1/3 for a query at 0)
    const refs = new Float64Array([0, 1, 2, -1, 1]);
    const q = new Float64Array([0, 1.5]);
    const cand = Int32Array.from([4, 3, 1, 4, 0, 2, 2, 4, 1]);
    const start = Int32Array.from([0, 5, 9]);
    const res = kernel(q, 2, refs, 5, 1, cand, start, 4);
    // query 0 (row 0 at 0, rows 1/3/4 at distance 1): ties to the lower row, repeat of 4 once
    assert.deepEqual(Array.from(res.indices.subarray(0, 4)), [0, 1, 3, 4]);
    assert.deepEqual(Array.from(res.distances.subarray(0, 4)), [0, 1, 1, 1]);
    // query 1 (candidates 2, 4, 1 with repeats): three distinct rows, one padding slot
    assert.deepEqual(Array.from(res.indices.subarray(4)), [1, 2, 4, -1]);
    assert.deepEqual(Array.from(res.distances.subarray(4)), [0.25, 0.25, 0.25, Infinity]);
    assert.equal(res.scored, 4 + 3);
    // dot: the largest inner product first, scored as its negative
    const dot = kernel(q, 2, refs, 5, 1, cand, start, 2, { metric: 'dot' });
    assert.deepEqual(Array.from(dot.indices.subarray(2)), [2, 1]);
    assert.deepEqual(Array.from(dot.distances.subarray(2)), [-3, -1.5]);
    // a NaN row ranks after every number
    const withNaN = new Float32Array([NaN, 5, 1]);
    const nan = kernel(new Float32Array([0]), 1, withNaN, 3, 1, Int32Array.from([0, 1, 2]), Int32Array.from([0, 3]), 3);
    assert.deepEqual(Array.from(nan.indices), [2, 1, 0]);
    assert.ok(Number.isNaN(nan.distances[2]));
    // k = 0 and nq = 0 give empty results
    assert.equal(kernel(q, 2, refs, 5, 1, cand, start, 0).indices.length, 0);
    assert.equal(kernel(new Float64Array(0), 0, refs, 5, 1, new Int32Array(0), Int32Array.from([0]), 3).indices.length, 0);
    // offsets need not start at 0
    const off = kernel(q.subarray(1), 1, refs, 5, 1, cand, start.subarray(1), 1);
    assert.deepEqual(Array.from(off.indices), [1]);
  });

  test(`knnCandidates (${label}): the order of candidates does not matter`, () => {
    const r = new Random(103);
    for (const ctor of [Float32Array, Float64Array]) {
      const c = randomCase(ctor, r, 24, 'normal');
      const base = kernel(c.q, c.nq, c.refs, c.nr, c.d, c.cand, c.start, c.k);
      const shuffled = c.cand.slice();
      for (let i = 0; i < c.nq; i++) {
        const seg = Array.from(c.cand.subarray(c.start[i], c.start[i + 1]));
        r.shuffle(seg);
        shuffled.set(seg, c.start[i]);
      }
      const again: KnnCandidatesResult = kernel(c.q, c.nq, c.refs, c.nr, c.d, shuffled, c.start, c.k);
      assert.deepEqual(Array.from(again.indices), Array.from(base.indices));
      assert.deepEqual(Array.from(again.distances), Array.from(base.distances));
    }
  });

  test(`knnCandidates (${label}): bad arguments throw errors naming them`, () => {
    const refs = new Float32Array(6);
    const q = new Float32Array(2);
    const ok = Int32Array.from([0, 1, 2]);
    assert.throws(() => kernel(q, 1, refs, 3, 2, Int32Array.from([0, 3]), Int32Array.from([0, 2]), 1), { name: 'RangeError', message: /candidates\[1\] = 3 is not a row of refs/ });
    assert.throws(() => kernel(q, 1, refs, 3, 2, Int32Array.from([-1]), Int32Array.from([0, 1]), 1), /candidates\[0\] = -1/);
    assert.throws(() => kernel(q, 1, refs, 3, 2, ok, Int32Array.from([0]), 1), /candStart needs nq \+ 1 = 2 offsets/);
    assert.throws(() => kernel(q, 1, refs, 3, 2, ok, Int32Array.from([0, 4]), 1), /candStart\[nq\] = 4 exceeds the 3 candidates/);
    assert.throws(() => kernel(new Float32Array(4), 2, refs, 3, 2, ok, Int32Array.from([0, 2, 1]), 1), /candStart must be non-decreasing/);
    assert.throws(() => kernel(q, 1, refs, 3, 2, ok, Int32Array.from([-1, 2]), 1), /candStart\[0\] must be >= 0/);
    assert.throws(() => kernel(q, 1, refs, 4, 2, ok, Int32Array.from([0, 2]), 1), /refs has 6 values/);
    assert.throws(() => kernel(q, 1, new Float64Array(6), 3, 2, ok, Int32Array.from([0, 2]), 1), TypeError);
    assert.throws(() => kernel(q, 1, refs, 3, 2, Float64Array.from([0, 1]) as unknown as Int32Array, Int32Array.from([0, 2]), 1), /candidates must be an Int32Array/);
    assert.throws(() => kernel(q, 1, refs, 3, 2, ok, Int32Array.from([0, 2]), 1, { metric: 'cosine' as Metric }), /metric must be 'sqeuclidean' or 'dot'/);
  });
}

test('knnCandidates: every native vector version (AVX-512, AVX2, SSE, scalar) agrees', () => {
  // The version is chosen once per process (SIMLEARN_KNN_ISA forces a lower one), so each runs
  // in a child. Integer data must match exactly; normal data to float32 rounding.
  const script = `
    import { loadNativeBackend, nativeRerankIsa } from './src/backend/native.ts';
    import { Random } from './src/random.ts';
    const b = loadNativeBackend();
    const r = new Random(104);
    const exact = [], rounded = [];
    for (const d of [5, 16, 23, 40, 128]) {
      const nr = 300, nq = 20;
      const x = r.fillNormal(new Float32Array(nr * d)), g = new Float32Array(nr * d).map(() => r.int(5) - 2);
      const qx = r.fillNormal(new Float32Array(nq * d)), qg = new Float32Array(nq * d).map(() => r.int(5) - 2);
      const cand = Int32Array.from({ length: nq * 60 }, () => r.int(nr));
      const start = Int32Array.from({ length: nq + 1 }, (_, i) => i * 60);
      for (const metric of ['sqeuclidean', 'dot']) {
        const e = b.knnCandidates(qg, nq, g, nr, d, cand, start, 7, { metric });
        exact.push(Array.from(e.indices), Array.from(e.distances));
        const f = b.knnCandidates(qx, nq, x, nr, d, cand, start, 7, { metric });
        rounded.push(Array.from(f.indices), Array.from(f.distances));
      }
    }
    console.log(JSON.stringify({ isa: nativeRerankIsa(), exact, rounded }));`;
  const run = (isa: string) => runWithIsa(script, isa);
  const reference = run('scalar');
  assert.equal(reference.isa, 'scalar');
  for (const isa of ['sse', 'avx2', 'auto']) {
    const got = run(isa);
    if (isa !== 'auto') assert.equal(got.isa, isa);
    assert.deepEqual(got.exact, reference.exact, `${got.isa} differs from scalar on integer data`);
    for (let i = 0; i < got.rounded.length; i += 2) {
      const [gi, gd, ri, rd] = [got.rounded[i], got.rounded[i + 1], reference.rounded[i], reference.rounded[i + 1]];
      for (let j = 0; j < gd.length; j++) {
        const close = Math.abs(gd[j] - rd[j]) <= 1e-5 * Math.max(1, Math.abs(rd[j]));
        assert.ok(close, `${got.isa} score ${j}: ${gd[j]} vs ${rd[j]}`);
        if (gi[j] !== ri[j]) assert.ok(close, 'a different row only as a near tie');
      }
    }
  }
});
