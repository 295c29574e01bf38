import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import type { Backend, ScmlRdaProblem, ScmlRdaState } from '../../src/backend/backend.js';
import { getBackend, useBackend } from '../../src/backend/index.js';
import { Random } from '../../src/random.js';
import { SCMLSupervised } from '../../src/metric/scml.js';
import { Matrix } from '../../src/matrix.js';
import { requireNative } from './native-helpers.js';

const native = requireNative();

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function problem(r: Random, n: number, K: number, nT: number, batch: number): ScmlRdaProblem {
  // Points in three clusters, and triplets mostly (anchor, same cluster, other cluster): the
  // weights soon satisfy those, so that batches with no violated triplet are common, while the
  // random rest keeps some steps (and active-set changes) coming.
  const XB = new Float64Array(n * K);
  const centres = r.fillNormal(new Float64Array(3 * K));
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) XB[i * K + k] = centres[(i % 3) * K + k] + 0.3 * r.normal();
  const T = new Int32Array(3 * nT);
  for (let t = 0; t < nT; t++) {
    const a = r.int(n);
    if (r.next() < 0.85) {
      T.set([a, (a + 3 * (1 + r.int(2))) % n, (a + 1 + r.int(2)) % n], 3 * t);
    } else T.set([a, r.int(n), r.int(n)], 3 * t);
  }
  return { T, XB, n, K, batch, beta: 1e-4, gamma: 5e-3, delta: 1e-3 };
}

function startState(p: ScmlRdaProblem, seed: number): ScmlRdaState {
  const K = p.K;
  return { w: new Float64Array(K), sum: new Float64Array(K), ada2: new Float64Array(K), coef: new Float64Array(K).fill(1 / (p.gamma * p.delta)), g: new Float64Array(K), act: new Int32Array(K), nAct: 0, dirty: false, rng: new Random(seed).state() };
}

function copyState(s: ScmlRdaState): ScmlRdaState {
  return { w: s.w.slice(), sum: s.sum.slice(), ada2: s.ada2.slice(), coef: s.coef.slice(), g: s.g.slice(), act: s.act.slice(), nAct: s.nAct, dirty: s.dirty, rng: s.rng.slice() };
}

function assertSameState(a: ScmlRdaState, b: ScmlRdaState, where: string): void {
  for (const k of ['w', 'sum', 'ada2', 'coef', 'g'] as const) assert.ok(sameBits(a[k], b[k]), `${k} differs ${where}`);
  assert.equal(a.nAct, b.nAct, `nAct ${where}`);
  assert.deepEqual(Array.from(a.act.subarray(0, a.nAct)), Array.from(b.act.subarray(0, b.nAct)), `act ${where}`);
  assert.equal(a.dirty, b.dirty, `dirty ${where}`);
  assert.deepEqual(Array.from(a.rng), Array.from(b.rng), `rng ${where}`);
}

test('Random.state / setState: a generator handed its words back continues the same stream', () => {
  const a = new Random(42), b = new Random(42);
  a.normal(); // leaves a spare deviate, which setState keeps
  b.normal();
  const c = new Random(7);
  c.setState(a.state());
  for (let i = 0; i < 50; i++) assert.equal(c.nextUint32(), a.nextUint32());
  b.setState(b.state());
  const d = new Random(42);
  d.normal();
  assert.equal(b.normal(), d.normal());
  assert.throws(() => c.setState([1, 2, 3]), (e: Error) => e instanceof RangeError && /words must hold 4/.test(e.message));
  assert.throws(() => c.setState([0, 0, 0, 0]), /must not all be zero/);
  assert.throws(() => c.setState([1, 2, 3, 2 ** 32]), /words\[3\]/);
});

test('scmlRdaIterations: native equals the JS reference bit for bit (weights, sums, active set, generator words)', () => {
  const r = new Random(17);
  // batch 7: slacks in groups of 4, 2 and 1; batch 70: more than one native block of draws.
  for (const [n, K, nT, batch] of [[9, 1, 12, 1], [40, 23, 150, 7], [25, 13, 60, 70]] as const) {
    const p = problem(r, n, K, nT, batch);
    const sj = startState(p, n + K), sn = copyState(sj);
    let sawActive = false, sawQuiet = false, sawStep = false;
    // Single iterations (to see each kind of step) early and late, chunks in between.
    const bounds = [0, 1, 2, 3, 4, 5, 6, 8, 13, 40, 41, 100, 250, 600];
    for (let it = 601; it <= 700; it++) bounds.push(it);
    for (let c = 0; c + 1 < bounds.length; c++) {
      const prevAct = sj.nAct;
      jsBackend.scmlRdaIterations(p, sj, bounds[c], bounds[c + 1]);
      native.scmlRdaIterations(p, sn, bounds[c], bounds[c + 1]);
      assertSameState(sj, sn, `after iterations ${bounds[c]}..${bounds[c + 1]} (n=${n}, K=${K}, batch=${batch})`);
      if (bounds[c + 1] - bounds[c] === 1) {
        if (sj.dirty) sawStep = true;
        else if (prevAct > 0) sawQuiet = true;
      }
      if (sj.nAct > 0) sawActive = true;
    }
    assert.ok(sawActive, 'some weights became active');
    if (K > 1) {
      assert.ok(sawStep, 'some batch had a violated triplet');
      assert.ok(sawQuiet || batch > 10, 'some batch had none, with active weights');
    }
    assert.ok(sj.w.every((v) => v >= 0));
  }
});

