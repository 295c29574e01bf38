import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCML, SCMLSupervised, scmlSolve, type ScmlResult } from '../../src/metric/scml.js';
import { ldaBasis, tripletDiffBasis } from '../../src/metric/scml-basis.js';
import { Constraints } from '../../src/metric/constraints.js';
import { differenceSpan, multiplyByTranspose } from '../../src/metric/row-span.js';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { maxAbsDiff } from '../helpers.js';

/** max |A − B| / max |B|. */
function relDiff(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let den = 0;
  for (let i = 0; i < B.length; i++) den = Math.max(den, Math.abs(B[i]));
  return maxAbsDiff(A, B) / den;
}

/** n points in d dimensions around one of `classes` random centres; rank > 0: within a random rank-dimensional affine subspace. */
function clustered(n: number, d: number, classes: number, seed: number, rank = 0): { X: Matrix<Float64Array>; y: number[] } {
  const rng = new Random(seed);
  const q = rank > 0 ? rank : d;
  const centres = Array.from({ length: classes }, () => Array.from({ length: q }, () => 2 * rng.normal()));
  const y = Array.from({ length: n }, (_, i) => i % classes);
  const Z = y.map((c) => centres[c].map((v) => v + rng.normal()));
  if (rank === 0) return { X: Matrix.from64(Z), y };
  const W = Array.from({ length: rank }, () => Array.from({ length: d }, () => rng.normal()));
  const offset = Array.from({ length: d }, () => 3 * rng.normal());
  return { X: Matrix.from64(Z.map((z) => offset.map((o, c) => o + z.reduce((s, v, k) => s + v * W[k][c], 0)))), y };
}

/** New points (not among the training rows, and off their span when n < d). */
function newPoints(d: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: 8 }, () => Array.from({ length: d }, () => 2 * rng.normal()));
}

function distances(m: { pairDistance(p: number[][][]): Float64Array }, P: number[][]): Float64Array {
  return m.pairDistance(P.slice(0, -1).map((p, i) => [p, P[i + 1]]));
}

/** Lᵀ L over d features. */
function gramOf(L: Matrix<Float64Array>): Float64Array {
  const d = L.cols;
  const M = new Float64Array(d * d);
  for (let k = 0; k < L.rows; k++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] += L.data[k * d + i] * L.data[k * d + j];
  return M;
}

/** SCMLSupervised's solve, step by step (its triplets and bases, the same draws), with rowSpace on and off. */
function supervisedSolves(X: Matrix<Float64Array>, y: number[], kind: 'lda' | 'triplet_diffs', maxIter: number, seed: number): { span: ScmlResult; full: ScmlResult } {
  const codes = Int32Array.from(y);
  const T = new Constraints(codes).knnTriplets(X, 3, 10);
  const solve = (rowSpace: boolean) => {
    const rng = new Random(seed);
    const b = kind === 'lda' ? ldaBasis(X, codes, 3, undefined, rng) : tripletDiffBasis({ points: X, indices: T, arity: 3 }, undefined, rng);
    return scmlSolve(X, T, b.B, b.K, { maxIter, rowSpace }, rng, undefined, kind === 'triplet_diffs');
  };
  return { span: solve(true), full: solve(false) };
}

function checkSolves(s: ScmlResult, f: ScmlResult, d: number, what: string): void {
  assert.equal(f.span, null, what);
  // The fit itself does not change: the same weights, bit for bit.
  assert.deepEqual(s.weights, f.weights, what);
  assert.equal(s.objective, f.objective, what);
  const e = relDiff(s.M, f.M);
  assert.ok(e < 1e-12, `${what}: M differs by ${e}`);
  // The components are a factor of the same M.
  const c = relDiff(gramOf(s.components!), f.M);
  assert.ok(c < 1e-12, `${what}: Lᵀ L differs from M by ${c}`);
  assert.equal(s.components!.cols, d, what);
}

