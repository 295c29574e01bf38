/**
 * The pure-TypeScript decompositions, tested directly (jsBackend) so they are covered
 * whichever backend is active.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import { LinAlgError } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const B = jsBackend;

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = new Random(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r.normal();
  return a;
}

function randomOrthogonal(n: number, seed: number): Float64Array {
  return B.eigh(randomSymmetric(n, seed), n).vectors;
}

/** C = A B for row-major A (m x k), B (k x n). */
function mul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const v = a[i * k + p];
    for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j];
  }
  return c;
}

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/** max |QᵀQ - I| for an m x k matrix with orthonormal columns. */
function orthoError(q: Float64Array, m: number, k: number): number {
  const g = mul(transpose(q, m, k), q, k, m, k);
  for (let i = 0; i < k; i++) g[i * k + i] -= 1;
  return maxAbs(g);
}

function reconstructEigh(values: Float64Array, vectors: Float64Array, n: number): Float64Array {
  const vl = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors[i * n + j] * values[j];
  return mul(vl, transpose(vectors, n, n), n, n, n);
}

test('eigh: 2x2 and 3x3 hand-computed eigenpairs', () => {
  const r2 = B.eigh(new Float64Array([2, 1, 1, 2]), 2);
  assert.ok(maxDiff(r2.values, [1, 3]) < 1e-15);
  // Eigenvector of 3 is (1, 1)/√2 up to sign.
  assert.ok(Math.abs(Math.abs(r2.vectors[1]) - Math.SQRT1_2) < 1e-15 && Math.abs(r2.vectors[1] - r2.vectors[3]) < 1e-15);
  // The 1-D Laplacian: eigenvalues 2 - 2cos(kπ/4) = 2 - √2, 2, 2 + √2.
  const r3 = B.eigh(new Float64Array([2, -1, 0, -1, 2, -1, 0, -1, 2]), 3);
  assert.ok(maxDiff(r3.values, [2 - Math.SQRT2, 2, 2 + Math.SQRT2]) < 1e-14);
  // The eigenvector of 2 is (1, 0, -1)/√2.
  const v = [r3.vectors[1], r3.vectors[4], r3.vectors[7]];
  const sgn = Math.sign(v[0]);
  assert.ok(maxDiff(v.map((x) => x * sgn), [Math.SQRT1_2, 0, -Math.SQRT1_2]) < 1e-14);
});

test('eigh: reconstruction and orthogonality on random symmetric matrices', () => {
  for (const n of [1, 4, 17, 60]) {
    const a = randomSymmetric(n, n);
    const { values, vectors } = B.eigh(a, n);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i], 'ascending');
    assert.ok(maxDiff(reconstructEigh(values, vectors, n), a) < 1e-13 * n, `QΛQᵀ = A for n=${n}`);
    assert.ok(orthoError(vectors, n, n) < 1e-13 * n, `VᵀV = I for n=${n}`);
  }
});

test('eigh: reads only the lower triangle', () => {
  const n = 8;
  const a = randomSymmetric(n, 3);
  const garbage = a.slice();
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbage[i * n + j] = 1e6 * (i + j);
  assert.ok(maxDiff(B.eigh(a, n).values, B.eigh(garbage, n).values) === 0);
});

