/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 for
 * the two-loop recursion, Algorithms 3.5/3.6 for the strong-Wolfe line search). Used by NCA
 * and MLKR, which metric-learn also fits with L-BFGS (scipy's L-BFGS-B).
 *
 * The stopping rules mirror scipy's: projected-gradient infinity norm ≤ gtol, or relative
 * decrease of f ≤ ftol, or maxIter iterations.
 */

import { getBackend } from '../../backend/index.js';
import { dot as jsDot, axpy as jsAxpy } from '../../backend/js-kernels.js';

/**
 * Returns f(x) and writes ∇f(x) into `grad` (which arrives zeroed). Both arrays are the
 * minimiser's and are reused after the call returns: copy them to keep them.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter?: number;
  /** Stop when max |∇f| ≤ gtol. */
  gtol?: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol. */
  ftol?: number;
  /** Number of correction pairs kept. */
  memory?: number;
  /** Called after each accepted iteration. */
  onIter?: (iter: number, f: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  nIter: number;
  nEval: number;
  converged: boolean;
  reason: string;
}

// Every pass over the n-vectors lives in a small function of its own: inlined in
// minimizeLbfgs's long body, the loops ran in unoptimised code for much of a fit (V8 kept
// deoptimising the body as later branches were first reached), about 20 ms per iteration at
// n = 90 000 where the passes themselves take 1 ms.

/** d = −g */
function negateInto(g: Float64Array, d: Float64Array): void {
  for (let i = 0; i < g.length; i++) d[i] = -g[i];
}

/** x *= a */
function scaleInPlace(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] *= a;
}

/** out = a − b */
function differenceInto(a: Float64Array, b: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** out = x + t d */
function stepInto(x: Float64Array, t: number, d: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * d[i];
  return out;
}

/**
 * Spare n-vectors. A fit makes a few new iterates, gradients and correction pairs per
 * iteration; allocating each afresh (720 kB at n = 90 000) cost more in first-touch page faults
 * and garbage collection than the arithmetic, so vectors that are done with come back here.
 */
class VectorPool {
  private readonly spare: Float64Array[] = [];
  constructor(readonly n: number) {}
  take(): Float64Array {
    return this.spare.pop() ?? new Float64Array(this.n);
  }
  give(v: Float64Array): void {
    // Unbounded on purpose: the spares never outnumber the vectors once alive at the same time.
    this.spare.push(v);
  }
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}

/** Drops the correction pairs (a restart from steepest descent), keeping their vectors. */
function forget(S: Float64Array[], Y: Float64Array[], rho: number[], pool: VectorPool): void {
  for (const v of S) pool.give(v);
  for (const v of Y) pool.give(v);
  S.length = 0; Y.length = 0; rho.length = 0;
}

/** The vector operations the recursion and the line search need. */
interface VectorOps {
  dot(x: Float64Array, y: Float64Array): number;
  /** y += alpha x */
  axpy(alpha: number, x: Float64Array, y: Float64Array): void;
}

/** The JS backend's loops, called directly whatever the backend (see the threshold below). */
const plainOps: VectorOps = { dot: jsDot, axpy: jsAxpy };

/**
 * From this many variables on, the two-loop recursion's 4m passes over stored vectors go to the
 * backend (BLAS ddot/daxpy): with m = 10 and a 300 x 300 L they are 3.6 M multiply-adds per
 * iteration, about 12 ms in plain loops (latency-bound sums over 14 MB of history), which was
 * more than NCA's own objective there. Below it a native call costs more than it saves. The JS
 * backend's dot and axpy are these same loops, so its results do not depend on the switch.
 */
const BACKEND_VECTOR_OPS_FROM = 2048;

export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 100;
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 2.220446049250313e-9;
  const m = options.memory ?? 10;
  const n = x0.length;
  const ops: VectorOps = n >= BACKEND_VECTOR_OPS_FROM ? getBackend() : plainOps;
  const pool = new VectorPool(n);
  let x: Float64Array = x0.slice();
  let g: Float64Array = new Float64Array(n);
  let fx = f(x, g);
  let nEval = 1;
  if (!Number.isFinite(fx)) throw new RangeError('L-BFGS: the objective is not finite at the starting point');
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  if (maxAbs(g) <= gtol) return { x, f: fx, nIter: 0, nEval, converged: true, reason: 'gradient below gtol' };
  for (let iter = 1; iter <= maxIter; iter++) {
    // Two-loop recursion: d = −H ∇f.
    negateInto(g, d);
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j] * ops.dot(S[j], d);
      alpha[j] = a;
      ops.axpy(-a, Y[j], d);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = ops.dot(S[last], Y[last]) / ops.dot(Y[last], Y[last]);
      scaleInPlace(gamma, d);
    }
    for (let j = 0; j < S.length; j++) {
      const b = rho[j] * ops.dot(Y[j], d);
      ops.axpy(alpha[j] - b, S[j], d);
    }
    let dg = ops.dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      forget(S, Y, rho, pool);
      negateInto(g, d);
      dg = ops.dot(d, g);
    }
    const step0 = S.length === 0 ? Math.min(1, 1 / Math.max(Math.sqrt(-dg), 1e-300)) : 1;
    const ls = wolfeSearch(f, x, fx, g, d, dg, step0, ops, pool);
    nEval += ls.nEval;
    if (!ls.ok) {
      if (S.length > 0) {
        // One retry along the plain gradient before giving up.
        forget(S, Y, rho, pool);
        continue;
      }
      return { x, f: fx, nIter: iter - 1, nEval, converged: true, reason: 'line search could not decrease f (at a stationary point to working precision)' };
    }
    const s = differenceInto(ls.x, x, pool.take());
    const y = differenceInto(ls.g, g, pool.take());
    const sy = ops.dot(s, y);
    const fPrev = fx;
    pool.give(x);
    pool.give(g);
    x = ls.x;
    g = ls.g;
    fx = ls.f;
    if (sy > 1e-10 * ops.dot(y, y)) {
      if (S.length === m) {
        pool.give(S.shift()!);
        pool.give(Y.shift()!);
        rho.shift();
      }
      S.push(s); Y.push(y); rho.push(1 / sy);
    } else {
      pool.give(s);
      pool.give(y);
    }
    options.onIter?.(iter, fx);
    if (maxAbs(g) <= gtol) return { x, f: fx, nIter: iter, nEval, converged: true, reason: 'gradient below gtol' };
    if ((fPrev - fx) / Math.max(Math.abs(fPrev), Math.abs(fx), 1) <= ftol) return { x, f: fx, nIter: iter, nEval, converged: true, reason: 'relative decrease below ftol' };
  }
  return { x, f: fx, nIter: maxIter, nEval, converged: false, reason: 'maxIter reached' };
}

