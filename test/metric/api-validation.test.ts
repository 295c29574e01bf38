/**
 * Bad input to the learners, tuple inputs, matrix conversion and the k-NN models: each case
 * must be a clear error naming the argument (or, for partial labels, the documented meaning),
 * never a TypeError from deep inside or a silently different result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asMatrix } from '../../src/matrix.js';
import { Euclidean } from '../../src/metric/euclidean.js';
import { LMNN } from '../../src/metric/lmnn.js';
import { NCA } from '../../src/metric/nca.js';
import { MLKR } from '../../src/metric/mlkr.js';
import { LFDA } from '../../src/metric/lfda.js';
import { RCA } from '../../src/metric/rca.js';
import { Covariance } from '../../src/metric/covariance.js';
import { MMC, MMCSupervised } from '../../src/metric/mmc.js';
import { SDMLSupervised } from '../../src/metric/sdml.js';
import { LSMLSupervised } from '../../src/metric/lsml.js';
import { ITMLSupervised } from '../../src/metric/itml.js';
import { SCML, SCMLSupervised } from '../../src/metric/scml.js';
import { createLearner } from '../../src/metric/algorithms.js';
import { pairsFromLabels, quadrupletsFromLabels } from '../../src/metric/supervised-tuples.js';
import { KNeighborsClassifier } from '../../src/neighbors/knn-classifier.js';
import { KNeighborsRegressor } from '../../src/neighbors/knn-regressor.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import '../../src/metric/index.js';

/** 3 classes x 6 points in 3 features, well separated (class c shifted along feature c). */
function data(nPer = 6, nClass = 3, d = 3, seed = 1): { X: number[][]; y: number[] } {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const X: number[][] = [], y: number[] = [];
  for (let c = 0; c < nClass; c++) for (let i = 0; i < nPer; i++) {
    X.push(Array.from({ length: d }, (_, j) => (j === c % d ? 3 * c : 0) + r() * 1.5));
    y.push(c);
  }
  return { X, y };
}
const { X, y } = data();

test('pair indices: non-integers, NaN, null, strings and out-of-range values are rejected before the Int32 cast', () => {
  const m = new Euclidean().fit(X);
  for (const v of [NaN, 0.9, 2 ** 32 + 1, undefined, null, 'x', -0.5, 18, -1, Infinity]) {
    assert.throws(() => m.pairDistance({ points: X, indices: [[v as number, 1]] }), (e: Error) => {
      assert.ok(e instanceof RangeError, `${String(v)}: ${e}`);
      assert.match(e.message, /^pairs\.indices: tuple 0 entry 0 is .*; indices must be integers in 0\.\.17/);
      return true;
    });
  }
  assert.throws(() => m.pairDistance({ points: X, indices: [[0, 1], [2, NaN]] }), /pairs\.indices: tuple 1 entry 1 is NaN; indices must be integers in 0\.\.17/);
  assert.throws(() => m.pairDistance({ points: X, indices: Int32Array.of(0, 1, 2, 18) }), /pairs\.indices: tuple 1 entry 1 is 18; indices must be integers in 0\.\.17/);
  assert.throws(() => m.pairDistance({ points: X, indices: [null as unknown as number[]] }), /pairs\.indices: tuple 0 is null/);
  // Valid input is read as before.
  const d = m.pairDistance({ points: X, indices: [[0, 1], [17, 2]] });
  const e = m.pairDistance({ points: X, indices: Int32Array.of(0, 1, 17, 2) });
  assert.deepEqual(Array.from(d), Array.from(e));
  assert.equal(d[0], Math.hypot(...X[0].map((v, j) => v - X[1][j])));
});

test('nested-array matrices: null, "", [], true and strings are rejected like NaN; typed rows are not checked cell by cell', () => {
  for (const [v, shown] of [[null, 'null'], ['', '""'], [[], 'an empty array []'], [true, 'true'], ['3', '"3"']] as const) {
    assert.throws(() => asMatrix([[v as unknown as number, 1], [2, 3]]), new RegExp(`^RangeError: X: value at row 0, column 0 is ${shown.replace(/[[\]]/g, '\\$&')}`));
  }
  assert.throws(() => asMatrix([[0, 1], [2, null as unknown as number]], 'Q'), /Q: value at row 1, column 1 is null/);
  assert.throws(() => new NCA().fit([[null as unknown as number, 1, 2], ...X.slice(1)], y), /X: value at row 0, column 0 is null/);
  const m = asMatrix([Float64Array.of(1, 2), Float32Array.of(3, 4)]);
  assert.deepEqual(Array.from(m.data), [1, 2, 3, 4]);
});

