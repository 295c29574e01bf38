/**
 * Products over pairs (first[t], second[t]) of rows of one row-major N x d point set: the
 * reference for native/src/pairs.cc (same loops, same bits). Indices are checked first, so a
 * bad one is a RangeError rather than a read past the array.
 */

function checkIndices(fn: string, name: string, idx: Int32Array, n: number, N: number): void {
  if (!(idx instanceof Int32Array)) throw new TypeError(`${fn}: ${name} must be an Int32Array`);
  if (idx.length !== n) throw new RangeError(`${fn}: ${name} has ${idx.length} entries, expected ${n}`);
  for (let t = 0; t < n; t++) {
    const v = idx[t];
    if (v < 0 || v >= N) throw new RangeError(`${fn}: ${name}[${t}] = ${v} is not a row (0 .. ${N - 1})`);
  }
}

function checkMatrix(fn: string, name: string, a: Float64Array, N: number, d: number): void {
  if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
  if (a.length < N * d) throw new RangeError(`${fn}: ${name} must hold an ${N} x ${d} matrix (${N * d} values), got ${a.length}`);
}

/** out[t] = (Y[a] − Y[b]) · (X[a] − X[b]) with a = first[t], b = second[t]; n = out.length. */
export function pairQuadForms(X: Float64Array, Y: Float64Array, N: number, d: number, first: Int32Array, second: Int32Array, out: Float64Array): void {
  const fn = 'pairQuadForms';
  checkMatrix(fn, 'X', X, N, d);
  checkMatrix(fn, 'Y', Y, N, d);
  const n = out.length;
  checkIndices(fn, 'first', first, n, N);
  checkIndices(fn, 'second', second, n, N);
  // Four partial sums in native/src/pair_loops.h's order (same bits).
  const d4 = d & ~3;
  for (let t = 0; t < n; t++) {
    const a = first[t] * d, b = second[t] * d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let c = 0; c < d4; c += 4) {
      s0 += (Y[a + c] - Y[b + c]) * (X[a + c] - X[b + c]);
      s1 += (Y[a + c + 1] - Y[b + c + 1]) * (X[a + c + 1] - X[b + c + 1]);
      s2 += (Y[a + c + 2] - Y[b + c + 2]) * (X[a + c + 2] - X[b + c + 2]);
      s3 += (Y[a + c + 3] - Y[b + c + 3]) * (X[a + c + 3] - X[b + c + 3]);
    }
    let s = (s0 + s1) + (s2 + s3);
    for (let c = d4; c < d; c++) s += (Y[a + c] - Y[b + c]) * (X[a + c] - X[b + c]);
    out[t] = s;
  }
}

/** Z += L_w X: row a gains w_t (X[a] − X[b]) and row b loses it; n = w.length. */
export function addPairLaplacian(Z: Float64Array, X: Float64Array, N: number, d: number, first: Int32Array, second: Int32Array, w: Float64Array): void {
  const fn = 'addPairLaplacian';
  checkMatrix(fn, 'Z', Z, N, d);
  checkMatrix(fn, 'X', X, N, d);
  const n = w.length;
  checkIndices(fn, 'first', first, n, N);
  checkIndices(fn, 'second', second, n, N);
  for (let t = 0; t < n; t++) {
    const wt = w[t];
    if (wt === 0) continue;
    const a = first[t] * d, b = second[t] * d;
    for (let c = 0; c < d; c++) {
      const v = wt * (X[a + c] - X[b + c]);
      Z[a + c] += v;
      Z[b + c] -= v;
    }
  }
}
