// The native kernels held to the pure-TypeScript reference (src/backend/js-kernels.ts). These
// load the addon directly, so they run whatever SIMLEARN_BACKEND says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as js from '../../src/backend/js-kernels.js';
import type { FloatArray } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { ROOT, runCli } from '../helpers.js';
import { nativeKnnTileIsa } from '../../src/backend/native.js';
import { DTYPES, cpuHasAvx2Fma, integers, normal, relErr, requireNative, runWithIsa } from './native-helpers.js';

const native = requireNative();

test('the native backend identifies itself and its BLAS', () => {
  assert.equal(native.name, 'native');
  assert.match(native.blas, /OpenBLAS \d+\.\d+/);
  assert.equal(native.getThreads(), 1, 'BLAS threads default to 1');
});

test('loading the addon tells OpenBLAS the thread count, then leaves the environment as it was', () => {
  const script = `import { loadNativeBackend } from './src/backend/native.ts';
const be = loadNativeBackend();
process.stdout.write(JSON.stringify({ threads: be.getThreads(), env: process.env.OPENBLAS_NUM_THREADS ?? null }));`;
  const { OPENBLAS_NUM_THREADS: _drop, ...env } = process.env;
  const run = (extra: Record<string, string>) => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...env, ...extra } });
    assert.equal(res.status, 0, res.stderr);
    return JSON.parse(res.stdout) as { threads: number; env: string | null };
  };
  assert.deepEqual(run({}), { threads: 1, env: null });
  assert.deepEqual(run({ SIMLEARN_THREADS: '2' }), { threads: 2, env: null });
  // A user's own setting stays.
  assert.deepEqual(run({ OPENBLAS_NUM_THREADS: '1', SIMLEARN_THREADS: '2' }), { threads: 2, env: '1' });
});

test('knn with two threads gives the single-threaded answer', () => {
  const r = new Random(27);
  for (const Ctor of [Float32Array, Float64Array]) {
    const x = normal(Ctor, 1100 * 12, r);
    const one = native.knn(x, 1100, x, 1100, 12, 5, { excludeSelf: true });
    native.setThreads(2);
    try {
      const two = native.knn(x, 1100, x, 1100, 12, 5, { excludeSelf: true, memoryBudget: 1 << 20 });
      assert.deepEqual(two.indices, one.indices);
      // Threaded BLAS may round the last bit differently; our float32 tile kernels (AVX-512,
      // AVX2) split the queries and compute each dot product the same way, so there it is bit
      // for bit. Without them float32 tiles go through OpenBLAS too.
      if (Ctor === Float32Array && nativeKnnTileIsa() !== 'blas') assert.deepEqual(two.distances, one.distances);
      else assert.ok(relErr(two.distances, one.distances) < (Ctor === Float32Array ? 1e-5 : 1e-13));
    } finally {
      native.setThreads(1);
    }
  }
});

test('setThreads changes the BLAS thread count and rejects nonsense', () => {
  native.setThreads(2);
  assert.equal(native.getThreads(), 2);
  native.setThreads(1);
  assert.equal(native.getThreads(), 1);
  assert.throws(() => native.setThreads(0), RangeError);
  assert.throws(() => native.setThreads(1.5), RangeError);
  assert.equal(native.getThreads(), 1);
});

