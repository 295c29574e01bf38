import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import type { Backend } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import { requireNative } from './native-helpers.js';

const native = requireNative();
const BACKENDS: Array<[string, Backend]> = [['native', native], ['js', jsBackend]];

function sqDist(Z: Float64Array, a: number, b: number, k: number): number {
  let s = 0;
  for (let c = 0; c < k; c++) s += (Z[a * k + c] - Z[b * k + c]) ** 2;
  return s;
}

/** Clustered points: labels 0..classes−1, each class around its own centre, times scale. */
function clustered(r: Random, n: number, k: number, classes: number, scale: number): { Z: Float64Array; y: Int32Array } {
  const centres = r.fillNormal(new Float64Array(classes * k), 0, 2);
  const Z = new Float64Array(n * k), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = r.int(classes);
    for (let c = 0; c < k; c++) Z[i * k + c] = scale * (centres[y[i] * k + c] + r.normal());
  }
  return { Z, y };
}

/** exp(min − d_ij) for j ≠ i (0 for j = i) and their sum: row i's unnormalised kernel. */
function kernelRow(Z: Float64Array, n: number, k: number, i: number): { e: number[]; s: number } {
  const D = Array.from({ length: n }, (_, j) => (j === i ? Infinity : sqDist(Z, i, j, k)));
  const m = Math.min(...D);
  const e = D.map((v) => Math.exp(m - v));
  return { e, s: e.reduce((a, b) => a + b, 0) };
}

/** Adds w (e_i − e_j)(x_i − x_j)ᵀ X's share to SX: row i gains w (x_i − x_j), row j loses it. */
function addPairTerm(SX: Float64Array, X: Float64Array, d: number, i: number, j: number, w: number): void {
  for (let c = 0; c < d; c++) {
    const v = w * (X[i * d + c] - X[j * d + c]);
    SX[i * d + c] += v;
    SX[j * d + c] -= v;
  }
}

/**
 * NCA's softmax without any cutoff, straight from the definitions: Σ p_i, and Lap(W) X with
 * W_ij = p_ij ([y_i = y_j] − p_i), as Σ_ij W_ij (e_i − e_j)(x_i − x_j)ᵀ.
 */