interface LineSearchResult { ok: boolean; x: Float64Array; f: number; g: Float64Array; nEval: number }

/** Strong-Wolfe line search: bracketing then zoom with cubic/bisection interpolation. */
function wolfeSearch(f: Objective, x: Float64Array, f0: number, g0: Float64Array, d: Float64Array, dg0: number, step0: number, ops: VectorOps, pool: VectorPool): LineSearchResult {
  const c1 = 1e-4, c2 = 0.9;
  let nEval = 0;
  // Every trial point's vectors; all but the accepted one's go back to the pool.
  const tried: Float64Array[] = [];
  const eval_ = (t: number) => {
    const xt = stepInto(x, t, d, pool.take());
    const gt = pool.take().fill(0);
    tried.push(xt, gt);
    const ft = f(xt, gt);
    nEval++;
    return { t, x: xt, f: ft, g: gt, dg: ops.dot(gt, d) };
  };
  const finish = (r: LineSearchResult): LineSearchResult => {
    for (const v of tried) if (v !== r.x && v !== r.g) pool.give(v);
    return r;
  };
  type Pt = ReturnType<typeof eval_>;
  let prev: Pt = { t: 0, x: x as Float64Array<ArrayBuffer>, f: f0, g: g0 as Float64Array<ArrayBuffer>, dg: dg0 };
  let t = step0;
  const zoom = (lo: Pt, hi: Pt): LineSearchResult => {
    for (let k = 0; k < 10; k++) {
      let tj = cubicMin(lo, hi);
      const lo_ = Math.min(lo.t, hi.t), hi_ = Math.max(lo.t, hi.t);
      const w = hi_ - lo_;
      if (!Number.isFinite(tj)) tj = 0.5 * (lo.t + hi.t);
      else tj = Math.min(Math.max(tj, lo_ + 0.1 * w), hi_ - 0.1 * w);
      const p = eval_(tj);
      if (!Number.isFinite(p.f) || p.f > f0 + c1 * tj * dg0 || p.f >= lo.f) hi = p;
      else {
        if (Math.abs(p.dg) <= -c2 * dg0) return finish({ ok: true, x: p.x, f: p.f, g: p.g, nEval });
        if (p.dg * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.t - lo.t) < 1e-14 * Math.max(1, lo.t)) break;
    }
    // Accept the best sufficient-decrease point found, if any.
    if (lo.t > 0 && lo.f < f0) return finish({ ok: true, x: lo.x, f: lo.f, g: lo.g, nEval });
    return finish({ ok: false, x, f: f0, g: g0, nEval });
  };
  // Expansion is capped: objectives with an infimum at infinity (NCA's, whose softmax keeps
  // sharpening as L grows) would otherwise spend dozens of evaluations chasing a flat slope; a
  // point with sufficient decrease is accepted then.
  for (let k = 0; k < 6; k++) {
    const p = eval_(t);
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || (k > 0 && p.f >= prev.f)) return zoom(prev, p);
    if (Math.abs(p.dg) <= -c2 * dg0) return finish({ ok: true, x: p.x, f: p.f, g: p.g, nEval });
    if (p.dg >= 0) return zoom(p, prev);
    prev = p;
    t *= 4;
  }
  if (prev.t > 0 && prev.f < f0) return finish({ ok: true, x: prev.x, f: prev.f, g: prev.g, nEval });
  return finish({ ok: false, x, f: f0, g: g0, nEval });
}

/** Minimiser of the cubic through two points with their values and slopes (NaN if none). */
function cubicMin(a: { t: number; f: number; dg: number }, b: { t: number; f: number; dg: number }): number {
  if (!Number.isFinite(b.f) || !Number.isFinite(b.dg)) return NaN;
  const d1 = a.dg + b.dg - 3 * (a.f - b.f) / (a.t - b.t);
  const disc = d1 * d1 - a.dg * b.dg;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b.t - a.t) * Math.sqrt(disc);
  return b.t - (b.t - a.t) * (b.dg + d2 - d1) / (b.dg - a.dg + 2 * d2);
}
