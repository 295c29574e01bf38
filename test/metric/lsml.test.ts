import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LSML, LSMLSupervised, lsmlObjective, lsmlProblem } from '../../src/metric/lsml.js';
import { Constraints } from '../../src/metric/constraints.js';
import { Random } from '../../src/random.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import { readFolds } from '../../src/io/csv.js';
import { DATA, maxAbsDiff } from '../helpers.js';
import { runConformance, subset } from './conformance.js';
import { checkGradient } from './gradcheck.js';

runConformance('lsml', (o) => new LSMLSupervised(o), (m, X, y) => (m as LSMLSupervised).fit(X, y), { nComponentsOption: null });

const iris = subset('iris', 3);
const quads = new Constraints(iris.y).quadruplets(40, { seed: 2 });

test('lsml: the gradient matches finite differences (violated and satisfied quadruplets, non-identity prior)', () => {
  for (const prior of ['identity', 'random'] as const) {
    const P = lsmlProblem({ points: iris.X, indices: quads, arity: 4 }, undefined, prior, new Random(4));
    // A point away from the prior where some quadruplets are violated and some are not.
    const rng = new Random(9);
    const d = P.d;
    const A = new Float64Array(d * d);
    for (let i = 0; i < A.length; i++) A[i] = rng.normal() * 0.3;
    const M = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += A[i * d + k] * A[j * d + k];
      M[i * d + j] = s + (i === j ? 0.5 : 0);
    }
    // Symmetric perturbations keep M symmetric: check along the symmetric parametrisation.
    const f = (x: Float64Array, g: Float64Array) => {
      const Ms = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Ms[i * d + j] = 0.5 * (x[i * d + j] + x[j * d + i]);
      const G = new Float64Array(d * d);
      const v = lsmlObjective(P, Ms, G);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] = 0.5 * (G[i * d + j] + G[j * d + i]);
      return v;
    };
    let violated = 0;
    const G = new Float64Array(d * d);
    lsmlObjective(P, M, G);
    const Mi = M.slice();
    // Count violations at M (the data term must be active for the check to mean something).
    const X = iris.X.data;
    const length = (a: number, b: number): number => {
      let s = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += (X[a * d + i] - X[b * d + i]) * Mi[i * d + j] * (X[a * d + j] - X[b * d + j]);
      return s;
    };
    for (let q = 0; q < P.n; q++) if (length(quads[4 * q], quads[4 * q + 1]) > length(quads[4 * q + 2], quads[4 * q + 3])) violated++;
    assert.ok(violated > 0 && violated < P.n, `violated ${violated}/${P.n}`);
    checkGradient(f, M, { coords: 16, tol: 1e-5 });
  }
});

test('lsml: the objective decreases and the fit respects more quadruplets than the prior', () => {
  const t = { points: iris.X, indices: quads };
  const P = lsmlProblem({ ...t, arity: 4 }, undefined, 'identity', new Random(0));
  const I = new Float64Array(16);
  for (let i = 0; i < 4; i++) I[i * 5] = 1;
  const m = new LSML().fit(t);
  assert.ok(m.converged);
  const M = m.getMahalanobisMatrix().data;
  assert.ok(lsmlObjective(P, M) < lsmlObjective(P, I));
  // Weights: zero weight on every quadruplet but one leaves only the regulariser for the rest.
  const w = new Float64Array(40);
  w[0] = 1;
  assert.ok(new LSML().fit(t, w).isFitted);
  assert.throws(() => new LSML().fit(t, new Float64Array(40)), /sum to 0/);
  assert.throws(() => new LSML().fit(t, [1, 2]), /40 quadruplets but 2 weights/);
});

test('lsml: iris and wine reach metric-learn (mean − ½ std) through cross-validation', () => {
  // metric-learn 0.7 LSML_Supervised: iris 0.9600 ± 0.0249, wine 0.9605 ± 0.0231.
  for (const [name, floor] of [['iris', 0.96 - 0.5 * 0.0249], ['wine', 0.9605 - 0.5 * 0.0231]] as const) {
    const d = subset(name, 1);
    const r = crossValidate(d.X, d.y, { algorithm: 'lsml', folds: readFolds(join(DATA, `${name}.folds.csv`)) });
    assert.ok(r.accuracy!.mean >= floor, `${name} ${r.accuracy!.mean}`);
  }
});

test('lsml: with fewer points than features, the descent within the points\' span gives the full-space metric', () => {
  const rng = new Random(9);
  const n = 18, d = 30;
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    y.push(i % 3);
    X.push(Array.from({ length: d }, (_, j) => rng.normal() + (j % 3 === i % 3 ? 1.5 : 0)));
  }
  const fit = (rowSpace: boolean) => new LSMLSupervised({ rowSpace, seed: 2 }).fit(X, y);
  const a = fit(true), b = fit(false);
  assert.equal(a.nIter, b.nIter);
  assert.equal(a.converged, b.converged);
  const Ma = a.getMahalanobisMatrix().data, Mb = b.getMahalanobisMatrix().data;
  const diff = maxAbsDiff(Ma, Mb), top = maxAbsDiff(Mb, new Float64Array(Mb.length));
  let off = 0;
  for (let p = 0; p < Mb.length; p++) off = Math.max(off, Math.abs(Mb[p] - (p % (d + 1) === 0 ? 1 : 0)));
  assert.ok(diff <= 1e-8 * top, `max |ΔM| ${diff} against ${top}`);
  assert.ok(off > 1e-3, `M moved from the identity by ${off}`);
  // The factor is valid off the span too: new points get the same distances either way.
  const u = Array.from({ length: d }, () => rng.normal()), v = Array.from({ length: d }, () => rng.normal());
  const da = a.pairDistance([[u, v]])[0], db = b.pairDistance([[u, v]])[0];
  assert.ok(Math.abs(da - db) <= 1e-8 * db, `${da} vs ${db}`);
});
