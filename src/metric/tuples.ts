/**
 * Tuples of points (pairs, triplets, quadruplets) in the memory-friendly indexed form:
 * a point set plus an nTuples x arity table of row indices into it. Users may also pass
 * the explicit form (nTuples x arity x d nested arrays), which is converted here once.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';

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
  if (input && typeof input === 'object' && 'points' in input && 'indices' in input) {
    const points = asMatrix(input.points as Matrix<FloatArray> | number[][], `${name}.points`).toFloat64();
    let indices: Int32Array;
    if (input.indices instanceof Int32Array) {
      indices = input.indices;
      if (indices.length % arity !== 0) throw new RangeError(`${name}.indices: length ${indices.length} is not a multiple of the tuple size ${arity}`);
    } else {
      const rows = input.indices as ArrayLike<ArrayLike<number>>;
      indices = new Int32Array(rows.length * arity);
      for (let t = 0; t < rows.length; t++) {
        if (rows[t].length !== arity) throw new RangeError(`${name}.indices: tuple ${t} has ${rows[t].length} entries, expected ${arity}`);
        for (let j = 0; j < arity; j++) indices[t * arity + j] = rows[t][j];
      }
    }
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i];
      if (!(v >= 0 && v < points.rows)) throw new RangeError(`${name}.indices: tuple ${Math.floor(i / arity)} refers to point ${v}, but points has ${points.rows} rows`);
    }
    return { points, indices, arity };
  }
  const list = input as ArrayLike<ArrayLike<ArrayLike<number>>>;
  const n = list.length;
  if (n === 0) throw new RangeError(`${name}: no tuples given`);
  const d = list[0][0]?.length ?? 0;
  const points = Matrix.zeros(n * arity, d);
  const indices = new Int32Array(n * arity);
  for (let t = 0; t < n; t++) {
    if (list[t].length !== arity) throw new RangeError(`${name}: tuple ${t} has ${list[t].length} points, expected ${arity}`);
    for (let j = 0; j < arity; j++) {
      const v = list[t][j];
      if (v.length !== d) throw new RangeError(`${name}: tuple ${t}, point ${j} has ${v.length} features, expected ${d}`);
      const row = t * arity + j;
      for (let c = 0; c < d; c++) {
        const x = v[c];
        if (!Number.isFinite(x)) throw new RangeError(`${name}: tuple ${t}, point ${j}, feature ${c} is ${x}; tuples must be finite`);
        points.data[row * d + c] = x;
      }
      indices[row] = row;
    }
  }
  return { points, indices, arity };
}
