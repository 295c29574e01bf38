/** Shared helpers of the similarity-part tests (not a test file itself). */
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { retrievalMetrics } from '../../src/evaluation/retrieval.js';
import type { Loss, MinedTuples, Miner, Parameter, Reference } from '../../src/deep/types.js';

export function randomEmbeddings(n: number, d: number, seed: number, scale = 1): Matrix<Float32Array> {
  const r = new Random(seed);
  const a = new Float32Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = scale * r.normal();
  return new Matrix(n, d, a);
}

export function rows32(rows: number[][]): Matrix<Float32Array> {
  return Matrix.fromRows(rows, 'float32') as Matrix<Float32Array>;
}

export function labelsOf(...v: number[]): Int32Array {
  return Int32Array.from(v);
}

/** Central difference of f at x[k] (float32 storage: the step actually taken is measured). */
function centralDiff(x: Float32Array, k: number, h: number, f: () => number): number {
  const orig = x[k];
  x[k] = orig + h;
  const up = x[k];
  const fp = f();
  x[k] = orig - h;
  const down = x[k];
  const fm = f();
  x[k] = orig;
  return (fp - fm) / (up - down);
}

export interface GradCheckResult {
  /** max |numeric − analytic| / max(1, max |analytic|), over embeddings, reference and parameters. */
  error: number;
  maxGrad: number;
}

/**
 * Finite-difference check of a loss's gradient with respect to the embeddings, the reference
 * embeddings (if any) and the loss's parameters. Tuples stay fixed (they are inputs).
 */
export function gradCheck(loss: Loss, E: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference, h = 1e-3): GradCheckResult {
  const params: Parameter[] = loss.parameters();
  for (const p of params) p.grad.fill(0);
  const r = loss.compute(E, labels, tuples, reference);
  const paramGrads = params.map((p) => Float64Array.from(p.grad));
  const f = (): number => loss.compute(E, labels, tuples, reference).loss;
  let maxDiff = 0;
  let maxGrad = 0;
  const cmp = (num: number, ana: number): void => {
    maxDiff = Math.max(maxDiff, Math.abs(num - ana));
    maxGrad = Math.max(maxGrad, Math.abs(ana));
    if (!Number.isFinite(num) || !Number.isFinite(ana)) maxDiff = Infinity;
  };
  for (let k = 0; k < E.data.length; k++) cmp(centralDiff(E.data, k, h, f), r.grad[k]);
  if (reference) {
    if (!r.referenceGrad) throw new Error('gradCheck: loss returned no referenceGrad for a reference set');
    for (let k = 0; k < reference.embeddings.data.length; k++) cmp(centralDiff(reference.embeddings.data, k, h, f), r.referenceGrad[k]);
  }
  params.forEach((p, i) => {
    for (let k = 0; k < p.value.length; k++) cmp(centralDiff(p.value, k, h, f), paramGrads[i][k]);
  });
  return { error: maxDiff / Math.max(1, maxGrad), maxGrad };
}

/** Clustered synthetic data: class means on a circle in 2 informative dims, plus loud noise dims. */
export function clusteredData(perClass: number, classes: number, seed: number, noiseDims = 6, noise = 2.5): { X: Matrix<Float64Array>; labels: Int32Array } {
  const r = new Random(seed);
  const d = 2 + noiseDims;
  const n = perClass * classes;
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const ang = (2 * Math.PI * c) / classes;
    X[i * d] = 2 * Math.cos(ang) + 0.4 * r.normal();
    X[i * d + 1] = 2 * Math.sin(ang) + 0.4 * r.normal();
    for (let k = 2; k < d; k++) X[i * d + k] = noise * r.normal();
  }
  return { X: new Matrix(n, d, X), labels };
}

/** MAP@R (leave-one-out, Euclidean) from src/evaluation/retrieval.ts. */
export function mapAtR(E: Matrix<Float32Array>, labels: Int32Array): number {
  return retrievalMetrics(E, labels).mapAtR;
}

