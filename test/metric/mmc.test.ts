import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MMC, MMCSupervised, mmcObjective, mmcProblem, mmcSolve } from '../../src/metric/mmc.js';
import { Constraints } from '../../src/metric/constraints.js';
import { Random } from '../../src/random.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA } from '../helpers.js';
import { runConformance, subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';

runConformance('mmc', (o) => new MMCSupervised(o), (m, X, y) => (m as MMCSupervised).fit(X, y), { nComponentsOption: null });
runConformance('mmc diagonal', (o) => new MMCSupervised({ ...o, diagonal: true }), (m, X, y) => (m as MMCSupervised).fit(X, y), { nComponentsOption: null });

const iris = subset('iris', 3);
const lp = new Constraints(iris.y).labelledPairs(30, { seed: 1 });
const t = { points: iris.X, indices: lp.indices, arity: 2 };

test('mmc: gradients (full and diagonal) match finite differences', () => {
  const rng = new Random(2);
  const full = mmcProblem(t, lp.y, false);
  const d = 4;
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j] = (i === j ? 1 : 0) + 0.1 * rng.normal();
  const sym = (x: Float64Array, g: Float64Array) => {
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] = 0.5 * (x[i * d + j] + x[j * d + i]);
    const G = new Float64Array(d * d);
    const v = mmcObjective(full, S, G);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] = 0.5 * (G[i * d + j] + G[j * d + i]);
    return v;
  };
  checkGradient(sym, A, { coords: 16 });
  const diag = mmcProblem(t, lp.y, true);
  checkGradient((x, g) => mmcObjective(diag, x, g), Float64Array.of(0.7, 1.3, 0.2, 2));
});

test('mmc: converges to the constrained optimum — Σ_S d² = 1 and no feasible direction improves Σ_D d', () => {
  for (const diagonal of [false, true]) {
    const P = mmcProblem(t, lp.y, diagonal);
    const r = mmcSolve(P, {});
    assert.ok(r.converged, `diagonal=${diagonal}: ${r.nIter} iterations`);
    const M = r.M, d = 4;
    const quad = (a: number, b: number) => { let s = 0; for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += (iris.X.get(a, i) - iris.X.get(b, i)) * M[i * d + j] * (iris.X.get(a, j) - iris.X.get(b, j)); return s; };
    let sim = 0, dis = 0;
    for (let k = 0; k < lp.y.length; k++) {
      const q = quad(lp.indices[2 * k], lp.indices[2 * k + 1]);
      if (lp.y[k] > 0) sim += q; else dis += Math.sqrt(q);
    }
    assert.ok(Math.abs(sim - 1) < 1e-9, `Σ_S d² = ${sim}`);
    // Any random PSD metric rescaled onto the constraint has a smaller Σ_D d.
    const rng = new Random(5);
    for (let trial = 0; trial < 20; trial++) {
      const B = new Float64Array(d * d);
      const R = Array.from({ length: d * d }, () => rng.normal());
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        if (diagonal && i !== j) continue;
        let s = 0;
        for (let k = 0; k < d; k++) s += R[i * d + k] * R[j * d + k];
        B[i * d + j] = s;
      }
      let bs = 0, bd = 0;
      for (let k = 0; k < lp.y.length; k++) {
        const a = lp.indices[2 * k], b = lp.indices[2 * k + 1];
        let q = 0;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += (iris.X.get(a, i) - iris.X.get(b, i)) * B[i * d + j] * (iris.X.get(a, j) - iris.X.get(b, j));
        if (lp.y[k] > 0) bs += q; else bd += Math.sqrt(q);
      }
      assert.ok(bd / Math.sqrt(bs) <= dis * (1 + 1e-6), `random metric beats the optimum: ${bd / Math.sqrt(bs)} > ${dis}`);
    }
  }
});

test('mmc: weak form predicts pairs; needs both kinds of pairs', () => {
  const m = new MMC().fit({ points: iris.X, indices: lp.indices }, Array.from(lp.y));
  assert.ok(m.score({ points: iris.X, indices: lp.indices }, Array.from(lp.y)) > 0.9);
  assert.throws(() => new MMC().fit({ points: iris.X, indices: lp.indices }, Array.from(lp.y, () => 1)), /both similar/);
});

test('mmc: iris and wine reach metric-learn (mean − ½ std) through cross-validation', () => {
  // metric-learn 0.7 MMC_Supervised: iris 0.9667 ± 0.0365, wine 0.9386 ± 0.0406.
  for (const [name, floor] of [['iris', 0.9667 - 0.5 * 0.0365], ['wine', 0.9386 - 0.5 * 0.0406]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'mmc', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= floor, `${name} ${r.accuracy!.mean}`);
    assert.ok(r.warnings.every((w) => !/maxIter/.test(w)), `${name}: did not converge: ${r.warnings.join('; ')}`);
  }
});