test('eigh: repeated eigenvalues keep orthonormal eigenvectors', () => {
  const n = 7;
  const Q = randomOrthogonal(n, 11);
  const lam = [1, 1, 1, 5, 5, -2, 1];
  const a = reconstructEigh(Float64Array.from(lam), Q, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  const { values, vectors } = B.eigh(a, n);
  assert.ok(maxDiff(values, [-2, 1, 1, 1, 1, 5, 5]) < 1e-13);
  assert.ok(orthoError(vectors, n, n) < 1e-13);
  assert.ok(maxDiff(reconstructEigh(values, vectors, n), a) < 1e-13);
  // Identity, zero and diagonal matrices are already diagonal.
  assert.deepEqual(Array.from(B.eigh(new Float64Array([1, 0, 0, 1]), 2).values), [1, 1]);
  assert.deepEqual(Array.from(B.eigh(new Float64Array(9), 3).values), [0, 0, 0]);
  assert.deepEqual(Array.from(B.eigh(new Float64Array([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3).values), [-1, 2, 3]);
});

test('eigh: widely scaled spectrum (1e-8 .. 1e8) and huge entries', () => {
  const n = 6;
  const Q = randomOrthogonal(n, 5);
  const lam = Float64Array.from([1e-8, 1e-4, 1, 10, 1e4, 1e8]);
  const a = reconstructEigh(lam, Q, n);
  const { values } = B.eigh(a, n);
  // Absolute accuracy ~ eps * ‖A‖: eigenvalues down to 1e-4 are still accurate here.
  for (let i = 1; i < n; i++) assert.ok(Math.abs(values[i] - lam[i]) <= 1e-7 * lam[i] + 1e-7, `λ${i}`);
  const big = reconstructEigh(Float64Array.from([1e150, 2e150, 3e150]), randomOrthogonal(3, 2), 3);
  const rb = B.eigh(big, 3);
  assert.ok(maxDiff(Array.from(rb.values).map((v) => v / 1e150), [1, 2, 3]) < 1e-12);
});

test('eigh: a 200 x 200 matrix with a clustered spectrum', () => {
  const n = 200;
  const Q = randomOrthogonal(n, 8);
  const lam = Float64Array.from({ length: n }, (_, i) => (i < 100 ? 1 + 1e-12 * i : 2));
  const a = reconstructEigh(lam, Q, n);
  const { values, vectors } = B.eigh(a, n);
  assert.ok(maxDiff(values, lam) < 1e-12);
  assert.ok(orthoError(vectors, n, n) < 1e-12);
});

test('eigh: a tridiagonal on which the running-norm deflation test stalls still converges, accurately', () => {
  // Failed with "QL iteration did not converge for eigenvalue 1" before the looser test that
  // follows STRICT_SWEEPS sweeps; the native backend's LAPACK solved it.
  const { d, e } = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'stuck-tridiagonal.json'), 'utf8')) as { d: number[]; e: number[] };
  const n = d.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = d[i];
    if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = e[i];
  }
  const { values, vectors } = B.eigh(a.slice(), n);
  const norm = maxAbs(values);
  assert.ok(norm > 7000 && norm < 8000, `‖T‖ = ${norm}`);
  assert.ok(maxDiff(reconstructEigh(values, vectors, n), a) < 1e-11 * norm);
  assert.ok(orthoError(vectors, n, n) < 1e-12);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += d[i];
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - trace) < 1e-10 * norm);
});

test('eigh: Wilkinson W21+ (a near-degenerate top pair) and the Hilbert matrix H8', () => {
  // W21+: tridiagonal, diagonal |i - 10|, off-diagonal 1. Its two largest eigenvalues agree
  // to about 14 digits (≈ 10.7461941829033; Wilkinson, The Algebraic Eigenvalue Problem,
  // 1965), so the eigenvectors are only defined by orthogonality.
  const n = 21;
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    w[i * n + i] = Math.abs(i - 10);
    if (i + 1 < n) w[i * n + i + 1] = w[(i + 1) * n + i] = 1;
  }
  const r = B.eigh(w, n);
  assert.ok(Math.abs(r.values[n - 1] - 10.7461941829033) < 1e-12 && Math.abs(r.values[n - 2] - 10.7461941829033) < 1e-12);
  assert.ok(orthoError(r.vectors, n, n) < 1e-13);
  assert.ok(maxDiff(reconstructEigh(r.values, r.vectors, n), w) < 1e-13);
  // H8: λ_max ≈ 1.6959389969, λ_min ≈ 1.1115390e-10 (Todd 1954 tabulates Hilbert spectra).
  const m = 8;
  const h = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) h[i * m + j] = 1 / (i + j + 1);
  const hv = B.eigh(h, m).values;
  assert.ok(Math.abs(hv[m - 1] - 1.695938996921949) < 1e-14);
  // Absolute accuracy eps‖H‖ ≈ 4e-16 still gives λ_min to ~5 digits.
  assert.ok(Math.abs(hv[0] - 1.111539e-10) < 1e-15, `λmin = ${hv[0]}`);
});

test('eigh: non-finite input and wrong sizes are refused clearly', () => {
  assert.throws(() => B.eigh(new Float64Array([1, NaN, NaN, 1]), 2), (e: Error) => e instanceof LinAlgError && /NaN/.test(e.message));
  assert.throws(() => B.eigh(new Float64Array(5), 2), /expected an 2 x 2 matrix/);
  assert.deepEqual(B.eigh(new Float64Array(0), 0).values.length, 0);
});

