// Native decompositions checked by reconstruction to tight tolerances, against the js backend
// where the answer is unique (eigenvalues, singular values, solutions), and on every error path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import { LinAlgError } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import { identity, matmul, relErr, requireNative, spd, symmetric, transpose } from './native-helpers.js';

const native = requireNative();
const SIZES = [1, 2, 7, 40];

test('eigh: ascending values, orthonormal vectors, Q diag(λ) Qᵀ = A, values equal js', () => {
  const r = new Random(31);
  for (const n of SIZES) {
    const a = symmetric(n, r);
    const { values, vectors } = native.eigh(a, n);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i]);
    const qtq = matmul(transpose(vectors, n, n), vectors, n, n, n);
    assert.ok(relErr(qtq, identity(n)) < 1e-13 * n, `QᵀQ = I (n=${n})`);
    const ql = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ql[i * n + j] = vectors[i * n + j] * values[j];
    assert.ok(relErr(matmul(ql, transpose(vectors, n, n), n, n, n), a) < 1e-13 * n, `QΛQᵀ = A (n=${n})`);
    assert.ok(relErr(values, jsBackend.eigh(a, n).values) < 1e-11, `values match js (n=${n})`);
  }
  // Known values: [[2, 1], [1, 2]] has eigenvalues 1 and 3.
  const two = native.eigh(new Float64Array([2, 1, 1, 2]), 2);
  assert.ok(Math.abs(two.values[0] - 1) < 1e-15 && Math.abs(two.values[1] - 3) < 1e-15);
  // Column j pairs with values[j]: A v = λ v for the second column.
  const v = [two.vectors[1], two.vectors[3]];
  assert.ok(Math.abs(2 * v[0] + v[1] - 3 * v[0]) < 1e-15 && Math.abs(v[0] + 2 * v[1] - 3 * v[1]) < 1e-15);
});

test('eigh reads only the lower triangle', () => {
  const r = new Random(32);
  const n = 9;
  const a = symmetric(n, r);
  const messy = a.slice();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) messy[i * n + j] = 1e6 * (i - j);
  assert.ok(relErr(native.eigh(messy, n).values, native.eigh(a, n).values) < 1e-14);
});

test('cholesky: lower triangular L with L Lᵀ = A, equal to js', () => {
  const r = new Random(33);
  for (const n of SIZES) {
    const a = spd(n, r);
    const L = native.cholesky(a, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0);
    for (let i = 0; i < n; i++) assert.ok(L[i * n + i] > 0);
    assert.ok(relErr(matmul(L, transpose(L, n, n), n, n, n), a) < 1e-14 * n, `LLᵀ = A (n=${n})`);
    assert.ok(relErr(L, jsBackend.cholesky(a, n)) < 1e-12, `L matches js (n=${n})`);
  }
  assert.deepEqual(Array.from(native.cholesky(new Float64Array([4, 2, 2, 5]), 2)), [2, 0, 1, 2]);
});

test('cholesky of a matrix that is not positive definite throws LinAlgError naming the pivot', () => {
  const check = (e: unknown) => e instanceof LinAlgError && e instanceof RangeError && /cholesky: the matrix is not positive definite \(pivot 1 is -3\)/.test((e as Error).message);
  assert.throws(() => native.cholesky(new Float64Array([1, 2, 2, 1]), 2), check);
  // Negative definite, and PSD but singular, both fail.
  assert.throws(() => native.cholesky(new Float64Array([-1, 0, 0, 1]), 2), /pivot 0 is -1/);
  assert.throws(() => native.cholesky(new Float64Array([1, 1, 1, 1]), 2), /pivot 1 is 0/);
});

test('svd: tall, wide and square; U Σ Vᵀ = A, orthonormal factors, descending σ equal js', () => {
  const r = new Random(34);
  for (const [m, n] of [[1, 1], [7, 3], [3, 7], [20, 20], [45, 12]]) {
    const a = r.fillNormal(new Float64Array(m * n));
    const { u, s, vt } = native.svd(a, m, n);
    const k = Math.min(m, n);
    assert.equal(u.length, m * k);
    assert.equal(s.length, k);
    assert.equal(vt.length, k * n);
    for (let i = 1; i < k; i++) assert.ok(s[i - 1] >= s[i] && s[i] >= 0);
    const us = new Float64Array(m * k);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = u[i * k + j] * s[j];
    assert.ok(relErr(matmul(us, vt, m, k, n), a) < 1e-13 * Math.max(m, n), `UΣVᵀ = A (${m}x${n})`);
    assert.ok(relErr(matmul(transpose(u, m, k), u, k, m, k), identity(k)) < 1e-13 * m, `UᵀU = I (${m}x${n})`);
    assert.ok(relErr(matmul(vt, transpose(vt, k, n), k, n, k), identity(k)) < 1e-13 * n, `VᵀV = I (${m}x${n})`);
    assert.ok(relErr(s, jsBackend.svd(a, m, n).s) < 1e-10, `σ match js (${m}x${n})`);
  }
  // Known values: diag(3, 2) padded with a zero row.
  assert.ok(relErr(native.svd(new Float64Array([0, 2, 3, 0, 0, 0]), 3, 2).s, [3, 2]) < 1e-15);
});

