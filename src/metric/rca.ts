/**
 * Relevant Components Analysis: Bar-Hillel, Hertz, Shental & Weinshall, "Learning Distance
 * Functions using Equivalence Relations", ICML 2003.
 *
 * From chunklets (small groups of points known to share a class) the within-chunklet
 * covariance Ĉ = (1/p) Σ_chunks Σ_{x∈chunk} (x − m_chunk)(x − m_chunk)ᵀ is estimated and the
 * data whitened by it: M = Ĉ⁻¹, L = Ĉ^{-1/2}. With nComponents < d, the data is first projected
 * on its top principal axes (the paper's optional dimensionality reduction).
 *
 * Deviations, for robustness where metric-learn fails (singular Ĉ on digits): Ĉ is estimated
 * inside the span of the data (constant columns get weight 0) and shrunk towards a scaled
 * identity, Ĉ ← (1 − s) Ĉ + s · tr(Ĉ)/r · I (`shrinkage`, default 0.01), since a few dozen
 * chunklets cannot estimate a full covariance in many dimensions.
 *
 * `fit(X, y)` is the supervised form (metric-learn's RCA_Supervised): chunklets are drawn
 * from the labels; `fitChunks(X, chunks)` takes them directly.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { toRandom, type Random } from '../random.js';
import { MahalanobisLearner, checkXy, type BaseLearnerOptions } from './base.js';
import { classCounts, checkInt, principalAxes } from './init.js';

export interface RcaOptions extends BaseLearnerOptions {
  nComponents?: number;
  /** Chunklets drawn from labels (metric-learn: 100). When not given and the data is too small, the feasible maximum is used with a warning. */
  numChunks?: number;
  /** Points per chunklet (metric-learn: 2). */
  chunkSize?: number;
  /** Shrinkage of the chunklet covariance towards a scaled identity, in [0, 1). */
  shrinkage?: number;
}

/** Maximum number of disjoint same-class chunklets of `chunkSize` points. */
export function maxChunks(y: Int32Array, nClasses: number, chunkSize: number): number {
  let m = 0;
  for (const c of classCounts(y, nClasses)) m += Math.floor(c / chunkSize);
  return m;
}

/**
 * Draws `numChunks` disjoint chunklets of `chunkSize` same-class points: returns the chunk id
 * of each row (−1 = in no chunk). Classes are visited in a random order, round robin.
 */
export function chunksFromLabels(y: Int32Array, nClasses: number, numChunks: number, chunkSize: number, rng: Random): Int32Array {
  const pools: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < y.length; i++) pools[y[i]].push(i);
  for (const p of pools) {
    const perm = rng.permutation(p.length);
    const copy = p.slice();
    for (let a = 0; a < p.length; a++) p[a] = copy[perm[a]];
  }
  const chunks = new Int32Array(y.length).fill(-1);
  const order = Array.from(rng.permutation(nClasses));
  const used = new Int32Array(nClasses);
  let made = 0;
  while (made < numChunks) {
    let progress = false;
    for (const c of order) {
      if (made >= numChunks) break;
      if (pools[c].length - used[c] < chunkSize) continue;
      for (let t = 0; t < chunkSize; t++) chunks[pools[c][used[c]++]] = made;
      made++;
      progress = true;
    }
    if (!progress) break;
  }
  return chunks;
}

export class RCA extends MahalanobisLearner<RcaOptions> {
  readonly algorithm = 'rca';

  constructor(options: RcaOptions = {}) {
    super(options);
  }

  get params(): Record<string, unknown> {
    const o = this.options;
    return { nComponents: o.nComponents ?? null, numChunks: o.numChunks ?? 100, chunkSize: o.chunkSize ?? 2, shrinkage: o.shrinkage ?? 0.01, seed: o.seed ?? 0 };
  }

  fit(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>): this {
    const data = checkXy(X, y, 'rca');
    const chunkSize = checkInt(this.options.chunkSize ?? 2, 'chunkSize', 'rca', 2);
    const max = maxChunks(data.y, data.classes.length, chunkSize);
    const warnings: string[] = [];
    let numChunks = this.options.numChunks ?? 100;
    checkInt(numChunks, 'numChunks', 'rca');
    if (numChunks > max) {
      if (this.options.numChunks !== undefined) throw new RangeError(`rca: numChunks = ${numChunks} chunklets of ${chunkSize} same-class points do not fit in this data; at most ${max} are possible, so set numChunks ≤ ${max} (or lower chunkSize)`);
      if (max < 2) throw new RangeError(`rca: the data allows only ${max} chunklet(s) of ${chunkSize} same-class points; RCA needs at least 2`);
      warnings.push(`rca: the default 100 chunklets do not fit in ${data.X.rows} samples; used the maximum, ${max}`);
      numChunks = max;
    }
    const chunks = chunksFromLabels(data.y, data.classes.length, numChunks, chunkSize, toRandom(this.options.seed ?? 0));
    return this.fitChunksInternal(data.X, chunks, warnings);
  }