test('scmlRdaIterations: batches with no violated triplet only refresh the active weights, on both backends', () => {
  const r = new Random(3);
  const p = problem(r, 30, 11, 80, 5);
  for (const be of [jsBackend, native]) {
    const st = startState(p, 1);
    be.scmlRdaIterations(p, st, 0, 400);
    // Now quiet batches are common: find one and check what it changed.
    let found = false;
    for (let it = 400; it < 2000 && !found; it++) {
      const before = copyState(st);
      be.scmlRdaIterations(p, st, it, it + 1);
      if (st.dirty || before.nAct === 0) continue;
      found = true;
      assert.ok(sameBits(st.sum, before.sum) && sameBits(st.ada2, before.ada2) && sameBits(st.coef, before.coef), 'S, G and coef stay');
      assert.deepEqual(Array.from(st.act.subarray(0, st.nAct)), Array.from(before.act.subarray(0, before.nAct)));
      const kb = (it + 1) * p.beta;
      for (let i = 0; i < p.K; i++) {
        const inAct = Array.from(before.act.subarray(0, before.nAct)).includes(i);
        const z = st.sum[i] + kb;
        assert.equal(st.w[i], inAct && z < 0 ? -z * st.coef[i] : inAct ? 0 : before.w[i]);
      }
    }
    assert.ok(found, `${be.name}: no quiet batch in 1600 iterations`);
  }
});

test('scmlRdaIterations: the caller\'s Random continues the stream as if it had drawn the triplets itself', () => {
  const r = new Random(8);
  const p = problem(r, 20, 6, 37, 10); // 37: Random.int rejects some draws
  for (const be of [jsBackend, native]) {
    const mine = new Random(99), shadow = new Random(99);
    const st = startState(p, 0);
    st.rng = mine.state();
    be.scmlRdaIterations(p, st, 0, 123);
    mine.setState(st.rng);
    for (let k = 0; k < 123 * p.batch; k++) shadow.int(37);
    for (let k = 0; k < 20; k++) assert.equal(mine.nextUint32(), shadow.nextUint32());
  }
});

test('tripletHingeSum: native equals the JS reference bit for bit and the direct sum', () => {
  const r = new Random(21);
  for (const [n, d, np, nT] of [[1, 1, 1, 1], [7, 3, 10, 9], [41, 17, 63, 200]] as const) {
    const X = r.fillNormal(new Float64Array(n * d));
    const A = r.fillNormal(new Float64Array(d * d));
    const M = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) M[i * d + j] += A[i * d + k] * A[j * d + k];
    const XM = new Float64Array(n * d);
    jsBackend.gemm(false, false, n, d, d, 1, X, d, M, d, 0, XM, d);
    const a = new Int32Array(np), b = new Int32Array(np), ids = new Int32Array(2 * nT);
    for (let k = 0; k < np; k++) {
      a[k] = r.int(n);
      b[k] = r.int(n);
    }
    for (let t = 0; t < ids.length; t++) ids[t] = r.int(np);
    const hj = jsBackend.tripletHingeSum(X, XM, n, d, a, b, ids);
    const hn = native.tripletHingeSum(X, XM, n, d, a, b, ids);
    assert.ok(Object.is(hj, hn), `${hj} vs ${hn}`);
    const dist = (k: number): number => {
      let s = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += (X[a[k] * d + i] - X[b[k] * d + i]) * M[i * d + j] * (X[a[k] * d + j] - X[b[k] * d + j]);
      return s;
    };
    let ref = 0;
    for (let t = 0; t < nT; t++) ref += Math.max(0, 1 + dist(ids[2 * t]) - dist(ids[2 * t + 1]));
    assert.ok(Math.abs(ref - hj) <= 1e-9 * (1 + Math.abs(ref)), `${hj} vs ${ref}`);
  }
});

test('SCML fits the same bits with the native kernels as with their JS references', () => {
  const r = new Random(4);
  const n = 90, d = 5;
  const X = new Matrix(n, d, r.fillNormal(new Float64Array(n * d)));
  const y = Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) X.data[i * d + 1] += 1.5 * y[i];
  const before = getBackend();
  const hybrid: Backend = { ...native, scmlRdaIterations: jsBackend.scmlRdaIterations, tripletHingeSum: jsBackend.tripletHingeSum };
  try {
    const fits = [native, hybrid].map((be) => {
      useBackend(be);
      return new SCMLSupervised({ seed: 2, maxIter: 3000, outputIter: 250 }).fit(X, y).components.toFloat64().data;
    });
    assert.ok(sameBits(fits[0], fits[1]));
  } finally {
    useBackend(before);
  }
});

