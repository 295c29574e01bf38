/** Matrix-level wrappers (run on whichever backend is active). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, ShapeError } from '../../src/matrix.js';
import { LinAlgError } from '../../src/backend/index.js';
import {
  matmul, matvec, gram, eigh, cholesky, svd, solve, solveSpd, inverse, inverseSpd, logDetSpd, slogdet, rowDistance,
  symmetrize, projectPsd, sqrtmSpd, invSqrtmSpd, pseudoInverse, isPsd, pairwiseSqEuclidean,
  columnMeans, columnVariances, centre, covariance, addRidge, trace, frobeniusNorm,
} from '../../src/linalg/index.js';
import { randomMatrix, maxAbsDiff } from '../helpers.js';

const M = (rows: number[][]) => Matrix.from64(rows);

function spd(n: number, seed: number): Matrix<Float64Array> {
  const X = randomMatrix(n + 5, n, seed);
  return addRidge(gram(X), 0.5);
}

test('matmul: known product, transposes, dtype preservation and shape errors', () => {
  const A = M([[1, 2, 3], [4, 5, 6]]);
  const B = M([[7, 8], [9, 10], [11, 12]]);
  assert.deepEqual(matmul(A, B).toArrays(), [[58, 64], [139, 154]]);
  assert.deepEqual(matmul(A, A, { transB: true }).toArrays(), [[14, 32], [32, 77]]);
  assert.deepEqual(matmul(A, A, { transA: true }).toArrays(), [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
  assert.deepEqual(matmul(B, A, { transA: true, transB: true }).toArrays(), [[58, 139], [64, 154]]);
  const f = matmul(A.toFloat32(), B.toFloat32());
  assert.ok(f.data instanceof Float32Array);
  assert.ok(matmul(A.toFloat32(), B).data instanceof Float64Array, 'mixed dtypes promote to float64');
  assert.throws(() => matmul(A, A), (e: Error) => e instanceof ShapeError && /inner dimensions differ/.test(e.message));
  assert.deepEqual(Array.from(matvec(A, [1, 0, -1])), [-2, -2]);
  assert.deepEqual(Array.from(matvec(A, [1, 1], true)), [5, 7, 9]);
  assert.deepEqual(gram(A).toArrays(), [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
});

test('eigh/svd/cholesky wrappers return matrices that reconstruct the input', () => {
  const S = spd(6, 3);
  const { values, vectors } = eigh(S);
  const VL = vectors.clone();
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) VL.data[i * 6 + j] *= values[j];
  assert.ok(maxAbsDiff(matmul(VL, vectors, { transB: true }).data, S.data) < 1e-11);
  assert.throws(() => eigh(M([[1, 2], [3, 4]])), /not symmetric/);
  assert.throws(() => eigh(M([[1, 2, 3]])), /must be square/);
  const L = cholesky(S);
  assert.ok(maxAbsDiff(matmul(L, L, { transB: true }).data, S.data) < 1e-11);
  const A = randomMatrix(7, 4, 2);
  const { U, s, Vt } = svd(A);
  assert.deepEqual([U.rows, U.cols, s.length, Vt.rows, Vt.cols], [7, 4, 4, 4, 4]);
  const US = U.clone();
  for (let i = 0; i < 7; i++) for (let t = 0; t < 4; t++) US.data[i * 4 + t] *= s[t];
  assert.ok(maxAbsDiff(matmul(US, Vt).data, A.data) < 1e-12);
});

test('solve, solveSpd, inverse and log-determinants', () => {
  const A = M([[2, 1], [1, 3]]);
  assert.ok(maxAbsDiff(solve(A, [3, 5]), [0.8, 1.4]) < 1e-15);
  assert.ok(maxAbsDiff(solveSpd(A, M([[3], [5]])).data, [0.8, 1.4]) < 1e-15);
  assert.ok(maxAbsDiff(inverse(A).data, [0.6, -0.2, -0.2, 0.4]) < 1e-15);
  assert.ok(Math.abs(logDetSpd(A) - Math.log(5)) < 1e-14);
  assert.throws(() => solve(A, [1, 2, 3]), /b has 3 values/);
  assert.throws(() => solve(A, [1, NaN]), /b\[1\] is NaN/);
  assert.throws(() => inverse(M([[1, Infinity], [0, 1]])), /inverse: A: value at row 0, column 1 is Infinity/);
  assert.throws(() => eigh(M([[NaN, 0], [0, 1]])), /eigh: M: value at row 0, column 0 is NaN/);
  assert.throws(() => svd(M([[NaN, 0]])), /svd: A/);
  const g = slogdet(M([[0, 2], [3, 0]])); // det = -6
  assert.equal(g.sign, -1);
  assert.ok(Math.abs(g.logAbsDet - Math.log(6)) < 1e-14);
  const S = spd(5, 4);
  assert.ok(Math.abs(slogdet(S).logAbsDet - logDetSpd(S)) < 1e-10);
  assert.deepEqual(slogdet(M([[1, 2], [2, 4]])), { sign: 0, logAbsDet: -Infinity });
  assert.throws(() => logDetSpd(M([[1, 2], [2, 1]])), LinAlgError);
});

test('projectPsd clips negative eigenvalues and is the identity on PSD input', () => {
  // [[1, 2], [2, 1]] has eigenvalues 3 and -1; the projection keeps 3 (1,1)(1,1)ᵀ/2.
  const P = projectPsd(M([[1, 2], [2, 1]]));
  assert.ok(maxAbsDiff(P.data, [1.5, 1.5, 1.5, 1.5]) < 1e-14);
  assert.ok(isPsd(P));
  assert.ok(!isPsd(M([[1, 2], [2, 1]])));
  const S = spd(5, 6);
  assert.ok(maxAbsDiff(projectPsd(S).data, S.data) < 1e-12);
  // A minimum eigenvalue floor.
  const P2 = projectPsd(M([[1, 0], [0, -3]]), 0.1);
  assert.ok(maxAbsDiff(P2.data, [1, 0, 0, 0.1]) < 1e-15);
  // Asymmetric input is symmetrised first.
  assert.deepEqual(symmetrize(M([[1, 2], [0, 1]])).toArrays(), [[1, 1], [1, 1]]);
});

test('sqrtmSpd and invSqrtmSpd: squares and products give back M and I', () => {
  const S = spd(6, 7);
  const R = sqrtmSpd(S);
  assert.ok(maxAbsDiff(matmul(R, R).data, S.data) < 1e-10);
  const Ri = invSqrtmSpd(S);
  const I = matmul(matmul(Ri, S), Ri);
  assert.ok(maxAbsDiff(I.data, Matrix.identity(6).data) < 1e-10);
  assert.deepEqual(sqrtmSpd(M([[4, 0], [0, 9]])).toArrays(), [[2, 0], [0, 3]]);
  // Singular: sqrt works, inverse sqrt asks for a ridge; with one it works.
  const sing = M([[1, 1], [1, 1]]);
  assert.ok(maxAbsDiff(matmul(sqrtmSpd(sing), sqrtmSpd(sing)).data, sing.data) < 1e-12);
  assert.throws(() => invSqrtmSpd(sing), (e: Error) => e instanceof LinAlgError && /ridge/.test(e.message));
  const withRidge = invSqrtmSpd(sing, { ridge: 1 });
  const back = matmul(matmul(withRidge, addRidge(sing, 1)), withRidge);
  assert.ok(maxAbsDiff(back.data, [1, 0, 0, 1]) < 1e-12);
  assert.ok(Number.isFinite(invSqrtmSpd(sing, { floor: 1e-6 }).data[0]));
  assert.throws(() => sqrtmSpd(M([[1, 0], [0, -1]])), /not positive semidefinite/);
});

test('pseudoInverse satisfies the Moore-Penrose conditions on a rank-deficient matrix', () => {
  const A = M([[1, 2], [2, 4], [3, 6]]); // rank 1
  const P = pseudoInverse(A);
  assert.deepEqual([P.rows, P.cols], [2, 3]);
  assert.ok(maxAbsDiff(matmul(matmul(A, P), A).data, A.data) < 1e-13);
  assert.ok(maxAbsDiff(matmul(matmul(P, A), P).data, P.data) < 1e-13);
  // For rank-1 A = u vᵀ, A⁺ = Aᵀ / ‖A‖_F²  (‖A‖_F² = 70).
  assert.ok(maxAbsDiff(P.data, A.transpose().data.map((v) => v / 70)) < 1e-15);
  const G = randomMatrix(4, 4, 9);
  assert.ok(maxAbsDiff(pseudoInverse(G).data, inverse(G).data) < 1e-11);
});

test('inverseSpd: the hand inverse, exactly symmetric, A A⁻¹ = I; refuses a non-SPD matrix', () => {
  assert.ok(maxAbsDiff(inverseSpd(M([[2, 1], [1, 3]])).data, [0.6, -0.2, -0.2, 0.4]) < 1e-15);
  const S = spd(6, 7);
  const Si = inverseSpd(S);
  for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) assert.equal(Si.get(i, j), Si.get(j, i));
  const I = matmul(S, Si);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) assert.ok(Math.abs(I.get(i, j) - (i === j ? 1 : 0)) < 1e-10);
  assert.throws(() => inverseSpd(M([[1, 2], [2, 1]])), LinAlgError);
  assert.throws(() => inverseSpd(M([[1, 0, 0]])), /square/);
});

test('rowDistance: the Euclidean distance between two rows', () => {
  const X = M([[0, 0], [3, 4], [1, 1]]);
  assert.equal(rowDistance(X, 0, 1), 5);
  assert.equal(rowDistance(X, 1, 1), 0);
  assert.equal(rowDistance(X.toFloat32(), 1, 0), 5);
  assert.ok(Math.abs(rowDistance(X, 2, 1) - Math.sqrt(13)) < 1e-15);
});

test('pairwiseSqEuclidean: known distances, zero diagonal, dtype', () => {
  const A = M([[0, 0], [3, 4]]);
  const B = M([[0, 0], [1, 1], [3, 0]]);
  assert.deepEqual(pairwiseSqEuclidean(A, B).toArrays(), [[0, 2, 9], [25, 13, 16]]);
  const X = randomMatrix(20, 5, 1);
  const D = pairwiseSqEuclidean(X);
  for (let i = 0; i < 20; i++) {
    assert.equal(D.get(i, i), 0);
    for (let j = 0; j < 20; j++) {
      assert.equal(D.get(i, j), D.get(j, i));
      let s = 0;
      for (let t = 0; t < 5; t++) s += (X.get(i, t) - X.get(j, t)) ** 2;
      assert.ok(Math.abs(D.get(i, j) - s) < 1e-12);
    }
  }
  assert.ok(pairwiseSqEuclidean(X.toFloat32()).data instanceof Float32Array);
  assert.throws(() => pairwiseSqEuclidean(A, M([[1, 2, 3]])), /columns/);
});

test('column statistics, covariance, ridge, trace and norm', () => {
  const X = M([[1, 2], [3, 6], [5, 10]]);
  assert.deepEqual(Array.from(columnMeans(X)), [3, 6]);
  assert.ok(maxAbsDiff(columnVariances(X), [8 / 3, 32 / 3]) < 1e-14);
  assert.ok(maxAbsDiff(columnVariances(X, 1), [4, 16]) < 1e-14);
  assert.deepEqual(centre(X).X.toArrays(), [[-2, -4], [0, 0], [2, 4]]);
  assert.deepEqual(covariance(X).toArrays(), [[4, 8], [8, 16]]);
  assert.ok(maxAbsDiff(covariance(X, { ddof: 0 }).data, [8 / 3, 16 / 3, 16 / 3, 32 / 3]) < 1e-14);
  assert.throws(() => covariance(M([[1, 2]])), /need more than 1 rows/);
  // A large offset does not destroy the variance (two-pass, centred).
  const off = M([[1e9 + 1], [1e9 + 2], [1e9 + 3]]);
  assert.ok(Math.abs(columnVariances(off, 1)[0] - 1) < 1e-6);
  assert.deepEqual(addRidge(M([[1, 2], [3, 4]]), 0.5).toArrays(), [[1.5, 2], [3, 4.5]]);
  assert.equal(trace(M([[1, 2], [3, 4]])), 5);
  assert.equal(frobeniusNorm(M([[3, 0], [0, 4]])), 5);
  assert.ok(Math.abs(frobeniusNorm(M([[3e200, 4e200]])) / 5e200 - 1) < 1e-15);
});