test('scml-span: fewer rows than features (30 x 80), supervised with lda and triplet_diffs bases: the same metric and distances of new points with rowSpace on and off', () => {
  const { X, y } = clustered(30, 80, 3, 11);
  for (const basisKind of ['lda', 'triplet_diffs'] as const) {
    const fit = (rowSpace: boolean) => new SCMLSupervised({ basisKind, rowSpace, maxIter: 2000, seed: 2 }).fit(X, y);
    const span = fit(true), full = fit(false);
    assert.deepEqual(span.warnings, full.warnings, basisKind);
    assert.equal(span.components.rows, full.components.rows, `${basisKind}: rank`);
    const e = relDiff(span.getMahalanobisMatrix().data, full.getMahalanobisMatrix().data);
    assert.ok(e < 1e-10, `${basisKind}: Mahalanobis matrices differ by ${e}`);
    // New points have components off the training span: their distances agree too.
    const P = newPoints(80, 12);
    const ed = relDiff(distances(span, P), distances(full, P));
    assert.ok(ed < 1e-10, `${basisKind}: distances of new points differ by ${ed}`);
    const T = Array.from({ length: 29 }, (_, i) => [Array.from(X.row(i)), Array.from(X.row(i + 1))]);
    const et = relDiff(span.pairDistance(T), full.pairDistance(T));
    assert.ok(et < 1e-10, `${basisKind}: distances of training rows differ by ${et}`);
    assert.equal(span.params.rowSpace, true);
    assert.equal(full.params.rowSpace, false);
  }
  // The solver: which subspace, and the same weights bit for bit.
  const lda = supervisedSolves(X, y, 'lda', 2000, 2);
  checkSolves(lda.span, lda.full, 80, 'lda');
  assert.equal(lda.span.span?.kind, 'bases');
  assert.ok(lda.span.span!.rank <= 2, `lda: ${lda.span.span!.rank} distinct active bases`); // c − 1 global directions
  const td = supervisedSolves(X, y, 'triplet_diffs', 2000, 2);
  checkSolves(td.span, td.full, 80, 'triplet_diffs');
  assert.deepEqual(td.span.span, { kind: 'differences', rank: 29 });
});

test('scml-span: the lda bases leave the span of the differences (standardised directions), so they are taken in their own span', () => {
  const { X, y } = clustered(30, 80, 3, 11);
  const d = 80;
  const b = ldaBasis(X, Int32Array.from(y), 3, undefined, new Random(2));
  const V = differenceSpan(X)!;
  const C = multiplyByTranspose(b.B, b.K, d, V.vt, V.r);
  let worst = 0;
  for (let k = 0; k < b.K; k++) {
    let nb = 0, nc = 0;
    for (let c = 0; c < d; c++) nb += b.B[k * d + c] ** 2;
    for (let c = 0; c < V.r; c++) nc += C[k * V.r + c] ** 2;
    worst = Math.max(worst, (nb - nc) / nb);
  }
  // A sizeable part of their norm lies off the span: projecting them on it would change M.
  assert.ok(worst > 1e-3, `out-of-span fraction ${worst}`);
});

test('scml-span: rank-deficient data with more rows than features (30 x 24 of rank 5): the same metric, both basis kinds', () => {
  const { X, y } = clustered(30, 24, 3, 5, 5);
  for (const basisKind of ['lda', 'triplet_diffs'] as const) {
    const fit = (rowSpace: boolean) => new SCMLSupervised({ basisKind, rowSpace, maxIter: 2000, seed: 4 }).fit(X, y);
    const span = fit(true), full = fit(false);
    const e = relDiff(span.getMahalanobisMatrix().data, full.getMahalanobisMatrix().data);
    assert.ok(e < 1e-10, `${basisKind}: Mahalanobis matrices differ by ${e}`);
    const P = newPoints(24, 6);
    const ed = relDiff(distances(span, P), distances(full, P));
    assert.ok(ed < 1e-10, `${basisKind}: distances of new points differ by ${ed}`);
  }
  const lda = supervisedSolves(X, y, 'lda', 2000, 4);
  checkSolves(lda.span, lda.full, 24, 'lda');
  assert.equal(lda.span.span?.kind, 'bases');
  const td = supervisedSolves(X, y, 'triplet_diffs', 2000, 4);
  checkSolves(td.span, td.full, 24, 'triplet_diffs');
  assert.deepEqual(td.span.span, { kind: 'differences', rank: 5 });
});

