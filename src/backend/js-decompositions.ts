/**
 * Pure-TypeScript decompositions (float64). Inputs are never modified.
 *
 * Every inner loop walks contiguous memory of the row-major arrays: reflectors and plane
 * rotations are arranged to act on rows, not columns, which is what makes these usable at
 * n ~ 1000 in V8 (see the comments of each routine for how the transposes are arranged).
 */
import { LinAlgError, type EighResult, type SvdResult } from './backend.js';

const EPS = 2.220446049250313e-16;
/** QL sweeps on one eigenvalue under the running-norm deflation test before the looser one. */
const STRICT_SWEEPS = 30;
/** Squared row norm (after scaling the largest to ~1) below which a Jacobi row counts as zero. */
const NEGLIGIBLE = 1e-280;

function checkSquare(a: Float64Array, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: n must be a non-negative integer, got ${n}`);
  if (a.length !== n * n) throw new RangeError(`${what}: expected an ${n} x ${n} matrix (${n * n} values), got ${a.length} values`);
}

function checkFinite(a: Float64Array, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new LinAlgError(`${what}: the matrix contains ${a[i]} at position ${i}; remove or impute non-finite values first`);
  }
}

/**
 * Householder vector for x = src[off .. off+len): returns beta and writes v into `v` so
 * that (I - beta v vᵀ) x = alpha e1. Returns alpha through out[0].
 * Norms are accumulated scaled so entries near 1e±200 neither overflow nor underflow.
 */
function householder(src: Float64Array, off: number, stride: number, len: number, v: Float64Array, out: Float64Array): number {
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(src[off + i * stride]));
  const x0 = src[off];
  if (scale === 0) {
    out[0] = 0;
    v.fill(0, 0, len);
    return 0;
  }
  let tail = 0;
  for (let i = 1; i < len; i++) {
    const t = src[off + i * stride] / scale;
    tail += t * t;
  }
  if (tail === 0) {
    // Already a multiple of e1: no reflection.
    out[0] = x0;
    v.fill(0, 0, len);
    return 0;
  }
  const x0s = x0 / scale;
  const norm = scale * Math.sqrt(x0s * x0s + tail);
  const alpha = x0 >= 0 ? -norm : norm;
  // Normalised so v[0] = 1 (as LAPACK's dlarfg): entries are bounded by 1 and beta lies in
  // [1, 2], so nothing underflows even when x is ~1e-160.
  const denom = x0 - alpha;
  v[0] = 1;
  for (let i = 1; i < len; i++) v[i] = src[off + i * stride] / denom;
  out[0] = alpha;
  return (norm + Math.abs(x0)) / norm;
}

/**
 * Symmetric eigendecomposition (reads the lower triangle):
 * 1. Householder reduction to tridiagonal form T = Qᵀ A Q (Golub & Van Loan, Matrix
 *    Computations, 4th ed., Algorithm 8.3.1), updating only the lower triangle;
 * 2. the implicit-shift QL iteration with Wilkinson-type shifts on T (the tql2 algorithm of
 *    Bowdler, Martin, Reinsch & Wilkinson, Numer. Math. 11, 1968), rotating the rows of Qᵀ.
 * Eigenvectors are kept as rows of W = Vᵀ so each rotation touches two contiguous rows.
 */
export function eigh(a: Float64Array, n: number): EighResult {
  checkSquare(a, n, 'eigh');
  checkFinite(a, 'eigh');
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  // Lower triangle of the working copy; the strict upper part is never read.
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = a[i * n + j];

  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1; e[n-1] = 0
  const betas = new Float64Array(n);
  const reflectors: Float64Array[] = [];
  const x = new Float64Array(n);
  const p = new Float64Array(n);
  const alphaOut = new Float64Array(1);

  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1;
    d[k] = A[k * n + k];
    // x = A[k+1.., k] (a column of the lower triangle)
    const v = new Float64Array(len);
    const beta = householder(A, (k + 1) * n + k, n, len, v, alphaOut);
    e[k] = alphaOut[0];
    betas[k] = beta;
    reflectors.push(v);
    if (beta === 0) continue;
    // p = beta * A22 v using the lower triangle only: row i contributes to p_i and, through
    // symmetry, to p_j for j < i, both with contiguous access to row i.
    const b0 = k + 1;
    p.fill(0, 0, len);
    for (let ii = 0; ii < len; ii++) {
      const row = (b0 + ii) * n + b0;
      const vi = v[ii];
      let s = 0;
      for (let jj = 0; jj < ii; jj++) {
        const aij = A[row + jj];
        s += aij * v[jj];
        p[jj] += aij * vi;
      }
      p[ii] += s + A[row + ii] * vi;
    }
    let pv = 0;
    for (let ii = 0; ii < len; ii++) { p[ii] *= beta; pv += p[ii] * v[ii]; }
    const K = (beta * pv) / 2;
    // w = p - K v; A22 -= v wᵀ + w vᵀ (lower triangle).
    for (let ii = 0; ii < len; ii++) x[ii] = p[ii] - K * v[ii];
    for (let ii = 0; ii < len; ii++) {
      const row = (b0 + ii) * n + b0;
      const vi = v[ii];
      const wi = x[ii];
      for (let jj = 0; jj <= ii; jj++) A[row + jj] -= vi * x[jj] + wi * v[jj];
    }
  }
  if (n >= 2) {
    d[n - 2] = A[(n - 2) * n + n - 2];
    e[n - 2] = A[(n - 1) * n + n - 2];
  }
  d[n - 1] = A[(n - 1) * n + n - 1];
  e[n - 1] = 0;

  // W = Qᵀ = H_{n-3} ... H_0, built as I H_{n-3} ... H_0 by right-multiplications; before
  // H_k is applied only rows and columns > k differ from I, so row r of W costs O(n - k).
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) W[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const v = reflectors[k];
    const c0 = k + 1;
    const len = n - c0;
    for (let r = c0; r < n; r++) {
      const row = r * n + c0;
      let t = 0;
      for (let j = 0; j < len; j++) t += W[row + j] * v[j];
      t *= beta;
      if (t === 0) continue;
      for (let j = 0; j < len; j++) W[row + j] -= t * v[j];
    }
  }

  tql(d, e, W, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j] || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let dst = 0; dst < n; dst++) {
    const src = order[dst];
    values[dst] = d[src];
    const row = src * n;
    for (let r = 0; r < n; r++) vectors[r * n + dst] = W[row + r];
  }
  return { values, vectors };
}

/** Implicit QL on the tridiagonal (d, e), applying each rotation to rows i, i+1 of W. */
function tql(d: Float64Array, e: Float64Array, W: Float64Array, n: number): void {
  // Negligible off-diagonals are judged against the running norm (EISPACK tql2), not the two
  // neighbouring diagonals: with the local test a cluster of near-zero eigenvalues (any
  // low-rank PSD metric, e.g. MMC's on digits) can fail to deflate within the iteration cap.
  // Even that test can be out of reach: rounding leaves each off-diagonal at some multiple of
  // EPS·‖T‖, and when that multiple stays above 1 the sweep never deflates (a rank-19 metric of
  // norm 7e3 in 300 dimensions, from SCML, stuck on its second eigenvalue for 60 sweeps with
  // e[m] just above EPS·tst1). After STRICT_SWEEPS sweeps the test becomes √n·EPS·‖T‖, the
  // size rounding reaches over n rotations: eigenvalues then carry that absolute error, of the
  // order LAPACK's solvers promise. Matrices that deflate before keep their bits.
  let anorm = 0;
  for (let i = 0; i < n; i++) anorm = Math.max(anorm, Math.abs(d[i]) + Math.abs(e[i]));
  const looseLim = EPS * Math.sqrt(n) * anorm;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    for (;;) {
      const lim = iter >= STRICT_SWEEPS ? looseLim : EPS * tst1;
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(e[m]) <= lim) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new LinAlgError(`eigh: the QL iteration did not converge for eigenvalue ${l} after 60 iterations; the matrix may contain extreme values (rescale it)`);
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let pp = 0;
      let i = m - 1;
      let deflated = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the problem split; restart the search for a negligible e.
          d[i + 1] -= pp;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - pp;
        r = (d[i] - g) * s + 2 * c * b;
        pp = s * r;
        d[i + 1] = g + pp;
        g = c * r - b;
        const ri = i * n;
        const rj = ri + n;
        for (let k = 0; k < n; k++) {
          const wi = W[ri + k];
          const wj = W[rj + k];
          W[rj + k] = s * wi + c * wj;
          W[ri + k] = c * wi - s * wj;
        }
      }
      if (deflated) continue;
      d[l] -= pp;
      e[l] = g;
      e[m] = 0;
    }
  }
}

export function cholesky(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n, 'cholesky');
  checkFinite(a, 'cholesky');
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let p = 0; p < j; p++) s -= L[rj + p] * L[rj + p];
    if (!(s > 0)) {
      throw new LinAlgError(`cholesky: the matrix is not positive definite (pivot ${j} is ${s}); add a small ridge to the diagonal (e.g. addRidge(M, 1e-8 * trace/n)) or project onto the PSD cone (projectPsd)`);
    }
    const ljj = Math.sqrt(s);
    L[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let p = 0; p < j; p++) t -= L[ri + p] * L[rj + p];
      L[ri + j] = t / ljj;
    }
  }
  return L;
}

/** Solves L Y = B then Lᵀ X = Y in place, row-oriented so all rhs columns move together. */
function cholSolveInPlace(L: Float64Array, n: number, x: Float64Array, nrhs: number): void {
  for (let i = 0; i < n; i++) {
    const xi = i * nrhs;
    const li = i * n;
    for (let p = 0; p < i; p++) {
      const f = L[li + p];
      if (f === 0) continue;
      const xp = p * nrhs;
      for (let c = 0; c < nrhs; c++) x[xi + c] -= f * x[xp + c];
    }
    const inv = 1 / L[li + i];
    for (let c = 0; c < nrhs; c++) x[xi + c] *= inv;
  }
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * nrhs;
    const li = i * n;
    const inv = 1 / L[li + i];
    for (let c = 0; c < nrhs; c++) x[xi + c] *= inv;
    // Row i of L holds column i of Lᵀ: eliminate x_i from every earlier equation.
    for (let p = 0; p < i; p++) {
      const f = L[li + p];
      if (f === 0) continue;
      const xp = p * nrhs;
      for (let c = 0; c < nrhs; c++) x[xp + c] -= f * x[xi + c];
    }
  }
}

export function solveSpd(a: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  if (b.length !== n * nrhs) throw new RangeError(`solveSpd: b must be ${n} x ${nrhs} (${n * nrhs} values), got ${b.length} values`);
  const L = cholesky(a, n);
  const x = b.slice();
  cholSolveInPlace(L, n, x, nrhs);
  return x;
}

/** LU with partial pivoting; returns the factors packed in one array and the pivot rows. */
export function lu(a: Float64Array, n: number, what: string): { LU: Float64Array; piv: Int32Array } {
  checkSquare(a, n, what);
  checkFinite(a, what);
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
    if (!(best > scale * n * EPS)) {
      throw new LinAlgError(`${what}: the matrix is singular (or numerically so at column ${j}); add a ridge to the diagonal, or use pseudoInverse / a least-squares method`);
    }
    if (p !== j) for (let c = 0; c < n; c++) { const t = LU[j * n + c]; LU[j * n + c] = LU[p * n + c]; LU[p * n + c] = t; }
    const inv = 1 / LU[j * n + j];
    const rj = j * n;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      const f = (LU[ri + j] *= inv);
      if (f === 0) continue;
      for (let c = j + 1; c < n; c++) LU[ri + c] -= f * LU[rj + c];
    }
  }
  return { LU, piv };
}

function luSolveInPlace(LU: Float64Array, piv: Int32Array, n: number, x: Float64Array, nrhs: number): void {
  for (let j = 0; j < n; j++) {
    const p = piv[j];
    if (p !== j) for (let c = 0; c < nrhs; c++) { const t = x[j * nrhs + c]; x[j * nrhs + c] = x[p * nrhs + c]; x[p * nrhs + c] = t; }
  }
  for (let i = 0; i < n; i++) {
    const xi = i * nrhs;
    const li = i * n;
    for (let p = 0; p < i; p++) {
      const f = LU[li + p];
      if (f === 0) continue;
      const xp = p * nrhs;
      for (let c = 0; c < nrhs; c++) x[xi + c] -= f * x[xp + c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * nrhs;
    const li = i * n;
    for (let p = i + 1; p < n; p++) {
      const f = LU[li + p];
      if (f === 0) continue;
      const xp = p * nrhs;
      for (let c = 0; c < nrhs; c++) x[xi + c] -= f * x[xp + c];
    }
    const inv = 1 / LU[li + i];
    for (let c = 0; c < nrhs; c++) x[xi + c] *= inv;
  }
}

export function solve(a: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  if (b.length !== n * nrhs) throw new RangeError(`solve: b must be ${n} x ${nrhs} (${n * nrhs} values), got ${b.length} values`);
  const { LU, piv } = lu(a, n, 'solve');
  const x = b.slice();
  luSolveInPlace(LU, piv, n, x, nrhs);
  return x;
}

export function inverse(a: Float64Array, n: number): Float64Array {
  const { LU, piv } = lu(a, n, 'inverse');
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 1;
  luSolveInPlace(LU, piv, n, x, n);
  return x;
}

/**
 * Thin SVD by one-sided Jacobi with QR preconditioning (Hestenes 1958; Drmač & Veselić,
 * "New fast and accurate Jacobi SVD algorithm", SIAM J. Matrix Anal. Appl. 29, 2008):
 * for a tall A (a wide one is transposed first), A = Q R by Householder; the rows of R are
 * then orthogonalised by plane rotations P (Jacobi on Rᵀ, as Drmač & Veselić recommend for
 * faster convergence), so P R = D with orthogonal rows, σ_i = ‖D_i‖, vᵢᵀ = D_i / σ_i and
 * U = Q Pᵀ. Unlike the eigendecomposition of AᵀA it keeps small singular values accurate
 * (absolute error ~ eps·σ_max, where the Gram-matrix route gives ~ eps·σ_max²/σ_i).
 * Deviations, for speed in plain JS: no column pivoting in the QR; instead P starts at the
 * eigenvectors of R Rᵀ (from our tridiagonal QL eigh), which leaves Jacobi 2-3 cheap sweeps
 * instead of ~10 full ones. Right singular vectors of zero singular values are completed to
 * an orthonormal set.
 */
export function svd(a: Float64Array, m: number, n: number): SvdResult {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0) throw new RangeError(`svd: m and n must be non-negative integers, got ${m} x ${n}`);
  if (a.length !== m * n) throw new RangeError(`svd: expected ${m} x ${n} values (${m * n}), got ${a.length}`);
  checkFinite(a, 'svd');
  if (m >= n) return svdTall(a, m, n);
  // A = Bᵀ with B tall: B = U S Vᵀ gives A = V S Uᵀ.
  const b = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[j * m + i] = a[i * n + j];
  const r = svdTall(b, n, m);
  const k = m; // = min(m, n)
  const u = new Float64Array(m * k);
  const vt = new Float64Array(k * n);
  // u(A) = V(B) = vt(B)ᵀ; vt(A) = U(B)ᵀ.
  for (let t = 0; t < k; t++) for (let i = 0; i < m; i++) u[i * k + t] = r.vt[t * m + i];
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) vt[t * n + i] = r.u[i * k + t];
  return { u, s: r.s, vt };
}

function svdTall(a: Float64Array, m: number, n: number): SvdResult {
  if (n === 0) return { u: new Float64Array(0), s: new Float64Array(0), vt: new Float64Array(0) };
  // Householder QR on the columns of A, held as the rows of B = Aᵀ (n x m) for contiguity:
  // B H_0 ... H_{n-1} = [L 0], so A = H_0 ... H_{n-1} [Lᵀ; 0] and R = Lᵀ.
  const B = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) B[j * m + i] = a[i * n + j];
  const vs: Float64Array[] = [];
  const betas = new Float64Array(n);
  const alphaOut = new Float64Array(1);
  for (let k = 0; k < n; k++) {
    const len = m - k;
    const v = new Float64Array(len);
    const beta = householder(B, k * m + k, 1, len, v, alphaOut);
    vs.push(v);
    betas[k] = beta;
    if (beta !== 0) {
      for (let i = k + 1; i < n; i++) {
        const row = i * m + k;
        let t = 0;
        for (let j = 0; j < len; j++) t += B[row + j] * v[j];
        t *= beta;
        if (t === 0) continue;
        for (let j = 0; j < len; j++) B[row + j] -= t * v[j];
      }
    }
    B[k * m + k] = alphaOut[0];
    for (let j = k + 1; j < m; j++) B[k * m + j] = 0;
  }
  // C = R (n x n): row i of R is column i of L, i.e. B[j, i] for j >= i.
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) C[i * n + j] = B[j * m + i];

  // Scale by a power of two (exact) so the largest entry is ~1: squares below cannot
  // overflow, and rows whose squared norm falls under NEGLIGIBLE (σ < 1e-140 σ_max, far
  // below any attainable accuracy) are treated as zero instead of rotating subnormal noise.
  let maxAbs = 0;
  for (let i = 0; i < C.length; i++) maxAbs = Math.max(maxAbs, Math.abs(C[i]));
  const scale = maxAbs > 0 ? 2 ** -Math.round(Math.log2(maxAbs)) : 1;
  if (scale !== 1) for (let i = 0; i < C.length; i++) C[i] *= scale;

  // Preconditioning: with R Rᵀ = W Λ Wᵀ the rows of Wᵀ R are already nearly orthogonal, so
  // Jacobi starts close to convergence (a few sweeps instead of ~10 at n = 300). The start
  // is an orthogonal transform applied explicitly, so the final accuracy is Jacobi's own.
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let acc = 0;
      for (let t = i; t < n; t++) acc += C[ri + t] * C[rj + t]; // R upper triangular: t >= max(i, j)
      G[ri + j] = acc;
    }
  }
  const pre = eigh(G, n);
  const P = new Float64Array(n * n); // accumulated rotations, started at Wᵀ (largest λ first)
  for (let t = 0; t < n; t++) {
    const src = n - 1 - t;
    for (let k = 0; k < n; k++) P[t * n + k] = pre.vectors[k * n + src];
  }
  const Cs = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    const out = t * n;
    for (let k = 0; k < n; k++) {
      const f = P[t * n + k];
      if (f === 0) continue;
      const rk = k * n;
      for (let j = k; j < n; j++) Cs[out + j] += f * C[rk + j];
    }
  }
  jacobiRows(Cs, P, n, n);

  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += Cs[i * n + j] ** 2;
    s[i] = acc < NEGLIGIBLE ? 0 : Math.sqrt(acc) / scale;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[y] - s[x] || x - y);
  const sOut = new Float64Array(n);
  const vt = new Float64Array(n * n);
  const Psorted = new Float64Array(n * n);
  const zero: number[] = [];
  order.forEach((src, dst) => {
    sOut[dst] = s[src];
    Psorted.set(P.subarray(src * n, src * n + n), dst * n);
    if (s[src] > 0) {
      const inv = 1 / (s[src] * scale);
      for (let j = 0; j < n; j++) vt[dst * n + j] = Cs[src * n + j] * inv;
    } else zero.push(dst);
  });
  if (zero.length > 0) completeOrthonormalRows(vt, n, n, zero);

  // U = Q Pᵀ = H_0 ... H_{n-1} [Pᵀ; 0], applying H_{n-1} first; every step is a row update.
  const U = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let t = 0; t < n; t++) U[i * n + t] = Psorted[t * n + i];
  const tmp = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const v = vs[k];
    tmp.fill(0);
    for (let i = k; i < m; i++) {
      const vi = v[i - k];
      if (vi === 0) continue;
      const row = i * n;
      for (let t = 0; t < n; t++) tmp[t] += vi * U[row + t];
    }
    for (let i = k; i < m; i++) {
      const f = beta * v[i - k];
      if (f === 0) continue;
      const row = i * n;
      for (let t = 0; t < n; t++) U[row + t] -= f * tmp[t];
    }
  }
  return { u: U, s: sOut, vt };
}

/**
 * One-sided Jacobi on the rows of C (k x len): rotates row pairs until every pair is
 * orthogonal to working precision relative to the product of their norms, applying the
 * same rotations to the rows of P.
 */
function jacobiRows(C: Float64Array, P: Float64Array, k: number, len: number): void {
  const pn = P.length / k;
  const norms = new Float64Array(k);
  const tol = EPS * Math.sqrt(len);
  for (let sweep = 0; sweep < 80; sweep++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < len; j++) s += C[i * len + j] ** 2;
      norms[i] = s;
    }
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      const rp = p * len;
      for (let q = p + 1; q < k; q++) {
        const app = norms[p];
        const aqq = norms[q];
        if (app < NEGLIGIBLE || aqq < NEGLIGIBLE) continue;
        const rq = q * len;
        let apq = 0;
        for (let j = 0; j < len; j++) apq += C[rp + j] * C[rq + j];
        if (!(Math.abs(apq) > tol * Math.sqrt(app) * Math.sqrt(aqq))) continue;
        rotated = true;
        const zeta = (aqq - app) / (2 * apq);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let j = 0; j < len; j++) {
          const x = C[rp + j];
          const y = C[rq + j];
          C[rp + j] = c * x - s * y;
          C[rq + j] = s * x + c * y;
        }
        const pp = p * pn;
        const pq = q * pn;
        for (let j = 0; j < pn; j++) {
          const x = P[pp + j];
          const y = P[pq + j];
          P[pp + j] = c * x - s * y;
          P[pq + j] = s * x + c * y;
        }
        norms[p] = Math.max(0, app - t * apq);
        norms[q] = Math.max(0, aqq + t * apq);
      }
    }
    if (!rotated) return;
  }
  throw new LinAlgError('svd: the Jacobi iteration did not converge in 80 sweeps; the matrix may contain extreme values (rescale it)');
}

/**
 * Fills the listed rows of Q (rows x cols) with unit vectors orthogonal to every other row:
 * for each, the coordinate vector with the largest residual after projecting out the rows
 * already done (some e_j always keeps at least sqrt((cols - done) / cols) of its length).
 */
function completeOrthonormalRows(Q: Float64Array, rows: number, cols: number, missing: number[]): void {
  const isMissing = new Set(missing);
  const done: number[] = [];
  for (let r = 0; r < rows; r++) if (!isMissing.has(r)) done.push(r);
  const v = new Float64Array(cols);
  const best = new Float64Array(cols);
  for (const r of missing) {
    let bestNorm = -1;
    for (let cand = 0; cand < cols; cand++) {
      v.fill(0);
      v[cand] = 1;
      // Two rounds of Gram-Schmidt ("twice is enough", Parlett).
      for (let round = 0; round < 2; round++) {
        for (const o of done) {
          let dot = 0;
          for (let j = 0; j < cols; j++) dot += v[j] * Q[o * cols + j];
          for (let j = 0; j < cols; j++) v[j] -= dot * Q[o * cols + j];
        }
      }
      let norm = 0;
      for (let j = 0; j < cols; j++) norm += v[j] * v[j];
      norm = Math.sqrt(norm);
      if (norm > bestNorm) { bestNorm = norm; best.set(v); }
      if (norm > 0.7) break;
    }
    if (!(bestNorm > 0)) throw new LinAlgError('svd: could not complete the orthonormal basis (internal error)');
    for (let j = 0; j < cols; j++) Q[r * cols + j] = best[j] / bestNorm;
    done.push(r);
  }
}