  /** The chunklet form: chunks[i] = chunk id of row i, or −1 when the row is in no chunk. */
  fitChunks(X: Matrix<FloatArray> | number[][], chunks: ArrayLike<number>): this {
    const x = asMatrix(X, 'X').toFloat64();
    if (chunks.length !== x.rows) throw new RangeError(`rca: X has ${x.rows} rows but chunks has ${chunks.length} entries; give one chunk id (or −1) per row`);
    const c = new Int32Array(chunks.length);
    for (let i = 0; i < c.length; i++) {
      if (!Number.isInteger(chunks[i]) || chunks[i] < -1) throw new RangeError(`rca: chunks[${i}] = ${chunks[i]}; chunk ids are integers ≥ 0, or −1 for no chunk`);
      c[i] = chunks[i];
    }
    return this.fitChunksInternal(x, c, []);
  }

  private fitChunksInternal(x: Matrix<Float64Array>, chunks: Int32Array, warnings: string[]): this {
    const n = x.rows, d = x.cols;
    const shrink = this.options.shrinkage ?? 0.01;
    if (typeof shrink !== 'number' || !(shrink >= 0 && shrink < 1)) throw new RangeError(`rca: shrinkage must be in [0, 1), got ${shrink}`);
    const nComp = this.options.nComponents;
    if (nComp !== undefined && (!Number.isInteger(nComp) || nComp < 1 || nComp > d)) throw new RangeError(`rca: nComponents must be an integer in 1..${d} (the number of features), got ${nComp}`);
    // Basis of the data's span (or its top nComponents principal axes), without the axes along
    // which the data do not vary (constant columns). Only the chunklets' points are projected.
    // With fewer rows than features, axes past the n-th have zero scatter and would be dropped.
    const r0 = Math.min(nComp ?? d, n < d ? n : d);
    const pca = principalAxes(x, r0); // r0 x d, rows orthonormal
    const vmax = Math.max(...pca.scatter);
    const axes: number[] = [];
    for (let c = 0; c < r0; c++) if (pca.scatter[c] > 1e-10 * vmax) axes.push(c);
    if (axes.length === 0) throw new RangeError('rca: every feature is constant; nothing to learn from');
    const r = axes.length;
    const P = new Float64Array(r * d);
    axes.forEach((c, a) => P.set(pca.axes.subarray(c * d, c * d + d), a * d));
    const ids = new Map<number, number[]>();
    const inChunk: number[] = [];
    for (let i = 0; i < n; i++) if (chunks[i] >= 0) {
      const l = ids.get(chunks[i]);
      if (l) l.push(i); else ids.set(chunks[i], [i]);
      inChunk.push(i);
    }
    // Z[k] = P x_i for the k-th chunked point i (rowOf maps i to k).
    const rowOf = new Map<number, number>();
    inChunk.forEach((i, k) => rowOf.set(i, k));
    const Z = new Float64Array(inChunk.length * r);
    getBackend().gemm(false, true, inChunk.length, r, d, 1, x.takeRows(inChunk).data, d, P, d, 0, Z, r);
    // Chunklet covariance in the r-dimensional basis: every chunked point minus its chunklet's
    // mean, as the rows of Zc, then C = Zcᵀ Zc in one product.
    let p = 0;
    const Zc = new Float64Array(inChunk.length * r);
    for (const members of ids.values()) {
      if (members.length < 2) continue;
      const m = new Float64Array(r);
      for (const i of members) {
        const k = rowOf.get(i)!;
        for (let a = 0; a < r; a++) m[a] += Z[k * r + a] / members.length;
      }
      for (const i of members) {
        const k = rowOf.get(i)!;
        for (let a = 0; a < r; a++) Zc[p * r + a] = Z[k * r + a] - m[a];
        p++;
      }
    }
    if (p === 0) throw new RangeError('rca: no chunklet has 2 or more points; give chunks with at least 2 points each');
    const C = getBackend().gram(Zc, p, r);
    let tr = 0;
    for (let a = 0; a < r; a++) tr += C[a * r + a];
    if (!(tr > 0)) throw new RangeError('rca: every chunklet consists of identical points; the within-chunklet covariance is zero');
    for (let a = 0; a < r * r; a++) C[a] = (1 - shrink) * C[a] / p;
    for (let a = 0; a < r; a++) C[a * r + a] += shrink * tr / p / r;
    const e = getBackend().eigh(C, r);
    const vmaxC = e.values[r - 1];
    // L = Λ^{-1/2} Vᵀ P: whitening of the chunklet covariance, mapped back to the input space.
    const L = Matrix.zeros(r, d);
    let row = 0;
    for (let j = r - 1; j >= 0; j--) {
      if (!(e.values[j] > 1e-12 * vmaxC)) continue;
      const s = 1 / Math.sqrt(e.values[j]);
      for (let a = 0; a < r; a++) {
        const w = s * e.vectors[a * r + j];
        if (w === 0) continue;
        for (let c = 0; c < d; c++) L.data[row * d + c] += w * P[a * d + c];
      }
      row++;
    }
    const out = row === r ? L : new Matrix(row, d, L.data.slice(0, row * d));
    if (ids.size < r) warnings.push(`rca: ${ids.size} chunklets estimate a ${r}-dimensional covariance; the estimate leans on shrinkage (${shrink})`);
    return this.setFitted(out, { warnings });
  }
}