function checkSvd(a: Float64Array, m: number, n: number, tol: number): { s: Float64Array } {
  const { u, s, vt } = B.svd(a, m, n);
  const k = Math.min(m, n);
  assert.equal(u.length, m * k);
  assert.equal(vt.length, k * n);
  for (let i = 1; i < k; i++) assert.ok(s[i - 1] >= s[i] && s[i] >= 0, 'descending, non-negative');
  const us = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) us[i * k + t] = u[i * k + t] * s[t];
  const scale = Math.max(1, maxAbs(a));
  assert.ok(maxDiff(mul(us, vt, m, k, n), a) < tol * scale, `UΣVᵀ = A (${m} x ${n})`);
  assert.ok(orthoError(u, m, k) < tol, `UᵀU = I (${m} x ${n})`);
  assert.ok(orthoError(transpose(vt, k, n), n, k) < tol, `VᵀV = I (${m} x ${n})`);
  return { s };
}

test('svd: hand-computed singular values of [[3, 0], [4, 5]] are √45 and √5', () => {
  const { s } = checkSvd(new Float64Array([3, 0, 4, 5]), 2, 2, 1e-14);
  assert.ok(maxDiff(s, [Math.sqrt(45), Math.sqrt(5)]) < 1e-14);
});

test('svd: reconstruction and orthogonality for tall, wide and square matrices', () => {
  const r = new Random(4);
  for (const [m, n] of [[1, 1], [1, 5], [5, 1], [9, 4], [4, 9], [30, 30], [120, 17]]) {
    checkSvd(r.fillNormal(new Float64Array(m * n)), m, n, 1e-13);
  }
});

test('svd: rank-deficient and zero matrices give exact zeros and complete orthonormal factors', () => {
  const r = new Random(9);
  const m = 8, n = 5;
  const x = r.fillNormal(new Float64Array(m * 2));
  const y = r.fillNormal(new Float64Array(2 * n));
  const a = mul(x, y, m, 2, n); // rank 2
  const { s } = checkSvd(a, m, n, 1e-13);
  assert.ok(s[1] > 1e-3);
  for (let i = 2; i < n; i++) assert.ok(s[i] < 1e-14 * s[0], `s[${i}] = ${s[i]} should vanish`);
  const z = checkSvd(new Float64Array(12), 4, 3, 1e-15);
  assert.deepEqual(Array.from(z.s), [0, 0, 0]);
  // A matrix with an exactly zero column.
  checkSvd(new Float64Array([1, 0, 2, 3, 0, 4]), 2, 3, 1e-14);
});

test('svd: small singular values keep their relative accuracy (unlike the Gram-matrix method)', () => {
  const m = 12, n = 5;
  const U = randomOrthogonal(m, 21).subarray(0, m * m);
  const V = randomOrthogonal(n, 22);
  const sig = [1, 1e-3, 1e-6, 1e-10, 1e-12];
  // A = U[:, :n] diag(sig) Vᵀ
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let t = 0; t < n; t++) acc += U[i * m + t] * sig[t] * V[j * n + t];
    a[i * n + j] = acc;
  }
  const { s } = checkSvd(a, m, n, 1e-14);
  // Absolute error ~ eps‖A‖ ≈ 1e-16, so 1e-10 keeps ~5 digits; σ² on a Gram matrix would
  // bury everything below √eps ≈ 1e-8.
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(s[i] - sig[i]) <= 1e-5 * sig[i], `σ${i} = ${s[i]} vs ${sig[i]}`);
  assert.ok(Math.abs(s[4] - sig[4]) <= 0.05 * sig[4], `σ4 = ${s[4]}`);
});

test('svd: zero columns after centring (as in digits) and extreme scales converge', () => {
  const r = new Random(12);
  const m = 40, n = 12;
  const a = r.fillNormal(new Float64Array(m * n));
  for (let i = 0; i < m; i++) { a[i * n + 0] = 0; a[i * n + 5] = 0; a[i * n + 7] = 3; }
  // Centre the columns: column 7 becomes exactly zero too.
  for (let j = 0; j < n; j++) {
    let mu = 0;
    for (let i = 0; i < m; i++) mu += a[i * n + j] / m;
    for (let i = 0; i < m; i++) a[i * n + j] -= mu;
  }
  const { s } = checkSvd(a, m, n, 1e-13);
  // Two exactly-zero columns and one zero up to the rounding of its mean.
  assert.deepEqual(Array.from(s.subarray(n - 2)), [0, 0]);
  assert.ok(s[n - 3] < 1e-13 && s[n - 4] > 1);
  for (const f of [1e-150, 1e150]) {
    const sc = a.map((v) => v * f);
    const { s: ss } = checkSvd(sc, m, n, 1e-13);
    assert.ok(maxDiff(Array.from(ss).map((v) => v / f), s) < 1e-12 * s[0], `scale ${f}`);
  }
});

