/**
 * Tuples of points (pairs, triplets, quadruplets) in the memory-friendly indexed form:
 * a point set plus an nTuples x arity table of row indices into it. Users may also pass
 * the explicit form (nTuples x arity x d nested arrays), which is converted here once.
 */
import { Matrix, asMatrix, describeValue, type FloatArray } from '../matrix.js';

export interface Tuples {
  points: Matrix<Float64Array>;
  /** nTuples x arity row-major indices into `points`. */
  indices: Int32Array;
  arity: number;
}

export type TuplesInput =
  | Tuples
  | { points: Matrix<FloatArray> | number[][]; indices: ArrayLike<ArrayLike<number>> | Int32Array }
  | ArrayLike<ArrayLike<ArrayLike<number>>>;

export function tupleCount(t: Tuples): number {
  return t.indices.length / t.arity;
}

/** Normalises any accepted tuple input, validating arity, index range and finiteness. */
export function toTuples(input: TuplesInput, arity: number, name = 'tuples'): Tuples {
  if (input === null || typeof input !== 'object' || (typeof (input as { length?: unknown }).length !== 'number' && !('points' in input))) {
    throw new RangeError(`${name}: expected { points, indices } or an array of tuples of points, got ${describeValue(input)}`);
  }
  if ('points' in input && 'indices' in input) {
    const points = asMatrix(input.points as Matrix<FloatArray> | number[][], `${name}.points`).toFloat64();
    const n = points.rows;
    const bad = (t: number, j: number, v: unknown) => new RangeError(`${name}.indices: tuple ${t} entry ${j} is ${describeValue(v)}; ${n === 0 ? `${name}.points has no rows to refer to` : `indices must be integers in 0..${n - 1} (${name}.points has ${n} rows)`}`);
    let indices: Int32Array;
    if (input.indices instanceof Int32Array) {
      indices = input.indices;
      if (indices.length % arity !== 0) throw new RangeError(`${name}.indices: length ${indices.length} is not a multiple of the tuple size ${arity}`);
      // Already integral: one range pass, kept tight for large index tables.
      for (let i = 0; i < indices.length; i++) {
        const v = indices[i];
        if (v < 0 || v >= n) throw bad(Math.floor(i / arity), i % arity, v);
      }
    } else {
      const rows = input.indices as ArrayLike<ArrayLike<unknown>>;
      if (rows === null || typeof rows !== 'object' || typeof rows.length !== 'number') throw new RangeError(`${name}.indices: expected an nTuples x ${arity} array of row indices (or an Int32Array), got ${describeValue(rows)}`);
      indices = new Int32Array(rows.length * arity);
      for (let t = 0; t < rows.length; t++) {
        const row = rows[t];
        if (row === null || typeof row !== 'object' || typeof row.length !== 'number') throw new RangeError(`${name}.indices: tuple ${t} is ${describeValue(row)}, expected an array of ${arity} row indices`);
        if (row.length !== arity) throw new RangeError(`${name}.indices: tuple ${t} has ${row.length} entries, expected ${arity}`);
        for (let j = 0; j < arity; j++) {
          const v = row[j];
          // Checked before the Int32 cast, which would turn NaN, 0.9 or null into a valid row.
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) throw bad(t, j, v);
          indices[t * arity + j] = v;
        }
      }
    }
    return { points, indices, arity };
  }
  const list = input as ArrayLike<ArrayLike<ArrayLike<number>>>;
  const n = list.length;
  if (n === 0) throw new RangeError(`${name}: no tuples given`);
  const d = list[0]?.[0]?.length ?? 0;
  const points = Matrix.zeros(n * arity, d);
  const indices = new Int32Array(n * arity);
  for (let t = 0; t < n; t++) {
    const tuple = list[t];
    if (tuple === null || typeof tuple !== 'object' || typeof tuple.length !== 'number') throw new RangeError(`${name}: tuple ${t} is ${describeValue(tuple)}, expected an array of ${arity} points`);
    if (tuple.length !== arity) throw new RangeError(`${name}: tuple ${t} has ${tuple.length} points, expected ${arity}`);
    for (let j = 0; j < arity; j++) {
      const v = tuple[j];
      if (v === null || typeof v !== 'object' || typeof v.length !== 'number') throw new RangeError(`${name}: tuple ${t}, point ${j} is ${describeValue(v)}, expected an array of ${d} features`);
      if (v.length !== d) throw new RangeError(`${name}: tuple ${t}, point ${j} has ${v.length} features, expected ${d}`);
      const row = t * arity + j;
      for (let c = 0; c < d; c++) {
        const x = v[c];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${name}: tuple ${t}, point ${j}, feature ${c} is ${describeValue(x)}; tuples must hold finite numbers`);
        points.data[row * d + c] = x;
      }
      indices[row] = row;
    }
  }
  return { points, indices, arity };
}
