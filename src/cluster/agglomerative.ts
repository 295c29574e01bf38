/**
 * Agglomerative (hierarchical) clustering with single, complete or average linkage, by the
 * nearest-neighbour-chain algorithm (Murtagh, "A survey of recent advances in hierarchical
 * clustering algorithms", The Computer Journal 1983; see also Müllner, "Modern hierarchical,
 * agglomerative clustering algorithms", 2011): O(n²) time and one n×n distance matrix,
 * updated by the Lance-Williams formulas
 *   single   d(i∪j, k) = min(d_ik, d_jk)
 *   complete d(i∪j, k) = max(d_ik, d_jk)
 *   average  d(i∪j, k) = (n_i d_ik + n_j d_jk) / (n_i + n_j)
 * These linkages are reducible, so merging reciprocal nearest neighbours in chain order
 * yields the same dendrogram as the naive closest-pair-first algorithm; merges are then
 * sorted by height and the tree is cut at `nClusters` clusters or at `distanceThreshold`.
 *
 * Distances are Euclidean (default), squared Euclidean or cosine (1 − cos), computed after
 * the optional `transform`. The n×n matrix (float64) limits n to 10 000 (800 MB).
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import type { IndexTransform } from '../neighbors/index-types.js';
import { rescaleForDistances, unscale } from './kmeans.js';

export type Linkage = 'single' | 'complete' | 'average';

export interface AgglomerativeOptions {
  /** Stop when this many clusters remain (default 2 unless distanceThreshold is given). */
  nClusters?: number;
  /** Alternatively: merge only while the linkage distance is ≤ this. */
  distanceThreshold?: number;
  linkage?: Linkage;
  metric?: 'euclidean' | 'sqeuclidean' | 'cosine';
  transform?: IndexTransform;
}

export interface Merge {
  /** Cluster ids as in SciPy's linkage matrix: < n are points, n + m is the m-th merge. */
  a: number;
  b: number;
  distance: number;
  size: number;
}

export interface AgglomerativeResult {
  /** Cluster of each point, 0..nClusters−1 numbered by first appearance. */
  labels: Int32Array;
  nClusters: number;
  /** All n − 1 merges in increasing height (the full dendrogram). */
  merges: Merge[];
}

export const MAX_AGGLOMERATIVE_POINTS = 10000;

function pairwise(x: Matrix<Float64Array>, metric: string): Float64Array {
  const { rows: n, cols: d } = x;
  let data = x.data;
  if (metric === 'cosine') {
    data = data.slice();
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += data[i * d + j] ** 2;
      if (!(s > 0)) throw new RangeError(`agglomerative: row ${i} is all zeros, so its cosine distance is undefined`);
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < d; j++) data[i * d + j] *= inv;
    }
  }
  const D = getBackend().sqeuclidean(data, n, data, n, d);
  for (let i = 0; i < n; i++) D[i * n + i] = 0;
  if (metric === 'euclidean') for (let i = 0; i < D.length; i++) D[i] = Math.sqrt(D[i]);
  else if (metric === 'cosine') for (let i = 0; i < D.length; i++) D[i] = D[i] / 2;
  // symmetrise: the GEMM expansion can differ in the last bit between (i, j) and (j, i)
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const v = D[i * n + j]; D[j * n + i] = v; }
  return D;
}

