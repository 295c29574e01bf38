/**
 * Search distances from one GEMM on augmented rows (the float64 side of native/src/row_scan.h):
 * A holds [z_i, ‖z_i‖², 1] and B [−2 z_i, 1, ‖z_i‖²], n x (k + 2) each, so A Bᵀ holds
 * ‖z_i − z_l‖². Whatever the summation order, the GEMM's rounding error is at most
 * searchMargin(k) · (‖z_i‖² + ‖z_l‖²): each input is rounded once and the terms' absolute
 * values sum to at most 2 (‖z_i‖² + ‖z_l‖²).
 */
export interface AugmentedRows {
  A: Float64Array;
  B: Float64Array;
  /** ‖z_i‖². */
  nrm: Float64Array;
  /** max_i ‖z_i‖². */
  maxN: number;
}

export function augmentRows(Z: Float64Array, n: number, k: number): AugmentedRows {
  const ka = k + 2;
  const A = new Float64Array(n * ka), B = new Float64Array(n * ka);
  const nrm = new Float64Array(n);
  let maxN = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) { const v = Z[i * k + c]; s += v * v; A[i * ka + c] = v; B[i * ka + c] = -2 * v; }
    nrm[i] = s;
    if (s > maxN) maxN = s;
    A[i * ka + k] = s; A[i * ka + k + 1] = 1;
    B[i * ka + k] = 1; B[i * ka + k + 1] = s;
  }
  return { A, B, nrm, maxN };
}

/** 2 (k + 6) u with u the float64 unit roundoff (native searches in float32 use 2^-24). */
export function searchMargin(k: number): number {
  return 2 * (k + 6) * 1.1102230246251565e-16;
}

/** ‖z_a − z_b‖² for rows a, b of Z (n x k), summed in order: the exact distance both backends share. */
export function rowSqDist(Z: Float64Array, a: number, b: number, k: number): number {
  let s = 0;
  const ra = a * k, rb = b * k;
  for (let c = 0; c < k; c++) {
    const v = Z[ra + c] - Z[rb + c];
    s += v * v;
  }
  return s;
}
