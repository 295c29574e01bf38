import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import { Random } from '../../src/random.js';
import { requireNative } from './native-helpers.js';
import { centredPoints, indexedPairs, pairQuadForms, pointsTimes } from '../../src/metric/indexed-pairs.js';
import { pairScatter } from '../../src/metric/scatter.js';
import { Matrix } from '../../src/matrix.js';

const native = requireNative();

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function randomPairs(r: Random, n: number, N: number): [Int32Array, Int32Array] {
  const a = new Int32Array(n), b = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    a[t] = r.int(N);
    b[t] = r.int(N);
  }
  return [a, b];
}

test('pairQuadForms and addPairLaplacian: native equals the JS reference bit for bit, and both equal the direct sums', () => {
  const r = new Random(11);
  for (const [N, d, n] of [[1, 1, 3], [7, 3, 20], [40, 17, 300]] as const) {
    const X = r.fillNormal(new Float64Array(N * d)), Y = r.fillNormal(new Float64Array(N * d));
    const [first, second] = randomPairs(r, n, N);
    const w = r.fillNormal(new Float64Array(n));
    w[0] = 0;
    const qn = new Float64Array(n), qj = new Float64Array(n);
    native.pairQuadForms(X, Y, N, d, first, second, qn);
    jsBackend.pairQuadForms(X, Y, N, d, first, second, qj);
    assert.ok(sameBits(qn, qj));
    const Zn = r.fillNormal(new Float64Array(N * d)), Zj = Zn.slice(), Z0 = Zn.slice();
    native.addPairLaplacian(Zn, X, N, d, first, second, w);
    jsBackend.addPairLaplacian(Zj, X, N, d, first, second, w);
    assert.ok(sameBits(Zn, Zj));
    for (let t = 0; t < n; t++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (Y[first[t] * d + c] - Y[second[t] * d + c]) * (X[first[t] * d + c] - X[second[t] * d + c]);
      assert.ok(Math.abs(s - qj[t]) <= 1e-12 * (1 + Math.abs(s)));
    }
    // The Laplacian's rows sum to zero: the added part of Z sums to 0 over the rows.
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += Zj[i * d + c] - Z0[i * d + c];
      assert.ok(Math.abs(s) < 1e-9, `column ${c}: ${s}`);
    }
  }
});

test('pairQuadForms and addPairLaplacian: out-of-range rows and wrong lengths are RangeErrors on both backends', () => {
  const X = new Float64Array(6), out = new Float64Array(2), w = new Float64Array(2);
  for (const be of [native, jsBackend]) {
    assert.throws(() => be.pairQuadForms(X, X, 3, 2, Int32Array.of(0, 3), Int32Array.of(1, 2), out), (e: Error) => e instanceof RangeError && /first\[1\] = 3 is not a row \(0 \.\. 2\)/.test(e.message));
    assert.throws(() => be.pairQuadForms(X, X, 3, 2, Int32Array.of(0, 1), Int32Array.of(-1, 2), out), /second\[0\] = -1/);
    assert.throws(() => be.addPairLaplacian(X, X, 3, 2, Int32Array.of(0), Int32Array.of(1), w), /first has 1 entries, expected 2/);
    assert.throws(() => be.addPairLaplacian(X, new Float64Array(4), 3, 2, Int32Array.of(0, 1), Int32Array.of(1, 2), w), /X must hold an 3 x 2 matrix|X.*3 x 2/);
  }
});

test('indexed pairs: quadratic forms through Y = X M and the Laplacian scatter equal the sums over differences, with a large common offset', () => {
  const r = new Random(5);
  const N = 30, d = 6, n = 80;
  const P = r.fillNormal(new Float64Array(N * d));
  for (let i = 0; i < P.length; i++) P[i] += 1e6; // centring must keep the digits
  const [first, second] = randomPairs(r, n, N);
  const idx = new Int32Array(2 * n);
  for (let t = 0; t < n; t++) {
    idx[2 * t] = first[t];
    idx[2 * t + 1] = second[t];
  }
  const A = r.fillNormal(new Float64Array(d * d));
  const M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) M[i * d + j] += A[i * d + k] * A[j * d + k];
  const w = r.fillNormal(new Float64Array(n));
  const pairs = indexedPairs(centredPoints(P, N, d), N, d, idx, 2, 0, 1);
  const q = pairQuadForms(pairs, pointsTimes(pairs.X, N, d, M));
  const S = pairScatter(new Matrix(N, d, pairs.X), pairs.first, pairs.second, w);
  const Sref = new Float64Array(d * d);
  for (let t = 0; t < n; t++) {
    const v = new Float64Array(d);
    for (let c = 0; c < d; c++) v[c] = P[first[t] * d + c] - P[second[t] * d + c];
    let s = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      s += v[i] * M[i * d + j] * v[j];
      Sref[i * d + j] += w[t] * v[i] * v[j];
    }
    assert.ok(Math.abs(s - q[t]) <= 1e-9 * (1 + Math.abs(s)), `pair ${t}: ${q[t]} vs ${s}`);
  }
  for (let i = 0; i < d * d; i++) assert.ok(Math.abs(S[i] - Sref[i]) <= 1e-9 * (1 + Math.abs(Sref[i])), `${S[i]} vs ${Sref[i]}`);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.equal(S[i * d + j], S[j * d + i]);
});

test('graphical lasso sweeps: native equals the JS reference bit for bit (W, β, sweeps, convergence)', () => {
  const r = new Random(3);
  for (const d of [2, 5, 23]) {
    const Xs = r.fillNormal(new Float64Array(2 * d * d));
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let s = 0;
      for (let t = 0; t < 2 * d; t++) s += Xs[t * d + i] * Xs[t * d + j];
      S[i * d + j] = s / (2 * d) + (i === j ? 0.1 : 0);
    }
    for (const rho of [0, 0.02, 0.3, 5]) {
      const a = jsBackend.graphicalLassoSweeps(S, d, rho, 100, 1e-8, 200);
      const b = native.graphicalLassoSweeps(S, d, rho, 100, 1e-8, 200);
      assert.equal(b.nIter, a.nIter);
      assert.equal(b.converged, a.converged);
      assert.ok(sameBits(b.covariance, a.covariance), `W differs at d=${d}, rho=${rho}`);
      assert.ok(sameBits(b.beta, a.beta), `beta differs at d=${d}, rho=${rho}`);
    }
    assert.throws(() => native.graphicalLassoSweeps(S.subarray(1), d, 0.1, 10, 1e-4, 10), /S must be a|S.*matrix/);
  }
  assert.throws(() => native.graphicalLassoSweeps(new Float64Array(1), 1, 0.1, 10, 1e-4, 10), /d must be at least 2/);
  assert.throws(() => jsBackend.graphicalLassoSweeps(new Float64Array(1), 1, 0.1, 10, 1e-4, 10), /d must be at least 2/);
});