test('scml-span: the triplet form (generated triplet_diffs bases, and a given basis matrix): the same weights, metric and distances', () => {
  const { X, y } = clustered(30, 80, 3, 21);
  const T = new Constraints(Int32Array.from(y)).knnTriplets(X, 3, 10);
  const triplets = { points: X, indices: T };
  const fit = (rowSpace: boolean) => new SCML({ rowSpace, maxIter: 2000, seed: 3 }).fit(triplets);
  const span = fit(true), full = fit(false);
  assert.deepEqual(span.weights, full.weights);
  const e = relDiff(span.getMahalanobisMatrix().data, full.getMahalanobisMatrix().data);
  assert.ok(e < 1e-10, `Mahalanobis matrices differ by ${e}`);
  const P = newPoints(80, 22);
  const ed = relDiff(distances(span, P), distances(full, P));
  assert.ok(ed < 1e-10, `distances of new points differ by ${ed}`);
  // Only the rows the triplets use span the differences: here 20 of the 30 points.
  const used = Array.from({ length: 20 }, (_, i) => i);
  const sub = new Constraints(Int32Array.from(used, (i) => y[i])).knnTriplets(X.takeRows(used), 3, 5);
  const t = { points: X, indices: sub, arity: 3 };
  const solve = (rowSpace: boolean) => {
    const rng = new Random(3);
    const b = tripletDiffBasis(t, undefined, rng);
    return scmlSolve(X, sub, b.B, b.K, { maxIter: 2000, rowSpace }, rng, undefined, true);
  };
  const s = solve(true), f = solve(false);
  checkSolves(s, f, 80, 'triplets on 20 points');
  assert.deepEqual(s.span, { kind: 'differences', rank: 19 });
  // A given basis matrix (not differences of the points): its own span, here 6 random rows.
  const rng = new Random(8);
  const basis = Array.from({ length: 6 }, () => Array.from({ length: 80 }, () => rng.normal()));
  const given = (rowSpace: boolean) => new SCML({ rowSpace, basis, maxIter: 2000, seed: 3 }).fit(triplets);
  const gs = given(true), gf = given(false);
  assert.deepEqual(gs.weights, gf.weights);
  const eg = relDiff(gs.getMahalanobisMatrix().data, gf.getMahalanobisMatrix().data);
  assert.ok(eg < 1e-10, `given basis: Mahalanobis matrices differ by ${eg}`);
  const edg = relDiff(distances(gs, P), distances(gf, P));
  assert.ok(edg < 1e-10, `given basis: distances of new points differ by ${edg}`);
  const B = Float64Array.from(basis.flat());
  const r = scmlSolve(X, T, B, 6, { maxIter: 2000 }, new Random(3));
  assert.equal(r.span?.kind, 'bases');
  assert.ok(r.span!.rank <= 6);
});

test('scml-span: full-rank data with more rows than features keep the d x d path; rowSpace is checked', () => {
  const { X, y } = clustered(60, 6, 3, 31);
  const codes = Int32Array.from(y);
  const T = new Constraints(codes).knnTriplets(X, 3, 10);
  for (const kind of ['lda', 'triplet_diffs'] as const) {
    const rng = new Random(1);
    const b = kind === 'lda' ? ldaBasis(X, codes, 3, undefined, rng) : tripletDiffBasis({ points: X, indices: T, arity: 3 }, undefined, rng);
    const r = scmlSolve(X, T, b.B, b.K, { maxIter: 500 }, rng, undefined, kind === 'triplet_diffs');
    assert.equal(r.span, null, kind);
    assert.equal(r.components, undefined, kind);
  }
  assert.throws(() => new SCMLSupervised({ rowSpace: 1 as never }).fit(X, y), /scml: rowSpace must be true or false, got 1/);
  assert.throws(() => new SCML({ rowSpace: 'no' as never }).fit({ points: X, indices: T }), /scml: rowSpace must be true or false, got "no"/);
});
