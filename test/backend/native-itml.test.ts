import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import type { Backend, ItmlProblem, ItmlState } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import { requireNative } from './native-helpers.js';

const native = requireNative();

/** Pairs from two clusters in d dimensions: similar within, dissimilar across. */
function problem(d: number, n: number, seed: number): ItmlProblem {
  const r = new Random(seed);
  const dp = (d + 3) & ~3;
  const V = new Float64Array(n * dp);
  const y = new Int8Array(n);
  for (let c = 0; c < n; c++) {
    const similar = c % 2 === 0;
    y[c] = similar ? 1 : -1;
    for (let j = 0; j < d; j++) V[c * dp + j] = (similar ? 0.5 : 1.5) * r.normal() + (similar || j > 1 ? 0 : 3);
  }
  return { V, n, d, dp, y, gamma: 1 };
}

function start(P: ItmlProblem): ItmlState {
  const M = new Float64Array(P.dp * P.dp);
  for (let i = 0; i < P.d; i++) M[i * P.dp + i] = 1;
  const xi = new Float64Array(P.n);
  for (let c = 0; c < P.n; c++) xi[c] = P.y[c] > 0 ? 2 : 40;
  return { M, lambda: new Float64Array(P.n), xi };
}

function run(be: Backend, P: ItmlProblem, maxIter = 1000, tol = 1e-3) {
  const S = start(P);
  const r = be.itmlBregman(P, S, maxIter, tol);
  return { ...r, ...S };
}

test('itmlBregman: native makes the reference projections to the bit below 32 features, and agrees to rounding above', () => {
  for (const d of [5, 13]) {
    const P = problem(d, 120, d);
    const a = run(native, P), b = run(jsBackend, P);
    assert.equal(a.nIter, b.nIter);
    assert.equal(a.converged, b.converged);
    assert.deepEqual(Array.from(a.M), Array.from(b.M));
    assert.deepEqual(Array.from(a.lambda), Array.from(b.lambda));
    assert.deepEqual(Array.from(a.history), Array.from(b.history));
  }
  const P = problem(40, 150, 3);
  const a = run(native, P, 50), b = run(jsBackend, P, 50);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.M.length; i++) { diff = Math.max(diff, Math.abs(a.M[i] - b.M[i])); scale = Math.max(scale, Math.abs(b.M[i])); }
  assert.ok(diff <= 1e-8 * scale, `max difference ${diff} of ${scale}`);
});

test('itmlBregman: the result satisfies the constraints it made active, keeps M symmetric PSD-looking and the padding zero', () => {
  for (const be of [native, jsBackend]) {
    const P = problem(6, 80, 9);
    const r = run(be, P, 2000, 1e-6);
    assert.ok(r.converged, 'converges on a separable problem');
    assert.equal(r.history.length, r.nIter);
    const { dp, d } = P;
    for (let i = 0; i < dp; i++) for (let j = 0; j < dp; j++) {
      if (i >= d || j >= d) assert.equal(r.M[i * dp + j], 0, 'padding stays zero');
      else assert.ok(Math.abs(r.M[i * dp + j] - r.M[j * dp + i]) <= 1e-12 * (1 + Math.abs(r.M[i * dp + j])));
    }
    for (let i = 0; i < d; i++) assert.ok(r.M[i * dp + i] > 0);
    // Duals stay non-negative (Bregman's method with slack).
    for (const l of r.lambda) assert.ok(l >= 0);
  }
});

test('itmlBregman: bad arguments are refused by name', () => {
  const P = problem(5, 10, 1);
  for (const be of [native, jsBackend]) {
    assert.throws(() => be.itmlBregman({ ...P, dp: 5 }, start(P), 10, 1e-3), /itmlBregman: dp must be d rounded up to a multiple of 4 \(8\)/);
    assert.throws(() => be.itmlBregman({ ...P, y: Int8Array.from(P.y, (v, i) => (i === 3 ? 0 : v)) }, start(P), 10, 1e-3), /itmlBregman: y\[3\] is 0; labels must be \+1 or -1/);
    assert.throws(() => be.itmlBregman({ ...P, gamma: 0 }, start(P), 10, 1e-3), /itmlBregman: gamma must be a positive finite number/);
    assert.throws(() => be.itmlBregman(P, { ...start(P), xi: new Float64Array(3) }, 10, 1e-3), /itmlBregman: xi must be a Float64Array of 10 values/);
    assert.throws(() => be.itmlBregman(P, start(P), 10, -1), /itmlBregman: tol must be non-negative/);
  }
});