test('X must be 2-D with at least one feature column', () => {
  for (const make of [() => new LMNN(), () => new NCA(), () => new LFDA(), () => new RCA(), () => new LSMLSupervised(), () => new MMCSupervised(), () => new SCMLSupervised(), () => new Covariance()]) {
    assert.throws(() => make().fit(X.map(() => []), y), /X has 0 feature columns/, make().algorithm);
    assert.throws(() => make().fit([1, 2, 3] as unknown as number[][], [0, 1, 1]), /X must be 2-D \(one row of features per sample\); wrap a single vector as \[\[…\]\]/);
  }
  assert.throws(() => new MLKR().fit(X.map(() => []), y), /X has 0 feature columns/);
  assert.throws(() => new KNeighborsClassifier().fit(X.map(() => []), y), /X has 0 feature columns/);
  const index = new ExactIndex();
  index.add(X);
  assert.throws(() => index.search([1, 2, 3] as unknown as number[][], 1), /X must be 2-D/);
});

test('weak *Supervised learners: rows labelled null, undefined or NaN are unlabelled and enter no constraint; -1 is a class', () => {
  const unknown = new Set([7, 8, 13]);
  const yp: (number | null | undefined)[] = y.map((v, i) => (i === 7 ? null : i === 8 ? undefined : i === 13 ? NaN : v));
  const p = pairsFromLabels(X, yp, 'test', { seed: 1 });
  assert.ok(p.tuples.indices.length > 0);
  for (const i of p.tuples.indices) assert.ok(!unknown.has(i), `row ${i} is unlabelled but in a pair`);
  const q = quadrupletsFromLabels(X, yp, 'test', { seed: 1 });
  for (const i of q.tuples.indices) assert.ok(!unknown.has(i), `row ${i} is unlabelled but in a quadruplet`);
  // Had null/undefined/NaN been classes, these singletons would have been drawn into pairs
  // (and SCML's k-NN triplets would have failed on a 1-point class).
  for (const make of [() => new MMCSupervised({ seed: 1 }), () => new SDMLSupervised({ seed: 1, balanceParam: 1e-3 }), () => new LSMLSupervised({ seed: 1 }), () => new ITMLSupervised({ seed: 1 }), () => new SCMLSupervised({ seed: 1, maxIter: 200, kImpostor: 3, kGenuine: 2 })]) {
    const m = make().fit(X, yp as number[]);
    assert.ok(m.isFitted, m.algorithm);
  }
  assert.throws(() => new MMCSupervised().fit(X, y.map((v) => (v === 0 ? v : null))), /1 labelled class .*at least 2 classes/);
  // Classes −1 and +1 (a common binary coding) are two classes, not one plus unlabelled rows.
  const pm = pairsFromLabels(X, y.map((v) => (v === 0 ? -1 : 1)), 'test', { seed: 1 });
  const rows = new Set(pm.tuples.indices);
  assert.ok(y.some((v, i) => v === 0 && rows.has(i)), 'rows labelled -1 take part in pairs');
  assert.ok(pm.labels.some((l) => l > 0) && pm.labels.some((l) => l < 0));
});

test('fully supervised learners: a missing label is an error naming the row; -1 is a class', () => {
  for (const bad of [null, undefined]) {
    const yb = y.map((v, i) => (i === 3 ? bad : v)) as number[];
    for (const make of [() => new LMNN(), () => new NCA(), () => new LFDA(), () => new RCA()]) {
      assert.throws(() => make().fit(X, yb), new RegExp(`y\\[3\\] is ${bad}; every row needs a label`), make().algorithm);
    }
    assert.throws(() => new KNeighborsClassifier().fit(X, yb), new RegExp(`y\\[3\\] is ${bad}; every row needs a label`));
  }
  assert.throws(() => new NCA().fit(X, y.map((v) => ({ v })) as unknown as number[]), /y\[0\] is an object; labels must be numbers or strings/);
  const a = new NCA().fit(X, y.map((v) => (v === 2 ? -1 : v))).components;
  const b = new NCA().fit(X, y).components;
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
});

test('labels 1 and "1" are one class in the learners and in k-NN', () => {
  const mixed = y.map((v, i) => (i % 2 ? String(v) : v));
  for (const make of [() => new NCA(), () => new LFDA(), () => new LMNN()]) {
    assert.deepEqual(Array.from(make().fit(X, mixed).components.data), Array.from(make().fit(X, y).components.data), make().algorithm);
  }
  const knn = new KNeighborsClassifier({ k: 3 }).fit(X, mixed);
  assert.deepEqual(knn.classes, [0, 1, 2]);
  assert.deepEqual(knn.predict(X.slice(0, 1)), [0]);
});

test('KNeighborsClassifier predicts the original label values', () => {
  const labels = y.map((v) => (v === 2 ? 'x' : v + 1));
  const knn = new KNeighborsClassifier({ k: 3 }).fit(X, labels);
  assert.deepEqual(knn.predict([X[0], X[6], X[12]]), [1, 2, 'x']);
  assert.deepEqual(knn.classes, [1, 2, 'x']);
  assert.equal(knn.score(X, labels), 1);
});

