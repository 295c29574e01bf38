import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ITML } from '../../src/metric/itml.js';
import { LSML } from '../../src/metric/lsml.js';
import { SCML } from '../../src/metric/scml.js';
import { Constraints } from '../../src/metric/constraints.js';
import { rocAuc } from '../../src/evaluation/verification.js';
import { NotFittedError } from '../../src/metric/base.js';
import { subset } from './conformance.js';

const iris = subset('iris', 2); // 75 rows, z-scored
const cons = new Constraints(iris.y);
const lp = cons.labelledPairs(60, { seed: 3 });
const pairs = { points: iris.X, indices: lp.indices };
const yPairs = Array.from(lp.y);

test('pair learner: decisionFunction = pairScore, predict follows the threshold, score = ROC-AUC', () => {
  const m = new ITML({ seed: 1 }).fit(pairs, yPairs);
  const s = m.decisionFunction(pairs);
  assert.deepEqual(Array.from(s), Array.from(m.pairScore(pairs)));
  const t = m.threshold;
  const p = m.predict(pairs);
  for (let i = 0; i < s.length; i++) assert.equal(p[i], s[i] >= t ? 1 : -1);
  assert.equal(m.score(pairs, yPairs), rocAuc(s, yPairs));
  assert.ok(m.score(pairs, yPairs) > 0.9, `training AUC ${m.score(pairs, yPairs)}`);
  // The calibrated (accuracy) threshold is at least as accurate as any score taken as a cut.
  const acc = (th: number) => { let ok = 0; for (let i = 0; i < s.length; i++) if ((s[i] >= th ? 1 : -1) === yPairs[i]) ok++; return ok / s.length; };
  const best = acc(t);
  for (const c of s) assert.ok(acc(c) <= best + 1e-12);
});

test('pair learner: setThreshold and calibrateThreshold strategies', () => {
  const m = new ITML({ seed: 1 }).fit(pairs, yPairs);
  m.setThreshold(1e9);
  assert.ok(m.predict(pairs).every((v) => v === -1));
  m.setThreshold(-1e9);
  assert.ok(m.predict(pairs).every((v) => v === 1));
  assert.throws(() => m.setThreshold(NaN), /finite/);
  m.calibrateThreshold(pairs, yPairs, { strategy: 'max_tpr', minRate: 0.9 });
  const p = m.predict(pairs);
  let tn = 0, neg = 0;
  yPairs.forEach((v, i) => { if (v < 0) { neg++; if (p[i] < 0) tn++; } });
  assert.ok(tn / neg >= 0.9, `TNR ${tn / neg}`);
  m.calibrateThreshold(pairs, yPairs, { strategy: 'max_tnr', minRate: 1 });
  const p2 = m.predict(pairs);
  yPairs.forEach((v, i) => { if (v > 0) assert.equal(p2[i], 1); });
  m.calibrateThreshold(pairs, yPairs, { strategy: 'f_beta', beta: 2 });
  assert.ok(Number.isFinite(m.threshold));
});

test('pair learner: threshold survives toJSON/restoreState; unfitted use is an error', () => {
  const m = new ITML({ seed: 1 }).fit(pairs, yPairs);
  const copy = new ITML().restoreState(JSON.parse(JSON.stringify(m.toJSON())));
  assert.equal(copy.threshold, m.threshold);
  assert.deepEqual(Array.from(copy.predict(pairs)), Array.from(m.predict(pairs)));
  assert.throws(() => new ITML().predict(pairs), NotFittedError);
  assert.throws(() => m.score(pairs, yPairs.slice(1)), /one label/);
  assert.throws(() => m.fit(pairs, yPairs.map(() => 3)), /y\[0\] is 3/);
});

test('pair learner: explicit (nPairs x 2 x d) input gives the same model as indexed input', () => {
  const explicit = Array.from({ length: yPairs.length }, (_, t) => [Array.from(iris.X.row(lp.indices[2 * t])), Array.from(iris.X.row(lp.indices[2 * t + 1]))]);
  const a = new ITML({ seed: 1, bounds: [1, 10] }).fit(pairs, yPairs);
  const b = new ITML({ seed: 1, bounds: [1, 10] }).fit(explicit, yPairs);
  const Ma = a.getMahalanobisMatrix().data, Mb = b.getMahalanobisMatrix().data;
  for (let i = 0; i < Ma.length; i++) assert.ok(Math.abs(Ma[i] - Mb[i]) < 1e-9);
});

test('triplet learner: decisionFunction = d(a,far) − d(a,near), predict sign, score = fraction respected', () => {
  const T = cons.knnTriplets(iris.X, 2, 3);
  const trip = { points: iris.X, indices: T };
  const m = new SCML({ seed: 2, maxIter: 2000 }).fit(trip);
  const f = m.decisionFunction(trip);
  const near = m.pairDistance({ points: iris.X, indices: Int32Array.from(Array.from({ length: T.length / 3 }, (_, t) => [T[3 * t], T[3 * t + 1]]).flat()) });
  const far = m.pairDistance({ points: iris.X, indices: Int32Array.from(Array.from({ length: T.length / 3 }, (_, t) => [T[3 * t], T[3 * t + 2]]).flat()) });
  for (let i = 0; i < f.length; i++) assert.ok(Math.abs(f[i] - (far[i] - near[i])) < 1e-9);
  const p = m.predict(trip);
  let ok = 0;
  for (let i = 0; i < f.length; i++) { assert.equal(p[i], f[i] > 0 ? 1 : -1); if (f[i] > 0) ok++; }
  assert.equal(m.score(trip), ok / f.length);
  assert.ok(m.score(trip) > 0.85, `triplet accuracy ${m.score(trip)}`);
});

test('quadruplet learner: respects most training quadruplets; reversing every quadruplet flips predictions', () => {
  const q = cons.quadruplets(80, { seed: 5 });
  const quads = { points: iris.X, indices: q };
  const m = new LSML().fit(quads);
  assert.ok(m.score(quads) > 0.85, `quadruplet accuracy ${m.score(quads)}`);
  const rev = new Int32Array(q.length);
  for (let t = 0; t < q.length / 4; t++) rev.set([q[4 * t + 2], q[4 * t + 3], q[4 * t], q[4 * t + 1]], 4 * t);
  const a = m.decisionFunction(quads), b = m.decisionFunction({ points: iris.X, indices: rev });
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] + b[i]) < 1e-12);
  assert.throws(() => m.decisionFunction({ points: iris.X, indices: [[0, 1, 2]] }), /expected 4/);
});

test('weak learners: model files round trip (pair threshold kept) through the registry', async () => {
  const { encodeModel, decodeModel } = await import('../../src/io/model-file.js');
  const { modelFromPayload } = await import('../../src/io/model-registry.js');
  await import('../../src/metric/registry.js');
  const m = new ITML({ seed: 1, gamma: 2 }).fit(pairs, yPairs);
  m.setThreshold(-1.25);
  const back = modelFromPayload(decodeModel(encodeModel(m.toPayload()))) as ITML;
  assert.ok(back instanceof ITML);
  assert.equal(back.threshold, -1.25);
  assert.equal(back.options.gamma, 2);
  assert.deepEqual(Array.from(back.pairDistance(pairs)), Array.from(m.pairDistance(pairs)));
  const q = new LSML().fit({ points: iris.X, indices: cons.quadruplets(20, { seed: 1 }) });
  const qb = modelFromPayload(decodeModel(encodeModel(q.toPayload()))) as LSML;
  assert.ok(qb instanceof LSML);
  assert.deepEqual(Array.from(qb.components.data), Array.from(q.components.data));
});
