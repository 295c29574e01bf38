/**
 * What every embedding loss does before and after its own formula: validate the batch (and
 * reference set), compute the distance matrix in float64, and push dLoss/dMatrix back to the
 * embeddings through the Distance.
 */
import { Matrix, describeValue } from '../../matrix.js';
import type { Distance, MinedTuples, Reference } from '../types.js';
import { backwardF64, pairwiseF64 } from '../distances/base.js';
import { selfIndexOf, validateTuples } from './tuples.js';

export interface LossInput {
  /** Batch embeddings, n x d. */
  E: Float32Array;
  n: number;
  d: number;
  /** The compared set: the reference embeddings, or E itself (same array) without a reference. */
  R: Float32Array;
  m: number;
  labels: Int32Array;
  refLabels: Int32Array;
  self: Int32Array | null;
  hasReference: boolean;
}

function asF32(x: Matrix<Float32Array> | Matrix<Float64Array>): Float32Array {
  return x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
}

function checkLabels(labels: Int32Array, n: number, owner: string, what: string): void {
  if (!(labels instanceof Int32Array)) throw new TypeError(`${owner}: ${what} must be an Int32Array of class codes`);
  if (labels.length !== n) throw new RangeError(`${owner}: ${what} has ${labels.length} entries but the embeddings have ${n} rows`);
}

function checkFinite(a: Float32Array, d: number, owner: string, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`${owner}: ${what} value at row ${Math.floor(i / d)}, column ${i % d} is ${a[i]}; the model diverged or the input has NaN/Inf (lower the learning rate, check the data)`);
  }
}

export function prepareInput(owner: string, embeddings: Matrix<Float32Array>, labels: Int32Array, reference?: Reference, tuples?: MinedTuples): LossInput {
  if (!(embeddings instanceof Matrix)) throw new TypeError(`${owner}: embeddings must be a Matrix (n x d)`);
  const n = embeddings.rows;
  const d = embeddings.cols;
  const E = asF32(embeddings);
  checkLabels(labels, n, owner, 'labels');
  checkFinite(E, d, owner, 'embeddings');
  let R = E;
  let m = n;
  let refLabels = labels;
  if (reference) {
    if (!(reference.embeddings instanceof Matrix)) throw new TypeError(`${owner}: reference.embeddings must be a Matrix`);
    if (reference.embeddings.cols !== d) throw new RangeError(`${owner}: reference embeddings have ${reference.embeddings.cols} columns but the batch has ${d}`);
    m = reference.embeddings.rows;
    R = asF32(reference.embeddings);
    checkLabels(reference.labels, m, owner, 'reference.labels');
    checkFinite(R, d, owner, 'reference embeddings');
    refLabels = reference.labels;
  }
  const self = selfIndexOf(n, reference, owner);
  if (tuples) validateTuples(tuples, n, m, owner);
  return { E, n, d, R, m, labels, refLabels, self, hasReference: !!reference };
}

/** The batch-vs-compared-set matrix; with readOnly it may be shared (the caller must not write to it). */
export function distanceMatrix(dist: Distance, inp: LossInput, readOnly = false): Float64Array {
  return pairwiseF64(dist, inp.E, inp.n, inp.R, inp.m, inp.d, readOnly);
}

export interface Grads {
  grad: Float32Array;
  referenceGrad?: Float32Array;
}

/** dLoss/dE (and dLoss/dR with a reference) from dLoss/dMatrix. */
export function backprop(dist: Distance, inp: LossInput, gm: Float64Array): Grads {
  const ga = new Float64Array(inp.n * inp.d);
  if (!inp.hasReference) {
    backwardF64(dist, inp.E, inp.n, inp.E, inp.n, inp.d, gm, ga, ga);
    return { grad: Float32Array.from(ga) };
  }
  const gb = new Float64Array(inp.m * inp.d);
  backwardF64(dist, inp.E, inp.n, inp.R, inp.m, inp.d, gm, ga, gb);
  return { grad: Float32Array.from(ga), referenceGrad: Float32Array.from(gb) };
}

/** log(Σ exp(x_k)) over the given values plus, with addOne, an extra exp(0) term. */
export function logSumExp(values: ArrayLike<number>, count: number, addOne: boolean): number {
  let mx = addOne ? 0 : -Infinity;
  for (let i = 0; i < count; i++) if (values[i] > mx) mx = values[i];
  if (mx === -Infinity) return -Infinity;
  let s = addOne ? Math.exp(-mx) : 0;
  for (let i = 0; i < count; i++) s += Math.exp(values[i] - mx);
  return mx + Math.log(s);
}

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Validates a numeric option. */
export function num(owner: string, name: string, v: unknown, fallback: number, check: (x: number) => boolean = Number.isFinite, rule = 'a finite number'): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !check(v)) throw new RangeError(`${owner}: option ${name} must be ${rule}, got ${describeValue(v)}`);
  return v;
}

export function rejectReference(owner: string, reference: Reference | undefined): void {
  if (reference) throw new RangeError(`${owner}: this loss compares embeddings to its own learned weights and takes no reference set (do not wrap it in cross-batch memory)`);
}
