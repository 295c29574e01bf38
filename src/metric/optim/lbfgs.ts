/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 for
 * the two-loop recursion, Algorithms 3.5/3.6 for the strong-Wolfe line search). Used by NCA
 * and MLKR, which metric-learn also fits with L-BFGS (scipy's L-BFGS-B).
 *
 * The stopping rules mirror scipy's: projected-gradient infinity norm ≤ gtol, or relative
 * decrease of f ≤ ftol, or maxIter iterations.
 */

/** Returns f(x) and writes ∇f(x) into `grad`. */
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

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}

export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIter = options.maxIter ?? 100;
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 2.220446049250313e-9;
  const m = options.memory ?? 10;
  const n = x0.length;
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
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j] * dot(S[j], d);
      alpha[j] = a;
      const y = Y[j];
      for (let i = 0; i < n; i++) d[i] -= a * y[i];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < S.length; j++) {
      const b = rho[j] * dot(Y[j], d);
      const s = S[j];
      const a = alpha[j];
      for (let i = 0; i < n; i++) d[i] += (a - b) * s[i];
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dg = dot(d, g);
    }
    const step0 = S.length === 0 ? Math.min(1, 1 / Math.max(Math.sqrt(-dg), 1e-300)) : 1;
    const ls = wolfeSearch(f, x, fx, g, d, dg, step0);
    nEval += ls.nEval;
    if (!ls.ok) {
      if (S.length > 0) {
        // One retry along the plain gradient before giving up.
        S.length = 0; Y.length = 0; rho.length = 0;
        continue;
      }
      return { x, f: fx, nIter: iter - 1, nEval, converged: true, reason: 'line search could not decrease f (at a stationary point to working precision)' };
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = ls.x[i] - x[i];
      y[i] = ls.g[i] - g[i];
    }
    const sy = dot(s, y);
    const fPrev = fx;
    x = ls.x;
    g = ls.g;
    fx = ls.f;
    if (sy > 1e-10 * dot(y, y)) {
      if (S.length === m) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(y); rho.push(1 / sy);
    }
    options.onIter?.(iter, fx);
    if (maxAbs(g) <= gtol) return { x, f: fx, nIter: iter, nEval, converged: true, reason: 'gradient below gtol' };
    if ((fPrev - fx) / Math.max(Math.abs(fPrev), Math.abs(fx), 1) <= ftol) return { x, f: fx, nIter: iter, nEval, converged: true, reason: 'relative decrease below ftol' };
  }
  return { x, f: fx, nIter: maxIter, nEval, converged: false, reason: 'maxIter reached' };
}

interface LineSearchResult { ok: boolean; x: Float64Array; f: number; g: Float64Array; nEval: number }

/** Strong-Wolfe line search: bracketing then zoom with cubic/bisection interpolation. */
function wolfeSearch(f: Objective, x: Float64Array, f0: number, g0: Float64Array, d: Float64Array, dg0: number, step0: number): LineSearchResult {
  const c1 = 1e-4, c2 = 0.9;
  const n = x.length;
  let nEval = 0;
  const eval_ = (t: number) => {
    const xt = new Float64Array(n);
    for (let i = 0; i < n; i++) xt[i] = x[i] + t * d[i];
    const gt = new Float64Array(n);
    const ft = f(xt, gt);
    nEval++;
    return { t, x: xt, f: ft, g: gt, dg: dot(gt, d) };
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
        if (Math.abs(p.dg) <= -c2 * dg0) return { ok: true, x: p.x, f: p.f, g: p.g, nEval };
        if (p.dg * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.t - lo.t) < 1e-14 * Math.max(1, lo.t)) break;
    }
    // Accept the best sufficient-decrease point found, if any.
    if (lo.t > 0 && lo.f < f0) return { ok: true, x: lo.x, f: lo.f, g: lo.g, nEval };
    return { ok: false, x, f: f0, g: g0, nEval };
  };
  // Expansion is capped: objectives with an infimum at infinity (NCA's, whose softmax keeps
  // sharpening as L grows) would otherwise spend dozens of evaluations chasing a flat slope; a
  // point with sufficient decrease is accepted then.
  for (let k = 0; k < 6; k++) {
    const p = eval_(t);
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || (k > 0 && p.f >= prev.f)) return zoom(prev, p);
    if (Math.abs(p.dg) <= -c2 * dg0) return { ok: true, x: p.x, f: p.f, g: p.g, nEval };
    if (p.dg >= 0) return zoom(p, prev);
    prev = p;
    t *= 4;
  }
  if (prev.t > 0 && prev.f < f0) return { ok: true, x: prev.x, f: prev.f, g: prev.g, nEval };
  return { ok: false, x, f: f0, g: g0, nEval };
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