for (const [name, Ctor, tol] of DTYPES) {
  test(`gemm (${name}) matches js for every transpose, alpha/beta, odd shapes and padded leading dimensions`, () => {
    const r = new Random(11);
    const shapes = [[1, 1, 1], [7, 13, 5], [33, 2, 300], [0, 3, 2], [3, 0, 2], [4, 3, 0], [64, 65, 17]];
    const scalars = [[0.7, -1.3], [1, 0], [0, 2], [-2, 1]];
    for (const [m, n, k] of shapes) for (const tA of [false, true]) for (const tB of [false, true]) for (const [alpha, beta] of scalars) {
      const pad = 3;
      const [ar, ac] = tA ? [k, m] : [m, k];
      const [br, bc] = tB ? [n, k] : [k, n];
      const lda = ac + pad, ldb = bc + pad, ldc = n + pad;
      const a = normal(Ctor, Math.max(0, ar * lda), r);
      const b = normal(Ctor, Math.max(0, br * ldb), r);
      const c0 = normal(Ctor, Math.max(0, m * ldc), r);
      const want = c0.slice();
      const got = c0.slice();
      js.gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
      native.gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
      const err = relErr(got, want);
      assert.ok(err < tol * Math.max(1, Math.sqrt(k)), `m=${m} n=${n} k=${k} tA=${tA} tB=${tB} alpha=${alpha} beta=${beta}: rel err ${err}`);
      // The padding columns of C are never written.
      for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) assert.equal(got[i * ldc + j], c0[i * ldc + j]);
    }
  });

  test(`gemm (${name}): beta = 0 ignores NaN in C, a NaN in A poisons exactly its row`, () => {
    const c = new Ctor([NaN, NaN, NaN, NaN]);
    native.gemm(false, false, 2, 2, 1, 1, new Ctor([2, 1]), 1, new Ctor([3, 4]), 2, 0, c, 2);
    assert.deepEqual(Array.from(c), [6, 8, 3, 4]);
    native.gemm(false, false, 2, 2, 1, 1, new Ctor([NaN, 1]), 1, new Ctor([3, 4]), 2, 0, c, 2);
    assert.ok(Number.isNaN(c[0]) && Number.isNaN(c[1]));
    assert.deepEqual(Array.from(c.subarray(2)), [3, 4]);
  });

  test(`gemv (${name}) matches js in both orientations with padded rows`, () => {
    const r = new Random(12);
    for (const [m, n] of [[1, 1], [7, 13], [40, 3], [0, 4], [4, 0]]) for (const trans of [false, true]) for (const [alpha, beta] of [[1.5, 0], [-0.5, 2]]) {
      const lda = n + 2;
      const a = normal(Ctor, m * lda, r);
      const x = normal(Ctor, trans ? m : n, r);
      const y0 = normal(Ctor, trans ? n : m, r);
      const want = y0.slice();
      const got = y0.slice();
      js.gemv(trans, m, n, alpha, a, lda, x, beta, want);
      native.gemv(trans, m, n, alpha, a, lda, x, beta, got);
      assert.ok(relErr(got, want) < tol * 4, `m=${m} n=${n} trans=${trans}`);
    }
    const y = new Ctor([NaN, NaN]);
    native.gemv(false, 2, 1, 1, new Ctor([1, 2]), 1, new Ctor([3]), 0, y);
    assert.deepEqual(Array.from(y), [3, 6], 'beta = 0 does not read y');
  });

  test(`gram, dot, axpy, scal, rowSqNorms (${name}) match js`, () => {
    const r = new Random(13);
    for (const [n, d] of [[1, 1], [9, 4], [50, 17], [0, 3]]) {
      const x = normal(Ctor, n * d, r);
      const g = native.gram(x, n, d);
      assert.ok(g instanceof Ctor);
      assert.ok(relErr(g, js.gram(x, n, d)) < tol * 10, `gram ${n}x${d}`);
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) assert.equal(g[i * d + j], g[j * d + i], 'gram is exactly symmetric');
      assert.ok(relErr(native.rowSqNorms(x, n, d), js.rowSqNorms(x, n, d)) < tol, `rowSqNorms ${n}x${d}`);
    }
    const x = normal(Ctor, 1001, r);
    const y = normal(Ctor, 1001, r);
    assert.ok(Math.abs(native.dot(x, y) - js.dot(x, y)) < tol * 100);
    assert.equal(native.dot(new Ctor(0), new Ctor(0)), 0);
    const y1 = y.slice(), y2 = y.slice();
    native.axpy(-0.3, x, y1);
    js.axpy(-0.3, x, y2);
    assert.ok(relErr(y1, y2) < tol);
    const s1 = x.slice(), s2 = x.slice();
    native.scal(2.5, s1);
    js.scal(2.5, s2);
    assert.deepEqual(s1, s2);
  });

  test(`level 1 (${name}) keeps IEEE semantics where BLAS shortcuts alpha = 0`, () => {
    const x = new Ctor([NaN, 1, Infinity]);
    native.scal(0, x);
    assert.ok(Number.isNaN(x[0]) && x[1] === 0 && Number.isNaN(x[2]));
    const y = new Ctor([1, 2, 3]);
    native.axpy(0, new Ctor([NaN, 1, 1]), y);
    assert.ok(Number.isNaN(y[0]) && y[1] === 2 && y[2] === 3);
    assert.ok(Number.isNaN(native.dot(new Ctor([NaN, 1]), new Ctor([1, 1]))));
  });

  test(`sqeuclidean (${name}) matches js, is >= 0, and keeps NaN`, () => {
    const r = new Random(14);
    for (const [n, m, d] of [[1, 1, 1], [7, 13, 5], [30, 20, 64], [0, 4, 2], [3, 4, 0]]) {
      const a = normal(Ctor, n * d, r);
      const b = normal(Ctor, m * d, r);
      const got = native.sqeuclidean(a, n, b, m, d);
      assert.ok(got instanceof Ctor);
      assert.ok(relErr(got, js.sqeuclidean(a, n, b, m, d)) < tol * 10 * Math.max(1, d), `${n}x${m}x${d}`);
      for (const v of got) assert.ok(v >= 0);
    }
    // Identical rows: the expansion only cancels to rounding level, and never goes below 0.
    const p = new Ctor([0.1, 0.2, 0.3, 1e3, -7.7, 3.3]);
    const self = native.sqeuclidean(p, 2, p, 2, 3);
    assert.ok(self[0] >= 0 && self[0] < 1e-6);
    assert.ok(self[3] >= 0 && self[3] <= 1e6 * tol * 10);
    const withNaN = native.sqeuclidean(new Ctor([NaN, 0, 1, 1]), 2, new Ctor([0, 0]), 1, 2);
    assert.ok(Number.isNaN(withNaN[0]), 'a NaN input must not become distance 0');
    assert.equal(withNaN[1], 2);
  });
}

