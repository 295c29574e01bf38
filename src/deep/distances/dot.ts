/** Dot-product similarity a·b (larger is closer); unbounded, so mostly for normalised heads. */
import { getBackend } from '../../backend/index.js';
import type { FloatArray } from '../../matrix.js';
import { checkDims, registerMemoizable, toF64, type PreciseDistance } from './base.js';
import { accumulate32 } from './lp.js';

export class DotProductSimilarity implements PreciseDistance {
  readonly name = 'dot' as const;
  readonly largerIsCloser = true;

  pairwise64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number): Float64Array {
    checkDims(this.name, a, na, b, nb, d);
    const a64 = toF64(a);
    const b64 = a === b ? a64 : toF64(b);
    const out = new Float64Array(na * nb);
    if (na > 0 && nb > 0) getBackend().gemm(false, true, na, nb, d, 1, a64, d, b64, d, 0, out, nb);
    return out;
  }

  pairwise(a: Float32Array, na: number, b: Float32Array, nb: number, d: number): Float32Array {
    return Float32Array.from(this.pairwise64(a, na, b, nb, d));
  }

  backward64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, gm: Float64Array, ga: Float64Array, gb: Float64Array): void {
    checkDims(this.name, a, na, b, nb, d);
    if (gm.length !== na * nb) throw new RangeError(`dot.backward: gradMatrix has ${gm.length} values, expected ${na * nb}`);
    if (na === 0 || nb === 0) return;
    const a64 = toF64(a);
    const b64 = a === b ? a64 : toF64(b);
    const be = getBackend();
    be.gemm(false, false, na, d, nb, 1, gm, nb, b64, d, 1, ga, d);
    be.gemm(true, false, nb, d, na, 1, gm, nb, a64, d, 1, gb, d);
  }

  backwardSparse64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, rows: Int32Array, cols: Int32Array, vals: Float64Array, nnz: number, ga: Float64Array, gb: Float64Array): void {
    checkDims(this.name, a, na, b, nb, d);
    for (let k = 0; k < nnz; k++) {
      const i = rows[k] * d;
      const j = cols[k] * d;
      const g = vals[k];
      for (let c = 0; c < d; c++) {
        ga[i + c] += g * b[j + c];
        gb[j + c] += g * a[i + c];
      }
    }
  }

  backward(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, gradMatrix: Float32Array, ga: Float32Array, gb: Float32Array): void {
    accumulate32(this, a, na, b, nb, d, gradMatrix, ga, gb);
  }
}

registerMemoizable(DotProductSimilarity);
