import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustedMutualInfo, adjustedRandIndex, logGamma, mutualInformation, normalizedMutualInfo } from '../../src/evaluation/clustering.js';
import { accuracy, confusionMatrix } from '../../src/evaluation/classification.js';
import { Random } from '../../src/random.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('U = [0,0,1,1], V = [0,0,1,2]: MI, NMI and ARI by hand', () => {
  const U = [0, 0, 1, 1];
  const V = [0, 0, 1, 2];
  // MI = (2/4) ln(4·2/(2·2)) + 2 · (1/4) ln(4·1/(2·1)) = ln 2
  close(mutualInformation(U, V), Math.LN2);
  // H(U) = ln 2, H(V) = 1.5 ln 2 → NMI = ln 2 / (1.25 ln 2) = 0.8
  close(normalizedMutualInfo(U, V), 0.8);
  // Σ C(n_ij,2) = 1, Σ C(a_i,2) = 2, Σ C(b_j,2) = 1, C(4,2) = 6 → (1 − 1/3)/(3/2 − 1/3) = 4/7
  close(adjustedRandIndex(U, V), 4 / 7);
});

test('U = [0,0,1,1], V = [0,1,0,1]: AMI = ARI = −1/2 by hand', () => {
  // MI = 0. E[MI]: each of the 4 cells has n_ij ∈ {1, 2}; n = 1 contributes ln 1 = 0, n = 2 has
  // probability 2!2!2!2!/(4! 2! 0! 0! 2!) = 1/6 and term (2/4) ln 2 → E[MI] = 4 · ln2/12 = ln2/3.
  // AMI = (0 − ln2/3)/(ln 2 − ln2/3) = −1/2.
  close(adjustedMutualInfo([0, 0, 1, 1], [0, 1, 0, 1]), -0.5, 1e-10);
  // ARI: Σ C(n_ij,2) = 0, expected = 2·2/6 = 2/3, max = 2 → (0 − 2/3)/(2 − 2/3) = −1/2
  close(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
  close(normalizedMutualInfo([0, 0, 1, 1], [0, 1, 0, 1]), 0);
});

test('invariances: relabelling and string labels do not matter; identical partitions score 1', () => {
  const rng = new Random(4);
  const U = Array.from({ length: 60 }, () => rng.int(4));
  const V = U.map((u) => ['w', 'x', 'y', 'z'][(u + 1) % 4]);
  close(normalizedMutualInfo(U, V), 1);
  close(adjustedMutualInfo(U, V), 1, 1e-10);
  close(adjustedRandIndex(U, V), 1);
  // symmetric in its arguments
  const W = Array.from({ length: 60 }, () => rng.int(3));
  close(adjustedMutualInfo(U, W), adjustedMutualInfo(W, U), 1e-12);
  close(adjustedRandIndex(U, W), adjustedRandIndex(W, U), 1e-12);
  // random labellings: adjusted scores near 0, NMI is not
  const A = Array.from({ length: 2000 }, () => rng.int(10));
  const B = Array.from({ length: 2000 }, () => rng.int(10));
  assert.ok(Math.abs(adjustedMutualInfo(A, B)) < 0.01);
  assert.ok(Math.abs(adjustedRandIndex(A, B)) < 0.01);
  // conventions for one cluster on both sides
  close(normalizedMutualInfo([1, 1, 1], [0, 0, 0]), 1);
  close(adjustedRandIndex([1, 1, 1], [0, 0, 0]), 1);
  assert.throws(() => adjustedRandIndex([0, 1], [0]), /same items/);
});

test('logGamma matches factorials', () => {
  close(logGamma(1), 0, 1e-13);
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(11), Math.log(3628800), 1e-11);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-12);
});

test('accuracy and confusion matrix by hand', () => {
  const yt = ['cat', 'dog', 'dog', 'bird', 'cat'];
  const yp = ['cat', 'cat', 'dog', 'bird', 'dog'];
  close(accuracy(yt, yp), 3 / 5);
  const cm = confusionMatrix(yt, yp);
  assert.deepEqual(cm.labels, ['bird', 'cat', 'dog']);
  // rows = truth: bird → bird; cat → cat, dog; dog → cat, dog
  assert.deepEqual(cm.matrix, [[1, 0, 0], [0, 1, 1], [0, 1, 1]]);
  const num = confusionMatrix([2, 10, 2], [10, 10, 2]);
  assert.deepEqual(num.labels, [2, 10]);
  assert.deepEqual(num.matrix, [[1, 1], [0, 1]]);
  assert.throws(() => accuracy([1], [1, 2]), /same items/);
});
