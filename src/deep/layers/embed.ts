/** Inference: a module's output for many rows, in chunks, without recording a graph. */
import { Matrix } from '../../matrix.js';
import { Random } from '../../random.js';
import { Tape } from '../autodiff/tensor.js';
import type { Module } from './module.js';

/** Embeds every row of X (float32) in evaluation mode (no dropout, running batch-norm statistics). */
export function embed(model: Module, X: Matrix<Float32Array>, chunk = 4096): Matrix<Float32Array> {
  const tape = new Tape({ pool: false });
  tape.enabled = false;
  const ctx = { training: false, rng: new Random(0) };
  let out: Float32Array | null = null;
  let dim = 0;
  for (let start = 0; start < X.rows; start += chunk) {
    const end = Math.min(X.rows, start + chunk);
    const y = model.forward(tape.constant(X.data.subarray(start * X.cols, end * X.cols), end - start, X.cols), ctx);
    if (!out) {
      dim = y.cols;
      out = new Float32Array(X.rows * dim);
    }
    out.set(y.data, start * dim);
  }
  if (!out) {
    // No rows: run one empty pass for the output width.
    const y = model.forward(tape.constant(new Float32Array(0), 0, X.cols), ctx);
    return new Matrix(0, y.cols, new Float32Array(0));
  }
  return new Matrix(X.rows, dim, out);
}
