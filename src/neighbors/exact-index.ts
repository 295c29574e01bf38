/**
 * ExactIndex: brute-force k-nearest-neighbour search, the default up to a few hundred
 * thousand vectors and the ground truth every approximate index is measured against.
 *
 * Distances come from the backend's fused tiled kernel (GEMM tiles of ‖q‖² + ‖x‖² − 2 q·x
 * folded into per-query top-k lists), so memory stays bounded by `memoryBudget` however
 * large the reference set is. Vectors are stored as float32: search throughput matters
 * more than the last digits, and float32 halves memory traffic.
 *
 * Metrics: 'sqeuclidean' and 'euclidean' (√ of the former); 'cosine' normalises every vector
 * on the way in, then ranks by L2 (‖â − b̂‖² = 2(1 − cos)) and reports 1 − cos;
 * 'inner_product' ranks by −⟨q, x⟩ through the same GEMM tiles.
 *
 * k larger than the index size is clamped: each query gets all `size` vectors, so a result
 * row can be shorter than k. An empty index throws.
 *
 * Float32 squared distances overflow for values above about 1e19 and lose their precision
 * below about 1e-19, so add and search refuse such data (checkFloat32Distances) rather than
 * return NaN or all-zero distances; standardised features are far from either limit.
 */
import { Matrix } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { saveModel, type ModelPayload } from '../io/model-file.js';
import type { IndexMetric, IndexTransform, SavableIndex, SearchResult } from './index-types.js';
import { checkDim, checkFloat32Distances, checkK, checkMetric, IdAllocator, MagnitudeStats, normalizeRowsInPlace, prepareVectors, reportDistance, toNested, type VectorsInput } from './index-common.js';
import { VectorStore } from './vector-store.js';
import { emptyTopK, pushTopK } from './topk.js';
import { transformFromPayload, transformToPayloadParts } from './transform-io.js';

export interface ExactIndexOptions {
  metric?: IndexMetric;
  /** Vector width; inferred from the first add() when omitted. */
  dim?: number;
  /** Applied to every vector on add and search (e.g. a fitted Mahalanobis learner). */
  transform?: IndexTransform;
  /** Upper bound in bytes for one distance tile: a finite number ≥ 1 (default 64 MiB). */
  memoryBudget?: number;
}

/** A tile budget in bytes: the kernels need a finite number ≥ 1 (checked here so a bad one fails at build, not at search). */
export function checkMemoryBudget(v: unknown, where: string): number {
  if (v === undefined) return 64 * 1024 * 1024;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) throw new RangeError(`${where}: memoryBudget must be a positive number of bytes (e.g. 67108864 for 64 MiB), got ${JSON.stringify(v)}`);
  return v;
}

export class ExactIndex implements SavableIndex {
  readonly kind = 'exact';
  readonly metric: IndexMetric;
  readonly transform?: IndexTransform;
  readonly memoryBudget: number;
  private store: VectorStore | null = null;
  private readonly idAlloc = new IdAllocator();
  private declaredDim: number | undefined;
  /** Magnitudes of the stored vectors; null = recompute (after a removal) before the next search. */
  private stats: MagnitudeStats | null = null;

  constructor(options: ExactIndexOptions = {}) {
    this.metric = checkMetric(options.metric ?? 'sqeuclidean', 'ExactIndex');
    this.transform = options.transform;
    this.memoryBudget = checkMemoryBudget(options.memoryBudget, 'ExactIndex');
    if (options.dim !== undefined && (!Number.isInteger(options.dim) || options.dim < 1)) throw new RangeError(`ExactIndex: dim must be a positive integer, got ${options.dim}`);
    this.declaredDim = options.dim;
  }

  get dim(): number {
    return this.store?.dim ?? this.declaredDim ?? 0;
  }

  get size(): number {
    return this.store?.size ?? 0;
  }

  /** The stored (transformed, normalised for cosine) vectors, in internal order. */
  vectors(): Matrix<Float32Array> {
    return this.store ? this.store.matrix().clone() : new Matrix(0, this.dim, new Float32Array(0));
  }

  ids(): Float64Array {
    return this.store ? this.store.ids.slice() : new Float64Array(0);
  }

  /** Transforms, checks and (for cosine) normalises vectors the way add and search do. */
  prepare(x: VectorsInput, name: string): Matrix<Float32Array> {
    const m = prepareVectors(x, name, this.transform);
    if (this.dim) checkDim(m, this.dim, name);
    if (this.metric === 'cosine') {
      const copy = m.data === (x as Matrix<Float32Array>).data ? m.clone() : m;
      normalizeRowsInPlace(copy, name);
      return copy;
    }
    return m;
  }

  add(vectors: VectorsInput, ids?: ArrayLike<number>): void {
    const m = this.prepare(vectors, 'ExactIndex.add: vectors');
    if (m.cols === 0) throw new RangeError('ExactIndex.add: vectors have no columns');
    // unit vectors (cosine) cannot leave float32's range
    const stats = this.metric === 'cosine' ? null : MagnitudeStats.of(m).merge(this.storeStats());
    if (stats) checkFloat32Distances(this.metric, stats, 'ExactIndex.add: vectors');
    if (!this.store) this.store = new VectorStore(m.cols, Math.max(64, m.rows));
    const store = this.store;
    const assigned = this.idAlloc.assign(m.rows, ids, (id) => store.has(id), 'ExactIndex.add');
    store.append(m.data, assigned);
    this.stats = stats;
  }

