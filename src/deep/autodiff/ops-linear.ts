/**
 * Linear-algebra ops: matrix products (through the backend's GEMM), element-wise sums and
 * products, scaling, and the fused affine map of a dense layer.
 */
import { getBackend } from '../../backend/index.js';
import { Tensor, assertSameShape } from './tensor.js';

/** op(a) · op(b), where op transposes when asked. */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) throw new RangeError(`matmul: inner dimensions differ (${m} x ${k} times ${kb} x ${n})`);
  if (a.tape !== b.tape) throw new Error('matmul: tensors belong to different tapes');
  const tape = a.tape;
  const out = tape.output(m, n, a, b);
  const be = getBackend();
  be.gemm(transA, transB, m, n, k, 1, a.data, a.cols, b.data, b.cols, 0, out.data, n);
  tape.record(out, () => {
    const g = out.grad!;
    if (a.requiresGrad) {
      const ga = tape.gradOf(a);
      // dA = dC op(B)ᵀ, laid out as A is stored.
      if (!transA) be.gemm(false, !transB, m, k, n, 1, g, n, b.data, b.cols, 1, ga, a.cols);
      else be.gemm(transB, true, k, m, n, 1, b.data, b.cols, g, n, 1, ga, a.cols);
    }
    if (b.requiresGrad) {
      const gb = tape.gradOf(b);
      if (!transB) be.gemm(!transA, false, k, n, m, 1, a.data, a.cols, g, n, 1, gb, b.cols);
      else be.gemm(true, transA, n, k, m, 1, g, n, a.data, a.cols, 1, gb, b.cols);
    }
  });
  return out;
}

/**
 * x Wᵀ + b for x (n x in), W (out x in, the layout of torch.nn.Linear) and b (1 x out) or null.
 * Fused so a dense layer costs one GEMM forward and two backward.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  if (x.cols !== w.cols) throw new RangeError(`linear: input has ${x.cols} features but the weight expects ${w.cols}`);
  if (b && (b.rows !== 1 || b.cols !== w.rows)) throw new RangeError(`linear: bias must be 1 x ${w.rows}, got ${b.rows} x ${b.cols}`);
  const tape = x.tape;
  const n = x.rows, din = x.cols, dout = w.rows;
  const out = b ? tape.output(n, dout, x, w, b) : tape.output(n, dout, x, w);
  const y = out.data;
  if (b) {
    const bd = b.data;
    for (let i = 0; i < n; i++) {
      const row = i * dout;
      for (let j = 0; j < dout; j++) y[row + j] = bd[j];
    }
  }
  const be = getBackend();
  be.gemm(false, true, n, dout, din, 1, x.data, din, w.data, din, b ? 1 : 0, y, dout);
  tape.record(out, () => {
    const g = out.grad!;
    if (x.requiresGrad) be.gemm(false, false, n, din, dout, 1, g, dout, w.data, din, 1, tape.gradOf(x), din);
    if (w.requiresGrad) be.gemm(true, false, dout, din, n, 1, g, dout, x.data, din, 1, tape.gradOf(w), din);
    if (b && b.requiresGrad) accumulateColumnSums(tape.gradOf(b), g, n, dout);
  });
  return out;
}

/** a + b, same shapes. */
export function add(a: Tensor, b: Tensor): Tensor {
  assertSameShape(a, b, 'add');
  const tape = a.tape;
  const out = tape.output(a.rows, a.cols, a, b);
  const ad = a.data, bd = b.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = ad[i] + bd[i];
  tape.record(out, () => {
    const g = out.grad!;
    if (a.requiresGrad) accumulate(tape.gradOf(a), g, 1);
    if (b.requiresGrad) accumulate(tape.gradOf(b), g, 1);
  });
  return out;
}

