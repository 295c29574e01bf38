/**
 * LSML's descent (Liu et al., ICDM 2012; see src/metric/lsml.ts for the objective and the
 * method): the reference for native/src/lsml.cc, which is the same loop in C++ over BLAS and
 * LAPACK so that a fit does not wait on the JIT (a digits fit is ~20 short iterations, and
 * in a fresh process most of its time went to compiling this loop). The backends agree to
 * rounding: the Cholesky factors and GEMMs differ in their last bits.
 *
 * Quadruplet q says pair (abFirst[q], abSecond[q]) should be closer than (cdFirst[q],
 * cdSecond[q]), as rows of the centred points X (N x d); w sums to 1.
 */
import { gemm } from './js-kernels.js';
import { cholesky, solveSpd } from './js-decompositions.js';
import { addPairLaplacian, pairQuadForms } from './js-pairs.js';
import type { LsmlArrays, LsmlDescent } from './backend.js';

export function checkLsmlArrays(P: LsmlArrays, maxIter: number, tol: number): void {
  const fn = 'lsmlDescent';
  const { X, N, d, w } = P;
  if (!Number.isInteger(N) || N < 1 || !Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: N and d must be positive integers, got ${N} and ${d}`);
  if (!(X instanceof Float64Array) || X.length !== N * d) throw new RangeError(`${fn}: X must be a Float64Array of ${N} x ${d} values`);
  const n = w.length;
  if (n < 1) throw new RangeError(`${fn}: no quadruplets`);
  for (const [name, a] of [['abFirst', P.abFirst], ['abSecond', P.abSecond], ['cdFirst', P.cdFirst], ['cdSecond', P.cdSecond]] as const) {
    if (!(a instanceof Int32Array) || a.length !== n) throw new RangeError(`${fn}: ${name} must be an Int32Array of ${n} row indices (one per weight)`);
    for (let q = 0; q < n; q++) if (a[q] < 0 || a[q] >= N) throw new RangeError(`${fn}: ${name}[${q}] = ${a[q]} is not a row (0 .. ${N - 1})`);
  }
  for (const [name, a] of [['prior', P.prior], ['priorInv', P.priorInv]] as const) {
    if (!(a instanceof Float64Array) || a.length !== d * d) throw new RangeError(`${fn}: ${name} must be a ${d} x ${d} Float64Array`);
  }
  if (!Number.isFinite(P.priorLogDet)) throw new RangeError(`${fn}: priorLogDet must be finite, got ${P.priorLogDet}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError(`${fn}: maxIter must be a non-negative integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new RangeError(`${fn}: tol must be non-negative, got ${tol}`);
}

/** (A + Aᵀ)/2 off the diagonal, in place. */
function symmetrizeInPlace(A: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
    const v = 0.5 * (A[i * d + j] + A[j * d + i]);
    A[i * d + j] = v;
    A[j * d + i] = v;
  }
}

/** Squared lengths of both pair sets under A: Y = X A, then (y_a − y_b)·(x_a − x_b). */
function squaredLengths(P: LsmlArrays, A: Float64Array, Y: Float64Array, ab: Float64Array, cd: Float64Array): void {
  gemm(false, false, P.N, P.d, P.d, 1, P.X, P.d, A, P.d, 0, Y, P.d);
  pairQuadForms(P.X, Y, P.N, P.d, P.abFirst, P.abSecond, ab);
  pairQuadForms(P.X, Y, P.N, P.d, P.cdFirst, P.cdSecond, cd);
}

/** Σ_q w_q H(d_ab − d_cd) from squared lengths. */
function residualLoss(w: Float64Array, ab: Float64Array, cd: Float64Array): number {
  let loss = 0;
  for (let q = 0; q < w.length; q++) {
    const dab = Math.sqrt(Math.max(ab[q], 0)), dcd = Math.sqrt(Math.max(cd[q], 0));
    if (dab > dcd) {
      const r = dab - dcd;
      loss += w[q] * r * r;
    }
  }
  return loss;
}

/** D_ld(M, M₀), or Infinity when M is not positive definite (the barrier). */
function logDetDivergence(P: LsmlArrays, M: Float64Array): number {
  const d = P.d;
  let L: Float64Array;
  try {
    L = cholesky(M, d);
  } catch {
    return Infinity;
  }
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(L[i * d + i]);
  let reg = -2 * logDet + P.priorLogDet - d;
  for (let i = 0; i < d * d; i++) reg += M[i] * P.priorInv[i];
  return reg;
}

/** ∇f(M) from the squared lengths at M, symmetrised. */
function gradient(P: LsmlArrays, M: Float64Array, ab: Float64Array, cd: Float64Array, grad: Float64Array, Z: Float64Array): void {
  const { d, w } = P;
  const n = w.length;
  const cab = new Float64Array(n), ccd = new Float64Array(n);
  let violated = 0;
  for (let q = 0; q < n; q++) {
    const dab = Math.sqrt(Math.max(ab[q], 0)), dcd = Math.sqrt(Math.max(cd[q], 0));
    if (dab > dcd) {
      violated++;
      cab[q] = w[q] * (1 - dcd / dab);
      // d_cd = 0 with d_ab > 0: the residual's derivative along v_cd is unbounded; the
      // subgradient choice 0 keeps the step finite (the pair is then a duplicate point).
      ccd[q] = dcd > 0 ? w[q] * (1 - dab / dcd) : 0;
    }
  }
  const I = new Float64Array(d * d);
  for (let i = 0; i < d; i++) I[i * d + i] = 1;
  const Minv = solveSpd(M, d, I, d);
  for (let i = 0; i < d * d; i++) grad[i] = P.priorInv[i] - Minv[i];
  if (violated > 0) {
    // Both pair sets share the points: one Laplacian product and one GEMM give both scatters.
    Z.fill(0);
    addPairLaplacian(Z, P.X, P.N, d, P.abFirst, P.abSecond, cab);
    addPairLaplacian(Z, P.X, P.N, d, P.cdFirst, P.cdSecond, ccd);
    gemm(true, false, d, d, P.N, 1, P.X, d, Z, d, 1, grad, d);
  }
  symmetrizeInPlace(grad, d);
}

/** f(M), and ∇f(M) into grad when given; Infinity when M is not positive definite. */
export function lsmlObjective(P: LsmlArrays, M: Float64Array, grad?: Float64Array): number {
  checkLsmlArrays(P, 0, 0);
  const reg = logDetDivergence(P, M);
  if (reg === Infinity) return Infinity;
  const n = P.w.length;
  const ab = new Float64Array(n), cd = new Float64Array(n);
  squaredLengths(P, M, new Float64Array(P.N * P.d), ab, cd);
  if (grad) gradient(P, M, ab, cd, grad, new Float64Array(P.N * P.d));
  return residualLoss(P.w, ab, cd) + reg;
}

/**
 * Gradient descent from the prior with an Armijo backtracking line search started from a
 * Barzilai-Borwein step. Along M − sG every squared length is linear in s, so one GEMM per
 * iteration gives vᵀGv and each trial costs O(n) plus a Cholesky.
 */
export function lsmlDescent(P: LsmlArrays, maxIter: number, tol: number): LsmlDescent {
  checkLsmlArrays(P, maxIter, tol);
  const d = P.d, dd = d * d, n = P.w.length;
  const Y = new Float64Array(P.N * d), Z = new Float64Array(P.N * d);
  // Symmetric to the last bit, so that every M − s G is too (a prior from a GEMM may not be).
  const M = P.prior.slice();
  symmetrizeInPlace(M, d);
  const ab = new Float64Array(n), cd = new Float64Array(n);
  squaredLengths(P, M, Y, ab, cd);
  const G = new Float64Array(dd);
  gradient(P, M, ab, cd, G, Z);
  let f = residualLoss(P.w, ab, cd) + logDetDivergence(P, M);
  let step = 1;
  const trial = new Float64Array(dd), Gnew = new Float64Array(dd);
  const abG = new Float64Array(n), cdG = new Float64Array(n);
  const abTrial = new Float64Array(n), cdTrial = new Float64Array(n);
  const history: number[] = [];
  let it = 0, converged = false;
  while (it < maxIter) {
    it++;
    let g2 = 0;
    for (let i = 0; i < dd; i++) g2 += G[i] * G[i];
    if (g2 === 0) {
      converged = true;
      break;
    }
    squaredLengths(P, G, Y, abG, cdG);
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < dd; i++) trial[i] = M[i] - step * G[i];
      const reg = logDetDivergence(P, trial);
      if (reg !== Infinity) {
        for (let q = 0; q < n; q++) {
          abTrial[q] = ab[q] - step * abG[q];
          cdTrial[q] = cd[q] - step * cdG[q];
        }
        fNew = residualLoss(P.w, abTrial, cdTrial) + reg;
        if (fNew <= f - 1e-4 * step * g2) {
          gradient(P, trial, abTrial, cdTrial, Gnew, Z);
          accepted = true;
          break;
        }
      }
      step *= 0.5;
    }
    if (!accepted) {
      // No decrease possible at machine precision: M is stationary.
      converged = true;
      break;
    }
    // Barzilai-Borwein step for the next search start: ⟨s, s⟩ / ⟨s, y⟩.
    let ss = 0, sy = 0;
    for (let i = 0; i < dd; i++) {
      const s = trial[i] - M[i], yv = Gnew[i] - G[i];
      ss += s * s;
      sy += s * yv;
    }
    const decrease = f - fNew;
    M.set(trial);
    G.set(Gnew);
    ab.set(abTrial);
    cd.set(cdTrial);
    f = fNew;
    history.push(f);
    if (decrease <= tol * (1 + Math.abs(f))) {
      converged = true;
      break;
    }
    step = sy > 0 ? Math.min(ss / sy, 1e6) : step * 2;
  }
  return { M, nIter: it, converged, objective: f, history: Float64Array.from(history) };
}
