import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ncaLossGrad, createNcaWorkspace } from '../../src/metric/nca.js';
import { Random } from '../../src/random.js';
import { subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';

// The native softmax takes pair-by-pair paths when the softmax is sharp (few weights above
// the cutoff) and GEMM paths on dense blocks when it is smooth; both must give the exact
// gradient, and a reused workspace must give the same values as a fresh one.
const { X, y } = subset('digits', 9);
const codes = Int32Array.from(y.map(Number));
const n = X.rows, d = X.cols;

function scaledL(scale: number, k = d): Float64Array {
  const rng = new Random(5);
  const L = new Float64Array(k * d);
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) L[i * d + j] = (i === j ? scale : 0) + 0.05 * scale * rng.normal();
  return L;
}

/** Share of pairs (i, j ≠ i) within the softmax cutoff (40) of row i's nearest, by brute force. */
function softmaxDensity(L: Float64Array): number {
  const Z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) {
    let s = 0;
    for (let b = 0; b < d; b++) s += L[a * d + b] * X.data[i * d + b];
    Z[i * d + a] = s;
  }
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const D: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (Z[i * d + c] - Z[j * d + c]) ** 2;
      D.push(s);
    }
    const m = Math.min(...D);
    kept += D.filter((v) => v <= m + 40).length;
  }
  return kept / (n * (n - 1));
}

for (const [regime, scale, lo, hi] of [['sharp (pair-by-pair paths)', 3, 0, 0.05], ['smooth (dense-block paths)', 0.4, 0.4, 1]] as const) {
  test(`nca objective: gradient matches finite differences, ${regime}`, () => {
    const ws = createNcaWorkspace(n, d, d);
    const L = scaledL(scale);
    const density = softmaxDensity(L);
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
