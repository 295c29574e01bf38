/**
 * HnswIndex: approximate search on a Hierarchical Navigable Small World graph (Malkov &
 * Yashunin, "Efficient and robust approximate nearest neighbor search using HNSW graphs",
 * TPAMI 2018), through the usearch library (prebuilt binaries in its npm package), behind
 * the same Index interface as the exact and LSH indexes.
 *
 * Parameters are the paper's: `connectivity` M (edges per node, default 16), `expansionAdd`
 * efConstruction (default 128) and `expansionSearch` ef (default 64; raise it for recall).
 * Metrics map to usearch's l2sq / cos / ip; reported distances follow the Index convention
 * (√ for 'euclidean', 1 − cos, −⟨q, x⟩; usearch's ip distance is 1 − ⟨q, x⟩).
 *
 * Saving: usearch serialises only to a path, so the graph goes through a temporary file and
 * is embedded byte for byte in simlearn's model file (no rebuild on load).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { saveModel, type ModelPayload } from '../io/model-file.js';
import type { IndexMetric, IndexTransform, SavableIndex, SearchResult } from './index-types.js';
import { checkDim, checkFloat32Distances, checkHnswSettings, checkK, checkMetric, HNSW_LIMITS, IdAllocator, MagnitudeStats, prepareVectors, type VectorsInput } from './index-common.js';
import { transformFromPayload, transformToPayloadParts } from './transform-io.js';

interface UsearchMatches { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array }
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vectors: Float32Array, k: number, threads?: number): UsearchMatches;
  remove(keys: BigUint64Array): number | number[];
  size(): number;
  save(path: string): void;
  load(path: string): void;
}
interface UsearchModule {
  Index: new (config: { dimensions: number; metric: string; quantization: string; connectivity: number; expansion_add: number; expansion_search: number; multi: boolean }) => UsearchIndex;
}

let usearch: UsearchModule | null = null;
function loadUsearch(): UsearchModule {
  if (!usearch) {
    try {
      usearch = createRequire(import.meta.url)('usearch') as UsearchModule;
    } catch (e) {
      throw new Error(`HnswIndex needs the usearch package, which did not load: ${(e as Error).message}. Reinstall dependencies (npm install) or use ExactIndex / SimHashIndex / E2LshIndex`);
    }
  }
  return usearch;
}

export interface HnswIndexOptions {
  metric?: IndexMetric;
  dim?: number;
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
  /** Threads usearch may use (0 = its default, all cores). */
  threads?: number;
  transform?: IndexTransform;
}

const USEARCH_METRIC: Record<IndexMetric, string> = { sqeuclidean: 'l2sq', euclidean: 'l2sq', cosine: 'cos', inner_product: 'ip' };

export class HnswIndex implements SavableIndex {
  readonly kind = 'hnsw';
  readonly metric: IndexMetric;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
  readonly threads: number;
  readonly transform?: IndexTransform;
  private index: UsearchIndex | null = null;
  private d: number;
  private readonly present = new Set<number>();
  private readonly idAlloc = new IdAllocator();
  /** Magnitudes of the vectors added in this process (null after a load: usearch holds them). */
  private stats: MagnitudeStats | null = null;

  constructor(options: HnswIndexOptions = {}) {
    this.metric = checkMetric(options.metric ?? 'sqeuclidean', 'HnswIndex');
    const int = (v: number | undefined, def: number, name: string, min: number): number => {
      const x = v ?? def;
      if (!Number.isInteger(x) || x < min) throw new RangeError(`HnswIndex: ${name} must be an integer ≥ ${min}, got ${v}`);
      return x;
    };
    // Upper limits too: usearch answers a connectivity of 1e9 or an ef of 1e12 with an
    // out-of-memory abort at the first add or search, long after the mistake.
    checkHnswSettings({ connectivity: options.connectivity, expansionAdd: options.expansionAdd, expansionSearch: options.expansionSearch, threads: options.threads }, 'HnswIndex');
    this.connectivity = int(options.connectivity, 16, 'connectivity', HNSW_LIMITS.connectivity[0]);
    this.expansionAdd = int(options.expansionAdd, 128, 'expansionAdd', 1);
    this.expansionSearch = int(options.expansionSearch, 64, 'expansionSearch', 1);
    this.threads = int(options.threads, 0, 'threads', 0);
    this.transform = options.transform;
    this.d = int(options.dim, 0, 'dim', 0);
  }

  get dim(): number {
    return this.d;
  }

  get size(): number {
    return this.present.size;
  }

  private ensure(dim: number): UsearchIndex {
    if (!this.index) {
      const U = loadUsearch();
      this.d = dim;
      this.index = new U.Index({ dimensions: dim, metric: USEARCH_METRIC[this.metric], quantization: 'f32', connectivity: this.connectivity, expansion_add: this.expansionAdd, expansion_search: this.expansionSearch, multi: false });
    }
    return this.index;
  }

