/**
 * Input checks and bookkeeping shared by every index: one place for the error messages
 * users see when a query has the wrong width, an id repeats or k is not a positive integer.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import type { IndexMetric, IndexTransform } from './index-types.js';

export type VectorsInput = Matrix<FloatArray> | ArrayLike<ArrayLike<number>>;

export const INDEX_METRICS: readonly IndexMetric[] = ['sqeuclidean', 'euclidean', 'cosine', 'inner_product'];

export function checkMetric(metric: unknown, where: string): IndexMetric {
  if (!INDEX_METRICS.includes(metric as IndexMetric)) {
    throw new RangeError(`${where}: metric must be one of ${INDEX_METRICS.join(', ')}, got ${JSON.stringify(metric)}`);
  }
  return metric as IndexMetric;
}

/** Float32 copy-or-view of the input, refusing ragged rows and non-finite values. */
export function toFloat32Rows(x: VectorsInput, name: string): Matrix<Float32Array> {
  let m: Matrix<Float32Array>;
  if (x instanceof Matrix) m = x.toFloat32();
  else {
    if (x == null || typeof (x as ArrayLike<unknown>).length !== 'number') throw new TypeError(`${name}: expected a Matrix or an array of rows`);
    m = Matrix.fromRows(x, 'float32') as Matrix<Float32Array>;
  }
  const a = m.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new RangeError(`${name}: value at row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${a[i]}; remove or impute non-finite values first`);
    }
  }
  return m;
}

/** Applies the optional learned transform, then converts to float32 for the search kernels. */
export function prepareVectors(x: VectorsInput, name: string, transform: IndexTransform | undefined): Matrix<Float32Array> {
  if (!transform) return toFloat32Rows(x, name);
  const input = x instanceof Matrix ? x : Matrix.fromRows(x, 'float64');
  const out = transform.transform(input);
  if (!(out instanceof Matrix) || out.rows !== input.rows) {
    throw new TypeError(`${name}: the index transform must return a Matrix with one row per input row`);
  }
  return toFloat32Rows(out, `${name} (after transform)`);
}

export function checkDim(m: Matrix<FloatArray>, dim: number, name: string): void {
  if (m.cols !== dim) {
    throw new RangeError(`${name}: vectors have ${m.cols} columns but the index holds ${dim}-dimensional vectors; pass vectors of the same width (and the same transform) as those added`);
  }
}

/** Scales each row to unit length in place; a zero row has no direction, so cosine is undefined. */
export function normalizeRowsInPlace(m: Matrix<Float32Array>, name: string): void {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * data[o + j];
    if (!(s > 0)) throw new RangeError(`${name}: row ${i} is all zeros, so its cosine distance is undefined; remove it or use metric 'euclidean'`);
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < cols; j++) data[o + j] *= inv;
  }
}

export function checkK(k: number, where: string): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${where}: k must be a positive integer, got ${k}`);
  return k;
}

/**
 * Ids are non-negative safe integers (HNSW keys are unsigned 64-bit; doubles hold them
 * exactly up to 2^53). Missing ids continue after the largest id seen so far.
 */
export class IdAllocator {
  nextId = 0;

  assign(n: number, ids: ArrayLike<number> | undefined, exists: (id: number) => boolean, where: string): Float64Array {
    const out = new Float64Array(n);
    if (ids === undefined) {
      for (let i = 0; i < n; i++) out[i] = this.nextId + i;
    } else {
      if (ids.length !== n) throw new RangeError(`${where}: got ${ids.length} ids for ${n} vectors; pass one id per row`);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const id = Number(ids[i]);
        if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`${where}: ids[${i}] = ${ids[i]} is not a non-negative integer`);
        if (seen.has(id) || exists(id)) throw new RangeError(`${where}: id ${id} is already in the index; ids must be unique (remove it first to replace it)`);
        seen.add(id);
        out[i] = id;
      }
    }
    for (let i = 0; i < n; i++) if (out[i] + 1 > this.nextId) this.nextId = out[i] + 1;
    return out;
  }
}

/** Turns the per-query flat arrays of a top-k search into the SearchResult shape. */
export function toNested(ids: ArrayLike<number>, dists: ArrayLike<number>, nq: number, k: number): { ids: number[][]; distances: number[][] } {
  const outIds: number[][] = new Array(nq);
  const outD: number[][] = new Array(nq);
  for (let q = 0; q < nq; q++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let j = 0; j < k; j++) {
      const id = ids[q * k + j];
      if (id < 0) break;
      a.push(id);
      b.push(dists[q * k + j]);
    }
    outIds[q] = a;
    outD[q] = b;
  }
  return { ids: outIds, distances: outD };
}

/**
 * Converts a squared Euclidean distance between prepared (possibly unit-normalised) vectors
 * into the distance the metric reports.
 */
export function reportDistance(metric: IndexMetric, sq: number): number {
  switch (metric) {
    case 'euclidean': return Math.sqrt(sq);
    case 'cosine': return sq / 2; // ‖a − b‖² = 2 − 2cos for unit vectors, so 1 − cos = ‖a − b‖²/2
    default: return sq;
  }
}
