import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../src/random.js';
import {
  Tape, gradCheck, matmul, linear, add, sub, mul, addRowVector, mulRowVector, affineScalar,
  relu, tanh, sigmoid, softplus, gelu, erf, sum, mean, rowSum, colSum, logSumExp, l2Normalize,
  gatherRows, pick, standardizeRows, standardizeCols, dropout, type Tensor,
} from '../../src/deep/autodiff/index.js';

function input(rows: number, cols: number, seed: number, scale = 1) {
  const r = new Random(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r.normal() * scale;
  return { data, rows, cols };
}

const TOL = 2e-3;

function check(name: string, fn: (t: Tensor[]) => Tensor, inputs: ReturnType<typeof input>[], tol = TOL) {
  test(`gradient check: ${name}`, () => {
    const r = gradCheck(fn, inputs);
    assert.ok(r.maxRelError < tol, `${name}: max relative error ${r.maxRelError}`);
    // The check must have exercised non-zero gradients.
    assert.ok(r.analytic.some((g) => g.some((v) => Math.abs(v) > 1e-4)), `${name}: all gradients vanish`);
  });
}

check('matmul A B', ([a, b]) => matmul(a, b), [input(3, 4, 1), input(4, 2, 2)]);
check('matmul A Bᵀ', ([a, b]) => matmul(a, b, false, true), [input(3, 4, 3), input(2, 4, 4)]);
check('matmul Aᵀ B', ([a, b]) => matmul(a, b, true, false), [input(4, 3, 5), input(4, 2, 6)]);
check('matmul Aᵀ Bᵀ', ([a, b]) => matmul(a, b, true, true), [input(4, 3, 7), input(2, 4, 8)]);
check('matmul with itself', ([a]) => matmul(a, a, false, true), [input(3, 4, 9)]);
check('linear with bias', ([x, w, b]) => linear(x, w, b), [input(5, 3, 10), input(4, 3, 11), input(1, 4, 12)]);
check('linear without bias', ([x, w]) => linear(x, w, null), [input(5, 3, 13), input(4, 3, 14)]);
check('add', ([a, b]) => add(a, b), [input(2, 3, 15), input(2, 3, 16)]);
check('sub', ([a, b]) => sub(a, b), [input(2, 3, 17), input(2, 3, 18)]);
check('mul', ([a, b]) => mul(a, b), [input(2, 3, 19), input(2, 3, 20)]);
check('addRowVector (bias)', ([a, v]) => addRowVector(a, v), [input(3, 3, 21), input(1, 3, 22)]);
check('mulRowVector (gain)', ([a, v]) => mulRowVector(a, v), [input(3, 3, 23), input(1, 3, 24)]);
check('affineScalar', ([a]) => affineScalar(a, -2.5, 1), [input(2, 3, 25)]);
// Keep inputs away from the kink at 0, where the finite difference straddles it.
check('relu', ([a]) => relu(a), [{ data: Float32Array.from([0.5, -0.7, 1.2, -0.3, 0.9, -1.1]), rows: 2, cols: 3 }]);
check('tanh', ([a]) => tanh(a), [input(2, 4, 26)]);
check('sigmoid', ([a]) => sigmoid(a), [input(2, 4, 27, 3)]);
check('softplus', ([a]) => softplus(a), [input(2, 4, 28, 3)]);
check('gelu', ([a]) => gelu(a), [input(2, 4, 29, 2)]);
check('sum', ([a]) => sum(a), [input(3, 2, 30)]);
check('mean', ([a]) => mean(a), [input(3, 2, 31)]);
check('rowSum', ([a]) => rowSum(a), [input(3, 4, 32)]);
check('colSum', ([a]) => colSum(a), [input(3, 4, 33)]);
check('logSumExp', ([a]) => logSumExp(a), [input(3, 5, 34, 3)]);
check('l2Normalize', ([a]) => l2Normalize(a), [input(4, 3, 35)]);
check('gatherRows with repeats', ([a]) => gatherRows(a, Int32Array.from([2, 0, 2, 1])), [input(3, 3, 36)]);
check('pick', ([a]) => pick(a, Int32Array.from([0, 1, 1]), Int32Array.from([2, 0, 2])), [input(2, 3, 37)]);
check('standardizeRows (layer norm)', ([a]) => standardizeRows(a), [input(3, 5, 38)]);
check('standardizeCols training (batch norm)', ([a]) => standardizeCols(a, { runningMean: new Float32Array(3), runningVar: new Float32Array(3).fill(1), momentum: 0.1 }, true), [input(5, 3, 39)]);
check('standardizeCols inference', ([a]) => standardizeCols(a, { runningMean: Float32Array.from([0.5, -1, 2]), runningVar: Float32Array.from([4, 0.25, 1]), momentum: 0.1 }, false), [input(5, 3, 40)]);
check('dropout (fixed mask per seed)', ([a]) => dropout(a, 0.3, new Random(5), true), [input(4, 4, 41)]);
check('composite: MLP layer + L2 + logSumExp', ([x, w, b]) => logSumExp(l2Normalize(gelu(linear(x, w, b)))), [input(4, 3, 42), input(5, 3, 43), input(1, 5, 44)]);

test('forward values match hand computation', () => {
  const tape = new Tape();
  const a = tape.variable(Float32Array.from([1, 2, 3, 4]), 2, 2);
  const b = tape.constant(Float32Array.from([1, 0, -1, 2]), 2, 2);
  assert.deepEqual(Array.from(matmul(a, b).data), [-1, 4, -1, 8]);
  assert.deepEqual(Array.from(l2Normalize(tape.constant(Float32Array.from([3, 4]), 1, 2)).data), [Math.fround(0.6), Math.fround(0.8)]);
  const lse = logSumExp(tape.constant(Float32Array.from([1000, 1000]), 1, 2)).data[0];
  assert.ok(Math.abs(lse - (1000 + Math.LN2)) < 1e-3, 'log-sum-exp must not overflow');
  assert.equal(softplus(tape.constant(Float32Array.from([-200, 200]), 1, 2)).data[1], 200);
  assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 2e-7);
  assert.ok(Math.abs(erf(-0.3) + 0.3286267594591112) < 1e-12);
  const z = standardizeRows(tape.constant(Float32Array.from([1, 2, 3]), 1, 3), 0).data;
  assert.ok(Math.abs(z[0] + Math.sqrt(1.5)) < 1e-5 && Math.abs(z[1]) < 1e-6);
});