/** A linear head E = normalize(X Wᵀ) trained by plain gradient descent on W (and the loss's parameters). */
export class LinearHead {
  readonly W: Float64Array;
  constructor(readonly dIn: number, readonly dOut: number, seed: number, readonly normalize = true) {
    const r = new Random(seed);
    this.W = new Float64Array(dOut * dIn);
    for (let i = 0; i < this.W.length; i++) this.W[i] = r.normal() / Math.sqrt(dIn);
  }

  /** Embeddings and the pre-normalisation rows (for back-propagation). */
  forward(X: Matrix<Float64Array>): { E: Matrix<Float32Array>; Z: Float64Array; norms: Float64Array } {
    const n = X.rows;
    const { dIn, dOut, W } = this;
    const Z = new Float64Array(n * dOut);
    for (let i = 0; i < n; i++) for (let o = 0; o < dOut; o++) {
      let s = 0;
      for (let k = 0; k < dIn; k++) s += X.data[i * dIn + k] * W[o * dIn + k];
      Z[i * dOut + o] = s;
    }
    const norms = new Float64Array(n).fill(1);
    const E = new Float32Array(n * dOut);
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let o = 0; o < dOut; o++) q += Z[i * dOut + o] ** 2;
      if (this.normalize) norms[i] = Math.sqrt(q) || 1;
      for (let o = 0; o < dOut; o++) E[i * dOut + o] = Z[i * dOut + o] / norms[i];
    }
    return { E: new Matrix(n, dOut, E), Z, norms };
  }

  /** dW from dLoss/dE: through the normalisation, then dW = dZᵀ X. */
  gradW(X: Matrix<Float64Array>, fw: { E: Matrix<Float32Array>; norms: Float64Array }, gE: Float32Array): Float64Array {
    const n = X.rows;
    const { dIn, dOut } = this;
    const gW = new Float64Array(dOut * dIn);
    const gz = new Float64Array(dOut);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let o = 0; o < dOut; o++) dot += gE[i * dOut + o] * fw.E.data[i * dOut + o];
      for (let o = 0; o < dOut; o++) gz[o] = this.normalize ? (gE[i * dOut + o] - dot * fw.E.data[i * dOut + o]) / fw.norms[i] : gE[i * dOut + o];
      for (let o = 0; o < dOut; o++) for (let k = 0; k < dIn; k++) gW[o * dIn + k] += gz[o] * X.data[i * dIn + k];
    }
    return gW;
  }
}

export interface TrainReport {
  head: LinearHead;
  lossBefore: number;
  lossAfter: number;
  mapBefore: number;
  mapAfter: number;
}

/**
 * Full-batch gradient descent of a linear head under a loss (and optional miner). The loss is
 * measured on all tuples of the data (no miner) before and after; MAP@R on the same data.
 */
export function trainLinear(loss: Loss, miner: Miner | null, data: { X: Matrix<Float64Array>; labels: Int32Array }, options: { steps?: number; lr?: number; paramLr?: number; dOut?: number; seed?: number; evalLoss?: Loss } = {}): TrainReport {
  const { steps = 60, lr = 0.5, dOut = 4, seed = 3 } = options;
  const paramLr = options.paramLr ?? lr;
  const head = new LinearHead(data.X.cols, dOut, seed);
  const evalLoss = options.evalLoss ?? loss;
  const measure = (): { loss: number; map: number } => {
    const fw = head.forward(data.X);
    return { loss: evalLoss.compute(fw.E, data.labels).loss, map: mapAtR(fw.E, data.labels) };
  };
  const before = measure();
  for (let s = 0; s < steps; s++) {
    const fw = head.forward(data.X);
    const params = loss.parameters();
    for (const p of params) p.grad.fill(0);
    const tuples = miner ? miner.mine(fw.E, data.labels) : undefined;
    const r = loss.compute(fw.E, data.labels, tuples);
    const gW = head.gradW(data.X, fw, r.grad);
    for (let k = 0; k < gW.length; k++) head.W[k] -= lr * gW[k];
    for (const p of params) for (let k = 0; k < p.value.length; k++) p.value[k] -= paramLr * p.grad[k];
  }
  const after = measure();
  return { head, lossBefore: before.loss, lossAfter: after.loss, mapBefore: before.map, mapAfter: after.map };
}
