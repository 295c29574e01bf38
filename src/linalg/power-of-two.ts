/**
 * Exact rescaling by powers of two, for data near float64's (or float32's) limits: multiplying
 * by 2^e changes only exponents, so rankings, distances and rounding are those of the unscaled
 * values, and scaling back is exact while the values stay normal.
 */

/** x · 2^e for any integer e (2^e alone over- or underflows beyond ±1023). */
export function timesPowerOfTwo(x: number, e: number): number {
  // Steps of 2^±1000 move the magnitude monotonically towards the result, so no intermediate
  // leaves the normal range unless the result does.
  while (e > 1000) { x *= 2 ** 1000; e -= 1000; }
  while (e < -1000) { x *= 2 ** -1000; e += 1000; }
  return x * 2 ** e;
}

/** The exponent e with 2^e ≤ m < 2^(e+1) (m > 0; Math.log2 may be one off just below a power of two, which rescaling tolerates). */
export function exponentOf(m: number): number {
  return Math.floor(Math.log2(m));
}
