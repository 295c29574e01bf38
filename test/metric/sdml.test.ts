import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SDML, SDMLSupervised } from '../../src/metric/sdml.js';
import { graphicalLasso } from '../../src/metric/glasso.js';
import { Constraints } from '../../src/metric/constraints.js';
import { getBackend } from '../../src/backend/index.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA } from '../helpers.js';
import { runConformance, subset } from './conformance.js';

runConformance('sdml', (o) => new SDMLSupervised(o), (m, X, y) => (m as SDMLSupervised).fit(X, y), { nComponentsOption: null });

test('graphical lasso: ρ = 0 gives the inverse; the KKT conditions hold for ρ > 0', () => {
  const S = Float64Array.of(2, 0.6, 0.2, 0.6, 1.5, -0.3, 0.2, -0.3, 1);
  const inv = getBackend().inverse(S, 3);
  const g0 = graphicalLasso(S, 3, 0, { tol: 1e-12, maxIter: 500 });
  for (let i = 0; i < 9; i++) assert.ok(Math.abs(g0.precision[i] - inv[i]) < 1e-8, `${g0.precision[i]} vs ${inv[i]}`);
  const rho = 0.25;
  const g = graphicalLasso(S, 3, rho, { tol: 1e-12, maxIter: 500 });
  assert.ok(g.converged);
  // Stationarity (S − Θ⁻¹ + ρ ∂‖Θ‖₁ ∋ 0): W = Θ⁻¹ has W_ii = S_ii, |W_ij − S_ij| ≤ ρ, with equality and sign(Θ_ij) = sign(W_ij − S_ij) where Θ_ij ≠ 0.
  const W = getBackend().inverse(g.precision, 3);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    const k = i * 3 + j;
    if (i === j) { assert.ok(Math.abs(W[k] - S[k]) < 1e-7); continue; }
    const gap = W[k] - S[k];
    assert.ok(Math.abs(gap) <= rho + 1e-7, `|W−S| = ${Math.abs(gap)} at ${i},${j}`);
    if (Math.abs(g.precision[k]) > 1e-9) {
      assert.ok(Math.abs(Math.abs(gap) - rho) < 1e-6);
      assert.equal(Math.sign(g.precision[k]), Math.sign(gap));
    }
  }
  // A large ρ zeroes the off-diagonal: Θ = diag(1/S_ii).
  const big = graphicalLasso(S, 3, 10);
  assert.ok(Math.abs(big.precision[1]) < 1e-12 && Math.abs(big.precision[0] - 0.5) < 1e-12);
});

test('sdml: defaults work where metric-learn fails (indefinite input is guarded; M is PD and finite)', () => {
  const d = subset('wine', 2);
  const m = new SDMLSupervised().fit(d.X, d.y);
  assert.ok(m.warnings.some((w) => /PSD guard/.test(w)), 'the guard engaged on wine');
  const { values } = getBackend().eigh(m.getMahalanobisMatrix().data, 13);
  assert.ok(values[0] > 0, `smallest eigenvalue ${values[0]}`);
  assert.ok(values[12] / values[0] <= 1 / 0.2 + 1e-6 || m.warnings.length > 0);
});

test('sdml: weak form from pairs; larger sparsity gives a sparser M', () => {
  const d = subset('iris', 2);
  const lp = new Constraints(d.y).labelledPairs(60, { seed: 2 });
  const pairs = { points: d.X, indices: lp.indices };
  const zeros = (rho: number) => {
    const M = new SDML({ sparsityParam: rho }).fit(pairs, Array.from(lp.y)).getMahalanobisMatrix().data;
    let z = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j && Math.abs(M[i * 4 + j]) < 1e-9) z++;
    return z;
  };
  assert.ok(zeros(0.5) > zeros(0.001));
  const m = new SDML().fit(pairs, Array.from(lp.y));
  assert.ok(m.score(pairs, Array.from(lp.y)) > 0.85);
});

test('sdml: iris, wine and digits with default parameters reach metric-learn\'s tuned figures', () => {
  // metric-learn 0.7 needs balance_param = 1e-5: iris 0.9533 ± 0.0340, wine 0.9549 ± 0.0229, digits 0.9766 ± 0.0089.
  for (const [name, floor] of [['iris', 0.9533 - 0.5 * 0.034], ['wine', 0.9549 - 0.5 * 0.0229], ['digits', 0.9766 - 0.5 * 0.0089]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'sdml', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= floor, `${name} ${r.accuracy!.mean}`);
  }
});

test('sdml: the PSD guard message states the relative floor (minEigen × the largest eigenvalue) and the shifted range', () => {
  // Identity prior, η = 1, one similar pair along y (difference (0, 1)) and one dissimilar pair
  // along x (difference (1.2, 0)), K averaged over the 2 pairs:
  //   S = I + ½ (diag(0, 1) − diag(1.44, 0)) = diag(0.28, 1.5).
  // 0.28 is above minEigen = 0.2 but below 0.2 × 1.5 = 0.3, so c solves 0.28 + c = 0.2 (1.5 + c):
  // c = 0.025, and the spectrum becomes 0.305 .. 1.525.
  const pairs = { points: [[0, 0], [0, 1], [1.2, 0]], indices: [[0, 1], [0, 2]] };
  const m = new SDML({ balanceParam: 1 }).fit(pairs, [1, -1]);
  assert.equal(m.warnings.length, 1, JSON.stringify(m.warnings));
  const w = m.warnings[0];
  assert.match(w, /^sdml: the pair term made the graphical lasso input ill-conditioned: its eigenvalues run 0\.280 \.\. 1\.50, the smallest below minEigen × the largest = 0\.2 × 1\.50 = 0\.300; added 0\.0250·I \(PSD guard\), which moves them to 0\.305 \.\. 1\.5[23], the smallest now minEigen × the largest; to shift less, lower minEigen or balanceParam$/);
  // Without the guard's need (the floor met), no message.
  assert.deepEqual(new SDML({ balanceParam: 1, minEigen: 0.1 }).fit(pairs, [1, -1]).warnings, []);
});