test('scmlRdaIterations and tripletHingeSum: bad arguments are errors naming the argument, on both backends', () => {
  const r = new Random(5);
  const good = problem(r, 6, 4, 5, 3);
  const st = (): ScmlRdaState => startState(good, 1);
  const bad: Array<[string, (p: ScmlRdaProblem, s: ScmlRdaState) => [ScmlRdaProblem, ScmlRdaState, number, number], RegExp]> = [
    ['T index', (p, s) => [{ ...p, T: Int32Array.of(0, 1, 6) }, s, 0, 1], /T\[2\] = 6 is not a row \(0 \.\. 5\)/],
    ['negative T index', (p, s) => [{ ...p, T: Int32Array.of(0, -1, 2) }, s, 0, 1], /T\[1\] = -1/],
    ['T length', (p, s) => [{ ...p, T: Int32Array.of(0, 1) }, s, 0, 1], /T must hold triplets/],
    ['empty T', (p, s) => [{ ...p, T: new Int32Array(0) }, s, 0, 1], /T must hold triplets/],
    ['XB', (p, s) => [{ ...p, XB: new Float64Array(23) }, s, 0, 1], /XB/],
    ['batch', (p, s) => [{ ...p, batch: 0 }, s, 0, 1], /batch/],
    ['K', (p, s) => [{ ...p, K: 0 }, s, 0, 1], /\bK\b/],
    ['beta', (p, s) => [{ ...p, beta: -1 }, s, 0, 1], /beta/],
    ['gamma', (p, s) => [{ ...p, gamma: 0 }, s, 0, 1], /gamma/],
    ['delta', (p, s) => [{ ...p, delta: NaN }, s, 0, 1], /delta/],
    ['w', (p, s) => [p, { ...s, w: new Float64Array(3) }, 0, 1], /w has 3 entries, expected K = 4/],
    ['coef', (p, s) => [p, { ...s, coef: new Float64Array(5) }, 0, 1], /coef has 5 entries/],
    ['act', (p, s) => [p, { ...s, act: new Int32Array(2) }, 0, 1], /act has 2 entries/],
    ['nAct', (p, s) => [p, { ...s, nAct: 5 }, 0, 1], /nAct/],
    ['act entry', (p, s) => [p, { ...s, act: Int32Array.of(0, 9, 0, 0), nAct: 2 }, 0, 1], /act\[1\] = 9 is not a basis/],
    ['rng length', (p, s) => [p, { ...s, rng: new Uint32Array(3) }, 0, 1], /rng must hold the 4/],
    ['rng zero', (p, s) => [p, { ...s, rng: new Uint32Array(4) }, 0, 1], /rng must not be all zero/],
    ['to < from', (p, s) => [p, s, 5, 4], /to \(4\) must be at least from \(5\)/],
    ['from', (p, s) => [p, s, -1, 4], /from/],
  ];
  for (const be of [jsBackend, native]) {
    for (const [what, make, re] of bad) {
      const [p, s, from, to] = make(good, st());
      assert.throws(() => be.scmlRdaIterations(p, s, from, to), (e: Error) => e instanceof RangeError && /scmlRdaIterations/.test(e.message) && re.test(e.message), `${be.name}: ${what}`);
    }
    assert.throws(() => be.scmlRdaIterations(good, { ...st(), rng: Int32Array.of(1, 2, 3, 4) as unknown as Uint32Array }, 0, 1), (e: Error) => e instanceof TypeError && /rng must be a Uint32Array/.test(e.message));
    const X = new Float64Array(6), XM = new Float64Array(6);
    const a = Int32Array.of(0, 1), b = Int32Array.of(1, 2), ids = Int32Array.of(0, 1);
    assert.doesNotThrow(() => be.tripletHingeSum(X, XM, 3, 2, a, b, ids));
    const hingeBad: Array<[() => number, RegExp]> = [
      [() => be.tripletHingeSum(X, XM, 3, 2, Int32Array.of(0, 3), b, ids), /pairA\[1\] = 3 is not a row \(0 \.\. 2\)/],
      [() => be.tripletHingeSum(X, XM, 3, 2, a, Int32Array.of(1), ids), /pairB has 1 entries, expected 2/],
      [() => be.tripletHingeSum(X, XM, 3, 2, a, b, Int32Array.of(0, 2)), /ids\[1\] = 2 is not a pair \(0 \.\. 1\)/],
      [() => be.tripletHingeSum(X, XM, 3, 2, a, b, Int32Array.of(0)), /ids must hold 2 pair ids per triplet/],
      [() => be.tripletHingeSum(X, new Float64Array(5), 3, 2, a, b, ids), /XM/],
      [() => be.tripletHingeSum(X, XM, 0, 2, a, b, ids), /\bn\b/],
    ];
    for (const [f, re] of hingeBad) assert.throws(f, (e: Error) => e instanceof RangeError && /tripletHingeSum/.test(e.message) && re.test(e.message), `${be.name}: ${re}`);
  }
});
