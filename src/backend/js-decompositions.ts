/**
 * Pure-TypeScript decompositions (float64). Inputs are never modified.
 */
import { LinAlgError, type EighResult, type SvdResult } from './backend.js';

function checkSquare(a: Float64Array, n: number, what: string): void {
  if (a.length !== n * n) throw new RangeError(`${what}: expected an ${n} x ${n} matrix (${n * n} values), got ${a.length} values`);
}

/**
 * Symmetric eigendecomposition by the cyclic Jacobi method (Golub & Van Loan, Matrix
 * Computations, section 8.5): slow for large n but accurate to working precision.
 * Reads only the lower triangle.
 */
export function eigh(a: Float64Array, n: number): EighResult {
  checkSquare(a, n, 'eigh');
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = a[i * n + j];
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const v = A[i * n + j] * A[i * n + j];
      total += v;
      if (i !== j) off += v;
    }
    if (!(off > 1e-30 * total) || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = A[r * n + p];
          const arq = A[r * n + q];
          A[r * n + p] = c * arp - s * arq;
          A[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = A[p * n + r];
          const aqr = A[q * n + r];
          A[p * n + r] = c * apr - s * aqr;
          A[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = V[r * n + p];
          const vrq = V[r * n + q];
          V[r * n + p] = c * vrp - s * vrq;
          V[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => A[x * n + x] - A[y * n + y]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src];
    for (let r = 0; r < n; r++) vectors[r * n + dst] = V[r * n + src];
  });
  return { values, vectors };
}

export function cholesky(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'cholesky');
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let p = 0; p < j; p++) s -= L[j * n + p] * L[j * n + p];
    if (!(s > 0)) throw new LinAlgError(`cholesky: the matrix is not positive definite (pivot ${j} is ${s}); add a small ridge to the diagonal or project onto the PSD cone`);
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let p = 0; p < j; p++) t -= L[i * n + p] * L[j * n + p];
      L[i * n + j] = t / ljj;
    }
  }
  return L;
}

export function solveSpd(a: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  if (b.length !== n * nrhs) throw new RangeError(`solveSpd: b must be ${n} x ${nrhs}, got ${b.length} values`);
  const L = cholesky(a, n);
  const x = b.slice();
  for (let c = 0; c < nrhs; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * nrhs + c];
      for (let p = 0; p < i; p++) s -= L[i * n + p] * x[p * nrhs + c];
      x[i * nrhs + c] = s / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * nrhs + c];
      for (let p = i + 1; p < n; p++) s -= L[p * n + i] * x[p * nrhs + c];
      x[i * nrhs + c] = s / L[i * n + i];
    }
  }
  return x;
}

/** LU with partial pivoting; returns the factors packed in one array and the pivot rows. */
function lu(a: Float64Array, n: number, what: string): { LU: Float64Array; piv: Int32Array } {
  checkSquare(a, n, what);
  const LU = a.slice();
  const piv = new Int32Array(n);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let j = 0; j < n; j++) {
    let p = j;
    let best = Math.abs(LU[j * n + j]);
    for (let i = j + 1; i < n; i++) {
      const v = Math.abs(LU[i * n + j]);
      if (v > best) { best = v; p = i; }
    }
    piv[j] = p;
    if (!(best > scale * n * 2.220446049250313e-16)) throw new LinAlgError(`${what}: the matrix is singular (or numerically so at column ${j}); regularise it or use a least-squares method`);
    if (p !== j) for (let c = 0; c < n; c++) { const t = LU[j * n + c]; LU[j * n + c] = LU[p * n + c]; LU[p * n + c] = t; }
    const d = LU[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const f = (LU[i * n + j] /= d);
      if (f === 0) continue;
      for (let c = j + 1; c < n; c++) LU[i * n + c] -= f * LU[j * n + c];
    }
  }
  return { LU, piv };
}

function luSolve(LU: Float64Array, piv: Int32Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  const x = b.slice();
  for (let j = 0; j < n; j++) {
    const p = piv[j];
    if (p !== j) for (let c = 0; c < nrhs; c++) { const t = x[j * nrhs + c]; x[j * nrhs + c] = x[p * nrhs + c]; x[p * nrhs + c] = t; }
  }
  for (let c = 0; c < nrhs; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * nrhs + c];
      for (let p = 0; p < i; p++) s -= LU[i * n + p] * x[p * nrhs + c];
      x[i * nrhs + c] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * nrhs + c];
      for (let p = i + 1; p < n; p++) s -= LU[i * n + p] * x[p * nrhs + c];
      x[i * nrhs + c] = s / LU[i * n + i];
    }
  }
  return x;
}

export function solve(a: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  if (b.length !== n * nrhs) throw new RangeError(`solve: b must be ${n} x ${nrhs}, got ${b.length} values`);
  const { LU, piv } = lu(a, n, 'solve');
  return luSolve(LU, piv, n, b, nrhs);
}

export function inverse(a: Float64Array, n: number): Float64Array {
  const { LU, piv } = lu(a, n, 'inverse');
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return luSolve(LU, piv, n, I, n);
}

/** Thin SVD through the eigendecomposition of the smaller Gram matrix, then U = A V / σ. */
export function svd(a: Float64Array, m: number, n: number): SvdResult {
  if (a.length !== m * n) throw new RangeError(`svd: expected ${m} x ${n} values, got ${a.length}`);
  const r = Math.min(m, n);
  const wide = m < n; // decompose Aᵀ when wide so the Gram matrix is r x r
  const rows = wide ? n : m;
  const cols = wide ? m : n; // = r
  const B = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    if (wide) B[j * cols + i] = a[i * n + j];
    else B[i * cols + j] = a[i * n + j];
  }
  const G = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) for (let p = 0; p < cols; p++) {
    const v = B[i * cols + p];
    for (let q = 0; q < cols; q++) G[p * cols + q] += v * B[i * cols + q];
  }
  const { values, vectors } = eigh(G, cols);
  const s = new Float64Array(r);
  const V = new Float64Array(cols * r); // right vectors of B, columns
  const U = new Float64Array(rows * r);
  for (let t = 0; t < r; t++) {
    const src = cols - 1 - t;
    s[t] = Math.sqrt(Math.max(0, values[src]));
    for (let q = 0; q < cols; q++) V[q * r + t] = vectors[q * cols + src];
    for (let i = 0; i < rows; i++) {
      let acc = 0;
      for (let q = 0; q < cols; q++) acc += B[i * cols + q] * V[q * r + t];
      U[i * r + t] = s[t] > 0 ? acc / s[t] : 0;
    }
  }
  // B = U S Vᵀ. If A = Bᵀ then A = V S Uᵀ.
  const u = new Float64Array(m * r);
  const vt = new Float64Array(r * n);
  if (wide) {
    for (let i = 0; i < m; i++) for (let t = 0; t < r; t++) u[i * r + t] = V[i * r + t];
    for (let t = 0; t < r; t++) for (let j = 0; j < n; j++) vt[t * n + j] = U[j * r + t];
  } else {
    u.set(U);
    for (let t = 0; t < r; t++) for (let j = 0; j < n; j++) vt[t * n + j] = V[j * r + t];
  }
  return { u, s, vt };
}
