/**
 * The trainer tests' problem: three classes separated along two informative features, hidden
 * among six noisy features of larger variance, so Euclidean neighbours in the raw space are
 * poor and a learned projection is good.
 */
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';

export function hiddenClassesProblem(n: number, seed: number): { X: Matrix<Float32Array>; y: Int32Array } {
  const r = new Random(seed);
  const X = new Float32Array(n * 8);
  const y = new Int32Array(n);
  const centres = [[0, 0], [1.5, 0], [0, 1.5]];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    X[i * 8] = centres[c][0] + 0.3 * r.normal();
    X[i * 8 + 1] = centres[c][1] + 0.3 * r.normal();
    for (let j = 2; j < 8; j++) X[i * 8 + j] = 2 * r.normal();
  }
  return { X: new Matrix(n, 8, X), y };
}