test('svd: refuses NaN and wrong sizes', () => {
  assert.throws(() => B.svd(new Float64Array([1, Infinity]), 1, 2), LinAlgError);
  assert.throws(() => B.svd(new Float64Array(5), 2, 3), /expected 2 x 3 values/);
});

test('cholesky: LLᵀ = A with L lower triangular; known 2x2 factor', () => {
  const L2 = B.cholesky(new Float64Array([4, 2, 2, 3]), 2);
  assert.ok(maxDiff(L2, [2, 0, 1, Math.SQRT2]) < 1e-15);
  const n = 25;
  const r = new Random(2);
  const x = r.fillNormal(new Float64Array(40 * n));
  const a = mul(transpose(x, 40, n), x, n, 40, n);
  const L = B.cholesky(a, n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L[i * n + j], 0);
  assert.ok(maxDiff(mul(L, transpose(L, n, n), n, n, n), a) < 1e-12 * maxAbs(a));
});

test('cholesky: indefinite and singular matrices raise LinAlgError with a fix', () => {
  assert.throws(() => B.cholesky(new Float64Array([1, 2, 2, 1]), 2), (e: Error) => e instanceof LinAlgError && /not positive definite.*ridge/.test(e.message));
  assert.throws(() => B.cholesky(new Float64Array([1, 1, 1, 1]), 2), LinAlgError);
});

test('solve, solveSpd and inverse: residuals and known values', () => {
  // [[2, 1], [1, 3]] x = [3, 5] → x = [4/5, 7/5]
  const a2 = new Float64Array([2, 1, 1, 3]);
  assert.ok(maxDiff(B.solve(a2, 2, new Float64Array([3, 5]), 1), [0.8, 1.4]) < 1e-15);
  assert.ok(maxDiff(B.solveSpd(a2, 2, new Float64Array([3, 5]), 1), [0.8, 1.4]) < 1e-15);
  assert.ok(maxDiff(B.inverse(a2, 2), [0.6, -0.2, -0.2, 0.4]) < 1e-15);
  const n = 30, nrhs = 4;
  const r = new Random(6);
  const g = r.fillNormal(new Float64Array(n * n));
  const rhs = r.fillNormal(new Float64Array(n * nrhs));
  const x = B.solve(g, n, rhs, nrhs);
  assert.ok(maxDiff(mul(g, x, n, n, nrhs), rhs) < 1e-11);
  const spd = mul(transpose(g, n, n), g, n, n, n);
  for (let i = 0; i < n; i++) spd[i * n + i] += 1;
  const xs = B.solveSpd(spd, n, rhs, nrhs);
  assert.ok(maxDiff(mul(spd, xs, n, n, nrhs), rhs) < 1e-10);
  const inv = B.inverse(g, n);
  const eye = mul(g, inv, n, n, n);
  for (let i = 0; i < n; i++) eye[i * n + i] -= 1;
  assert.ok(maxAbs(eye) < 1e-11);
  // Pivoting is required: a zero leading entry.
  assert.ok(maxDiff(B.solve(new Float64Array([0, 1, 1, 0]), 2, new Float64Array([2, 3]), 1), [3, 2]) === 0);
});

test('solve and inverse: singular matrices and bad shapes raise clear errors', () => {
  assert.throws(() => B.solve(new Float64Array([1, 2, 2, 4]), 2, new Float64Array([1, 1]), 1), (e: Error) => e instanceof LinAlgError && /singular/.test(e.message));
  assert.throws(() => B.inverse(new Float64Array(4), 2), LinAlgError);
  assert.throws(() => B.solve(new Float64Array(4), 2, new Float64Array(3), 1), /b must be 2 x 1/);
  assert.throws(() => B.solveSpd(new Float64Array([1, 2, 2, 1]), 2, new Float64Array(2), 1), LinAlgError);
});