  add(vectors: VectorsInput, ids?: ArrayLike<number>): void {
    const m = prepareVectors(vectors, 'HnswIndex.add: vectors', this.transform);
    if (this.d) checkDim(m, this.d, 'HnswIndex.add: vectors');
    if (m.rows === 0) return;
    if (m.cols === 0) throw new RangeError('HnswIndex.add: vectors have no columns');
    if (this.metric === 'cosine') {
      for (let i = 0; i < m.rows; i++) {
        let s = 0;
        for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] ** 2;
        if (!(s > 0)) throw new RangeError(`HnswIndex.add: vectors row ${i} is all zeros, so its cosine distance is undefined`);
      }
    }
    // usearch computes float32 distances too: values near 1e20 overflow them (every distance
    // Infinity, arbitrary neighbours), as for the exact index.
    const stats = this.metric === 'cosine' ? null : MagnitudeStats.of(m).merge(this.stats);
    if (stats) checkFloat32Distances(this.metric, stats, 'HnswIndex.add: vectors');
    const index = this.ensure(m.cols);
    const assigned = this.idAlloc.assign(m.rows, ids, (id) => this.present.has(id), 'HnswIndex.add');
    const keys = BigUint64Array.from(assigned, (v) => BigInt(v));
    index.add(keys, m.data, this.threads);
    for (const id of assigned) this.present.add(id);
    this.stats = stats;
  }

  remove(ids: ArrayLike<number>): void {
    if (!this.index) return;
    const keep: bigint[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = Number(ids[i]);
      if (this.present.delete(id)) keep.push(BigInt(id));
    }
    if (keep.length) this.index.remove(BigUint64Array.from(keep));
  }

  search(queries: VectorsInput, k: number): SearchResult {
    checkK(k, 'HnswIndex.search');
    if (!this.index || this.size === 0) throw new RangeError('HnswIndex.search: the index is empty; add vectors first');
    const q = prepareVectors(queries, 'HnswIndex.search: queries', this.transform);
    checkDim(q, this.d, 'HnswIndex.search: queries');
    if (this.metric === 'cosine') {
      // usearch answers a zero query with distance 1 to everything, i.e. arbitrary neighbours.
      for (let i = 0; i < q.rows; i++) {
        let s = 0;
        for (let j = 0; j < q.cols; j++) s += q.data[i * q.cols + j] ** 2;
        if (!(s > 0)) throw new RangeError(`HnswIndex.search: queries: row ${i} is all zeros, so its cosine distance is undefined; remove it or use metric 'euclidean'`);
      }
    }
    if (this.metric !== 'cosine') checkFloat32Distances(this.metric, MagnitudeStats.of(q).merge(this.stats), 'HnswIndex.search: queries');
    const kk = Math.min(k, this.size);
    const ids: number[][] = [];
    const distances: number[][] = [];
    if (q.rows === 0) return { ids, distances };
    const r = this.index.search(q.data, kk, this.threads);
    for (let i = 0; i < q.rows; i++) {
      const count = r.counts ? Number(r.counts[i]) : r.keys.length;
      const a: number[] = [];
      const b: number[] = [];
      for (let j = 0; j < Math.min(count, kk); j++) {
        a.push(Number(r.keys[i * kk + j]));
        b.push(this.convert(r.distances[i * kk + j]));
      }
      ids.push(a);
      distances.push(b);
    }
    return { ids, distances };
  }

  private convert(dist: number): number {
    switch (this.metric) {
      case 'euclidean': return Math.sqrt(Math.max(0, dist));
      case 'inner_product': return dist - 1;
      default: return dist;
    }
  }

  toPayload(): ModelPayload {
    const t = transformToPayloadParts(this.transform);
    let graph = new Uint8Array(0);
    if (this.index) {
      const dir = mkdtempSync(join(tmpdir(), 'simlearn-hnsw-'));
      try {
        const path = join(dir, 'graph.usearch');
        this.index.save(path);
        graph = new Uint8Array(readFileSync(path));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return {
      kind: 'index/hnsw',
      version: 1,
      meta: { metric: this.metric, dim: this.d, connectivity: this.connectivity, expansionAdd: this.expansionAdd, expansionSearch: this.expansionSearch, threads: this.threads, nextId: this.idAlloc.nextId, transform: t.meta },
      arrays: { graph: { shape: [graph.length], data: graph }, ids: { shape: [this.size], data: Float64Array.from(this.present) }, ...t.arrays },
    };
  }

  save(path: string): void {
    saveModel(path, this.toPayload());
  }

  /**
   * The same graph searched with another ef (hnswlib's set_ef): ef trades recall for speed
   * at query time, without rebuilding. usearch fixes ef when an index object is made, so this
   * returns a copy reloaded from the serialized graph; the original is unchanged.
   */
  withExpansionSearch(expansionSearch: number): HnswIndex {
    checkHnswSettings({ expansionSearch }, 'HnswIndex.withExpansionSearch');
    const p = this.toPayload();
    return HnswIndex.fromPayload({ ...p, meta: { ...p.meta, expansionSearch } });
  }

  static fromPayload(p: ModelPayload): HnswIndex {
    if (p.kind !== 'index/hnsw') throw new Error(`HnswIndex.fromPayload: expected kind index/hnsw, got ${p.kind}`);
    const m = p.meta as { metric: IndexMetric; dim: number; connectivity: number; expansionAdd: number; expansionSearch: number; threads: number; nextId: number };
    const idx = new HnswIndex({ metric: m.metric, dim: m.dim, connectivity: m.connectivity, expansionAdd: m.expansionAdd, expansionSearch: m.expansionSearch, threads: m.threads, transform: transformFromPayload(p) });
    const graph = p.arrays.graph;
    const ids = p.arrays.ids;
    if (!graph || !ids) throw new Error('index/hnsw: the graph or ids array is missing');
    if (graph.data.length > 0) {
      const index = idx.ensure(m.dim);
      const dir = mkdtempSync(join(tmpdir(), 'simlearn-hnsw-'));
      try {
        const path = join(dir, 'graph.usearch');
        writeFileSync(path, graph.data as Uint8Array);
        index.load(path);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const id of ids.data) idx.present.add(id);
    idx.idAlloc.nextId = m.nextId;
    return idx;
  }
}
