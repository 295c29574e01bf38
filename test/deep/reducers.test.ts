import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvgNonZeroReducer, MeanReducer, ThresholdReducer, reducerByName, resolveReducer } from '../../src/deep/reducers/index.js';

const terms = Float64Array.from([0, 0.5, 2, 0, 4]);

test('mean reducer: all terms, weights 1/n', () => {
  const r = new MeanReducer().reduce(terms);
  assert.equal(r.loss, 6.5 / 5);
  assert.deepEqual(Array.from(r.weights), [0.2, 0.2, 0.2, 0.2, 0.2]);
  assert.equal(r.active, 3);
});

test('avg-non-zero reducer: mean over positive terms, zero weight elsewhere', () => {
  const r = new AvgNonZeroReducer().reduce(terms);
  assert.equal(r.loss, 6.5 / 3);
  assert.deepEqual(Array.from(r.weights), [0, 1 / 3, 1 / 3, 0, 1 / 3]);
  assert.equal(new AvgNonZeroReducer().reduce(Float64Array.from([0, 0])).loss, 0);
});

test('threshold reducer: low < term < high, strict on both sides', () => {
  const r = new ThresholdReducer({ low: 0.5, high: 4 }).reduce(terms);
  assert.equal(r.loss, 2);
  assert.deepEqual(Array.from(r.weights), [0, 0, 1, 0, 0]);
  assert.equal(new ThresholdReducer({ high: 1 }).reduce(terms).loss, 0.5 / 3);
  assert.equal(new ThresholdReducer({ low: 10 }).reduce(terms).loss, 0, 'nothing kept: loss 0');
  assert.throws(() => new ThresholdReducer({ low: 2, high: 1 }), /low \(2\) must be below high \(1\)/);
  assert.throws(() => new ThresholdReducer({}), /give low, high or both/);
});

test('empty terms reduce to 0; names resolve', () => {
  assert.equal(new MeanReducer().reduce(new Float64Array(0)).loss, 0);
  assert.equal(reducerByName('avg-non-zero').name, 'avg-non-zero');
  assert.equal((resolveReducer({ name: 'threshold', low: 1 }, () => new MeanReducer(), 'x') as ThresholdReducer).low, 1);
  assert.throws(() => reducerByName('sum'), /unknown name "sum"; use one of mean, avg-non-zero, threshold/);
});
