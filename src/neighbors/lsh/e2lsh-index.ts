/**
 * E2LshIndex: p-stable LSH for Euclidean distance (Datar, Immorlica, Indyk & Mirrokni,
 * "Locality-sensitive hashing scheme based on p-stable distributions", SoCG 2004).
 * h(v) = ⌊(a·v + b)/w⌋ with a ~ N(0, I) (2-stable) and b ~ U[0, w); a table key hashes the
 * K integers together. Multi-probe follows Lv et al. 2007: coordinate j can be shifted by
 * −1 (score f_j², f_j = the query's fractional position in its bucket) or +1 (score
 * (1 − f_j)²), and perturbation sets are probed in increasing total score.
 *
 * With targetRecall, the bucket width w is chosen together with K, L and T: candidate widths
 * are multiples {0.5, 1, 1.5, 2, 3, 4} of the median true-neighbour distance of the
 * calibration sample, and planLsh's cheapest plan over all of them wins.
 * Candidates are re-ranked exactly; metric 'euclidean' (default) or 'sqeuclidean'.
 */
import type { Matrix } from '../../matrix.js';
import type { Random } from '../../random.js';
import type { ModelPayload } from '../../io/model-file.js';
import type { IndexMetric } from '../index-types.js';
import { VectorLshIndex, calibrationPairs, pendingOptions, plannedRecall, type VectorLshOptions } from './vector-lsh.js';
import { e2lshCollision, planLsh, summarize, type LshPlan } from './collision.js';
import { perturbationSets } from './probe.js';
import { rowDistance } from '../../linalg/distances.js';
import { transformFromPayload } from '../transform-io.js';

export interface E2LshOptions extends VectorLshOptions {
  metric?: 'euclidean' | 'sqeuclidean';
  /** Bucket width w (in the units of the vectors); chosen automatically with targetRecall. */
  bucketWidth?: number;
}

/** Up to this many probes per table use the allocation-free subset enumeration (2^T − 1 subsets). */
const SMALL_PROBES = 8;

/** Mixes K bucket integers into one 32-bit table key (FNV-1a style with a final avalanche). */
function mixKey(h: Int32Array, o: number, K: number): number {
  let x = 0x811c9dc5;
  for (let j = 0; j < K; j++) x = Math.imul(x ^ h[o + j], 0x01000193);
  return finishKey(x);
}

/** The final avalanche of mixKey. */
function finishKey(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return x >>> 0;
}

export class E2LshIndex extends VectorLshIndex {
  readonly kind = 'e2lsh';
  w = 0;
  private offsets = new Float32Array(0);

  constructor(options: E2LshOptions = {}) {
    const metric: IndexMetric = options.metric ?? 'euclidean';
    if (metric !== 'euclidean' && metric !== 'sqeuclidean') throw new RangeError(`E2LshIndex: metric must be 'euclidean' or 'sqeuclidean', got ${JSON.stringify(metric)} (use SimHashIndex for cosine)`);
    super(metric, options);
    if (options.bucketWidth !== undefined && !(options.bucketWidth > 0 && Number.isFinite(options.bucketWidth))) throw new RangeError(`E2LshIndex: bucketWidth must be a positive number, got ${options.bucketWidth}`);
    this.w = options.bucketWidth ?? 0;
  }

  private get e2Options(): E2LshOptions {
    return this.options as E2LshOptions;
  }