/**
 * Checks a knn result against js. 'exact': same indices and bit-identical distances (exact
 * data); 'indices': same indices, distances within tol; 'near': order may differ only where
 * two distances are within tol of each other (float32 rounding decides near ties).
 */
function assertKnnMatches(got: { indices: Int32Array; distances: FloatArray }, want: { indices: Int32Array; distances: FloatArray }, tol: number, mode: 'exact' | 'indices' | 'near', what: string): void {
  assert.equal(got.indices.length, want.indices.length, what);
  if (mode !== 'near') assert.deepEqual(Array.from(got.indices), Array.from(want.indices), `${what}: indices`);
  if (mode === 'exact') {
    assert.deepEqual(Array.from(got.distances), Array.from(want.distances), `${what}: distances`);
    return;
  }
  for (let i = 0; i < want.indices.length; i++) {
    const dw = want.distances[i], dg = got.distances[i];
    const close = Math.abs(dg - dw) <= tol * Math.max(1, Math.abs(dw));
    assert.ok(close, `${what}: distance ${i}: ${dg} vs ${dw}`);
    // Different neighbours are only acceptable as a near-tie swap.
    if (got.indices[i] !== want.indices[i]) assert.ok(close, `${what}: index ${i}: ${got.indices[i]} vs ${want.indices[i]}`);
  }
}

for (const [name, Ctor, tol] of DTYPES) {
  test(`knn (${name}) matches js across query and reference tiles`, () => {
    const r = new Random(21);
    const [nq, nr, d] = [300, 2100, 16];
    const q = normal(Ctor, nq * d, r);
    const refs = normal(Ctor, nr * d, r);
    for (const k of [1, 10, 33]) {
      const want = js.knn(q, nq, refs, nr, d, k);
      const got = native.knn(q, nq, refs, nr, d, k);
      assert.ok(got.distances instanceof Ctor);
      assertKnnMatches(got, want, tol * 50, name === 'float64' ? 'indices' : 'near', `k=${k}`);
      for (let i = 0; i < nq; i++) for (let j = 1; j < k; j++) assert.ok(got.distances[i * k + j - 1] <= got.distances[i * k + j]);
    }
  });

  test(`knn (${name}): a tiny memoryBudget (many tiles) gives the same answer`, () => {
    const r = new Random(22);
    const [nq, nr, d, k] = [37, 53, 3, 5];
    for (const data of [normal, integers]) {
      const q = data(Ctor, nq * d, r);
      const refs = data(Ctor, nr * d, r);
      const want = js.knn(q, nq, refs, nr, d, k);
      for (const memoryBudget of [1, 64, 8 * 7 * 8, 1000, 1 << 26]) {
        const got = native.knn(q, nq, refs, nr, d, k, { memoryBudget });
        assertKnnMatches(got, want, tol * 10, data === integers ? 'exact' : name === 'float64' ? 'indices' : 'near', `budget ${memoryBudget} (${data.name})`);
      }
    }
  });

  test(`knn (${name}): ties keep the lower index, identical to js on exact data`, () => {
    const r = new Random(23);
    for (const [nq, nr, d, k] of [[40, 200, 2, 7], [25, 1500, 3, 40], [10, 30, 1, 30]]) {
      const q = integers(Ctor, nq * d, r);
      const refs = integers(Ctor, nr * d, r);
      for (const excludeSelf of [false, true]) {
        const want = js.knn(q, nq, refs, nr, d, k, { excludeSelf });
        const got = native.knn(q, nq, refs, nr, d, k, { excludeSelf });
        assertKnnMatches(got, want, 0, 'exact', `${nq}x${nr}x${d} k=${k} excludeSelf=${excludeSelf}`);
      }
    }
    // All references equidistant: the k lowest indices, in order.
    const flat = native.knn(new Ctor([0]), 1, new Ctor([1, -1, 1, -1, 1]), 5, 1, 3);
    assert.deepEqual(Array.from(flat.indices), [0, 1, 2]);
  });

  test(`knn (${name}): excludeSelf on the same set skips exactly i == j`, () => {
    const r = new Random(24);
    const n = 120, d = 4, k = 6;
    const x = normal(Ctor, n * d, r);
    const got = native.knn(x, n, x, n, d, k, { excludeSelf: true });
    const want = js.knn(x, n, x, n, d, k, { excludeSelf: true });
    assertKnnMatches(got, want, tol * 10, name === 'float64' ? 'indices' : 'near', 'excludeSelf');
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) assert.notEqual(got.indices[i * k + j], i);
    const self = native.knn(x, n, x, n, d, 1);
    for (let i = 0; i < n; i++) assert.equal(self.indices[i], i, 'without excludeSelf a point is its own nearest neighbour');
  });

  test(`knn (${name}): k > n pads with -1 / Infinity, k = 0 and empty sets give empty results`, () => {
    const refs = new Ctor([0, 0, 3, 0, 1, 0]);
    const got = native.knn(new Ctor([0, 0]), 1, refs, 3, 2, 5);
    assert.deepEqual(Array.from(got.indices), [0, 2, 1, -1, -1]);
    assert.deepEqual(Array.from(got.distances), [0, 1, 9, Infinity, Infinity]);
    const ex = native.knn(refs, 3, refs, 3, 2, 3, { excludeSelf: true });
    assert.deepEqual(Array.from(ex.indices), [2, 1, -1, 2, 0, -1, 0, 1, -1]);
    const k0 = native.knn(refs, 3, refs, 3, 2, 0);
    assert.equal(k0.indices.length, 0);
    assert.equal(k0.distances.length, 0);
    const noRefs = native.knn(refs, 3, new Ctor(0), 0, 2, 2);
    assert.deepEqual(Array.from(noRefs.indices), [-1, -1, -1, -1, -1, -1]);
    assert.equal(native.knn(new Ctor(0), 0, refs, 3, 2, 2).indices.length, 0);
  });

  test(`knn (${name}): NaN distances rank after every number, as in js`, () => {
    const refs = new Ctor([NaN, 0, 5, 0, 1, 0, 2, NaN]);
    for (const k of [2, 4]) {
      const q = new Ctor([0, 0, NaN, 0]);
      const got = native.knn(q, 2, refs, 4, 2, k);
      const want = js.knn(q, 2, refs, 4, 2, k);
      assertKnnMatches(got, want, 0, 'exact', `k=${k}`);
    }
    const got = native.knn(new Ctor([0, 0]), 1, refs, 4, 2, 4);
    assert.deepEqual(Array.from(got.indices), [2, 1, 0, 3]);
    assert.ok(Number.isNaN(got.distances[2]) && Number.isNaN(got.distances[3]));
    // Many NaN references across chunk boundaries never displace a finite neighbour.
    const r = new Random(25);
    const big = normal(Ctor, 500 * 3, r);
    for (let i = 0; i < 500; i += 3) big[i * 3 + 1] = NaN;
    const qs = normal(Ctor, 20 * 3, r);
    assertKnnMatches(native.knn(qs, 20, big, 500, 3, 8), js.knn(qs, 20, big, 500, 3, 8), tol * 10, name === 'float64' ? 'indices' : 'near', 'NaN refs');
  });
}