test('parameters accumulate gradients across uses and the pool reuses buffers', () => {
  const p = { name: 'w', value: Float32Array.from([2, -1]), grad: new Float32Array(2), shape: [1, 2] };
  const tape = new Tape();
  const x = tape.constant(Float32Array.from([1, 1, 3, 3]), 2, 2);
  for (let step = 0; step < 2; step++) {
    const w1 = tape.parameter(p, 1, 2);
    const w2 = tape.parameter(p, 1, 2);
    // L = Σ (x ⊙ w) + Σ w  ⇒ dL/dw = colsum(x) + 1 = [5, 5]
    const out = add(sum(mulRowVector(x, w1)), sum(w2));
    tape.backward(out);
    tape.reset();
  }
  assert.deepEqual(Array.from(p.grad), [10, 10]);
  const a = tape.alloc(7);
  tape.reset();
  assert.equal(tape.alloc(7), a, 'a returned buffer of the same size is reused');
});

test('inference mode records nothing; bad shapes are named', () => {
  const tape = new Tape();
  tape.enabled = false;
  const p = { name: 'w', value: new Float32Array(6), grad: new Float32Array(6), shape: [2, 3] };
  const y = linear(tape.constant(new Float32Array(6), 2, 3), tape.parameter(p, 2, 3), null);
  assert.equal(tape.size, 0);
  assert.equal(y.requiresGrad, false);
  const t2 = new Tape();
  assert.throws(() => matmul(t2.constant(new Float32Array(6), 2, 3), t2.constant(new Float32Array(4), 2, 2)), /inner dimensions/);
  assert.throws(() => add(t2.constant(new Float32Array(6), 2, 3), t2.constant(new Float32Array(6), 3, 2)), /add: shapes/);
  assert.throws(() => gatherRows(t2.constant(new Float32Array(6), 2, 3), Int32Array.from([2])), /index 2/);
  assert.throws(() => t2.backward(t2.constant(new Float32Array(1), 1, 1)), /does not depend/);
  assert.throws(() => dropout(t2.constant(new Float32Array(1), 1, 1), 1, new Random(0), true), /p must be/);
});

test('batch norm updates running statistics like torch (unbiased variance)', () => {
  const tape = new Tape();
  const stats = { runningMean: new Float32Array(1), runningVar: new Float32Array(1).fill(1), momentum: 0.1 };
  standardizeCols(tape.constant(Float32Array.from([1, 2, 3, 6]), 4, 1), stats, true);
  // mean 3, unbiased variance (4 + 1 + 0 + 9) / 3 = 14/3
  assert.ok(Math.abs(stats.runningMean[0] - 0.3) < 1e-6);
  assert.ok(Math.abs(stats.runningVar[0] - (0.9 + 0.1 * 14 / 3)) < 1e-6);
});

test('backwardAll: two outputs sharing a parameter accumulate both gradients in one walk', () => {
  const p = { name: 'w', value: Float32Array.from([1, 2]), grad: new Float32Array(2), shape: [1, 2] };
  const tape = new Tape();
  const w = tape.parameter(p, 1, 2);
  const a = mulRowVector(tape.constant(Float32Array.from([3, 4]), 1, 2), w); // d/dw = [3, 4]·seedA
  const b = mulRowVector(tape.constant(Float32Array.from([5, 6]), 1, 2), w); // d/dw = [5, 6]·seedB
  tape.backwardAll([[a, Float32Array.from([1, 1])], [b, Float32Array.from([2, 0])]]);
  assert.deepEqual(Array.from(p.grad), [3 + 10, 4]);
  assert.throws(() => tape.backwardAll([[a, Float32Array.from([1])]]), /seed has 1 values/);
});
