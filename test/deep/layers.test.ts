import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/random.js';
import { Tape, gradCheck, gradCheckParameters } from '../../src/deep/autodiff/index.js';
import { Linear, MLP, LayerNorm, BatchNorm1d, Dropout, L2Normalize, Activation, getState, setState, type Module } from '../../src/deep/layers/index.js';

const ctx = (training = true, seed = 3) => ({ training, rng: new Random(seed) });

function randomInput(rows: number, cols: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: rows * cols }, () => r.normal());
}

/** Checks the gradients of the input and of every parameter of a module by finite differences. */
function checkModule(name: string, make: () => Module, rows: number, cols: number, training = true) {
  test(`layer gradient check: ${name}`, () => {
    const m = make();
    const x = randomInput(rows, cols, 11);
    // The same dropout mask on every evaluation: the rng is re-seeded per forward pass.
    const r = gradCheck(([t]) => m.forward(t, ctx(training)), [{ data: x, rows, cols }], { eps: 1e-3 });
    assert.ok(r.maxRelError < 3e-3, `${name}: input gradient error ${r.maxRelError}`);
    const p = gradCheckParameters((tape) => m.forward(tape.constant(x, rows, cols), ctx(training)), m.parameters(), { eps: 1e-3 });
    assert.ok(p.maxRelError < 3e-3, `${name}: parameter gradient error ${p.maxRelError} at ${p.worst}`);
  });
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

checkModule('Linear', () => new Linear(3, 4, { seed: 1 }), 5, 3);
checkModule('LayerNorm', () => new LayerNorm(4), 3, 4);
checkModule('BatchNorm1d (training)', () => new BatchNorm1d(3), 6, 3);
checkModule('MLP relu + L2', () => new MLP({ inputDim: 3, hidden: [5], outputDim: 2, seed: 2 }), 4, 3);
checkModule('MLP gelu + layer norm', () => new MLP({ inputDim: 3, hidden: [4, 4], outputDim: 3, activation: 'gelu', norm: 'layer', seed: 3 }), 4, 3);
checkModule('MLP tanh + batch norm + dropout', () => new MLP({ inputDim: 3, hidden: [4], outputDim: 2, activation: 'tanh', norm: 'batch', dropout: 0.25, seed: 4 }), 6, 3);

test('Linear initialisation follows torch: U(−1/√in, 1/√in), seeded', () => {
  const a = new Linear(16, 8, { seed: 5 });
  const b = new Linear(16, 8, { seed: 5 });
  assert.deepEqual(Array.from(a.weight.value), Array.from(b.weight.value));
  const bound = 1 / 4;
  let mx = 0;
  for (const v of a.weight.value) mx = Math.max(mx, Math.abs(v));
  assert.ok(mx <= bound && mx > 0.8 * bound, `max |w| ${mx}`);
  assert.equal(a.bias!.noDecay, true);
  assert.notDeepEqual(Array.from(new Linear(16, 8, { seed: 6 }).weight.value), Array.from(a.weight.value));
});

test('MLP output rows are unit length and structure follows the spec', () => {
  const m = new MLP({ inputDim: 64, hidden: [128], outputDim: 32, seed: 0 });
  assert.deepEqual(m.parameters().map((p) => p.name), ['hidden.0.linear.weight', 'hidden.0.linear.bias', 'output.weight', 'output.bias']);
  const tape = new Tape();
  const y = m.forward(tape.constant(randomInput(10, 64, 1), 10, 64), ctx(false));
  for (let i = 0; i < 10; i++) {
    let s = 0;
    for (let j = 0; j < 32; j++) s += y.data[i * 32 + j] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
  assert.throws(() => m.forward(tape.constant(new Float32Array(10), 2, 5), ctx()), /5 features, the head expects 64/);
  assert.throws(() => new MLP({ inputDim: 4, outputDim: 0 }), /outputDim/);
  assert.throws(() => new MLP({ inputDim: 4, outputDim: 2, dropout: 1 }), /dropout/);
  assert.throws(() => new Activation('swish' as never), /unknown activation/);
});

test('dropout is identity at inference and keeps the expected scale while training', () => {
  const d = new Dropout(0.5);
  const tape = new Tape();
  const x = tape.constant(new Float32Array(10000).fill(1), 100, 100);
  assert.equal(d.forward(x, ctx(false)), x);
  const y = d.forward(x, ctx(true));
  let s = 0, zeros = 0;
  for (const v of y.data) { s += v; if (v === 0) zeros++; }
  assert.ok(Math.abs(s / 10000 - 1) < 0.05);
  assert.ok(zeros > 4500 && zeros < 5500);
  assert.ok(new L2Normalize().parameters().length === 0);
});

test('state round trip restores outputs, including batch-norm running statistics', () => {
  const a = new MLP({ inputDim: 4, hidden: [6], outputDim: 3, norm: 'batch', seed: 1 });
  const tape = new Tape();
  const x = randomInput(8, 4, 2);
  a.forward(tape.constant(x, 8, 4), ctx(true)); // moves the running statistics
  const state = getState(a);
  const b = new MLP({ inputDim: 4, hidden: [6], outputDim: 3, norm: 'batch', seed: 99 });
  setState(b, state);
  const ya = a.forward(tape.constant(x, 8, 4), ctx(false)).data.slice();
  const yb = b.forward(tape.constant(x, 8, 4), ctx(false)).data.slice();
  assert.deepEqual(Array.from(yb), Array.from(ya));
  delete state['hidden.0.norm.running_var'];
  assert.throws(() => setState(b, state, 'head.bin'), /head.bin: missing array "hidden.0.norm.running_var"/);
});
