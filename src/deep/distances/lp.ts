/**
 * Euclidean (L2) distance and its square.
 *
 * The pairwise matrix comes from one GEMM (‖a‖² + ‖b‖² − 2 a·b, in float64, clamped at 0, with an
 * exact zero diagonal when a and b are the same set). The gradient of ‖a − b‖ is undefined at
 * zero distance; we use the zero subgradient there (pytorch-metric-learning adds a small epsilon
 * instead), so duplicate points neither produce NaN nor a spurious push.
 */
import { getBackend } from '../../backend/index.js';
import type { FloatArray } from '../../matrix.js';
import { checkDims, registerMemoizable, toF64, type PreciseDistance } from './base.js';

/** Distances below this are treated as zero for the gradient (float64 cancellation floor). */
const ZERO_DISTANCE = 1e-12;

/** Squared distances, or with root their square roots (one pass over the matrix either way). */
function sqDistances(a64: Float64Array, na: number, b64: Float64Array, nb: number, d: number, same: boolean, root = false): Float64Array {
  const out = new Float64Array(na * nb);
  if (na === 0 || nb === 0) return out;
  getBackend().gemm(false, true, na, nb, d, -2, a64, d, b64, d, 0, out, nb);
  const sa = rowSq(a64, na, d);
  const sb = same ? sa : rowSq(b64, nb, d);
  for (let i = 0; i < na; i++) {
    const row = i * nb;
    for (let j = 0; j < nb; j++) {
      const v = out[row + j] + sa[i] + sb[j];
      out[row + j] = v > 0 ? (root ? Math.sqrt(v) : v) : 0;
    }
    if (same) out[row + i] = 0;
  }
  return out;
}

function rowSq(x: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = i * d, e = k + d; k < e; k++) s += x[k] * x[k];
    out[i] = s;
  }
  return out;
}

/**
 * Given W (na x nb), accumulates ga_i += (Σ_j W_ij) a_i − (W b)_i and gb_j += (Σ_i W_ij) b_j − (Wᵀ a)_j:
 * the chain rule of any f(‖a_i − b_j‖²) with W_ij = df/d(a_i − b_j) scale.
 */
function backwardDiff(a64: Float64Array, na: number, b64: Float64Array, nb: number, d: number, w: Float64Array, ga: Float64Array, gb: Float64Array): void {
  const be = getBackend();
  const rowSum = new Float64Array(na);
  const colSum = new Float64Array(nb);
  for (let i = 0; i < na; i++) {
    let s = 0;
    const row = i * nb;
    for (let j = 0; j < nb; j++) {
      const v = w[row + j];
      s += v;
      colSum[j] += v;
    }
    rowSum[i] = s;
  }
  for (let i = 0; i < na; i++) {
    const r = rowSum[i];
    if (r !== 0) for (let k = i * d, e = k + d; k < e; k++) ga[k] += r * a64[k];
  }
  for (let j = 0; j < nb; j++) {
    const c = colSum[j];
    if (c !== 0) for (let k = j * d, e = k + d; k < e; k++) gb[k] += c * b64[k];
  }
  be.gemm(false, false, na, d, nb, -1, w, nb, b64, d, 1, ga, d);
  be.gemm(true, false, nb, d, na, -1, w, nb, a64, d, 1, gb, d);
}

export interface LpDistanceOptions {
  /** Squared Euclidean distance instead of Euclidean (default false). */
  squared?: boolean;
}

/** Euclidean distance ‖a − b‖₂ (or its square with `squared: true`). Smaller is closer. */
export class LpDistance implements PreciseDistance {
  readonly name: 'euclidean' | 'sqeuclidean';
  readonly largerIsCloser = false;
  readonly squared: boolean;

  constructor(options: LpDistanceOptions = {}) {
    this.squared = options.squared ?? false;
    this.name = this.squared ? 'sqeuclidean' : 'euclidean';
  }

  pairwise64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number): Float64Array {
    checkDims(this.name, a, na, b, nb, d);
    const a64 = toF64(a);
    const same = a === b;
    return sqDistances(a64, na, same ? a64 : toF64(b), nb, d, same, !this.squared);
  }

  pairwise(a: Float32Array, na: number, b: Float32Array, nb: number, d: number): Float32Array {
    return Float32Array.from(this.pairwise64(a, na, b, nb, d));
  }

  backward64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, gm: Float64Array, ga: Float64Array, gb: Float64Array): void {
    checkDims(this.name, a, na, b, nb, d);
    if (gm.length !== na * nb) throw new RangeError(`${this.name}.backward: gradMatrix has ${gm.length} values, expected ${na * nb}`);
    const a64 = toF64(a);
    const same = a === b;
    const b64 = same ? a64 : toF64(b);
    const w = new Float64Array(na * nb);
    if (this.squared) {
      for (let i = 0; i < w.length; i++) w[i] = 2 * gm[i];
    } else {
      // d‖a − b‖/da = (a − b)/‖a − b‖; the distances are recomputed rather than cached so a
      // Distance stays stateless and safe to share between losses and miners.
      const dist = sqDistances(a64, na, b64, nb, d, same);
      for (let i = 0; i < w.length; i++) {
        const g = gm[i];
        if (g === 0) continue;
        const r = Math.sqrt(dist[i]);
        w[i] = r > ZERO_DISTANCE ? g / r : 0;
      }
    }
    backwardDiff(a64, na, b64, nb, d, w, ga, gb);
  }

  backwardSparse64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, rows: Int32Array, cols: Int32Array, vals: Float64Array, nnz: number, ga: Float64Array, gb: Float64Array): void {
    checkDims(this.name, a, na, b, nb, d);
    const diff = new Float64Array(d);
    for (let k = 0; k < nnz; k++) {
      const i = rows[k] * d;
      const j = cols[k] * d;
      let q = 0;
      for (let c = 0; c < d; c++) {
        const v = a[i + c] - b[j + c];
        diff[c] = v;
        q += v * v;
      }
      let w: number;
      if (this.squared) w = 2 * vals[k];
      else {
        const r = Math.sqrt(q);
        w = r > ZERO_DISTANCE ? vals[k] / r : 0;
      }
      if (w === 0) continue;
      for (let c = 0; c < d; c++) {
        ga[i + c] += w * diff[c];
        gb[j + c] -= w * diff[c];
      }
    }
  }

  backward(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, gradMatrix: Float32Array, ga: Float32Array, gb: Float32Array): void {
    accumulate32(this, a, na, b, nb, d, gradMatrix, ga, gb);
  }
}

/** Squared Euclidean distance ‖a − b‖²; convenient name for `new LpDistance({ squared: true })`. */
export class SquaredL2Distance extends LpDistance {
  constructor() {
    super({ squared: true });
  }
}

registerMemoizable(LpDistance);
registerMemoizable(SquaredL2Distance);

/** The float32 `backward` of the public interface, through the float64 one. */
export function accumulate32(dist: PreciseDistance, a: Float32Array, na: number, b: Float32Array, nb: number, d: number, gradMatrix: Float32Array, ga: Float32Array, gb: Float32Array): void {
  const ga64 = new Float64Array(na * d);
  const same = ga === gb;
  const gb64 = same ? ga64 : new Float64Array(nb * d);
  dist.backward64(a, na, b, nb, d, Float64Array.from(gradMatrix), ga64, gb64);
  for (let i = 0; i < ga64.length; i++) ga[i] += ga64[i];
  if (!same) for (let i = 0; i < gb64.length; i++) gb[i] += gb64[i];
}
