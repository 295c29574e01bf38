/**
 * A growable float32 row store with ids: what every index keeps to re-rank exactly and to
 * save itself. Rows stay contiguous so the whole store is one GEMM operand.
 */
import { Matrix } from '../matrix.js';

export class VectorStore {
  private buf: Float32Array;
  private idBuf: Float64Array;
  private n = 0;
  readonly rowOf = new Map<number, number>();

  constructor(readonly dim: number, capacity = 64) {
    this.buf = new Float32Array(Math.max(1, capacity) * dim);
    this.idBuf = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  /** The live rows as one matrix view (valid until the next add or remove). */
  get data(): Float32Array {
    return this.buf.subarray(0, this.n * this.dim);
  }

  get ids(): Float64Array {
    return this.idBuf.subarray(0, this.n);
  }

  matrix(): Matrix<Float32Array> {
    return new Matrix(this.n, this.dim, this.data);
  }

  row(i: number): Float32Array {
    return this.buf.subarray(i * this.dim, (i + 1) * this.dim);
  }

  has(id: number): boolean {
    return this.rowOf.has(id);
  }

  append(rows: Float32Array, ids: Float64Array): number {
    const start = this.n;
    const m = ids.length;
    this.reserve(start + m);
    this.buf.set(rows, start * this.dim);
    this.idBuf.set(ids, start);
    for (let i = 0; i < m; i++) this.rowOf.set(ids[i], start + i);
    this.n += m;
    return start;
  }

  /**
   * Removes ids by moving the last row into each hole (O(1) each); returns how many were
   * present. Row numbers of moved rows change, so callers that cache row numbers use
   * `onMove` to follow them.
   */
  removeIds(ids: ArrayLike<number>, onMove?: (from: number, to: number) => void): number {
    let removed = 0;
    const d = this.dim;
    for (let t = 0; t < ids.length; t++) {
      const id = Number(ids[t]);
      const r = this.rowOf.get(id);
      if (r === undefined) continue;
      this.rowOf.delete(id);
      const last = this.n - 1;
      if (r !== last) {
        this.buf.copyWithin(r * d, last * d, last * d + d);
        const movedId = this.idBuf[last];
        this.idBuf[r] = movedId;
        this.rowOf.set(movedId, r);
        onMove?.(last, r);
      }
      this.n--;
      removed++;
    }
    return removed;
  }

  private reserve(n: number): void {
    if (n <= this.idBuf.length) return;
    let cap = this.idBuf.length;
    while (cap < n) cap *= 2;
    const b = new Float32Array(cap * this.dim);
    b.set(this.buf.subarray(0, this.n * this.dim));
    this.buf = b;
    const ib = new Float64Array(cap);
    ib.set(this.idBuf.subarray(0, this.n));
    this.idBuf = ib;
  }
}