function softmaxByDefinition(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Int32Array): { f: number; SX: Float64Array } {
  const SX = new Float64Array(n * d);
  let f = 0;
  for (let i = 0; i < n; i++) {
    const { e, s } = kernelRow(Z, n, k, i);
    let pi = 0;
    for (let j = 0; j < n; j++) if (y[j] === y[i]) pi += e[j] / s;
    f += pi;
    for (let j = 0; j < n; j++) addPairTerm(SX, X, d, i, j, (e[j] / s) * ((y[j] === y[i] ? 1 : 0) - pi));
  }
  return { f, SX };
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

test('neighbourSoftmaxLaplacian: both backends equal the definition, from a sharp softmax (pair by pair) to a flat one (dense blocks)', () => {
  const r = new Random(3);
  // 301 rows: one block of rows; 700: two uneven blocks. k ≠ d, so Z and X are not mixed up.
  // The native kernel takes exact float64 distances for k ≤ 32 (one SYRK for a single block,
  // GEMMs per block otherwise) and a float32 search above, so both are run, each from sharp
  // softmaxes (a few pairs a row) to flat ones (every pair kept).
  const d = 7;
  const cases: Array<[number, number, number]> = [
    [301, 5, 4], [301, 5, 2], [301, 5, 1], [301, 5, 0.3], [301, 5, 0.05],
    [301, 70, 3], [301, 70, 1], [301, 70, 0.5], [301, 70, 0.05],
    [700, 5, 2], [700, 5, 0.05],
  ];
  for (const [n, k, scale] of cases) {
    const X = r.fillNormal(new Float64Array(n * d));
    const { Z, y } = clustered(r, n, k, 4, scale);
    const want = softmaxByDefinition(X, Z, n, d, k, y);
    const got: number[] = [];
    for (const [name, be] of BACKENDS) {
      const SX = new Float64Array(n * d).fill(NaN); // written, never read
      const f = be.neighbourSoftmaxLaplacian(X, Z, n, d, k, y, 40, SX);
      got.push(f);
      const where = `${name}, n ${n}, k ${k}, scale ${scale}`;
      assert.ok(Math.abs(f - want.f) <= 1e-10 * n, `${where}: Σ p_i ${f} vs ${want.f}`);
      const err = new Float64Array(n * d).map((_, t) => SX[t] - want.SX[t]);
      assert.ok(maxAbs(err) <= 1e-10 * Math.max(1, maxAbs(want.SX)), `${where}: Lap(W) X off by ${maxAbs(err)}`);
    }
    assert.ok(Math.abs(got[0] - got[1]) <= 1e-12 * n, `n ${n}, k ${k}, scale ${scale}: backends differ, ${got[0]} vs ${got[1]}`);
  }
});

/** MLKR's regression without any cutoff, from the definitions: Σ r_i² and Lap(W) X. */
function kernelRegressionByDefinition(X: Float64Array, Z: Float64Array, n: number, d: number, k: number, y: Float64Array): { f: number; SX: Float64Array } {
  const SX = new Float64Array(n * d);
  let f = 0;
  for (let i = 0; i < n; i++) {
    const { e, s } = kernelRow(Z, n, k, i);
    const yhat = e.reduce((a, v, j) => a + v * y[j], 0) / s;
    const r = yhat - y[i];
    f += r * r;
    for (let j = 0; j < n; j++) addPairTerm(SX, X, d, i, j, (2 * r * (yhat - y[j]) * e[j]) / s);
  }
  return { f, SX };
}

test('kernelRegressionLaplacian: both backends equal the definition, sharp to flat kernels, one block and two', () => {
  const r = new Random(4);
  const d = 6;
  for (const [n, k, scale] of [[301, 5, 4], [301, 5, 2], [301, 5, 0.3], [301, 40, 1], [301, 40, 0.05], [700, 5, 2], [700, 5, 0.05]]) {
    const X = r.fillNormal(new Float64Array(n * d));
    const { Z } = clustered(r, n, k, 4, scale);
    const y = Float64Array.from({ length: n }, (_, i) => Z[i * k] + 0.3 * r.normal());
    const want = kernelRegressionByDefinition(X, Z, n, d, k, y);
    for (const [name, be] of BACKENDS) {
      const SX = new Float64Array(n * d).fill(NaN);
      const f = be.kernelRegressionLaplacian(X, Z, n, d, k, y, 60, SX);
      const where = `${name}, n ${n}, k ${k}, scale ${scale}`;
      assert.ok(Math.abs(f - want.f) <= 1e-9 * Math.max(1, want.f), `${where}: Σ r² ${f} vs ${want.f}`);
      const err = new Float64Array(n * d).map((_, t) => SX[t] - want.SX[t]);
      assert.ok(maxAbs(err) <= 1e-9 * Math.max(1, maxAbs(want.SX)), `${where}: Lap(W) X off by ${maxAbs(err)}`);
    }
  }
  const X = new Float64Array(12), Z = new Float64Array(8), SX = new Float64Array(12);
  for (const [, be] of BACKENDS) {
    assert.throws(() => be.kernelRegressionLaplacian(X, Z, 4, 3, 2, new Float64Array(3), 60, SX), /y has 3 targets, expected 4|y must hold 4 targets/);
    assert.throws(() => be.kernelRegressionLaplacian(X, Z, 1, 3, 2, new Float64Array(1), 60, SX), /n must be at least 2/);
  }
});

test('neighbourSoftmaxLaplacian: one outlier far from every row keeps an exact softmax of its own', () => {
  // Row 0 sits 1e3 away: its nearest neighbour is at ~1e6 squared distance, and only the
  // cutoff relative to its own minimum keeps its weights finite.
  const r = new Random(5);
  const n = 40, d = 3, k = 3;
  const { Z, y } = clustered(r, n, k, 2, 1);
  for (let c = 0; c < k; c++) Z[c] += 1e3;
  const X = Z.slice();
  const want = softmaxByDefinition(X, Z, n, d, k, y);
  for (const [name, be] of BACKENDS) {
    const SX = new Float64Array(n * d);
    const f = be.neighbourSoftmaxLaplacian(X, Z, n, d, k, y, 40, SX);
    assert.ok(Number.isFinite(f) && Math.abs(f - want.f) <= 1e-9 * n, `${name}: ${f} vs ${want.f}`);
  }
});

test('neighbourSoftmaxLaplacian: bad arguments are RangeErrors naming the argument', () => {
  const X = new Float64Array(12), Z = new Float64Array(8), y = new Int32Array(4), SX = new Float64Array(12);
  for (const [, be] of BACKENDS) {
    assert.throws(() => be.neighbourSoftmaxLaplacian(X, Z, 1, 3, 2, new Int32Array(1), 40, SX), /n must be at least 2/);
    assert.throws(() => be.neighbourSoftmaxLaplacian(X, Z, 4, 3, 2, new Int32Array(3), 40, SX), /y has 3 labels, expected 4/);
    assert.throws(() => be.neighbourSoftmaxLaplacian(X, Z, 4, 3, 2, y, 0, SX), /cutoff must be a positive finite number/);
    assert.throws(() => be.neighbourSoftmaxLaplacian(X, Z, 4, 3, 2, y, 40, new Float64Array(11)), /SX must hold an 4 x 3 matrix/);
    assert.throws(() => be.neighbourSoftmaxLaplacian(X, new Float64Array(7), 4, 3, 2, y, 40, SX), /Z must hold an 4 x 2 matrix/);
  }
});

test('impostorCandidates: a superset of the other-class rows within the radius, exact distances where asked, and a true lower bound for the rest', () => {
  const r = new Random(8);
  const n = 257, k = 6;
  const { Z, y } = clustered(r, n, k, 3, 1);
  const radius2 = new Float64Array(n), exactBelow = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    radius2[i] = 10 + 40 * r.next();
    exactBelow[i] = radius2[i] / (1 + r.next());
  }
  const rows = Int32Array.from([0, 5, 256, 17, 5, 100]); // any order, repeats allowed
  for (const [name, be] of BACKENDS) {
    const res = be.impostorCandidates(Z, n, k, y, rows, radius2, exactBelow);
    assert.equal(res.start.length, rows.length + 1);
    assert.equal(res.minOut.length, rows.length);
    for (let q = 0; q < rows.length; q++) {
      const i = rows[q];
      const listed = new Map<number, number>();
      for (let t = res.start[q]; t < res.start[q + 1]; t++) {
        const l = res.index[t];
        assert.notEqual(y[l], y[i], `${name}: row ${i} lists ${l} of its own class`);
        if (t > res.start[q]) assert.ok(l > res.index[t - 1], `${name}: row ${i}'s list is not ascending`);
        listed.set(l, res.dist[t]);
      }
      let nearestLeftOut = Infinity;
      for (let l = 0; l < n; l++) {
        if (y[l] === y[i]) continue;
        const e = sqDist(Z, i, l, k);
        if (!listed.has(l)) {
          assert.ok(!(e < radius2[i]), `${name}: row ${i} misses ${l} at ${e} < ${radius2[i]}`);
          nearestLeftOut = Math.min(nearestLeftOut, e);
          continue;
        }
        assert.ok(e < radius2[i] * (1 + 1e-5) + 1e-3, `${name}: row ${i} lists ${l} at ${e}, far beyond ${radius2[i]}`);
        const dist = listed.get(l)!;
        if (e < exactBelow[i]) assert.equal(dist, e, `${name}: row ${i}, ${l}: exact distance ${dist} vs ${e}`);
        else assert.ok(dist === Infinity || dist === e);
      }
      assert.ok(res.minOut[q] <= nearestLeftOut, `${name}: minOut ${res.minOut[q]} above the nearest left out, ${nearestLeftOut}`);
      assert.ok(res.minOut[q] >= nearestLeftOut * (1 - 1e-4) - 1e-3 || nearestLeftOut === Infinity, `${name}: minOut ${res.minOut[q]} is a loose bound for ${nearestLeftOut}`);
    }
  }
});