test('solve and solveSpd: A X = B for one and several right-hand sides, equal to js', () => {
  const r = new Random(35);
  for (const n of SIZES) for (const nrhs of [1, 3]) {
    const a = r.fillNormal(new Float64Array(n * n));
    for (let i = 0; i < n; i++) a[i * n + i] += n; // well conditioned
    const b = r.fillNormal(new Float64Array(n * nrhs));
    const x = native.solve(a, n, b, nrhs);
    assert.ok(relErr(matmul(a, x, n, n, nrhs), b) < 1e-13 * n, `A·solve = B (n=${n}, nrhs=${nrhs})`);
    assert.ok(relErr(x, jsBackend.solve(a, n, b, nrhs)) < 1e-11);
    const s = spd(n, r);
    const y = native.solveSpd(s, n, b, nrhs);
    assert.ok(relErr(matmul(s, y, n, n, nrhs), b) < 1e-13 * n, `A·solveSpd = B (n=${n}, nrhs=${nrhs})`);
    assert.ok(relErr(y, jsBackend.solveSpd(s, n, b, nrhs)) < 1e-11);
  }
  // Known: [[2, 1], [1, 3]] x = [3, 5] has x = [0.8, 1.4].
  assert.ok(relErr(native.solve(new Float64Array([2, 1, 1, 3]), 2, new Float64Array([3, 5]), 1), [0.8, 1.4]) < 1e-15);
  assert.equal(native.solve(identity(3), 3, new Float64Array(0), 0).length, 0);
});

test('inverse: A · inv(A) = I and equal to js', () => {
  const r = new Random(36);
  for (const n of SIZES) {
    const a = r.fillNormal(new Float64Array(n * n));
    for (let i = 0; i < n; i++) a[i * n + i] += n;
    const inv = native.inverse(a, n);
    assert.ok(relErr(matmul(a, inv, n, n, n), identity(n)) < 1e-13 * n, `A·inv = I (n=${n})`);
    assert.ok(relErr(inv, jsBackend.inverse(a, n)) < 1e-11);
  }
  assert.ok(relErr(native.inverse(new Float64Array([4, 7, 2, 6]), 2), [0.6, -0.7, -0.2, 0.4]) < 1e-15);
});

test('singular and non-SPD systems throw LinAlgError, like the js backend', () => {
  const singular = new Float64Array([1, 2, 3, 2, 4, 6, 1, 0, 1]); // row 2 = 2 · row 1
  const b = new Float64Array([1, 2, 3]);
  for (const [what, fn] of [['solve', () => native.solve(singular, 3, b, 1)], ['inverse', () => native.inverse(singular, 3)]] as const) {
    assert.throws(fn, (e: unknown) => e instanceof LinAlgError && new RegExp(`^${what}: the matrix is singular`).test((e as Error).message));
  }
  assert.throws(() => jsBackend.solve(singular, 3, b, 1), LinAlgError);
  // Singular only to rounding: both backends refuse it.
  const nearly = new Float64Array([1, 1, 1, 1 + 1e-17]);
  assert.throws(() => native.solve(nearly, 2, new Float64Array([1, 1]), 1), LinAlgError);
  assert.throws(() => jsBackend.solve(nearly, 2, new Float64Array([1, 1]), 1), LinAlgError);
  assert.throws(() => native.inverse(new Float64Array(4), 2), LinAlgError);
  assert.throws(() => native.solveSpd(new Float64Array([1, 2, 2, 1]), 2, new Float64Array([1, 1]), 1), { name: 'LinAlgError', message: /solveSpd: the matrix is not positive definite/ });
});

test('decomposition argument errors: lengths, element type, NaN; n = 0 gives empty results', () => {
  const f = new Float64Array(5);
  assert.throws(() => native.eigh(f, 2), { name: 'RangeError', message: 'eigh: expected an 2 x 2 matrix (4 values), got 5 values' });
  assert.throws(() => native.cholesky(f, 2), /cholesky: expected an 2 x 2 matrix/);
  assert.throws(() => native.inverse(f, 2), /inverse: expected an 2 x 2 matrix/);
  assert.throws(() => native.svd(f, 2, 3), /svd: expected 2 x 3 values \(6\), got 5/);
  assert.throws(() => native.solve(identity(2), 2, new Float64Array(3), 2), /solve: b must be 2 x 2 \(4 values\), got 3 values/);
  assert.throws(() => native.solveSpd(identity(2), 2, new Float64Array(3), 1), /solveSpd: b must be 2 x 1/);
  assert.throws(() => native.eigh(new Float32Array(4) as unknown as Float64Array, 2), { name: 'TypeError', message: /must be a Float64Array/ });
  const nan = new Float64Array([1, 0, NaN, 1]);
  for (const call of [() => native.eigh(nan, 2), () => native.cholesky(nan, 2), () => native.svd(nan, 2, 2), () => native.solve(nan, 2, new Float64Array(2), 1), () => native.inverse(nan, 2)]) {
    assert.throws(call, (e: unknown) => e instanceof LinAlgError && /the matrix contains NaN at position 2/.test((e as Error).message));
  }
  assert.throws(() => native.inverse(new Float64Array([Infinity, 0, 0, 1]), 2), /contains Infinity at position 0/);
  const empty = new Float64Array(0);
  assert.equal(native.eigh(empty, 0).values.length, 0);
  assert.equal(native.cholesky(empty, 0).length, 0);
  assert.equal(native.inverse(empty, 0).length, 0);
  const s = native.svd(new Float64Array(0), 0, 3);
  assert.equal(s.s.length + s.u.length + s.vt.length, 0);
});

test('inputs are never modified', () => {
  const r = new Random(37);
  const n = 6;
  const a = spd(n, r);
  const b = r.fillNormal(new Float64Array(n * 2));
  const a0 = a.slice(), b0 = b.slice();
  native.eigh(a, n);
  native.cholesky(a, n);
  native.svd(a, n, n);
  native.solve(a, n, b, 2);
  native.solveSpd(a, n, b, 2);
  native.inverse(a, n);
  assert.deepEqual(a, a0);
  assert.deepEqual(b, b0);
});