test('MLKR and KNeighborsRegressor reject non-number targets, naming the index', () => {
  const t = X.map((r) => r[0]);
  for (const [v, shown] of [[null, 'null'], ['', '""'], [true, 'true'], ['2', '"2"']] as const) {
    const tb = t.map((u, i) => (i === 4 ? v : u)) as number[];
    assert.throws(() => new MLKR().fit(X, tb), new RegExp(`mlkr: y\\[4\\] is ${shown}; targets must be finite numbers`));
    assert.throws(() => new KNeighborsRegressor().fit(X, tb), new RegExp(`KNeighborsRegressor: y\\[4\\] is ${shown}; targets must be finite numbers`));
  }
});

test('init of the wrong type or all zeros is a clear error', () => {
  for (const [name, make] of [['lmnn', (o: object) => new LMNN(o)], ['nca', (o: object) => new NCA(o)], ['mlkr', (o: object) => new MLKR(o)]] as const) {
    for (const init of [0, -1, 1.5, NaN, true, {}, 'pca2']) {
      assert.throws(() => make({ init }).fit(X, y), new RegExp(`^RangeError: ${name}: init must be "auto", "identity", "pca", "random" or a 3 x 3 matrix, got`), `${name} ${String(init)}`);
    }
    assert.throws(() => make({ init: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] }).fit(X, y), new RegExp(`${name}: init is all zeros: the objective's gradient vanishes there, so nothing is learned; use 'identity' or 'pca'`));
    assert.ok(make({ init: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], maxIter: 5 }).fit(X, y).isFitted);
  }
});

test('SCML basis: a kind name or a matrix, nothing else', () => {
  for (const basis of [-1, 1.5, true, {}, 0, NaN, '3']) {
    assert.throws(() => new SCMLSupervised({ basis: basis as never }).fit(X, y), /scml: basis must be "lda" or "triplet_diffs" or a K x nFeatures matrix of bases, got/, String(basis));
  }
  assert.throws(() => new SCML({ basis: 'lda' as never }).fit([[X[0], X[1], X[6]]]), /scml-triplets: basis must be "triplet_diffs" or a K x nFeatures matrix/);
  assert.throws(() => new SCMLSupervised({ basis: 'lda', basisKind: 'triplet_diffs' }).fit(X, y), /disagree/);
  const o = { seed: 2, maxIter: 300, kGenuine: 2, kImpostor: 3 };
  const a = new SCMLSupervised({ ...o, basis: 'triplet_diffs' }).fit(X, y).components;
  const b = new SCMLSupervised({ ...o, basisKind: 'triplet_diffs' }).fit(X, y).components;
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
});

test('boolean options must be true or false', () => {
  assert.throws(() => createLearner('mmc', { diagonal: 'false' }).fit(X, y), /mmc: diagonal must be true or false, got "false"/);
  assert.throws(() => new LMNN({ rowSpace: 1 as never }).fit(X, y), /lmnn: rowSpace must be true or false, got 1/);
  assert.throws(() => new NCA({ rowSpace: 'no' as never }).fit(X, y), /nca: rowSpace must be true or false, got "no"/);
  assert.ok(new NCA({ rowSpace: false, maxIter: 3 }).fit(X, y).isFitted);
});

test('LFDA: singleton classes and identical same-class rows are named as the cause', () => {
  assert.throws(() => new LFDA().fit([X[0], X[6], X[12]], [0, 1, 2]), /lfda: every class has a single sample, so the local within-class scatter is zero/);
  assert.throws(() => new LFDA().fit([X[0], X[0], X[6], X[6]], [0, 0, 1, 1]), /lfda: the local within-class scatter is zero: the rows of each class are identical/);
});

test('Covariance: tol is checked before the data', () => {
  for (const tol of [1.5, 1, '3', true, Infinity, -1, NaN]) {
    assert.throws(() => new Covariance({ tol: tol as number }).fit(X), /covariance: tol must be a number in \[0, 1\)/, String(tol));
  }
  assert.ok(new Covariance({ tol: 0.5 }).fit(X).isFitted);
});

test('calibrateThreshold with null options uses the defaults', () => {
  const pairs = { points: X, indices: [[0, 1], [6, 7], [12, 13], [0, 6], [1, 12], [7, 13]] };
  const py = [1, 1, 1, -1, -1, -1];
  const m = new MMC({ maxIter: 20 }).fit(pairs, py);
  const t0 = m.calibrateThreshold(pairs, py).threshold;
  assert.equal(m.calibrateThreshold(pairs, py, null as never).threshold, t0);
});