test('impostorCandidates: no rows, and bad arguments as RangeErrors naming the argument', () => {
  const Z = new Float64Array(12), y = new Int32Array(4), r2 = new Float64Array(4), eb = new Float64Array(4);
  for (const [, be] of BACKENDS) {
    const empty = be.impostorCandidates(Z, 4, 3, y, new Int32Array(0), r2, eb);
    assert.deepEqual(Array.from(empty.start), [0]);
    assert.equal(empty.index.length, 0);
    assert.throws(() => be.impostorCandidates(Z, 4, 3, y, Int32Array.from([4]), r2, eb), /rows\[0\] = 4 is not a row/);
    assert.throws(() => be.impostorCandidates(Z, 4, 3, new Int32Array(3), Int32Array.from([0]), r2, eb), /y has 3 labels, expected 4/);
    assert.throws(() => be.impostorCandidates(Z, 4, 3, y, Int32Array.from([0]), new Float64Array(3), eb), /radius2 has 3 entries/);
    assert.throws(() => be.impostorCandidates(new Float64Array(11), 4, 3, y, Int32Array.from([0]), r2, eb), /Z must hold an 4 x 3 matrix/);
  }
});

test('affinityLaplacian: both backends pick the k-th neighbour scales and equal Σ_{a<b} A_ab (x_a − x_b)(x_a − x_b)ᵀ by definition, in one block and in several', () => {
  const r = new Random(12);
  for (const [m, d, k] of [[2, 1, 1], [40, 3, 7], [3000, 2, 5]] as const) {
    const X = r.fillNormal(new Float64Array(m * d));
    // The scales by definition: the k-th smallest distance to another row.
    const step = m > 1000 ? 37 : 1;
    const scale = (a: number): number => {
      const others: number[] = [];
      for (let b = 0; b < m; b++) if (b !== a) others.push(sqDist(X, a, b, d));
      others.sort((u, v) => u - v);
      return Math.max(Math.sqrt(others[k - 1]), 1e-12);
    };
    for (const [name, be] of BACKENDS) {
      const out = new Float64Array(m * d).fill(NaN);
      const sigma = be.affinityLaplacian(X, m, d, k, out);
      assert.equal(sigma.length, m);
      for (let a = 0; a < m; a += step) assert.ok(Math.abs(sigma[a] - scale(a)) <= 1e-12 * scale(a), `${name}, m ${m}: σ_${a} ${sigma[a]} vs ${scale(a)}`);
      const A = (a: number, b: number): number => Math.exp(-sqDist(X, a, b, d) / (sigma[a] * sigma[b]));
      if (step === 1) {
        const want = new Float64Array(d * d), got = new Float64Array(d * d);
        for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
          for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) want[p * d + q] += A(a, b) * (X[a * d + p] - X[b * d + p]) * (X[a * d + q] - X[b * d + q]);
        }
        for (let a = 0; a < m; a++) for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) got[p * d + q] += X[a * d + p] * out[a * d + q];
        for (let p = 0; p < d * d; p++) assert.ok(Math.abs(got[p] - want[p]) <= 1e-10 * Math.max(1, maxAbs(want)), `${name}, m ${m}: entry ${p}, ${got[p]} vs ${want[p]}`);
      } else {
        // Row a of Lap(A) X is Σ_b A_ab (x_a − x_b): check the sampled rows directly.
        for (let a = 0; a < m; a += step) for (let p = 0; p < d; p++) {
          let v = 0;
          for (let b = 0; b < m; b++) if (b !== a) v += A(a, b) * (X[a * d + p] - X[b * d + p]);
          assert.ok(Math.abs(out[a * d + p] - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${name}, m ${m}: row ${a}, ${out[a * d + p]} vs ${v}`);
        }
      }
    }
  }
});

test('affinityLaplacian: the native vectorised exponential agrees with Math.exp to a few ulp over exponents from 0 to −800', () => {
  // Three points 0, 1, 1 + s on a line with k = 1: σ = (1, 1, s), so A_12 = e^(−s) and
  // A_02 = e^(−(1+s)²/s); row 2 of the output is A_02 (1 + s) + A_12 s. Both backends form
  // the same exponents from the same products, so any difference comes from the exponential.
  for (let i = 0; i <= 400; i++) {
    const s = i === 0 ? 1e-3 : 2 * i + (i % 7) / 7;
    const X = new Float64Array([0, 1, 1 + s]);
    const got = new Float64Array(3), want = new Float64Array(3);
    native.affinityLaplacian(X, 3, 1, 1, got);
    jsBackend.affinityLaplacian(X, 3, 1, 1, want);
    for (let a = 0; a < 3; a++) {
      const tol = Math.abs(want[a]) >= 1e-290 ? 1e-14 * Math.abs(want[a]) : 1e-300;
      assert.ok(Math.abs(got[a] - want[a]) <= tol, `s ${s}, row ${a}: ${got[a]} vs ${want[a]}`);
    }
    if (s > 720) assert.equal(got[2], 0, `s ${s}: e^(−s) underflows to 0`);
  }
});

test('affinityLaplacian rejects bad shapes on both backends', () => {
  for (const [, be] of BACKENDS) {
    assert.throws(() => be.affinityLaplacian(new Float64Array(2), 1, 2, 1, new Float64Array(2)), /m must be/);
    assert.throws(() => be.affinityLaplacian(new Float64Array(6), 3, 2, 3, new Float64Array(6)), /k must be an integer from 1 to m − 1 = 2, got 3/);
    assert.throws(() => be.affinityLaplacian(new Float64Array(6), 3, 2, 1, new Float64Array(5)), /out must hold an 3 x 2 matrix/);
  }
});
