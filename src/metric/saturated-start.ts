/**
 * A softmax over neighbours (NCA's p_ij, MLKR's kernel weights) saturates when the squared
 * distances between a point and its nearest neighbours differ by tens: each point's weight
 * sits on its nearest neighbour to double precision, the gradient underflows, and L-BFGS
 * stops at its start, reporting convergence. Wide z-scored data do this (400 x 4096 faces:
 * nearest-neighbour squared distances in the thousands). scikit-learn's NCA stops the same
 * way, silently; here the fit says so, with the scale and the remedy.
 */
import { getBackend } from '../backend/index.js';
import type { Matrix } from '../matrix.js';
import { project } from './scatter.js';

/** Rows sampled for the nearest-neighbour scale (exact below this many). */
const SAMPLE = 256;

/**
 * The median, over (up to SAMPLE evenly spaced) rows, of the squared distance from a row of
 * X Lᵀ to its nearest other row.
 */
export function medianNearestSqDistance(X: Matrix<Float64Array>, L: Float64Array, k: number): number {
  const n = X.rows;
  const Z = project(X, L, k);
  const m = Math.min(n, SAMPLE);
  const picks = Array.from({ length: m }, (_, t) => Math.floor((t * n) / m));
  const Q = new Float64Array(m * k);
  picks.forEach((i, t) => Q.set(Z.subarray(i * k, (i + 1) * k), t * k));
  const D = getBackend().sqeuclidean(Q, m, Z, n, k);
  const nearest = picks.map((i, t) => {
    let best = Infinity;
    for (let j = 0; j < n; j++) if (j !== i && D[t * n + j] < best) best = D[t * n + j];
    return best;
  }).sort((a, b) => a - b);
  return nearest[Math.floor(m / 2)];
}

/**
 * The warning for a fit that stopped before its first step, or null when it moved. The scale
 * suggested brings the median nearest-neighbour squared distance to about 1.
 */
export function saturatedStartWarning(algorithm: string, nIter: number, X: Matrix<Float64Array>, L0: Float64Array, k: number, tol: number): string | null {
  if (nIter > 0 || X.rows < 2) return null;
  const med = medianNearestSqDistance(X, L0, k);
  if (!(med > 4)) {
    return `${algorithm}: L-BFGS stopped before its first step (the gradient at the start is below tol = ${tol}); the metric is its initialisation. Lower tol if that is not intended`;
  }
  const scale = 1 / Math.sqrt(med);
  return `${algorithm}: L-BFGS stopped before its first step: the metric is its initialisation. ` +
    `At the start the median squared distance from a point to its nearest neighbour is ${med.toPrecision(3)}, so the neighbour softmax is saturated ` +
    `(each point's weight sits on its nearest neighbour) and the gradient underflows below tol = ${tol}. ` +
    `Scale the features by about ${scale.toPrecision(2)} (e.g. after standardising), or give an init matrix of that scale, so that neighbours' squared distances are of order 1`;
}
