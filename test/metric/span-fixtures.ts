/** Shared pieces of the tests that hold a reduced (span) fit to the full-space one. */
import { Matrix } from '../../src/matrix.js';
import type { Random } from '../../src/random.js';

/**
 * n x 12 labelled data (3 classes, class c shifted by `shift` along feature c) whose
 * differences span 7 dimensions: features 4, 8 and 11 are constant, 9 and 10 sums of others.
 */
export function rankDeficientClasses(rng: Random, n: number, shift: number): { X: Matrix<Float64Array>; y: number[] } {
  const d = 12;
  const X = new Matrix(n, d, rng.fillNormal(new Float64Array(n * d)));
  const y = Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) {
    const row = X.data.subarray(i * d, (i + 1) * d);
    row[y[i]] += shift;
    row[4] = 0.25; row[8] = -1; row[11] = 3;
    row[9] = row[0] - row[1]; row[10] = row[2] + 2 * row[5];
  }
  return { X, y };
}

/**
 * How far two d x d metrics are apart (largest entry difference), the largest entry of the
 * second, and how far the second moved from the identity.
 */
export function metricGap(a: ArrayLike<number>, b: ArrayLike<number>, d: number): { diff: number; top: number; off: number } {
  let diff = 0, top = 0, off = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    top = Math.max(top, Math.abs(b[i]));
    off = Math.max(off, Math.abs(b[i] - (i % (d + 1) === 0 ? 1 : 0)));
  }
  return { diff, top, off };
}
