/**
 * What every miner starts from: the batch validated, and the batch-vs-compared-set matrix as
 * a dissimilarity u (the distance itself, or the negated similarity), so each miner has one code
 * path for "smaller is closer" whatever Distance it was given.
 */
import { Matrix, describeValue } from '../../matrix.js';
import { pairwiseF64 } from '../distances/base.js';
import type { Distance, Reference } from '../types.js';
import { selfIndexOf } from '../losses/tuples.js';

export interface MinerInput {
  n: number;
  m: number;
  /** n x m, smaller is closer. Read-only: it may be shared with the loss (distances/base.ts). */
  u: Float64Array;
  labels: Int32Array;
  refLabels: Int32Array;
  /** Row i's own index in the compared set, or null (never pair i with it). */
  self: Int32Array | null;
}

export function prepareMiner(owner: string, distance: Distance, embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference): MinerInput {
  if (!(embeddings instanceof Matrix)) throw new TypeError(`${owner}: embeddings must be a Matrix (n x d)`);
  const n = embeddings.rows;
  const d = embeddings.cols;
  if (!(labels instanceof Int32Array) || labels.length !== n) throw new RangeError(`${owner}: labels must be an Int32Array with one entry per row (${n}), got ${labels?.length}`);
  const E = embeddings.data;
  for (let i = 0; i < E.length; i++) if (!Number.isFinite(E[i])) throw new RangeError(`${owner}: embedding value at row ${Math.floor(i / d)} is ${E[i]}; the model diverged or the input has NaN/Inf`);
  let R = E;
  let m = n;
  let refLabels = labels;
  if (reference) {
    if (reference.embeddings.cols !== d) throw new RangeError(`${owner}: reference embeddings have ${reference.embeddings.cols} columns but the batch has ${d}`);
    R = reference.embeddings.data;
    m = reference.embeddings.rows;
    refLabels = reference.labels;
    if (refLabels.length !== m) throw new RangeError(`${owner}: reference.labels has ${refLabels.length} entries for ${m} reference rows`);
  }
  // Shared with the loss of the same step (read-only): a similarity is negated into a new array.
  const mat = pairwiseF64(distance, E, n, R, m, d, true);
  let u = mat;
  if (distance.largerIsCloser) {
    u = new Float64Array(mat.length);
    for (let i = 0; i < u.length; i++) u[i] = -mat[i];
  }
  return { n, m, u, labels, refLabels, self: selfIndexOf(n, reference, owner) };
}

export function checkMargin(owner: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${owner}: option ${name} must be a finite number, got ${describeValue(v)}`);
  return v;
}
