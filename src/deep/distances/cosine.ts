/**
 * Cosine similarity â·b̂ (larger is closer). Rows of zero norm are treated as norm 1e-12
 * (similarity 0 to everything, finite gradient) instead of producing NaN.
 */
import { getBackend } from '../../backend/index.js';
import type { FloatArray } from '../../matrix.js';
import { checkDims, pairwiseF64, registerMemoizable, toF64, type PreciseDistance } from './base.js';
import { accumulate32 } from './lp.js';

const MIN_NORM = 1e-12;

function normalizeRows(x: Float64Array, n: number, d: number): { unit: Float64Array; norms: Float64Array } {
  const unit = new Float64Array(n * d);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = i * d, e = k + d; k < e; k++) s += x[k] * x[k];
    const r = Math.max(Math.sqrt(s), MIN_NORM);
    norms[i] = r;
    const inv = 1 / r;
    for (let k = i * d, e = k + d; k < e; k++) unit[k] = x[k] * inv;
  }
  return { unit, norms };
}

export class CosineSimilarity implements PreciseDistance {
  readonly name = 'cosine' as const;
  readonly largerIsCloser = true;

  pairwise64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number): Float64Array {
    checkDims(this.name, a, na, b, nb, d);
    const same = a === b;
    const ua = normalizeRows(toF64(a), na, d).unit;
    const ub = same ? ua : normalizeRows(toF64(b), nb, d).unit;
    const out = new Float64Array(na * nb);
    if (na > 0 && nb > 0) getBackend().gemm(false, true, na, nb, d, 1, ua, d, ub, d, 0, out, nb);
    return out;
  }

  pairwise(a: Float32Array, na: number, b: Float32Array, nb: number, d: number): Float32Array {
    return Float32Array.from(this.pairwise64(a, na, b, nb, d));
  }

  backward64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, gm: Float64Array, ga: Float64Array, gb: Float64Array): void {
    checkDims(this.name, a, na, b, nb, d);
    if (gm.length !== na * nb) throw new RangeError(`cosine.backward: gradMatrix has ${gm.length} values, expected ${na * nb}`);
    const same = a === b;
    const A = normalizeRows(toF64(a), na, d);
    const B = same ? A : normalizeRows(toF64(b), nb, d);
    const be = getBackend();
    if (na === 0 || nb === 0) return;
    // The forward matrix again: usually the loss's own, served by the memo instead of a GEMM.
    const s = pairwiseF64(this, a, na, b, nb, d, true);
    // ∂s_ij/∂a_i = (b̂_j − s_ij â_i)/‖a_i‖, and symmetrically for b_j.
    const rowW = new Float64Array(na);
    const colW = new Float64Array(nb);
    for (let i = 0; i < na; i++) {
      const row = i * nb;
      let acc = 0;
      for (let j = 0; j < nb; j++) {
        const v = gm[row + j] * s[row + j];
        acc += v;
        colW[j] += v;
      }
      rowW[i] = acc;
    }
    const ta = new Float64Array(na * d);
    const tb = new Float64Array(nb * d);
    be.gemm(false, false, na, d, nb, 1, gm, nb, B.unit, d, 0, ta, d);
    be.gemm(true, false, nb, d, na, 1, gm, nb, A.unit, d, 0, tb, d);
    for (let i = 0; i < na; i++) {
      const inv = 1 / A.norms[i];
      const r = rowW[i];
      for (let k = i * d, e = k + d; k < e; k++) ga[k] += inv * (ta[k] - r * A.unit[k]);
    }
    for (let j = 0; j < nb; j++) {
      const inv = 1 / B.norms[j];
      const c = colW[j];
      for (let k = j * d, e = k + d; k < e; k++) gb[k] += inv * (tb[k] - c * B.unit[k]);
    }
  }

  backwardSparse64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, rows: Int32Array, cols: Int32Array, vals: Float64Array, nnz: number, ga: Float64Array, gb: Float64Array): void {
    checkDims(this.name, a, na, b, nb, d);
    const same = a === b;
    const A = normalizeRows(toF64(a), na, d);
    const B = same ? A : normalizeRows(toF64(b), nb, d);
    for (let k = 0; k < nnz; k++) {
      const i = rows[k];
      const j = cols[k];
      let s = 0;
      for (let c = 0; c < d; c++) s += A.unit[i * d + c] * B.unit[j * d + c];
      const g = vals[k];
      const fa = g / A.norms[i];
      const fb = g / B.norms[j];
      for (let c = 0; c < d; c++) {
        const ua = A.unit[i * d + c];
        const ub = B.unit[j * d + c];
        ga[i * d + c] += fa * (ub - s * ua);
        gb[j * d + c] += fb * (ua - s * ub);
      }
    }
  }

  backward(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, gradMatrix: Float32Array, ga: Float32Array, gb: Float32Array): void {
    accumulate32(this, a, na, b, nb, d, gradMatrix, ga, gb);
  }
}

registerMemoizable(CosineSimilarity);
