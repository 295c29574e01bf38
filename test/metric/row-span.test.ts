import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leftFactor, fromLeftFactor } from '../../src/metric/row-span.js';
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
