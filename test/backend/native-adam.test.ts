import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireNative } from './native-helpers.js';
import { jsBackend } from '../../src/backend/js-backend.js';
import { Random } from '../../src/random.js';
import { Adam, AdamW } from '../../src/deep/optim/adam.js';

const native = requireNative();

/** Coefficients of step t as Adam.update forms them. */
function coefficients(t: number, lr: number, wd: number, decoupled: boolean): Float64Array {
  const b1 = 0.9, b2 = 0.999;
  return Float64Array.of(b1, b2, 1 - b1, 1 - b2, 1e-8, lr / (1 - b1 ** t), 1 / Math.sqrt(1 - b2 ** t), decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1);
}

test('adamStep: the native kernel gives the JS reference bits over many steps, with coupled and decoupled decay', () => {
  const r = new Random(31);
  for (const [wd, decoupled] of [[0, false], [0.01, false], [0.05, true]] as const) {
    const n = 1037; // not a multiple of any vector width
    const val = r.fillNormal(new Float32Array(n));
    for (let i = 0; i < n; i += 7) val[i] *= 1e-6; // tiny and large weights alike
    for (let i = 3; i < n; i += 11) val[i] *= 1e4;
    const sides = [jsBackend, native].map(() => ({ val: val.slice(), m: new Float32Array(n), v: new Float32Array(n) }));
    for (let t = 1; t <= 25; t++) {
      const g = r.fillNormal(new Float32Array(n));
      for (let i = 5; i < n; i += 13) g[i] = 0; // a weight without gradient still decays
      const c = coefficients(t, 1e-3, wd, decoupled);
      jsBackend.adamStep(sides[0].val, g, sides[0].m, sides[0].v, c);
      native.adamStep(sides[1].val, g, sides[1].m, sides[1].v, c);
    }
    for (const key of ['val', 'm', 'v'] as const) {
      const a = sides[0][key], b = sides[1][key];
      for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) assert.fail(`wd ${wd} ${decoupled ? 'decoupled' : 'coupled'}: ${key}[${i}] native ${b[i]} vs JS ${a[i]}`);
    }
  }
});

test('adamStep: a first step moves every weight by lr against its gradient sign (the bias-corrected step), and bad arguments are refused', () => {
  for (const be of [jsBackend, native]) {
    const val = Float32Array.of(1, -2, 0.5), g = Float32Array.of(0.3, -4, 1e-3);
    be.adamStep(val, g, new Float32Array(3), new Float32Array(3), coefficients(1, 0.01, 0, false));
    // m̂ = g, v̂ = g², so the step is lr · g / (|g| + eps) = ±lr.
    assert.ok(Math.abs(val[0] - 0.99) < 1e-6 && Math.abs(val[1] + 1.99) < 1e-6 && Math.abs(val[2] - 0.49) < 1e-4, `${be.name}: ${Array.from(val)}`);
    assert.throws(() => be.adamStep(new Float32Array(3), new Float32Array(2), new Float32Array(3), new Float32Array(3), coefficients(1, 0.01, 0, false)), /adamStep: value, grad, m and v must have one length/);
    assert.throws(() => be.adamStep(new Float32Array(3), new Float32Array(3), new Float32Array(3), new Float32Array(3), new Float64Array(8)), /adamStep: expected 9 coefficients, got 8/);
  }
  assert.throws(() => native.adamStep(new Float64Array(3) as never, new Float32Array(3), new Float32Array(3), new Float32Array(3), coefficients(1, 0.01, 0, false)), /adamStep: val must be a Float32Array/);
});

test('Adam and AdamW take their step through the backend: one step on a quadratic moves each weight by lr towards its minimum', () => {
  for (const Opt of [Adam, AdamW]) {
    const p = { name: 'w', value: Float32Array.of(2, -3), grad: new Float32Array(2), shape: [2] };
    const opt = new Opt([p as never], { lr: 0.1, weightDecay: 0 });
    p.grad.set([2 * p.value[0], 2 * p.value[1]]); // ∇ of ‖w‖²
    opt.step();
    assert.ok(Math.abs(p.value[0] - 1.9) < 1e-6 && Math.abs(p.value[1] + 2.9) < 1e-6, `${Opt.name}: ${Array.from(p.value)}`);
  }
});
