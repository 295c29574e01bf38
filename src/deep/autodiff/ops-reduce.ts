/**
 * Reductions, row-wise normalisation and indexing: sum/mean, row and column sums, log-sum-exp,
 * L2 normalisation of rows, and gathering rows or single entries by index.
 */
import { Tensor } from './tensor.js';

/** Sum of every element, as 1 x 1. */
export function sum(x: Tensor): Tensor {
  const tape = x.tape;
  const out = tape.output(1, 1, x);
  const xd = x.data;
  let s = 0;
  for (let i = 0; i < xd.length; i++) s += xd[i];
  out.data[0] = s;
  tape.record(out, () => {
    const g = out.grad![0], gx = tape.gradOf(x);
    for (let i = 0; i < gx.length; i++) gx[i] += g;
  });
  return out;
}

/** Mean of every element, as 1 x 1. */
export function mean(x: Tensor): Tensor {
  if (x.size === 0) throw new RangeError('mean: the tensor is empty');
  const tape = x.tape;
  const out = tape.output(1, 1, x);
  const xd = x.data;
  let s = 0;
  for (let i = 0; i < xd.length; i++) s += xd[i];
  out.data[0] = s / xd.length;
  tape.record(out, () => {
    const g = out.grad![0] / xd.length, gx = tape.gradOf(x);
    for (let i = 0; i < gx.length; i++) gx[i] += g;
  });
  return out;
}

/** Sum of each row, as rows x 1. */
export function rowSum(x: Tensor): Tensor {
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  const out = tape.output(n, 1, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += xd[i * d + j];
    y[i] = s;
  }
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) gx[i * d + j] += g[i];
  });
  return out;
}

/** Sum of each column, as 1 x cols. */
export function colSum(x: Tensor): Tensor {
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  const out = tape.output(1, d, x);
  const xd = x.data, y = out.data;
  y.fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) y[j] += xd[i * d + j];
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) gx[i * d + j] += g[j];
  });
  return out;
}

/** log Σ_j exp(x_ij) for each row, as rows x 1, shifted by the row maximum for stability. */
export function logSumExp(x: Tensor): Tensor {
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  if (d === 0) throw new RangeError('logSumExp: rows are empty');
  const out = tape.output(n, 1, x);
  const xd = x.data, y = out.data;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let m = -Infinity;
    for (let j = 0; j < d; j++) if (xd[row + j] > m) m = xd[row + j];
    if (m === -Infinity) { y[i] = -Infinity; continue; }
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.exp(xd[row + j] - m);
    y[i] = m + Math.log(s);
  }
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < n; i++) {
      if (y[i] === -Infinity) continue;
      const row = i * d;
      // ∂ lse / ∂ x_ij = softmax_ij = exp(x_ij − lse_i)
      for (let j = 0; j < d; j++) gx[row + j] += g[i] * Math.exp(xd[row + j] - y[i]);
    }
  });
  return out;
}

/**
 * Each row divided by max(‖row‖₂, eps), as torch.nn.functional.normalize does; rows shorter
 * than eps are only scaled, so the gradient there is 1/eps, not a division by zero.
 */
export function l2Normalize(x: Tensor, eps = 1e-12): Tensor {
  const tape = x.tape;
  const n = x.rows, d = x.cols;
  const out = tape.output(n, d, x);
  const norms = tape.alloc(n);
  const xd = x.data, y = out.data;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += xd[row + j] * xd[row + j];
    const nrm = Math.sqrt(s);
    norms[i] = nrm;
    const inv = 1 / Math.max(nrm, eps);
    for (let j = 0; j < d; j++) y[row + j] = xd[row + j] * inv;
  }
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      const nrm = norms[i];
      if (nrm <= eps) {
        const inv = 1 / eps;
        for (let j = 0; j < d; j++) gx[row + j] += g[row + j] * inv;
        continue;
      }
      // d(x/‖x‖) = (I − y yᵀ) / ‖x‖
      let dot = 0;
      for (let j = 0; j < d; j++) dot += g[row + j] * y[row + j];
      const inv = 1 / nrm;
      for (let j = 0; j < d; j++) gx[row + j] += (g[row + j] - y[row + j] * dot) * inv;
    }
  });
  return out;
}

/** The rows of x at `indices` (repeats allowed); the backward pass scatter-adds. */
export function gatherRows(x: Tensor, indices: Int32Array): Tensor {
  const tape = x.tape;
  const d = x.cols, m = indices.length;
  for (let r = 0; r < m; r++) {
    const i = indices[r];
    if (!(i >= 0 && i < x.rows)) throw new RangeError(`gatherRows: index ${i} at position ${r} is outside 0..${x.rows - 1}`);
  }
  const out = tape.output(m, d, x);
  const xd = x.data, y = out.data;
  for (let r = 0; r < m; r++) y.set(xd.subarray(indices[r] * d, indices[r] * d + d), r * d);
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let r = 0; r < m; r++) {
      const src = r * d, dst = indices[r] * d;
      for (let j = 0; j < d; j++) gx[dst + j] += g[src + j];
    }
  });
  return out;
}

/** The entries x[rows[t], cols[t]], as m x 1 (e.g. the logit of each sample's class). */
export function pick(x: Tensor, rows: Int32Array, cols: Int32Array): Tensor {
  if (rows.length !== cols.length) throw new RangeError(`pick: ${rows.length} row indices but ${cols.length} column indices`);
  const tape = x.tape;
  const m = rows.length, d = x.cols;
  for (let t = 0; t < m; t++) {
    if (!(rows[t] >= 0 && rows[t] < x.rows && cols[t] >= 0 && cols[t] < d)) throw new RangeError(`pick: (${rows[t]}, ${cols[t]}) at position ${t} is outside ${x.rows} x ${d}`);
  }
  const out = tape.output(m, 1, x);
  const xd = x.data, y = out.data;
  for (let t = 0; t < m; t++) y[t] = xd[rows[t] * d + cols[t]];
  tape.record(out, () => {
    const g = out.grad!, gx = tape.gradOf(x);
    for (let t = 0; t < m; t++) gx[rows[t] * d + cols[t]] += g[t];
  });
  return out;
}
