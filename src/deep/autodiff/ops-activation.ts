/**
 * Element-wise non-linearities. Each keeps what its derivative needs (input or output) and
 * applies the chain rule in one pass.
 */
import { Tensor } from './tensor.js';

export function relu(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const xd = x.data, y = out.data;
  // Branch-free: about half the signs are unpredictable, and a mispredicted branch per element
  // costs more than the arithmetic. (x + |x|) / 2 is exact in floating point.
  for (let i = 0; i < y.length; i++) y[i] = (xd[i] + Math.abs(xd[i])) * 0.5;
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    // y ≥ 0, so its bit pattern read as int32 is > 0 exactly when y > 0; (−bits) >>> 31 is that 0/1 mask.
    const bits = new Int32Array(y.buffer, y.byteOffset, y.length);
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * ((-bits[i]) >>> 31);
  });
  return out;
}

export function tanh(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.tanh(xd[i]);
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * (1 - y[i] * y[i]);
  });
  return out;
}

export function sigmoid(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = sigmoidScalar(xd[i]);
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * y[i] * (1 - y[i]);
  });
  return out;
}

/** log(1 + eˣ), computed without overflow; its derivative is the sigmoid. */
export function softplus(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = softplusScalar(xd[i]);
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * sigmoidScalar(xd[i]);
  });
  return out;
}

/**
 * GELU, the exact form x·Φ(x) (Hendrycks & Gimpel 2016, "Gaussian Error Linear Units"), as
 * torch.nn.GELU() computes by default; Φ uses an erf accurate to ~1e-7, below fp32 resolution.
 */
export function gelu(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = xd[i] * normalCdf(xd[i]);
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < g.length; i++) {
      const v = xd[i];
      gx[i] += g[i] * (normalCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  });
  return out;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function sigmoidScalar(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export function softplusScalar(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/** Φ(x) = (1 + erf(x/√2)) / 2. */
export function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x * Math.SQRT1_2));
}

/**
 * erf: Cody's rational approximation near zero (relative error ~1e-15, so GELU stays exact for
 * small inputs), Abramowitz & Stegun 7.1.26 elsewhere (absolute error below 1.5e-7, under the
 * resolution of fp32).
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const num = (((1.85777706184603153e-1 * t + 3.16112374387056560) * t + 1.13864154151050156e2) * t + 3.77485237685302021e2) * t + 3.20937758913846947e3;
    const den = (((t + 2.36012909523441209e1) * t + 2.44024637934444173e2) * t + 1.28261652607737228e3) * t + 2.84423683343917062e3;
    return (x * num) / den;
  }
  const k = 1 / (1 + 0.3275911 * ax);
  const poly = ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k;
  const v = 1 - poly * Math.exp(-ax * ax);
  return x > 0 ? v : -v;
}