  protected configure(first: Matrix<Float32Array>, rng: Random): void {
    const o = this.e2Options;
    const needsCalibration = this.autoTune || o.bucketWidth === undefined;
    if (!needsCalibration) {
      this.K = o.hashLength as number;
      this.L = o.tables as number;
      this.probes = o.probes ?? 0;
      return;
    }
    const { near, random } = calibrationPairs(first, o.calibrationK ?? 10, rng);
    const nearD = near.map(([a, b]) => rowDistance(first, a, b));
    const randD = random.map(([a, b]) => rowDistance(first, a, b));
    const sorted = [...nearD].sort((a, b) => a - b);
    const median = sorted.length ? sorted[sorted.length >> 1] : 1;
    const scale = median > 0 ? median : 1;
    const nearS = summarize(nearD, 'ascending', 0, 64);
    const bgS = summarize(randD, 'ascending', 0.02, 64);
    const widths = o.bucketWidth !== undefined ? [o.bucketWidth] : [0.5, 1, 1.5, 2, 3, 4].map((f) => f * scale);
    let best: (LshPlan & { w: number }) | null = null;
    for (const w of widths) {
      const plan = planLsh({
        near: nearS.values.map((c) => e2lshCollision(c, w)),
        nearWeights: nearS.weights,
        background: bgS.values.map((c) => e2lshCollision(c, w)),
        backgroundWeights: bgS.weights,
        n: first.rows,
        d: first.cols,
        targetRecall: plannedRecall(o.targetRecall ?? 0.9),
        perturbationsOf: (K) => 2 * K,
        kRange: o.hashLength !== undefined ? [o.hashLength, o.hashLength] : [2, 24],
        maxTables: o.tables ?? o.maxTables ?? 64,
        probeChoices: o.probes !== undefined ? [o.probes] : [0, 1, 2, 3, 4, 6],
      });
      const target = plannedRecall(o.targetRecall ?? 0.9);
      const better = !best
        || (plan.predictedRecall >= target && (best.predictedRecall < target || plan.predictedCost < best.predictedCost))
        || (best.predictedRecall < target && plan.predictedRecall > best.predictedRecall);
      if (better) best = { ...plan, w };
    }
    const b = best as LshPlan & { w: number };
    // explicit settings always win; the plan fills in the rest
    this.K = o.hashLength ?? b.K;
    this.L = o.tables ?? b.L;
    this.probes = o.probes ?? b.probes;
    this.w = b.w;
    this.plan = { K: b.K, L: b.L, probes: b.probes, predictedRecall: b.predictedRecall, predictedCandidates: b.predictedCandidates, predictedCost: b.predictedCost };
  }

  protected drawHashes(rng: Random, dim: number): void {
    const LK = this.L * this.K;
    this.projections = new Float32Array(LK * dim);
    for (let i = 0; i < this.projections.length; i++) this.projections[i] = rng.normal();
    this.offsets = new Float32Array(LK);
    for (let i = 0; i < LK; i++) this.offsets[i] = rng.uniform(0, this.w);
  }

  protected homeKeys(proj: Float32Array, offset: number, out: Uint32Array): void {
    // mixKey(bucketInts(...)) fused into one pass (the XOR truncates to int32 as the Int32Array
    // store did), so the keys are identical to the probe path's
    const K = this.K;
    const w = this.w;
    const off = this.offsets;
    for (let t = 0; t < this.L; t++) {
      const o = t * K;
      let x = 0x811c9dc5;
      for (let j = 0; j < K; j++) x = Math.imul(x ^ Math.floor((proj[offset + o + j] + off[o + j]) / w), 0x01000193);
      out[t] = finishKey(x);
    }
  }

  protected probeKeys(proj: Float32Array, offset: number, table: number, out: number[]): void {
    if (this.probes <= SMALL_PROBES) this.probeKeysSmall(proj, offset, table, out);
    else this.probeKeysHeap(proj, offset, table, out);
  }

  private pH = new Int32Array(0);
  private pScore = new Float64Array(0);
  private pTop = new Int32Array(SMALL_PROBES);
  private pConflict = new Int32Array(SMALL_PROBES);
  private pBestMask = new Int32Array(SMALL_PROBES);
  private pBestScore = new Float64Array(SMALL_PROBES);

