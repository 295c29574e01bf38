/** Central finite-difference check of an analytic gradient (shared by the learners' tests). */
import assert from 'node:assert/strict';
import { Random } from '../../src/random.js';

export function checkGradient(f: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, options: { h?: number; coords?: number; tol?: number; seed?: number } = {}): number {
  const h = options.h ?? 1e-6;
  const g = new Float64Array(x0.length);
  f(x0, g);
  const rng = new Random(options.seed ?? 1);
  const coords = Math.min(options.coords ?? 12, x0.length);
  const picks = rng.sample(x0.length, coords);
  let gmax = 0;
  for (const v of g) gmax = Math.max(gmax, Math.abs(v));
  let worst = 0;
  const scratch = new Float64Array(x0.length);
  for (const c of picks) {
    const xp = x0.slice(); xp[c] += h;
    const xm = x0.slice(); xm[c] -= h;
    const fd = (f(xp, scratch) - f(xm, scratch)) / (2 * h);
    const err = Math.abs(fd - g[c]) / Math.max(1e-8, gmax);
    worst = Math.max(worst, err);
    assert.ok(err < (options.tol ?? 1e-5), `coordinate ${c}: analytic ${g[c]}, finite difference ${fd}`);
  }
  // A direction check too: catches a gradient that is right per coordinate but mis-laid out.
  const dir = new Float64Array(x0.length).map(() => rng.normal());
  const xp = x0.slice(), xm = x0.slice();
  let gd = 0;
  for (let i = 0; i < x0.length; i++) { xp[i] += h * dir[i]; xm[i] -= h * dir[i]; gd += g[i] * dir[i]; }
  const fd = (f(xp, scratch) - f(xm, scratch)) / (2 * h);
  assert.ok(Math.abs(fd - gd) <= (options.tol ?? 1e-5) * Math.max(1, Math.abs(gd)) * 10, `directional derivative: analytic ${gd}, finite difference ${fd}`);
  return worst;
}
