import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGD, Adam, AdamW, makeSchedule, clipGradNorm, clipGradValue } from '../../src/deep/optim/index.js';
import type { Parameter } from '../../src/deep/types.js';

function param(values: number[], noDecay = false): Parameter {
  return { name: 'p', value: Float32Array.from(values), grad: new Float32Array(values.length), shape: [values.length], noDecay };
}

function stepWith(opt: { step(): void }, p: Parameter, grad: number[]) {
  p.grad.set(grad);
  opt.step();
}

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('SGD: plain, momentum, Nesterov and weight decay match hand-computed steps', () => {
  const a = param([1]);
  stepWith(new SGD([a], { lr: 0.1 }), a, [0.5]);
  close(a.value[0], 0.95);

  const b = param([1]);
  const mom = new SGD([b], { lr: 0.1, momentum: 0.9 });
  stepWith(mom, b, [0.5]); // buffer = 0.5
  stepWith(mom, b, [0.5]); // buffer = 0.9·0.5 + 0.5 = 0.95
  close(b.value[0], 1 - 0.05 - 0.095);

  const c = param([1]);
  stepWith(new SGD([c], { lr: 0.1, momentum: 0.9, nesterov: true }), c, [0.5]);
  close(c.value[0], 1 - 0.1 * (0.5 + 0.9 * 0.5));

  const d = param([1]), e = param([1], true);
  const wd = new SGD([d, e], { lr: 0.1, weightDecay: 0.1 });
  d.grad[0] = 0.5; e.grad[0] = 0.5;
  wd.step();
  close(d.value[0], 1 - 0.1 * (0.5 + 0.1));
  close(e.value[0], 0.95, 1e-7);
});

test('Adam: two bias-corrected steps match the paper\'s algorithm computed by hand', () => {
  const p = param([1]);
  const opt = new Adam([p], { lr: 0.1 });
  stepWith(opt, p, [0.5]);
  close(p.value[0], 0.900000002);
  stepWith(opt, p, [-1]);
  close(p.value[0], 0.9366103542405654);
});

test('AdamW decouples weight decay; Adam couples it into the gradient', () => {
  const w = param([1]);
  stepWith(new AdamW([w], { lr: 0.1, weightDecay: 0.1 }), w, [0.5]);
  close(w.value[0], 1 * (1 - 0.01) - 0.1); // shrink, then a step of lr·sign(g)
  const a = param([1]);
  stepWith(new Adam([a], { lr: 0.1, weightDecay: 0.1 }), a, [0.5]);
  close(a.value[0], 0.9); // the first Adam step is lr·sign(g + wd·p) regardless of scale
  const nd = param([1], true);
  stepWith(new AdamW([nd], { lr: 0.1, weightDecay: 0.5 }), nd, [0.5]);
  close(nd.value[0], 0.9, 1e-6);
});

test('optimisers minimise a quadratic', () => {
  for (const make of [(p: Parameter[]) => new SGD(p, { lr: 0.1, momentum: 0.9 }), (p: Parameter[]) => new Adam(p, { lr: 0.05 }), (p: Parameter[]) => new AdamW(p, { lr: 0.05, weightDecay: 0 })]) {
    const p = param([3, -2]);
    const opt = make([p]);
    for (let t = 0; t < 300; t++) {
      opt.zeroGrad();
      // f = (x − 1)² + 2 (y + 0.5)²
      p.grad[0] = 2 * (p.value[0] - 1);
      p.grad[1] = 4 * (p.value[1] + 0.5);
      opt.step();
    }
    close(p.value[0], 1, 1e-2);
    close(p.value[1], -0.5, 1e-2);
  }
});

test('bad optimiser settings are named', () => {
  const p = param([1]);
  assert.throws(() => new SGD([p], { lr: 0 }), /SGD: lr must be a positive number/);
  assert.throws(() => new SGD([p], { lr: 0.1, momentum: 1.5 }), /momentum/);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum/);
  assert.throws(() => new Adam([p], { beta2: 1 }), /beta2/);
  assert.throws(() => new AdamW([p, p]), /listed twice/);
});

test('schedules: step decay, cosine, linear warm-up', () => {
  const s = makeSchedule({ name: 'step', stepSize: 2, gamma: 0.5 }, 10);
  assert.deepEqual([0, 1, 2, 3, 4].map(s), [1, 1, 0.5, 0.5, 0.25]);
  const c = makeSchedule({ name: 'cosine' }, 4);
  close(c(0), 1); close(c(2), 0.5); close(c(4), 0);
  const cm = makeSchedule({ name: 'cosine', minFactor: 0.1 }, 4);
  close(cm(4), 0.1);
  const w = makeSchedule({ name: 'cosine', warmupSteps: 2 }, 6);
  close(w(0), 0.5); close(w(1), 1); close(w(2), 1); close(w(4), 0.5); close(w(6), 0);
  assert.equal(makeSchedule({ name: 'constant' }, 1)(100), 1);
  assert.throws(() => makeSchedule({ name: 'step' }, 10), /stepSize/);
  assert.throws(() => makeSchedule({ name: 'linear' as never }, 10), /unknown name "linear"/);
});

test('gradient clipping by norm and by value', () => {
  const a = param([0, 0]), b = param([0]);
  a.grad.set([3, 0]); b.grad.set([4]);
  const n = clipGradNorm([a, b], 1);
  close(n, 5);
  close(a.grad[0], 0.6, 1e-5); close(b.grad[0], 0.8, 1e-5);
  a.grad.set([0.3, 0]); b.grad.set([0.4]);
  clipGradNorm([a, b], 1);
  close(a.grad[0], 0.3); // under the limit: untouched
  a.grad.set([-5, 0.2]);
  clipGradValue([a], 1);
  assert.deepEqual(Array.from(a.grad), [-1, Math.fround(0.2)]);
  a.grad[0] = NaN;
  assert.throws(() => clipGradNorm([a], 1), /not finite/);
});
