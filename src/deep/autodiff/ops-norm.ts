/**
 * Standardisation ops behind layer and batch normalisation, and inverted dropout.
 *
 * Layer norm (Ba, Kiros & Hinton 2016) standardises each row; batch norm (Ioffe & Szegedy
 * 2015) standardises each column with the batch statistics while training and with running
 * estimates at inference. Both use the biased variance inside the normalisation, as the papers
 * and torch do; the affine gain and shift are separate ops (mulRowVector, addRowVector).
 */
import type { Random } from '../../random.js';
import { Tensor } from './tensor.js';

/** (x − mean) / sqrt(var + eps) along each row. */
export function standardizeRows(x: Tensor, eps = 1e-5): Tensor {
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  const out = tape.output(n, d, x);
  const invStd = tape.alloc(n);
  const xd = x.data, y = out.data;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let mu = 0;
    for (let j = 0; j < d; j++) mu += xd[row + j];
    mu /= d;
    let v = 0;
    for (let j = 0; j < d; j++) { const c = xd[row + j] - mu; v += c * c; }
    const is = 1 / Math.sqrt(v / d + eps);
    invStd[i] = is;
    for (let j = 0; j < d; j++) y[row + j] = (xd[row + j] - mu) * is;
  }
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let mg = 0, mgy = 0;
      for (let j = 0; j < d; j++) { mg += g[row + j]; mgy += g[row + j] * y[row + j]; }
      mg /= d; mgy /= d;
      const is = invStd[i];
      for (let j = 0; j < d; j++) gx[row + j] += is * (g[row + j] - mg - y[row + j] * mgy);
    }
  });
  return out;
}

export interface BatchStats {
  /** Running mean and (unbiased) variance per column, updated in place while training. */
  runningMean: Float32Array;
  runningVar: Float32Array;
  /** Weight of the new batch in the running estimates (torch's momentum, default 0.1). */
  momentum: number;
}

/**
 * (x − mean) / sqrt(var + eps) along each column. Training: batch statistics, and the running
 * estimates move towards them. Inference: the running estimates, a constant affine map.
 */
export function standardizeCols(x: Tensor, stats: BatchStats, training: boolean, eps = 1e-5): Tensor {
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  if (stats.runningMean.length !== d || stats.runningVar.length !== d) throw new RangeError(`standardizeCols: running statistics have ${stats.runningMean.length} features, input has ${d}`);
  const out = tape.output(n, d, x);
  const xd = x.data, y = out.data;
  const mu = tape.alloc(d), invStd = tape.alloc(d);
  if (training) {
    if (n < 2) throw new RangeError('batch norm: training needs at least 2 rows per batch (the variance of one row is undefined)');
    mu.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += xd[i * d + j];
    for (let j = 0; j < d; j++) mu[j] /= n;
    invStd.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const c = xd[i * d + j] - mu[j]; invStd[j] += c * c; }
    const m = stats.momentum;
    for (let j = 0; j < d; j++) {
      const v = invStd[j] / n;
      stats.runningMean[j] = (1 - m) * stats.runningMean[j] + m * mu[j];
      stats.runningVar[j] = (1 - m) * stats.runningVar[j] + m * v * (n / (n - 1));
      invStd[j] = 1 / Math.sqrt(v + eps);
    }
  } else {
    for (let j = 0; j < d; j++) { mu[j] = stats.runningMean[j]; invStd[j] = 1 / Math.sqrt(stats.runningVar[j] + eps); }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) y[i * d + j] = (xd[i * d + j] - mu[j]) * invStd[j];
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    if (!training) {
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) gx[i * d + j] += g[i * d + j] * invStd[j];
      return;
    }
    const mg = tape.zeros(d), mgy = tape.zeros(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const gv = g[i * d + j]; mg[j] += gv; mgy[j] += gv * y[i * d + j]; }
    for (let j = 0; j < d; j++) { mg[j] /= n; mgy[j] /= n; }
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
      const k = i * d + j;
      gx[k] += invStd[j] * (g[k] - mg[j] - y[k] * mgy[j]);
    }
  });
  return out;
}

/**
 * Inverted dropout (Srivastava et al. 2014): while training, each element is kept with
 * probability 1 − p and scaled by 1/(1 − p), so inference needs no rescaling.
 */
export function dropout(x: Tensor, p: number, rng: Random, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const tape = x.tape;
  const out = tape.output(x.rows, x.cols, x);
  const mask = tape.alloc(x.size);
  const keep = 1 / (1 - p);
  const xd = x.data, y = out.data;
  for (let i = 0; i < y.length; i++) {
    mask[i] = rng.next() >= p ? keep : 0;
    y[i] = xd[i] * mask[i];
  }
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < g.length; i++) gx[i] += g[i] * mask[i];
  });
  return out;
}
