/**
 * The one numeric container of simlearn: a dense row-major matrix over a typed array.
 *
 * Float64Array is the default (metric learning needs the precision); Float32Array is
 * allowed where throughput matters more (deep heads, search). Rows are views, so
 * per-row work on a hot path never copies.
 */
export type FloatArray = Float64Array | Float32Array;
export type DType = 'float64' | 'float32';

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

export class Matrix<T extends FloatArray = Float64Array> {
  readonly rows: number;
  readonly cols: number;
  readonly data: T;

  constructor(rows: number, cols: number, data: T) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new ShapeError(`Matrix: rows and cols must be non-negative integers, got ${rows} x ${cols}`);
    }
    if (data.length !== rows * cols) {
      throw new ShapeError(`Matrix: data has ${data.length} values but ${rows} x ${cols} needs ${rows * cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  static zeros(rows: number, cols: number): Matrix<Float64Array>;
  static zeros<D extends DType>(rows: number, cols: number, dtype: D): Matrix<D extends 'float32' ? Float32Array : Float64Array>;
  static zeros(rows: number, cols: number, dtype: DType = 'float64'): Matrix<FloatArray> {
    return new Matrix(rows, cols, allocate(dtype, rows * cols));
  }

  static identity(n: number): Matrix<Float64Array> {
    const m = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /**
   * Builds a matrix from nested arrays, refusing ragged rows (the commonest input mistake), a
   * 1-D array, and cells that are not numbers: a typed array would silently read null, "" or
   * false as 0 and true as 1, and a NaN that went through JSON comes back as null.
   */
  static fromRows(rows: ArrayLike<ArrayLike<number>>, dtype: DType = 'float64', name = 'X'): Matrix<FloatArray> {
    if (rows === null || typeof rows !== 'object' || typeof rows.length !== 'number') {
      throw new ShapeError(`${name} must be a Matrix or an array of rows (one row of features per sample), got ${describeValue(rows)}`);
    }
    const n = rows.length;
    if (n > 0 && !isRow(rows[0])) {
      throw new ShapeError(typeof rows[0] === 'number'
        ? `${name} must be 2-D (one row of features per sample); wrap a single vector as [[…]]`
        : `${name}: row 0 is ${describeValue(rows[0])}, not an array of numbers`);
    }
    const d = n === 0 ? 0 : rows[0].length;
    const out = allocate(dtype, n * d);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (!isRow(r)) throw new ShapeError(`${name}: row ${i} is ${describeValue(r)}, not an array of numbers`);
      if (r.length !== d) {
        throw new ShapeError(`Matrix.fromRows: row ${i} has ${r.length} values but row 0 has ${d}; every row needs the same length`);
      }
      // Typed-array rows hold numbers by construction; only plain arrays need the type check.
      if (ArrayBuffer.isView(r)) {
        for (let j = 0; j < d; j++) out[i * d + j] = r[j];
      } else {
        for (let j = 0; j < d; j++) {
          const v = r[j];
          if (typeof v !== 'number') throw new RangeError(`${name}: value at row ${i}, column ${j} is ${describeValue(v)}; every value must be a number`);
          out[i * d + j] = v;
        }
      }
    }
    return new Matrix(n, d, out);
  }

  static from64(rows: ArrayLike<ArrayLike<number>>): Matrix<Float64Array> {
    return Matrix.fromRows(rows, 'float64') as Matrix<Float64Array>;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** A view of row i; writing to it writes to the matrix. */
  row(i: number): T {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols) as T;
  }

  /** A view of rows [start, end): contiguous in row-major order, so no copy. */
  sliceRows(start: number, end: number): Matrix<T> {
    if (start < 0 || end > this.rows || start > end) {
      throw new ShapeError(`Matrix.sliceRows: [${start}, ${end}) is outside 0..${this.rows}`);
    }
    return new Matrix(end - start, this.cols, this.data.subarray(start * this.cols, end * this.cols) as T);
  }

  /** Copies the rows at the given indices (fancy indexing). */
  takeRows(indices: ArrayLike<number>): Matrix<T> {
    const d = this.cols;
    const out = allocate(this.dtype, indices.length * d) as T;
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r];
      if (!(i >= 0 && i < this.rows)) throw new ShapeError(`Matrix.takeRows: index ${i} is outside 0..${this.rows - 1}`);
      out.set(this.data.subarray(i * d, i * d + d), r * d);
    }
    return new Matrix(indices.length, d, out);
  }

  clone(): Matrix<T> {
    return new Matrix(this.rows, this.cols, this.data.slice() as T);
  }

  transpose(): Matrix<T> {
    const { rows: n, cols: d } = this;
    const out = allocate(this.dtype, n * d) as T;
    const src = this.data;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j * n + i] = src[i * d + j];
    return new Matrix(d, n, out);
  }

  toFloat64(): Matrix<Float64Array> {
    return this.data instanceof Float64Array ? (this as unknown as Matrix<Float64Array>) : new Matrix(this.rows, this.cols, Float64Array.from(this.data));
  }

  toFloat32(): Matrix<Float32Array> {
    return this.data instanceof Float32Array ? (this as unknown as Matrix<Float32Array>) : new Matrix(this.rows, this.cols, Float32Array.from(this.data));
  }

  toArrays(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}

/**
 * Accepts the forms users actually hold (nested arrays or a Matrix) and returns a
 * Float64 Matrix, rejecting NaN/Inf with the argument's name in the message.
 */
export function asMatrix(x: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>, name = 'X', dtype: DType = 'float64'): Matrix<FloatArray> {
  const m = x instanceof Matrix ? (dtype === 'float64' ? x.toFloat64() : x.toFloat32()) : Matrix.fromRows(x, dtype, name);
  assertFinite(m, name);
  return m;
}

export function assertFinite(m: Matrix<FloatArray>, name = 'X'): void {
  const a = m.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      const r = Math.floor(i / m.cols);
      const c = i % m.cols;
      throw new RangeError(`${name}: value at row ${r}, column ${c} is ${a[i]}; remove or impute non-finite values before fitting`);
    }
  }
}

function isRow(r: unknown): r is ArrayLike<number> {
  return r !== null && typeof r === 'object' && typeof (r as ArrayLike<unknown>).length === 'number';
}

/** A value as a message shows it: strings quoted, so "" and "3" are visible as text. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array []' : 'an array';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}
