import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leftFactor, fromLeftFactor, descentSpan } from '../../src/metric/row-span.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';

test('leftFactor: L = Q R with orthonormal Q, and a right-multiplied step stays Q (R S)', () => {
  const rng = new Random(4);
  const kd = 9, r = 4;
  const L = rng.fillNormal(new Float64Array(kd * r));
  const f = leftFactor(L, kd, r);
  const back = fromLeftFactor(f, f.r0);
  for (let p = 0; p < L.length; p++) assert.ok(Math.abs(back[p] - L[p]) < 1e-12, `Q R vs L at ${p}`);
  for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) {
    let s = 0;
    for (let i = 0; i < kd; i++) s += f.q[i * r + a] * f.q[i * r + b];
    assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-12, `QᵀQ[${a}, ${b}] = ${s}`);
  }
  // L − η 2 L C = Q (R − η 2 R C): the descent on R reproduces the descent on L.
  const C = rng.fillNormal(new Float64Array(r * r));
  const step = (M: Float64Array, rows: number) => {
    const out = M.slice();
    for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) {
      let s = 0;
      for (let t = 0; t < r; t++) s += M[i * r + t] * C[t * r + j];
      out[i * r + j] -= 0.2 * s;
    }
    return out;
  };
  const viaR = fromLeftFactor(f, step(f.r0, r));
  const viaL = step(L, kd);
  for (let p = 0; p < L.length; p++) assert.ok(Math.abs(viaR[p] - viaL[p]) < 1e-12, `step at ${p}`);
});

test('descentSpan: the rows when n < d, the differences when they are rank-deficient, nothing when (nearly) full rank', () => {
  const rng = new Random(7);
  const wide = new Matrix(5, 8, rng.fillNormal(new Float64Array(40)));
  assert.equal(descentSpan(wide)?.r, 5);
  const full = new Matrix(30, 10, rng.fillNormal(new Float64Array(300)));
  assert.equal(descentSpan(full), null);
  // 10 features, 2 of them constant and 1 the sum of two others: differences span 7 dimensions,
  // and every difference is reproduced by its projection on the basis.
  const X = rankDeficient(rng, 30);
  const span = descentSpan(X);
  assert.equal(span?.r, 7);
  for (let i = 1; i < X.rows; i++) {
    const v = Array.from({ length: 10 }, (_, c) => X.data[i * 10 + c] - X.data[c]);
    const back = new Float64Array(10);
    for (let a = 0; a < span!.r; a++) {
      let p = 0;
      for (let c = 0; c < 10; c++) p += span!.vt[a * 10 + c] * v[c];
      for (let c = 0; c < 10; c++) back[c] += p * span!.vt[a * 10 + c];
    }
    for (let c = 0; c < 10; c++) assert.ok(Math.abs(back[c] - v[c]) < 1e-12, `difference ${i}, feature ${c}`);
  }
});

/** n x 10 with columns 3 and 7 constant and column 9 = column 0 + column 1. */
function rankDeficient(rng: Random, n: number): Matrix<Float64Array> {
  const X = rng.fillNormal(new Float64Array(n * 10));
  for (let i = 0; i < n; i++) {
    X[i * 10 + 3] = 1.5;
    X[i * 10 + 7] = -2;
    X[i * 10 + 9] = X[i * 10] + X[i * 10 + 1];
  }
  return new Matrix(n, 10, X);
}