  /**
   * The same query-directed sequence as perturbationSets, computed without allocation for
   * T ≤ SMALL_PROBES: a set containing the perturbation ranked p (0-based) scores at least
   * as much as each of the p + 1 singletons ranked 0..p, so the T best sets use only the T
   * best single perturbations; all 2^T − 1 subsets of those are scored and the T lowest
   * valid ones kept. (The heap version allocated a few hundred objects per table and query,
   * which made probing cost more than the candidates it saved.)
   */
  private probeKeysSmall(proj: Float32Array, offset: number, table: number, out: number[]): void {
    const K = this.K;
    const T = this.probes;
    const w = this.w;
    const base = table * K;
    if (this.pH.length < K) { this.pH = new Int32Array(K); this.pScore = new Float64Array(2 * K); }
    const h = this.pH;
    const sc = this.pScore;
    for (let j = 0; j < K; j++) {
      const v = (proj[offset + base + j] + this.offsets[base + j]) / w;
      const fl = Math.floor(v);
      h[j] = fl;
      const f = v - fl;
      sc[2 * j] = f * f; // shift −1
      sc[2 * j + 1] = (1 - f) * (1 - f); // shift +1
    }
    // the c best single perturbations (item 2j + s: coordinate j, shift s ? +1 : −1), best first
    const top = this.pTop;
    const c = Math.min(T, 2 * K);
    let filled = 0;
    for (let it = 0; it < 2 * K; it++) {
      const s = sc[it];
      if (filled === c && s >= sc[top[c - 1]]) continue;
      let p = filled < c ? filled++ : c - 1;
      while (p > 0 && sc[top[p - 1]] > s) { top[p] = top[p - 1]; p--; }
      top[p] = it;
    }
    const conflict = this.pConflict;
    for (let a = 0; a < c; a++) {
      let cm = 0;
      for (let b = 0; b < c; b++) if (b !== a && top[b] >> 1 === top[a] >> 1) cm |= 1 << b;
      conflict[a] = cm;
    }
    const bestMask = this.pBestMask;
    const bestScore = this.pBestScore;
    let nb = 0;
    for (let mask = 1; mask < 1 << c; mask++) {
      let score = 0;
      let ok = true;
      for (let a = 0; a < c; a++) {
        if ((mask & (1 << a)) === 0) continue;
        if (mask & conflict[a]) { ok = false; break; }
        score += sc[top[a]];
      }
      if (!ok || (nb === T && score >= bestScore[T - 1])) continue;
      let p = nb < T ? nb++ : T - 1;
      while (p > 0 && bestScore[p - 1] > score) { bestScore[p] = bestScore[p - 1]; bestMask[p] = bestMask[p - 1]; p--; }
      bestScore[p] = score;
      bestMask[p] = mask;
    }
    for (let i = 0; i < nb; i++) {
      const mask = bestMask[i];
      for (let a = 0; a < c; a++) if (mask & (1 << a)) h[top[a] >> 1] += (top[a] & 1) ? 1 : -1;
      out.push(mixKey(h, 0, K));
      for (let a = 0; a < c; a++) if (mask & (1 << a)) h[top[a] >> 1] -= (top[a] & 1) ? 1 : -1;
    }
  }

  private probeKeysHeap(proj: Float32Array, offset: number, table: number, out: number[]): void {
    const K = this.K;
    const w = this.w;
    const base = table * K;
    const h = new Int32Array(K);
    const items: Array<{ j: number; delta: number; score: number }> = [];
    for (let j = 0; j < K; j++) {
      const v = (proj[offset + base + j] + this.offsets[base + j]) / w;
      h[j] = Math.floor(v);
      const f = v - h[j];
      items.push({ j, delta: -1, score: f * f }, { j, delta: 1, score: (1 - f) * (1 - f) });
    }
    items.sort((a, b) => a.score - b.score);
    const scores = items.map((x) => x.score);
    const valid = (set: number[]): boolean => {
      const seen = new Set<number>();
      for (const p of set) {
        if (seen.has(items[p].j)) return false;
        seen.add(items[p].j);
      }
      return true;
    };
    for (const set of perturbationSets(scores, this.probes, valid)) {
      for (const p of set) h[items[p].j] += items[p].delta;
      out.push(mixKey(h, 0, K));
      for (const p of set) h[items[p].j] -= items[p].delta;
    }
  }

  protected override pendingSettings(): Record<string, unknown> {
    const out = super.pendingSettings();
    if (this.e2Options.bucketWidth !== undefined) out.bucketWidth = this.e2Options.bucketWidth;
    return out;
  }

  protected familyState(): { meta: Record<string, unknown>; arrays: ModelPayload['arrays'] } {
    return { meta: { w: this.w }, arrays: { offsets: { shape: [this.offsets.length], data: this.offsets.slice() } } };
  }

  protected restoreFamily(p: ModelPayload): void {
    this.w = p.meta.w as number;
    const off = p.arrays.offsets;
    if (!off) throw new Error('index/e2lsh: the offsets array is missing');
    this.offsets = Float32Array.from(off.data);
  }

  static fromPayload(p: ModelPayload): E2LshIndex {
    if (p.kind !== 'index/e2lsh') throw new Error(`E2LshIndex.fromPayload: expected kind index/e2lsh, got ${p.kind}`);
    const settings: E2LshOptions = pendingOptions(p) ?? { hashLength: p.meta.K as number, tables: p.meta.L as number, probes: p.meta.probes as number, bucketWidth: p.meta.w as number };
    const idx = new E2LshIndex({ ...settings, metric: p.meta.metric as 'euclidean', seed: p.meta.seed as number, transform: transformFromPayload(p) });
    idx.restore(p);
    return idx;
  }
}