// k above 48 takes the candidate-buffer selection in knn.cc; these hold it to the same
// contract as the sorted lists (and the JS insertion lists). Queries are kept few because the
// JS reference inserts in O(k).
for (const [name, Ctor, tol] of DTYPES) {
  test(`knn (${name}), large k: identical to js on exact data with duplicates and ties, every budget, excludeSelf`, () => {
    const r = new Random(31);
    for (const [nq, nr, d, k] of [[30, 3000, 3, 100], [20, 2500, 2, 300], [12, 3000, 2, 1000], [8, 700, 2, 1000], [9, 60, 1, 49], [40, 1200, 4, 1199]]) {
      // range 5 in 1 to 4 dimensions: at most 625 distinct points, so thousands of exact duplicates
      const refs = integers(Ctor, nr * d, r, 5);
      const other = integers(Ctor, nq * d, r, 5);
      for (const excludeSelf of [false, true]) {
        // excludeSelf: the queries are the first nq references, so i == j happens
        const q = excludeSelf ? refs.subarray(0, nq * d) : other;
        const want = js.knn(q, nq, refs, nr, d, k, { excludeSelf });
        for (const memoryBudget of [1, 30000, 1 << 26]) {
          const got = native.knn(q, nq, refs, nr, d, k, { excludeSelf, memoryBudget });
          assertKnnMatches(got, want, 0, 'exact', `${nq}x${nr}x${d} k=${k} excludeSelf=${excludeSelf} budget=${memoryBudget}`);
        }
      }
    }
    // All references equidistant: the k lowest indices, in order, whichever selection runs.
    const flat = native.knn(new Ctor([0]), 1, new Ctor(2000).map((_, i) => (i % 2 ? 1 : -1)), 2000, 1, 600);
    assert.deepEqual(Array.from(flat.indices), Array.from({ length: 600 }, (_, i) => i));
  });

  test(`knn (${name}), large k: matches js on continuous data; pads when k exceeds the references`, () => {
    const r = new Random(32);
    const [nq, nr, d] = [25, 2600, 16];
    const q = normal(Ctor, nq * d, r);
    const refs = normal(Ctor, nr * d, r);
    for (const k of [100, 300, 1000]) {
      const got = native.knn(q, nq, refs, nr, d, k);
      assertKnnMatches(got, js.knn(q, nq, refs, nr, d, k), tol * 50, name === 'float64' ? 'indices' : 'near', `k=${k}`);
      for (let i = 0; i < nq; i++) for (let j = 1; j < k; j++) assert.ok(got.distances[i * k + j - 1] <= got.distances[i * k + j]);
    }
    const few = integers(Ctor, 70 * d, r);
    const pad = native.knn(few, 3, few, 70, d, 100, { excludeSelf: true });
    assertKnnMatches(pad, js.knn(few, 3, few, 70, d, 100, { excludeSelf: true }), 0, 'exact', 'k > nr');
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(Array.from(pad.indices.subarray(i * 100 + 69, (i + 1) * 100)), new Array(31).fill(-1));
      assert.deepEqual(Array.from(pad.distances.subarray(i * 100 + 69, (i + 1) * 100)), new Array(31).fill(Infinity));
    }
  });

  test(`knn (${name}), large k: NaN distances rank after every number, Infinity before NaN, as in js`, () => {
    const r = new Random(33);
    const nr = 900, d = 2;
    const refs = integers(Ctor, nr * d, r, 7);
    // a third NaN (more than k - nr finite ones are left for k = 700), a few ±Infinity
    for (let i = 0; i < nr; i += 3) refs[i * d + (i % 2)] = NaN;
    for (let i = 1; i < nr; i += 97) refs[i * d] = i % 2 ? Infinity : -Infinity;
    const q = integers(Ctor, 6 * d, r, 7);
    q[d] = NaN; // query 1 is all NaN distances
    for (const k of [60, 300, 700, 900]) {
      for (const excludeSelf of [false, true]) {
        const qs = excludeSelf ? refs.subarray(0, 6 * d) : q;
        assertKnnMatches(native.knn(qs, 6, refs, nr, d, k, { excludeSelf, memoryBudget: 5000 }), js.knn(qs, 6, refs, nr, d, k, { excludeSelf }), 0, 'exact', `k=${k} excludeSelf=${excludeSelf}`);
      }
    }
  });
}

