import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import type { LsmlArrays } from '../../src/backend/backend.js';
import { lsmlObjective } from '../../src/backend/js-lsml.js';
import { Random } from '../../src/random.js';
import { requireNative } from './native-helpers.js';

const native = requireNative();

/** Random quadruplets over N centred points; a diagonal prior with its inverse and log det. */
function problem(seed: number, N: number, d: number, n: number): LsmlArrays {
  const r = new Random(seed);
  const X = r.fillNormal(new Float64Array(N * d));
  for (let c = 0; c < d; c++) {
    let m = 0;
    for (let i = 0; i < N; i++) m += X[i * d + c];
    for (let i = 0; i < N; i++) X[i * d + c] -= m / N;
  }
  const idx = () => Int32Array.from({ length: n }, () => r.int(N));
  const w = new Float64Array(n).fill(1 / n);
  const prior = new Float64Array(d * d), priorInv = new Float64Array(d * d);
  let priorLogDet = 0;
  for (let c = 0; c < d; c++) {
    const v = 0.5 + r.next();
    prior[c * d + c] = v;
    priorInv[c * d + c] = 1 / v;
    priorLogDet += Math.log(v);
  }
  return { X, N, d, abFirst: idx(), abSecond: idx(), cdFirst: idx(), cdSecond: idx(), w, prior, priorInv, priorLogDet };
}

test('lsmlDescent: native follows the TypeScript reference step for step and ends at the same metric', () => {
  for (const [seed, N, d, n] of [[1, 30, 3, 40], [2, 80, 7, 300], [3, 50, 12, 200]] as const) {
    const P = problem(seed, N, d, n);
    const a = native.lsmlDescent(P, 1000, 1e-7), b = jsBackend.lsmlDescent(P, 1000, 1e-7);
    assert.equal(a.nIter, b.nIter, `seed ${seed}: iterations`);
    assert.equal(a.converged, b.converged);
    assert.equal(a.history.length, b.history.length);
    for (let i = 0; i < a.history.length; i++) assert.ok(Math.abs(a.history[i] - b.history[i]) <= 1e-9 * Math.abs(b.history[i]), `seed ${seed}, step ${i}: ${a.history[i]} vs ${b.history[i]}`);
    let scale = 0, diff = 0;
    for (let i = 0; i < d * d; i++) {
      scale = Math.max(scale, Math.abs(b.M[i]));
      diff = Math.max(diff, Math.abs(a.M[i] - b.M[i]));
      assert.equal(a.M[i], a.M[(i % d) * d + Math.floor(i / d)], 'native M is symmetric to the bit');
    }
    assert.ok(diff <= 1e-8 * scale, `seed ${seed}: M differs by ${diff}`);
    // Each reported objective is the objective at the returned metric, and it went down.
    assert.ok(Math.abs(lsmlObjective(P, a.M) - a.objective) <= 1e-9 * Math.abs(a.objective));
    assert.ok(a.objective < lsmlObjective(P, P.prior));
  }
});

test('lsmlDescent: maxIter 0 returns the prior; bad arrays are RangeErrors naming the argument', () => {
  const P = problem(4, 20, 3, 10);
  for (const be of [native, jsBackend]) {
    const r = be.lsmlDescent(P, 0, 1e-5);
    assert.equal(r.nIter, 0);
    assert.deepEqual(Array.from(r.M), Array.from(P.prior));
    assert.throws(() => be.lsmlDescent({ ...P, cdSecond: Int32Array.from(P.cdSecond, (v, i) => (i === 3 ? 20 : v)) }, 10, 1e-5), /cdSecond\[3\] = 20 is not a row/);
    assert.throws(() => be.lsmlDescent({ ...P, abFirst: P.abFirst.subarray(1) }, 10, 1e-5), /abFirst must be an Int32Array of 10 row indices/);
    assert.throws(() => be.lsmlDescent({ ...P, prior: new Float64Array(8) }, 10, 1e-5), /prior must be a 3 x 3 Float64Array/);
  }
});