/** a − b, same shapes. */
export function sub(a: Tensor, b: Tensor): Tensor {
  assertSameShape(a, b, 'sub');
  const tape = a.tape;
  const out = tape.output(a.rows, a.cols, a, b);
  const ad = a.data, bd = b.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = ad[i] - bd[i];
  tape.record(out, () => {
    const g = out.grad!;
    if (a.requiresGrad) accumulate(tape.gradOf(a), g, 1);
    if (b.requiresGrad) accumulate(tape.gradOf(b), g, -1);
  });
  return out;
}

/** Element-wise (Hadamard) product, same shapes. */
export function mul(a: Tensor, b: Tensor): Tensor {
  assertSameShape(a, b, 'mul');
  const tape = a.tape;
  const out = tape.output(a.rows, a.cols, a, b);
  const ad = a.data, bd = b.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = ad[i] * bd[i];
  tape.record(out, () => {
    const g = out.grad!;
    if (a.requiresGrad) {
      const ga = tape.gradOf(a);
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * bd[i];
    }
    if (b.requiresGrad) {
      const gb = tape.gradOf(b);
      for (let i = 0; i < g.length; i++) gb[i] += g[i] * ad[i];
    }
  });
  return out;
}

/** x + v broadcast over rows, v being 1 x cols (a bias). */
export function addRowVector(x: Tensor, v: Tensor): Tensor {
  if (v.rows !== 1 || v.cols !== x.cols) throw new RangeError(`addRowVector: vector must be 1 x ${x.cols}, got ${v.rows} x ${v.cols}`);
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  const out = tape.output(n, d, x, v);
  const xd = x.data, vd = v.data, y = out.data;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) y[row + j] = xd[row + j] + vd[j];
  }
  tape.record(out, () => {
    const g = out.grad!;
    if (x.requiresGrad) accumulate(tape.gradOf(x), g, 1);
    if (v.requiresGrad) accumulateColumnSums(tape.gradOf(v), g, n, d);
  });
  return out;
}

/** x ⊙ v broadcast over rows, v being 1 x cols (a per-feature gain). */
export function mulRowVector(x: Tensor, v: Tensor): Tensor {
  if (v.rows !== 1 || v.cols !== x.cols) throw new RangeError(`mulRowVector: vector must be 1 x ${x.cols}, got ${v.rows} x ${v.cols}`);
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  const out = tape.output(n, d, x, v);
  const xd = x.data, vd = v.data, y = out.data;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) y[row + j] = xd[row + j] * vd[j];
  }
  tape.record(out, () => {
    const g = out.grad!;
    if (x.requiresGrad) {
      const gx = tape.gradOf(x);
      for (let i = 0; i < n; i++) {
        const row = i * d;
        for (let j = 0; j < d; j++) gx[row + j] += g[row + j] * vd[j];
      }
    }
    if (v.requiresGrad) {
      const gv = tape.gradOf(v);
      for (let i = 0; i < n; i++) {
        const row = i * d;
        for (let j = 0; j < d; j++) gv[j] += g[row + j] * xd[row + j];
      }
    }
  });
  return out;
}

/** s · x + c for constants s and c. */
export function affineScalar(x: Tensor, s: number, c = 0): Tensor {
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = s * xd[i] + c;
  tape.record(out, () => {
    if (x.requiresGrad) accumulate(tape.gradOf(x), out.grad!, s);
  });
  return out;
}

/** s · x. */
export function scale(x: Tensor, s: number): Tensor {
  return affineScalar(x, s, 0);
}

/** dst += alpha · src */
export function accumulate(dst: Float32Array, src: Float32Array, alpha: number): void {
  if (alpha === 1) for (let i = 0; i < dst.length; i++) dst[i] += src[i];
  else for (let i = 0; i < dst.length; i++) dst[i] += alpha * src[i];
}

/** dst[j] += Σ_i g[i, j] for an n x d g: the gradient of a row vector broadcast over n rows. */
function accumulateColumnSums(dst: Float32Array, g: Float32Array, n: number, d: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) dst[j] += g[row + j];
  }
}