export function agglomerative(X: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>, options: AgglomerativeOptions = {}): AgglomerativeResult {
  let m: Matrix<FloatArray> = X instanceof Matrix ? X : Matrix.fromRows(X, 'float64');
  if (options.transform) m = options.transform.transform(m);
  const x = m.toFloat64();
  for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(x.data[i])) throw new RangeError(`agglomerative: X value at row ${Math.floor(i / x.cols)}, column ${i % x.cols} is ${x.data[i]}; remove or impute non-finite values first`);
  const n = x.rows;
  const linkage = options.linkage ?? 'average';
  if (!['single', 'complete', 'average'].includes(linkage)) throw new RangeError(`agglomerative: linkage must be 'single', 'complete' or 'average', got ${JSON.stringify(linkage)}`);
  const metric = options.metric ?? 'euclidean';
  if (!['euclidean', 'sqeuclidean', 'cosine'].includes(metric)) throw new RangeError(`agglomerative: metric must be 'euclidean', 'sqeuclidean' or 'cosine', got ${JSON.stringify(metric)}`);
  if (n === 0) throw new RangeError('agglomerative: X has no rows');
  if (n > MAX_AGGLOMERATIVE_POINTS) throw new RangeError(`agglomerative: ${n} points need a ${n}×${n} distance matrix; at most ${MAX_AGGLOMERATIVE_POINTS} are supported (cluster a sample, or use kmeans)`);
  const threshold = options.distanceThreshold;
  if (threshold !== undefined && !(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)) throw new RangeError(`agglomerative: distanceThreshold must be a non-negative finite number (a ${metric} linkage distance; merges up to it are kept), got ${typeof threshold === 'number' ? threshold : JSON.stringify(threshold)}`);
  if (threshold !== undefined && options.nClusters !== undefined) throw new RangeError('agglomerative: give nClusters or distanceThreshold, not both');
  const nClustersWanted = threshold === undefined ? options.nClusters ?? 2 : undefined;
  if (nClustersWanted !== undefined && (!Number.isInteger(nClustersWanted) || nClustersWanted < 1 || nClustersWanted > n)) throw new RangeError(`agglomerative: nClusters must be an integer in [1, ${n}], got ${nClustersWanted}`);

  // Distances at extreme scales over- or underflow when squared; cluster the data rescaled by a
  // power of two (same merge order) and report heights in the data's units.
  const { x: xs, shift } = rescaleForDistances(x);
  const power = metric === 'euclidean' ? 1 : metric === 'sqeuclidean' ? 2 : 0;
  const D = pairwise(xs, metric);
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const raw: Array<{ a: number; b: number; distance: number }> = [];
  const chain: number[] = [];
  let remaining = n;
  while (remaining > 1) {
    if (chain.length === 0) {
      let s = 0;
      while (!active[s]) s++;
      chain.push(s);
    }
    const a = chain[chain.length - 1];
    const prev = chain.length >= 2 ? chain[chain.length - 2] : -1;
    // nearest active neighbour of a; on ties prefer the previous chain element (ensures termination)
    let b = prev;
    let best = prev >= 0 ? D[a * n + prev] : Infinity;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      const v = D[a * n + k];
      if (v < best) { best = v; b = k; }
    }
    if (b === prev) {
      chain.pop();
      chain.pop();
      // merge a and b into the lower slot
      const keep = Math.min(a, b);
      const gone = Math.max(a, b);
      raw.push({ a, b, distance: best });
      const na = size[keep];
      const nb = size[gone];
      for (let k = 0; k < n; k++) {
        if (!active[k] || k === keep || k === gone) continue;
        const dk = D[keep * n + k];
        const dg = D[gone * n + k];
        const v = linkage === 'single' ? Math.min(dk, dg) : linkage === 'complete' ? Math.max(dk, dg) : (na * dk + nb * dg) / (na + nb);
        D[keep * n + k] = v;
        D[k * n + keep] = v;
      }
      active[gone] = 0;
      size[keep] = na + nb;
      remaining--;
    } else {
      chain.push(b);
    }
  }
  // sort merges by height (stable) and relabel them with union-find, as SciPy does
  const order = raw.map((_, i) => i).sort((i, j) => raw[i].distance - raw[j].distance || i - j);
  const parent = new Int32Array(2 * n - 1).map((_, i) => i);
  const find = (v: number): number => {
    while (parent[v] !== v) { parent[v] = parent[parent[v]]; v = parent[v]; }
    return v;
  };
  const csize = new Float64Array(2 * n - 1).fill(1);
  const merges: Merge[] = [];
  for (let t = 0; t < order.length; t++) {
    const r = raw[order[t]];
    const ca = find(r.a);
    const cb = find(r.b);
    const id = n + t;
    parent[ca] = id;
    parent[cb] = id;
    csize[id] = csize[ca] + csize[cb];
    merges.push({ a: Math.min(ca, cb), b: Math.max(ca, cb), distance: unscale(r.distance, shift, power), size: csize[id] });
  }
  // cut the tree
  const nMerges = threshold !== undefined ? merges.filter((mg) => mg.distance <= threshold).length : n - (nClustersWanted as number);
  const uf = new Int32Array(2 * n - 1).map((_, i) => i);
  const find2 = (v: number): number => {
    while (uf[v] !== v) { uf[v] = uf[uf[v]]; v = uf[v]; }
    return v;
  };
  for (let t = 0; t < nMerges; t++) {
    uf[find2(merges[t].a)] = n + t;
    uf[find2(merges[t].b)] = n + t;
  }
  const labels = new Int32Array(n);
  const names = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find2(i);
    let l = names.get(root);
    if (l === undefined) { l = names.size; names.set(root, l); }
    labels[i] = l;
  }
  return { labels, nClusters: names.size, merges };
}