test('knn, large k: two threads give the single-threaded answer', () => {
  const r = new Random(34);
  for (const Ctor of [Float32Array, Float64Array]) {
    const x = integers(Ctor, 1100 * 6, r, 4);
    const one = native.knn(x, 1100, x, 1100, 6, 200, { excludeSelf: true });
    native.setThreads(2);
    try {
      const two = native.knn(x, 1100, x, 1100, 6, 200, { excludeSelf: true, memoryBudget: 1 << 20 });
      assert.deepEqual(two.indices, one.indices);
      assert.deepEqual(two.distances, one.distances);
    } finally {
      native.setThreads(1);
    }
  }
});

test('knn: every vector version (AVX-512 kernel, AVX2 kernel, SSE, scalar) agrees; the BLAS-tile ones bit for bit', () => {
  // Each version runs in a child process (the choice is made once per process). Our float32
  // tile kernels (AVX-512, AVX2) compute their own dot products, so on non-integer float32
  // data they may differ from the OpenBLAS tiles by rounding; everything else must match
  // exactly.
  const script = `
    import { loadNativeBackend, nativeKnnIsa, nativeKnnTileIsa } from './src/backend/native.ts';
    import { Random } from './src/random.ts';
    const b = loadNativeBackend();
    const isa = nativeKnnIsa(), tile = nativeKnnTileIsa();
    const r = new Random(26);
    const exact = [], rounded = [];
    for (const C of [Float32Array, Float64Array]) {
      const x = r.fillNormal(new C(300 * 8));
      const g = new C(300 * 8).map(() => r.int(3));
      // k = 120 takes the candidate-buffer selection, with the same vector pre-filter
      for (const data of [x, g]) for (const excludeSelf of [false, true]) for (const k of [9, 120]) {
        const nq = k === 9 ? 300 : 100;
        const res = b.knn(data.subarray(0, nq * 8), nq, data, 300, 8, k, { excludeSelf, memoryBudget: 20000 });
        (C === Float32Array && data === x ? rounded : exact).push(Array.from(res.indices), Array.from(res.distances));
      }
    }
    console.log(JSON.stringify({ isa, tile, exact, rounded }));`;
  const run = (isa: string) => runWithIsa(script, isa);
  const reference = run('scalar');
  assert.equal(reference.isa, 'scalar');
  assert.equal(reference.tile, 'blas', 'SIMLEARN_KNN_ISA=scalar leaves the tiles to OpenBLAS');
  for (const isa of ['sse', 'avx2', 'auto']) {
    const got = run(isa);
    if (isa !== 'auto') assert.equal(got.isa, isa);
    if (isa === 'sse') assert.equal(got.tile, 'blas', 'SIMLEARN_KNN_ISA=sse leaves the tiles to OpenBLAS');
    if (isa === 'avx2') assert.equal(got.tile, cpuHasAvx2Fma() ? 'avx2' : 'blas', 'SIMLEARN_KNN_ISA=avx2 uses the AVX2 tile kernel where the CPU has AVX2 + FMA');
    assert.deepEqual(got.exact, reference.exact, `${got.isa} differs from scalar`);
    if (got.tile === 'blas') {
      assert.deepEqual(got.rounded, reference.rounded, `${got.isa} differs from scalar`);
      continue;
    }
    for (let i = 0; i < got.rounded.length; i += 2) {
      const [gi, gd, ri, rd] = [got.rounded[i], got.rounded[i + 1], reference.rounded[i], reference.rounded[i + 1]];
      for (let j = 0; j < gd.length; j++) {
        const close = Math.abs(gd[j] - rd[j]) <= 1e-5 * Math.max(1, rd[j]);
        assert.ok(close, `${got.tile} tile distance ${j}: ${gd[j]} vs ${rd[j]}`);
        if (gi[j] !== ri[j]) assert.ok(close, 'a different neighbour only as a near tie');
      }
    }
  }
});

