/**
 * ITML's Bregman projections (Davis et al., ICML 2007; see src/metric/itml.ts for the method):
 * the reference for native/src/itml.cc, which runs the same loop in C++ so that no call crosses
 * into JavaScript per projection. Both give the same bits where they do the same arithmetic:
 * the native kernel uses BLAS for M v and the rank-one update at d ≥ 32 (as ITML did through
 * the backend before), and these loops below that.
 */
import type { ItmlProblem, ItmlState, ItmlSweeps } from './backend.js';

const FN = 'itmlBregman';

/** Every check the native kernel makes too. */
export function checkItmlArgs(P: ItmlProblem, S: ItmlState, maxIter: number, tol: number): void {
  const { n, d, dp } = P;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) throw new RangeError(`${FN}: n and d must be positive integers, got ${n} and ${d}`);
  if (dp !== ((d + 3) & ~3)) throw new RangeError(`${FN}: dp must be d rounded up to a multiple of 4 (${(d + 3) & ~3}), got ${dp}`);
  if (!(P.V instanceof Float64Array) || P.V.length !== n * dp) throw new RangeError(`${FN}: V must be a Float64Array of ${n} x ${dp} values`);
  if (!(P.y instanceof Int8Array) || P.y.length !== n) throw new RangeError(`${FN}: y must be an Int8Array of ${n} labels (+1 or -1)`);
  for (let c = 0; c < n; c++) if (P.y[c] !== 1 && P.y[c] !== -1) throw new RangeError(`${FN}: y[${c}] is ${P.y[c]}; labels must be +1 or -1`);
  if (!(P.gamma > 0) || !Number.isFinite(P.gamma)) throw new RangeError(`${FN}: gamma must be a positive finite number, got ${P.gamma}`);
  if (!(S.M instanceof Float64Array) || S.M.length !== dp * dp) throw new RangeError(`${FN}: M must be a Float64Array of ${dp} x ${dp} values`);
  for (const [name, a] of [['lambda', S.lambda], ['xi', S.xi]] as const) {
    if (!(a instanceof Float64Array) || a.length !== n) throw new RangeError(`${FN}: ${name} must be a Float64Array of ${n} values`);
  }
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError(`${FN}: maxIter must be a non-negative integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new RangeError(`${FN}: tol must be non-negative, got ${tol}`);
}

export function itmlBregman(P: ItmlProblem, S: ItmlState, maxIter: number, tol: number): ItmlSweeps {
  checkItmlArgs(P, S, maxIter, tol);
  const { V, n, dp, y, gamma } = P;
  const { M: Mp, lambda, xi } = S;
  const lambdaOld = lambda.slice();
  const gproj = gamma / (gamma + 1);
  const Av = new Float64Array(dp);
  const innerPasses = 3;
  // Unrolled by four over the padded stride (the padding stays zero throughout).
  const project = (c: number): void => {
    const off = c * dp;
    let p = 0;
    for (let i = 0; i < dp; i++) {
      const row = i * dp;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < dp; j += 4) {
        s0 += Mp[row + j] * V[off + j];
        s1 += Mp[row + j + 1] * V[off + j + 1];
        s2 += Mp[row + j + 2] * V[off + j + 2];
        s3 += Mp[row + j + 3] * V[off + j + 3];
      }
      const s = s0 + s1 + s2 + s3;
      Av[i] = s;
      p += s * V[off + i];
    }
    if (!(p > 1e-300)) return; // a pair of identical points constrains nothing
    const delta = y[c] > 0 ? 1 : -1;
    const alpha = Math.min(lambda[c], delta * gproj * (1 / p - 1 / xi[c]));
    if (alpha === 0) return;
    const beta = (delta * alpha) / (1 - delta * alpha * p);
    xi[c] = 1 / (1 / xi[c] + (delta * alpha) / gamma);
    lambda[c] -= alpha;
    for (let i = 0; i < dp; i++) {
      const bi = beta * Av[i];
      if (bi === 0) continue;
      const row = i * dp;
      for (let j = 0; j < dp; j += 4) {
        Mp[row + j] += bi * Av[j];
        Mp[row + j + 1] += bi * Av[j + 1];
        Mp[row + j + 2] += bi * Av[j + 2];
        Mp[row + j + 3] += bi * Av[j + 3];
      }
    }
  };
  const active = new Int32Array(n);
  const history: number[] = [];
  let it = 0, converged = false;
  while (it < maxIter) {
    it++;
    for (let c = 0; c < n; c++) project(c);
    let num = 0, den = 0, nActive = 0;
    for (let c = 0; c < n; c++) {
      num += Math.abs(lambda[c] - lambdaOld[c]);
      den += Math.abs(lambda[c]) + Math.abs(lambdaOld[c]);
      lambdaOld[c] = lambda[c];
      if (lambda[c] > 0) active[nActive++] = c;
    }
    const conv = den === 0 ? 0 : num / den;
    history.push(conv);
    if (conv < tol) {
      converged = true;
      break;
    }
    // Extra passes over the constraints with nonzero duals only: the others are satisfied
    // and stay untouched unless the active ones move M across them, which the next full
    // sweep checks. Every constraint is still visited every (innerPasses + 1) passes, so
    // the almost-cyclic control of Bregman's method (and its convergence) is kept.
    for (let r = 0; r < innerPasses; r++) for (let a = 0; a < nActive; a++) project(active[a]);
  }
  return { nIter: it, converged, history: Float64Array.from(history) };
}
