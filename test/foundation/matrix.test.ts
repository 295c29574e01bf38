import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, ShapeError, asMatrix } from '../../src/matrix.js';

test('fromRows builds row-major data and rejects ragged rows with the row number', () => {
  const m = Matrix.from64([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.shape, [2, 3]);
  assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
  assert.throws(() => Matrix.from64([[1, 2], [3]]), (e: Error) => e instanceof ShapeError && /row 1 has 1 values/.test(e.message));
});

test('constructor refuses data of the wrong length', () => {
  assert.throws(() => new Matrix(2, 2, new Float64Array(3)), /needs 4/);
});

test('row() and sliceRows() are views; takeRows() copies', () => {
  const m = Matrix.from64([[1, 2], [3, 4], [5, 6]]);
  m.row(1)[0] = 30;
  assert.equal(m.get(1, 0), 30);
  const s = m.sliceRows(1, 3);
  s.set(0, 1, 40);
  assert.equal(m.get(1, 1), 40);
  const t = m.takeRows([2, 0]);
  t.set(0, 0, 99);
  assert.equal(m.get(2, 0), 5);
  assert.deepEqual(t.toArrays(), [[99, 6], [1, 2]]);
  assert.throws(() => m.takeRows([3]), /outside/);
});

test('transpose twice is the identity and swaps shape', () => {
  const m = Matrix.from64([[1, 2, 3], [4, 5, 6]]);
  const t = m.transpose();
  assert.deepEqual(t.toArrays(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(t.transpose().toArrays(), m.toArrays());
});

test('asMatrix rejects NaN and Inf naming the argument, row and column', () => {
  assert.throws(() => asMatrix([[1, 2], [3, NaN]], 'X'), /X: value at row 1, column 1 is NaN/);
  assert.throws(() => asMatrix([[Infinity]], 'queries'), /queries: value at row 0, column 0 is Infinity/);
});

test('dtype conversions preserve values', () => {
  const m = Matrix.from64([[0.5, -1.25]]);
  const f = m.toFloat32();
  assert.equal(f.dtype, 'float32');
  assert.deepEqual(Array.from(f.toFloat64().data), [0.5, -1.25]);
  assert.equal(Matrix.identity(3).get(2, 2), 1);
});