test('knn and sqeuclidean (float32) with the AVX2 tile kernel match js at every edge of its 6 x 16 blocks', (t) => {
  if (!cpuHasAvx2Fma()) {
    t.skip('the CPU lacks AVX2 + FMA');
    return;
  }
  // Forced in a child, so AVX-512 machines cover it too. Row counts hit every remainder of the
  // 6-row block (the budget also cuts query blocks short), column counts every partial last
  // panel, depths the single-value and deep cases.
  const script = `
    import { loadNativeBackend, nativeKnnTileIsa } from './src/backend/native.ts';
    import * as js from './src/backend/js-kernels.ts';
    import { Random } from './src/random.ts';
    const b = loadNativeBackend();
    const r = new Random(28);
    const cases = [];
    const shapes = [[1, 1, 1, 1], [5, 15, 3, 4], [7, 17, 16, 5], [13, 33, 33, 8], [23, 100, 130, 10], [40, 47, 300, 6], [64, 530, 9, 12]];
    for (const [nq, nr, d, k] of shapes) {
      for (const kind of ['integers', 'normal']) {
        const make = (n) => kind === 'integers' ? new Float32Array(n).map(() => r.int(5) - 2) : r.fillNormal(new Float32Array(n));
        const q = make(nq * d), x = make(nr * d);
        for (const memoryBudget of [4 * 17 * 7, 1 << 26]) {
          const got = b.knn(q, nq, x, nr, d, k, { memoryBudget });
          const want = js.knn(q, nq, x, nr, d, k);
          cases.push({ what: nq + 'x' + nr + 'x' + d + ' ' + kind + ' budget ' + memoryBudget, kind, got: [Array.from(got.indices), Array.from(got.distances)], want: [Array.from(want.indices), Array.from(want.distances)] });
        }
        if (nq * nr > 5000) continue;  // keeps the output small
        const got = b.sqeuclidean(q, nq, x, nr, d), want = js.sqeuclidean(q, nq, x, nr, d);
        cases.push({ what: 'sqeuclidean ' + nq + 'x' + nr + 'x' + d + ' ' + kind, kind, sq: true, got: [[], Array.from(got)], want: [[], Array.from(want)] });
      }
    }
    console.log(JSON.stringify({ tile: nativeKnnTileIsa(), cases }));`;
  interface Case { what: string; kind: string; sq?: boolean; got: [number[], number[]]; want: [number[], number[]] }
  const out = runWithIsa<{ tile: string; cases: Case[] }>(script, 'avx2');
  assert.equal(out.tile, 'avx2');
  for (const c of out.cases) {
    if (c.kind === 'integers') {
      assert.deepEqual(c.got, c.want, `${c.what}: not exact`);
      continue;
    }
    const [gi, gd] = c.got, [wi, wd] = c.want;
    assert.equal(gd.length, wd.length, c.what);
    for (let j = 0; j < wd.length; j++) {
      const close = Math.abs(gd[j] - wd[j]) <= 2e-5 * Math.max(1, Math.abs(wd[j])) * (c.sq ? 10 : 1);
      assert.ok(close, `${c.what}: distance ${j}: ${gd[j]} vs ${wd[j]}`);
      if (!c.sq && gi[j] !== wi[j]) assert.ok(close, `${c.what}: a different neighbour only as a near tie`);
    }
  }
});

