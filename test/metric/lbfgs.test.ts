import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeLbfgs } from '../../src/metric/optim/lbfgs.js';
import { Random } from '../../src/random.js';

/** Rosenbrock in `n` variables (chained); minimum 0 at (1, …, 1). */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

test('L-BFGS: the 2-D Rosenbrock function from (−1.2, 1) reaches its minimum at (1, 1)', () => {
  const r = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { maxIter: 200, gtol: 1e-8 });
  assert.ok(r.converged, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6, `x = ${r.x}`);
  assert.ok(r.f < 1e-12, `f = ${r.f}`);
  // A quasi-Newton method needs a few dozen steps here, steepest descent thousands.
  assert.ok(r.nIter < 60, `${r.nIter} iterations`);
});

test('L-BFGS: a 5000-variable quadratic (backend vector operations) reaches its known minimiser', () => {
  // f = ½ Σ c_i (x_i − t_i)², c_i in [1, 10]: minimiser t, condition number 10.
  const n = 5000;
  const rng = new Random(3);
  const c = Float64Array.from({ length: n }, () => 1 + 9 * rng.uniform());
  const t = Float64Array.from({ length: n }, () => rng.normal());
  const f = (x: Float64Array, g: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i] - t[i];
      s += 0.5 * c[i] * v * v;
      g[i] = c[i] * v;
    }
    return s;
  };
  const r = minimizeLbfgs(f, new Float64Array(n), { maxIter: 200, gtol: 1e-9, ftol: 0 });
  assert.ok(r.converged, r.reason);
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(r.x[i] - t[i]));
  assert.ok(err < 1e-8, `max |x − t| = ${err}`);
});

test('L-BFGS: the objective gets a zeroed gradient on every call, and the result is not recycled', () => {
  // This objective only adds into its gradient (as rosenbrock above does), so a reused buffer
  // holding an earlier gradient would corrupt the search; and it keeps no reference.
  const n = 3000;
  const x0 = new Float64Array(n).fill(-0.5);
  let dirty = 0;
  const r = minimizeLbfgs((x, g) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (g[i] !== 0) dirty++;
      const v = x[i] - (i % 3);
      s += (1 + (i % 5)) * v * v;
      g[i] += 2 * (1 + (i % 5)) * v;
    }
    return s;
  }, x0, { maxIter: 200, gtol: 1e-9, ftol: 0 });
  assert.equal(dirty, 0);
  assert.ok(r.converged && r.f < 1e-16, `f = ${r.f}`);
  const kept = r.x.slice();
  // Another minimisation must not write into the first result's arrays.
  minimizeLbfgs(rosenbrock, new Float64Array(n), { maxIter: 5 });
  assert.deepEqual(r.x, kept);
  assert.equal(x0[0], -0.5, 'the starting point is not modified');
});

test('L-BFGS: a non-finite objective at the start is an error naming it', () => {
  assert.throws(() => minimizeLbfgs(() => NaN, new Float64Array(3)), /not finite at the starting point/);
});
