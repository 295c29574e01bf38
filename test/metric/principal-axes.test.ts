import { test } from 'node:test';
import assert from 'node:assert/strict';
import { principalAxes } from '../../src/metric/init.js';
import { getBackend } from '../../src/backend/index.js';
import { Matrix } from '../../src/matrix.js';
import { toRandom } from '../../src/random.js';

test('principalAxes: with fewer rows than features (thin SVD) the axes and scatters are those of the scatter matrix', () => {
  const rng = toRandom(5);
  const n = 7, d = 12, k = 6;
  const X = Matrix.zeros(n, d);
  for (let p = 0; p < n * d; p++) X.data[p] = rng.normal() * (1 + (p % d)) + 1;
  const { axes, scatter } = principalAxes(X, k);
  const Xc = new Float64Array(n * d);
  getBackend().centreColumns(X.data, n, d, Xc);
  const C = getBackend().gram(Xc, n, d);
  const { values, vectors } = getBackend().eigh(C, d);
  for (let r = 0; r < k; r++) {
    const j = d - 1 - r;
    assert.ok(Math.abs(scatter[r] - values[j]) <= 1e-10 * values[d - 1], `scatter ${r}: ${scatter[r]} vs ${values[j]}`);
    // Same axis up to sign: |⟨a, v⟩| = 1.
    let dot = 0;
    for (let c = 0; c < d; c++) dot += axes[r * d + c] * vectors[c * d + j];
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-8, `axis ${r}: |<a, v>| = ${Math.abs(dot)}`);
  }
});