test('knn (float32, k <= 48) folded into the AVX2 kernel gives the tile search\'s results bit for bit', (t) => {
  if (!cpuHasAvx2Fma()) {
    t.skip('the CPU lacks AVX2 + FMA');
    return;
  }
  // The same searches with SIMLEARN_KNN_FOLD=0 (tile, then scan) and without (threshold test in
  // the micro-kernel). Shapes hit every 6-row remainder, two query blocks of the kernel (256),
  // partial last panels and, through the budget, reference blocks of 16 to all; data with ties,
  // NaN and overflow to Infinity; excludeSelf puts the diagonal inside the folded blocks; two
  // threads split the queries.
  const script = `
    import { loadNativeBackend, nativeKnnTileIsa } from './src/backend/native.ts';
    import { Random } from './src/random.ts';
    const b = loadNativeBackend();
    const r = new Random(29);
    const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    const out = [];
    const run = (what, q, nq, x, nr, d, k, opts) => {
      const res = b.knn(q, nq, x, nr, d, k, opts);
      out.push({ what, indices: Array.from(res.indices), distances: bits(res.distances) });
    };
    const shapes = [[1, 1, 1], [5, 15, 3], [7, 17, 16], [13, 33, 5], [45, 45, 8], [262, 262, 4], [263, 530, 37]];
    for (const [nq, nr, d] of shapes) {
      for (const kind of ['normal', 'integers', 'special']) {
        const make = (n) => {
          if (kind === 'integers') return new Float32Array(n).map(() => r.int(3) - 1);
          const a = r.fillNormal(new Float32Array(n));
          if (kind === 'special') for (let i = 0; i < n; i += 7) a[i] = [NaN, 1e20, -1e20, Infinity][r.int(4)];
          return a;
        };
        const x = make(nr * d);
        const q = nq === nr ? x : make(nq * d);
        for (const k of [1, 5, 16, 48]) {
          for (const memoryBudget of [1, 4 * 17 * 7, 5000, 1 << 26]) {
            const excludeSelf = nq === nr && k !== 5;
            run(nq + 'x' + nr + 'x' + d + ' ' + kind + ' k=' + k + ' budget ' + memoryBudget + ' excludeSelf ' + excludeSelf, q, nq, x, nr, d, k, { excludeSelf, memoryBudget });
          }
        }
      }
    }
    const x = r.fillNormal(new Float32Array(600 * 6));
    b.setThreads(2);
    for (const k of [3, 20]) run('threads 600x600x6 k=' + k, x, 600, x, 600, 6, k, { excludeSelf: true, memoryBudget: 1 << 20 });
    b.setThreads(1);
    console.log(JSON.stringify({ tile: nativeKnnTileIsa(), out }));`;
  interface Run { tile: string; out: { what: string; indices: number[]; distances: number[] }[] }
  const folded = runWithIsa<Run>(script, 'avx2');
  const tiled = runWithIsa<Run>(script, 'avx2', { SIMLEARN_KNN_FOLD: '0' });
  assert.equal(folded.tile, 'avx2');
  assert.equal(tiled.tile, 'avx2');
  assert.equal(folded.out.length, tiled.out.length);
  for (let i = 0; i < tiled.out.length; i++) assert.deepEqual(folded.out[i], tiled.out[i], tiled.out[i].what);
});

test('argument checks: wrong lengths, strides, types and dimensions throw instead of reading out of bounds', () => {
  const f64 = (n: number) => new Float64Array(n);
  assert.throws(() => native.gemm(false, false, 2, 2, 2, 1, f64(3), 2, f64(4), 2, 0, f64(4), 2), { name: 'RangeError', message: /gemm: a has 3 values/ });
  assert.throws(() => native.gemm(false, true, 2, 2, 2, 1, f64(4), 2, f64(4), 2, 0, f64(3), 2), /gemm: c has 3 values/);
  assert.throws(() => native.gemm(false, false, 2, 2, 3, 1, f64(6), 2, f64(6), 2, 0, f64(4), 2), /gemm: lda \(2\) must be at least/);
  assert.throws(() => native.gemm(true, false, 2, 2, 3, 1, f64(6), 2, f64(5), 2, 0, f64(4), 2), /gemm: b has 5 values/);
  assert.throws(() => native.gemm(false, false, 1, 1, 1, 1, new Float32Array(1) as unknown as Float64Array, 1, f64(1), 1, 0, f64(1), 1), { name: 'TypeError', message: /share the element type/ });
  assert.throws(() => native.gemm(false, false, 1.5, 1, 1, 1, f64(2), 1, f64(2), 1, 0, f64(2), 1), /m must be a non-negative integer/);
  assert.throws(() => native.gemm(false, false, -1, 1, 1, 1, f64(2), 1, f64(2), 1, 0, f64(2), 1), /m must be a non-negative integer/);
  assert.throws(() => native.gemv(false, 2, 3, 1, f64(6), 3, f64(2), 0, f64(2)), /gemv: x has 2 values/);
  assert.throws(() => native.gemv(true, 2, 3, 1, f64(6), 3, f64(2), 0, f64(2)), /gemv: y has 2 values/);
  assert.throws(() => native.gram(f64(5), 2, 3), /gram: x has 5 values/);
  assert.throws(() => native.rowSqNorms(f64(5), 2, 3), /rowSqNorms: x has 5 values/);
  assert.throws(() => native.sqeuclidean(f64(6), 2, f64(5), 2, 3), /sqeuclidean: b has 5 values/);
  assert.throws(() => native.dot(f64(3), f64(4)), /dot: x has length 3 but y has 4/);
  assert.throws(() => native.axpy(1, f64(3), f64(4)), /axpy: x has length 3 but y has 4/);
  assert.throws(() => native.knn(f64(5), 2, f64(6), 2, 3, 1), /knn: queries has 5 values/);
  assert.throws(() => native.knn(f64(6), 2, f64(5), 2, 3, 1), /knn: refs has 5 values/);
  assert.throws(() => native.knn(f64(6), 2, f64(6), 2, 3, 1, { memoryBudget: 0 }), /memoryBudget/);
  assert.throws(() => native.knn(f64(6), 2, f64(6), 2, 3, -1), /k must be a non-negative integer/);
  assert.throws(() => native.scal(1, [1, 2] as unknown as Float64Array), { name: 'TypeError', message: /Float32Array or Float64Array/ });
  // Subarray views are read at their offset, and their length is what is checked.
  const base = new Float64Array([9, 9, 1, 2, 3, 4]);
  assert.equal(native.dot(base.subarray(2, 4), base.subarray(4, 6)), 1 * 3 + 2 * 4);
  assert.throws(() => native.gram(base.subarray(2), 3, 2), /gram: x has 4 values/);
});