  remove(ids: ArrayLike<number>): void {
    if (this.store?.removeIds(ids)) this.stats = null;
  }

  private storeStats(): MagnitudeStats | null {
    if (!this.store || this.store.size === 0) return null;
    if (!this.stats) this.stats = MagnitudeStats.of(this.store.matrix());
    return this.stats;
  }

  search(queries: VectorsInput, k: number): SearchResult {
    checkK(k, 'ExactIndex.search');
    if (!this.store || this.store.size === 0) throw new RangeError('ExactIndex.search: the index is empty; add vectors first');
    const q = this.prepare(queries, 'ExactIndex.search: queries');
    if (this.metric !== 'cosine') checkFloat32Distances(this.metric, MagnitudeStats.of(q).merge(this.storeStats()), 'ExactIndex.search: queries');
    const kk = Math.min(k, this.store.size);
    const { ids, dists } = this.metric === 'inner_product' ? this.searchInner(q, kk) : this.searchL2(q, kk);
    return toNested(ids, dists, q.rows, kk);
  }

  private searchL2(q: Matrix<Float32Array>, k: number): { ids: Float64Array; dists: Float64Array } {
    const store = this.store as VectorStore;
    const r = getBackend().knn(q.data, q.rows, store.data, store.size, store.dim, k, { memoryBudget: this.memoryBudget });
    const ids = new Float64Array(r.indices.length);
    const dists = new Float64Array(r.indices.length);
    const storeIds = store.ids;
    for (let i = 0; i < ids.length; i++) {
      const row = r.indices[i];
      ids[i] = row < 0 ? -1 : storeIds[row];
      dists[i] = reportDistance(this.metric, r.distances[i]);
    }
    return { ids, dists };
  }

  /** −⟨q, x⟩ through GEMM tiles of at most memoryBudget bytes. */
  private searchInner(q: Matrix<Float32Array>, k: number): { ids: Float64Array; dists: Float64Array } {
    const store = this.store as VectorStore;
    const be = getBackend();
    const d = store.dim;
    const nr = store.size;
    const nq = q.rows;
    const out = emptyTopK(nq, k);
    const refTile = Math.min(nr, 2048);
    const queryTile = Math.max(1, Math.min(nq, Math.floor(this.memoryBudget / (4 * refTile))));
    const tile = new Float32Array(queryTile * refTile);
    const refs = store.data;
    const storeIds = store.ids;
    for (let q0 = 0; q0 < nq; q0 += queryTile) {
      const qb = Math.min(queryTile, nq - q0);
      for (let r0 = 0; r0 < nr; r0 += refTile) {
        const rb = Math.min(refTile, nr - r0);
        be.gemm(false, true, qb, rb, d, -1, q.data.subarray(q0 * d, (q0 + qb) * d), d, refs.subarray(r0 * d, (r0 + rb) * d), d, 0, tile, rb);
        for (let qi = 0; qi < qb; qi++) {
          const base = (q0 + qi) * k;
          for (let ri = 0; ri < rb; ri++) pushTopK(out.ids, out.dists, base, k, r0 + ri, tile[qi * rb + ri]);
        }
      }
    }
    for (let i = 0; i < out.ids.length; i++) if (out.ids[i] >= 0) out.ids[i] = storeIds[out.ids[i]];
    return out;
  }

  toPayload(): ModelPayload {
    const t = transformToPayloadParts(this.transform);
    const n = this.size;
    const d = this.dim;
    return {
      kind: 'index/exact',
      version: 1,
      meta: { metric: this.metric, dim: d, size: n, nextId: this.idAlloc.nextId, memoryBudget: this.memoryBudget, transform: t.meta },
      arrays: {
        vectors: { shape: [n, d], data: this.store ? this.store.data.slice() : new Float32Array(0) },
        ids: { shape: [n], data: this.store ? this.store.ids.slice() : new Float64Array(0) },
        ...t.arrays,
      },
    };
  }

  save(path: string): void {
    saveModel(path, this.toPayload());
  }

  static fromPayload(p: ModelPayload): ExactIndex {
    if (p.kind !== 'index/exact') throw new Error(`ExactIndex.fromPayload: expected kind index/exact, got ${p.kind}`);
    const meta = p.meta as { metric: IndexMetric; dim: number; nextId: number; memoryBudget?: number };
    const idx = new ExactIndex({ metric: meta.metric, dim: meta.dim || undefined, transform: transformFromPayload(p), memoryBudget: meta.memoryBudget });
    const v = p.arrays.vectors;
    const ids = p.arrays.ids;
    if (!v || !ids) throw new Error('index/exact: the vectors or ids array is missing');
    const n = ids.shape[0];
    if (n > 0) {
      idx.store = new VectorStore(meta.dim, n);
      idx.store.append(Float32Array.from(v.data), Float64Array.from(ids.data));
    }
    idx.idAlloc.nextId = meta.nextId;
    return idx;
  }
}
