import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ncaLossGrad, createNcaWorkspace } from '../../src/metric/nca.js';
import { Random } from '../../src/random.js';
import { subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';

// The objective takes a sparse Laplacian path when the softmax is sharp (few weights above
// the cutoff) and a dense GEMM path when it is smooth; both must give the exact gradient, and
// a reused workspace must give the same values as a fresh one (the dense path's n x n buffer
// is cleared entry by entry between calls).
const { X, y } = subset('digits', 9);
const codes = Int32Array.from(y.map(Number));
const n = X.rows, d = X.cols;

function scaledL(scale: number, k = d): Float64Array {
  const rng = new Random(5);
  const L = new Float64Array(k * d);
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) L[i * d + j] = (i === j ? scale : 0) + 0.05 * scale * rng.normal();
  return L;
}

for (const [regime, scale, lo, hi] of [['sharp (sparse path)', 3, 0, 0.02], ['smooth (dense path)', 0.4, 0.4, 1]] as const) {
  test(`nca objective: gradient matches finite differences, ${regime}`, () => {
    const ws = createNcaWorkspace(n, d, d);
    const L = scaledL(scale);
    ncaLossGrad(X, codes, L, d, new Float64Array(d * d), ws);
    const density = ws.rowStart[n] / (n * n);
    assert.ok(density >= lo && density <= hi, `softmax density ${density} outside [${lo}, ${hi}]: the test no longer covers its path`);
    checkGradient((x, g) => ncaLossGrad(X, codes, x, d, g, ws), L, { coords: 10, h: 1e-6 * scale });
  });
}

test('nca objective: a reused workspace gives the same value and gradient as a fresh one', () => {
  const ws = createNcaWorkspace(n, d, d);
  for (const scale of [0.4, 3, 0.4, 1]) {
    const L = scaledL(scale);
    const g1 = new Float64Array(d * d), g2 = new Float64Array(d * d);
    const f1 = ncaLossGrad(X, codes, L, d, g1, ws);
    const f2 = ncaLossGrad(X, codes, L, d, g2);
    assert.equal(f1, f2);
    assert.deepEqual(g1, g2);
  }
});