test('simlearn info --json reports the native backend and honours SIMLEARN_THREADS', () => {
  const r = runCli(['info', '--json'], { SIMLEARN_BACKEND: 'auto', SIMLEARN_THREADS: '' });
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.backend, 'native');
  assert.match(info.blas, /OpenBLAS/);
  assert.equal(info.threads, 1);
  const two = runCli(['info', '--json'], { SIMLEARN_BACKEND: 'native', SIMLEARN_THREADS: '2' });
  assert.equal(two.code, 0, two.stderr);
  assert.equal(JSON.parse(two.stdout).threads, 2);
});

test('centreColumns: native gives the reference means and centred rows to the bit, in place too', () => {
  const r = new Random(5);
  const n = 257, d = 13;
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = 1e3 + r.normal() * (1 + (i % d));
  const outNative = new Float64Array(n * d), outJs = new Float64Array(n * d);
  const mNative = native.centreColumns(x, n, d, outNative);
  const mJs = js.centreColumns(x, n, d, outJs);
  assert.deepEqual(Array.from(mNative), Array.from(mJs));
  assert.deepEqual(Array.from(outNative), Array.from(outJs));
  // Against the definition: the centred columns sum to ~0 and the means match a plain sum.
  for (let j = 0; j < d; j++) {
    let s = 0, c = 0;
    for (let i = 0; i < n; i++) { s += x[i * d + j]; c += outNative[i * d + j]; }
    assert.ok(Math.abs(s / n - mNative[j]) <= 1e-12 * Math.abs(s / n));
    assert.ok(Math.abs(c) < 1e-9 * n, `column ${j} sums to ${c}`);
  }
  const inPlace = x.slice();
  native.centreColumns(inPlace, n, d, inPlace);
  assert.deepEqual(Array.from(inPlace), Array.from(outJs));
  // Means only.
  assert.deepEqual(Array.from(native.centreColumns(x, n, d, null)), Array.from(mJs));
  for (const f of [native.centreColumns, js.centreColumns]) {
    assert.throws(() => f(x, 0, d, null), /centreColumns: n must be at least 1/);
    assert.throws(() => f(x, n + 1, d, null), /centreColumns: x has \d+ values but an 258 x 13 matrix needs/);
    assert.throws(() => f(x, n, d, new Float64Array(3)), /centreColumns: out has 3 values but an/);
  }
});

test('condensedSqDistances: every pair i < j in condensed order, native and reference to the bit', () => {
  const r = new Random(8);
  for (const [m, d] of [[1, 3], [2, 1], [37, 5], [150, 64]] as const) {
    const x = new Float64Array(m * d);
    for (let i = 0; i < x.length; i++) x[i] = r.normal() * 3 + 10;
    const a = native.condensedSqDistances(x, m, d), b = js.condensedSqDistances(x, m, d);
    assert.equal(a.length, (m * (m - 1)) / 2);
    assert.deepEqual(Array.from(a), Array.from(b));
    let k = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++, k++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (x[i * d + c] - x[j * d + c]) ** 2;
      assert.equal(a[k], s, `pair (${i}, ${j})`);
    }
  }
  for (const f of [native.condensedSqDistances, js.condensedSqDistances]) {
    assert.throws(() => f(new Float64Array(5), 3, 2), /condensedSqDistances: x has 5 values but an 3 x 2 matrix needs 6/);
  }
});
