/**
 * Retrieval metrics from query and reference embeddings with class labels: a reference is
 * relevant to a query when their labels are equal. For query q, let rel_i ∈ {0, 1} be the
 * relevance of its i-th nearest reference (Euclidean distance, ties to the lower index),
 * hits(i) = Σ_{j≤i} rel_j, and R = the number of references relevant to q (when queries and
 * references are the same set, the query itself is excluded from its neighbours and from R).
 *
 *   precision@k   = hits(k) / k                                   (PML's precision_at_k)
 *   recall@k      = hits(k) / R                                   (the IR definition)
 *   CMC@k         = 1 if hits(k) > 0 else 0                       (OML's cmc@k; what deep
 *                   metric-learning papers call "Recall@K")
 *   R-precision   = hits(R) / R
 *   MAP@R         = (1/R) Σ_{i≤R} rel_i · hits(i)/i               (Musgrave et al. 2020,
 *                   "A Metric Learning Reality Check"; pytorch-metric-learning's
 *                   mean_average_precision_at_r)
 *   mAP@k         = (1/hits(k)) Σ_{i≤k} rel_i · hits(i)/i, 0 when hits(k) = 0
 *                   (OpenMetricLearning's map@k: averaged over the hits found in the top k,
 *                   so it is ≥ MAP@R-like values for the same embeddings; older OML releases
 *                   divided by min(k, R) instead; named mapAtK so nobody mixes it with mapAtR)
 *   NDCG@k        = Σ_{i≤k} rel_i / log2(i+1)  ÷  Σ_{i≤min(R,k)} 1 / log2(i+1)
 * Each is averaged over queries. Queries with R = 0 ("lone" queries: their label has no
 * other member among the references) are excluded, as pytorch-metric-learning does; the
 * report counts them.
 *
 * The neighbour depth for R-based metrics is derived automatically: K = the largest R of any
 * query (the largest class), so R-precision and MAP@R never silently truncate. An explicit
 * `depth` smaller than that throws instead (pytorch-metric-learning caps K at 1023 and
 * silently computes a different number for larger classes).
 */
import { exponentOf, timesPowerOfTwo } from '../linalg/power-of-two.js';
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { quickselect } from '../neighbors/select.js';

export type LabelsInput = ArrayLike<number | string>;

export interface RetrievalOptions {
  /** Reference embeddings; omitted = the queries themselves (leave-one-out). */
  references?: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>;
  referenceLabels?: LabelsInput;
  /**
   * Cutoffs for precision@k, recall@k, CMC@k and NDCG@k (default [1, 5, 10]). The report is
   * keyed by exactly these; a cutoff beyond the available references (all references, or all
   * but the query in a same-set evaluation) is evaluated at that number, with a warning.
   */
  kValues?: number[];
  /** The cutoff of mAP@k (default 10). */
  k?: number;
  /** Neighbours retrieved per query; default (and minimum) = the largest R. */
  depth?: number;
}

export interface RetrievalReport {
  precisionAt1: number;
  rPrecision: number;
  mapAtR: number;
  /** OpenMetricLearning's map@k at cutoff `k`. */
  mapAtK: number;
  /** The cutoff of mapAtK as requested (evaluated at the number of available references when larger). */
  k: number;
  precisionAt: Record<string, number>;
  recallAt: Record<string, number>;
  cmcAt: Record<string, number>;
  ndcgAt: Record<string, number>;
  /**
   * Neighbours retrieved per query: the largest of maxRelevant, the cutoffs (each at most the
   * references available) and an explicit `depth`.
   */
  depth: number;
  /** The largest R: relevant references of the query whose class is largest. */
  maxRelevant: number;
  nQueries: number;
  /** Queries that entered the averages (those with R ≥ 1). */
  nEvaluated: number;
  sameSet: boolean;
  warnings: string[];
}

/** Per-query inputs of the metric formulas: the relevance of each ranked neighbour and R. */
export interface RankedRelevance {
  /** nq × depth row-major, 1 when the i-th neighbour of query q is relevant. */
  relevance: Uint8Array;
  depth: number;
  /** R per query. */
  nRelevant: Int32Array;
}

function toMatrix(x: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>, name: string): Matrix<FloatArray> {
  const m = x instanceof Matrix ? x : Matrix.fromRows(x, 'float64');
  const a = m.data;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new RangeError(`${name}: value at row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${a[i]}; embeddings must be finite`);
  return m;
}

/** Integer codes for labels shared between queries and references. */
export function encodeLabels(a: LabelsInput, b?: LabelsInput): { a: Int32Array; b: Int32Array; nClasses: number } {
  const dict = new Map<string, number>();
  const enc = (x: LabelsInput): Int32Array => {
    const out = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) throw new RangeError(`labels: label ${i} is ${v}; every row needs a label`);
      const key = String(v);
      let c = dict.get(key);
      if (c === undefined) {
        c = dict.size;
        dict.set(key, c);
      }
      out[i] = c;
    }
    return out;
  };
  const ea = enc(a);
  const eb = b ? enc(b) : ea;
  return { a: ea, b: eb, nClasses: dict.size };
}

/**
 * The `depth` nearest references of every query (squared Euclidean in float32 GEMM tiles,
 * ties to the lower index), excluding the query itself when `sameSet`. nq × depth indices.
 * Any finite data works: far outside float32's comfortable range (squares overflow from about
 * 1e19, vanish below about 1e-19) all values are first divided by one power of two.
 * The native backend's fused knn does this several times faster than the JS selection below
 * (large depths included); the JS backend keeps the selection, which beats its own knn.
 */
export function nearestReferences(queries: Matrix<FloatArray>, refs: Matrix<FloatArray>, depth: number, sameSet: boolean, memoryBudget = 64 * 1024 * 1024): Int32Array {
  const nq = queries.rows;
  const nr = refs.rows;
  const d = queries.cols;
  const shift = float32Shift(queries, refs);
  const q = toFloat32Scaled(queries, shift);
  const r = sameSet && refs === queries ? q : toFloat32Scaled(refs, shift);
  const be = getBackend();
  if (be.name === 'native' && depth > 0 && nq > 0 && nr > 0) {
    // The native knn orders by the same clamped distance max(0, ·) and index and skips exactly
    // i == j, so only its padding differs: rows beyond the available references stay 0 here.
    const nn = be.knn(q, nq, r, nr, d, depth, { excludeSelf: sameSet, memoryBudget }).indices;
    for (let i = 0; i < nn.length; i++) if (nn[i] < 0) nn[i] = 0;
    return nn;
  }
  const qn = be.rowSqNorms(q, nq, d);
  const rn = be.rowSqNorms(r, nr, d);
  const out = new Int32Array(nq * depth);
  if (depth === 0 || nq === 0) return out;
  // small query blocks keep the distance tile in cache for the selection pass that follows
  const block = Math.max(1, Math.min(nq, 128, Math.floor(memoryBudget / (4 * Math.max(1, nr)))));
  const tile = new Float32Array(block * nr);
  const keys = new Float64Array(nr);
  const sample = new Float64Array(SAMPLE);
  const sortBuf: SortBuffers = { tmp: new Float64Array(nr), counts: new Int32Array(nr + 2) };
  for (let q0 = 0; q0 < nq; q0 += block) {
    const qb = Math.min(block, nq - q0);
    be.gemm(false, true, qb, nr, d, -2, q.subarray(q0 * d, (q0 + qb) * d), d, r, d, 0, tile, nr);
    for (let qi = 0; qi < qb; qi++) {
      selectNearest(tile, qi * nr, nr, qn[q0 + qi], rn, sameSet ? q0 + qi : -1, depth, out, (q0 + qi) * depth, keys, sample, sortBuf);
    }
  }
  return out;
}

/** Within ±2^40 the float32 squared distances of any realistic width stay normal and finite. */
const F32_SAFE_MAX = 2 ** 40;
const F32_SAFE_MIN = 2 ** -40;

/**
 * The power of two to divide every value by before the float32 kernels see it: 0 for ordinary
 * data; otherwise the exponent of the largest |value|, which brings it into [1, 2). Squared
 * distances overflow float32 from |x| ≈ 1e19 and vanish below ≈ 1e-19, while a common power
 * of two changes no ranking (float32 rounding is scale-free), so any finite data ranks right.
 */
function float32Shift(a: Matrix<FloatArray>, b: Matrix<FloatArray>): number {
  let m = 0;
  for (const x of a === b ? [a.data] : [a.data, b.data]) {
    for (let i = 0; i < x.length; i++) {
      const v = Math.abs(x[i]);
      if (v > m) m = v;
    }
  }
  return m === 0 || (m <= F32_SAFE_MAX && m >= F32_SAFE_MIN) ? 0 : exponentOf(m);
}

function toFloat32Scaled(x: Matrix<FloatArray>, shift: number): Float32Array {
  if (shift === 0) return x.toFloat32().data;
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = timesPowerOfTwo(src[i], -shift);
  return out;
}

const SAMPLE = 256;
const INDEX_BITS = 2 ** 21;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The `depth` smallest of d_j = max(0, qq + rn_j + g_j) (g = row of −2 Q Rᵀ at `go`), as
 * indices nearest first, ties to the lower index, row `exclude` left out. One pass finishes
 * the distances and keys only those at or below τ, a distance estimated from an evenly
 * spaced sample to lie above the depth-th smallest; the key bits(d)·2^21 + j is an exact
 * double whose order is (distance, index) because the float32 bit pattern of a non-negative
 * float orders like the float. Quickselect and a native sort of the survivors finish. When
 * fewer than `depth` rows survive (τ too low), every row is keyed, so the result is exact
 * either way.
 */
function selectNearest(g: Float32Array, go: number, n: number, qq: number, rn: Float32Array, exclude: number, depth: number, out: Int32Array, oo: number, keys: Float64Array, sample: Float64Array, sortBuf: SortBuffers): void {
  let tau = Infinity;
  const avail = exclude >= 0 ? n - 1 : n;
  if (n > INDEX_BITS) throw new RangeError(`nearestReferences: at most ${INDEX_BITS} references, got ${n}`);
  if (n >= 4 * SAMPLE && depth * 4 < n) {
    const stride = n / SAMPLE;
    for (let t = 0; t < SAMPLE; t++) {
      const j = Math.floor(t * stride);
      const v = g[go + j] + qq + rn[j];
      sample[t] = j === exclude ? Infinity : v > 0 ? v : 0;
    }
    sample.sort();
    tau = sample[Math.min(SAMPLE - 1, Math.ceil((depth / n) * SAMPLE * 1.5) + 6)];
  }
  let m = 0;
  for (let j = 0; j < n; j++) {
    const v = g[go + j] + qq + rn[j];
    if (v <= tau && j !== exclude) {
      f32[0] = v > 0 ? v : 0;
      keys[m++] = u32[0] * INDEX_BITS + j;
    }
  }
  if (m < depth) {
    m = 0;
    for (let j = 0; j < n; j++) {
      if (j === exclude) continue;
      const v = g[go + j] + qq + rn[j];
      f32[0] = v > 0 ? v : 0;
      keys[m++] = u32[0] * INDEX_BITS + j;
    }
  }
  const k = Math.min(depth, avail);
  let top: Float64Array;
  if (m <= 4 * k) {
    bucketSort(keys, m, sortBuf);
    top = keys;
  } else {
    const a = keys.subarray(0, m);
    quickselect(a, k - 1);
    bucketSort(a, k, sortBuf);
    top = a;
  }
  for (let i = 0; i < k; i++) {
    const key = top[i];
    out[oo + i] = key - Math.floor(key / INDEX_BITS) * INDEX_BITS;
  }
}

interface SortBuffers {
  tmp: Float64Array;
  counts: Int32Array;
}

/**
 * Sorts a[0 .. m) ascending: a bucket pass (m buckets spread linearly between the smallest
 * and largest key) followed by insertion sort, which only moves keys within their bucket.
 * Keys of near neighbours are spread fairly evenly, so this runs in about linear time,
 * several times faster than the built-in sort of a Float64Array (which dominated the
 * selection when depth is in the thousands); skewed inputs only cost more insertion steps.
 */
function bucketSort(a: Float64Array, m: number, buf: SortBuffers): void {
  if (m < 2) return;
  let lo = a[0];
  let hi = a[0];
  for (let i = 1; i < m; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  if (hi > lo) {
    const counts = buf.counts;
    const tmp = buf.tmp;
    const scale = (m - 1) / (hi - lo);
    counts.fill(0, 0, m + 1);
    for (let i = 0; i < m; i++) counts[Math.floor((a[i] - lo) * scale) + 1]++;
    for (let b = 0; b < m; b++) counts[b + 1] += counts[b];
    for (let i = 0; i < m; i++) tmp[counts[Math.floor((a[i] - lo) * scale)]++] = a[i];
    for (let i = 0; i < m; i++) a[i] = tmp[i];
  }
  for (let i = 1; i < m; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

function checkKs(kValues: number[], name: string): void {
  if (!Array.isArray(kValues) || kValues.length === 0) throw new RangeError(`${name} must be a non-empty array of positive integers`);
  for (const k of kValues) if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: ${k} is not a positive integer`);
}

/**
 * Averages the metric formulas (see the file comment) over queries with R ≥ 1, given each
 * query's ranked relevance. Cutoffs must not exceed `depth`.
 */
export function metricsFromRelevance(rr: RankedRelevance, kValues: number[], k: number): Omit<RetrievalReport, 'depth' | 'maxRelevant' | 'nQueries' | 'sameSet' | 'warnings'> {
  const { relevance, depth, nRelevant } = rr;
  checkKs(kValues, 'kValues');
  checkKs([k], 'k');
  const nq = nRelevant.length;
  const cut = [...new Set([...kValues, 1])].sort((a, b) => a - b);
  for (const c of [...cut, k]) if (c > depth) throw new RangeError(`cutoff ${c} exceeds the ${depth} neighbours retrieved`);
  const logInv = new Float64Array(depth + 1);
  for (let i = 1; i <= depth; i++) logInv[i] = 1 / Math.log2(i + 1);
  const prec = new Float64Array(cut.length);
  const rec = new Float64Array(cut.length);
  const cmc = new Float64Array(cut.length);
  const ndcg = new Float64Array(cut.length);
  let rPrec = 0;
  let mapR = 0;
  let mapK = 0;
  let nEval = 0;
  for (let q = 0; q < nq; q++) {
    const R = nRelevant[q];
    if (R <= 0) continue;
    if (R > depth) throw new RangeError(`query ${q} has R = ${R} relevant references but only ${depth} neighbours were retrieved; R-based metrics need depth ≥ the largest class size`);
    nEval++;
    const base = q * depth;
    let hits = 0;
    let apR = 0;
    let apK = 0;
    let dcg = 0;
    let c = 0;
    const last = Math.max(R, cut[cut.length - 1], k);
    for (let i = 1; i <= last; i++) {
      const rel = relevance[base + i - 1];
      if (rel) {
        hits++;
        if (i <= R) apR += hits / i;
        if (i <= k) apK += hits / i;
        dcg += logInv[i];
      }
      if (i === R) {
        rPrec += hits / R;
        mapR += apR / R;
      }
      if (i === k) mapK += hits > 0 ? apK / hits : 0;
      while (c < cut.length && cut[c] === i) {
        prec[c] += hits / i;
        rec[c] += hits / R;
        cmc[c] += hits > 0 ? 1 : 0;
        let idcg = 0;
        for (let j = 1; j <= Math.min(R, i); j++) idcg += logInv[j];
        ndcg[c] += dcg / idcg;
        c++;
      }
    }
  }
  const avg = (v: number): number => (nEval > 0 ? v / nEval : 0);
  const keyed = (arr: Float64Array, keep: number[]): Record<string, number> => {
    const o: Record<string, number> = {};
    cut.forEach((c2, i) => { if (keep.includes(c2)) o[String(c2)] = avg(arr[i]); });
    return o;
  };
  return {
    precisionAt1: avg(prec[cut.indexOf(1)]),
    rPrecision: avg(rPrec),
    mapAtR: avg(mapR),
    mapAtK: avg(mapK),
    k,
    precisionAt: keyed(prec, kValues),
    recallAt: keyed(rec, kValues),
    cmcAt: keyed(cmc, kValues),
    ndcgAt: keyed(ndcg, kValues),
    nEvaluated: nEval,
  };
}

/** All retrieval metrics for `queries` (labels `queryLabels`) against the references. */
export function retrievalMetrics(queries: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>, queryLabels: LabelsInput, options: RetrievalOptions = {}): RetrievalReport {
  const Q = toMatrix(queries, 'queries');
  const sameSet = options.references === undefined || options.references === queries;
  const Rm = sameSet ? Q : toMatrix(options.references as Matrix<FloatArray>, 'references');
  if (queryLabels.length !== Q.rows) throw new RangeError(`queryLabels: got ${queryLabels.length} labels for ${Q.rows} queries`);
  const refLabelsIn = sameSet ? queryLabels : options.referenceLabels;
  if (!refLabelsIn) throw new RangeError('referenceLabels: required when references are given');
  if (refLabelsIn.length !== Rm.rows) throw new RangeError(`referenceLabels: got ${refLabelsIn.length} labels for ${Rm.rows} references`);
  if (Rm.cols !== Q.cols) throw new RangeError(`references have ${Rm.cols} columns but queries have ${Q.cols}; both must live in the same embedding space`);
  if (Q.rows === 0) throw new RangeError('queries: no rows to evaluate');
  const warnings: string[] = [];
  const { a: ql, b: rl, nClasses } = encodeLabels(queryLabels, sameSet ? undefined : refLabelsIn);
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < rl.length; i++) counts[rl[i]]++;
  const nRelevant = new Int32Array(Q.rows);
  let maxR = 0;
  let lone = 0;
  for (let i = 0; i < Q.rows; i++) {
    const r = counts[ql[i]] - (sameSet ? 1 : 0);
    nRelevant[i] = r;
    if (r > maxR) maxR = r;
    if (r <= 0) lone++;
  }
  if (maxR === 0) throw new RangeError('no query has a relevant reference (every query label is absent from the references, or appears once in a same-set evaluation); retrieval metrics are undefined');
  if (lone > 0) warnings.push(`${lone} of ${Q.rows} queries have no relevant reference and were excluded from the averages`);
  const available = Rm.rows - (sameSet ? 1 : 0);
  const kValues = options.kValues ?? [1, 5, 10];
  checkKs(kValues, 'kValues');
  const k = options.k ?? 10;
  checkKs([k], 'k');
  // A cutoff beyond the references there are retrieves them all, so it is evaluated at
  // `available` (where recall, CMC and NDCG are what they would be at any deeper cutoff)
  // and reported under the key that was asked for.
  const over = [...new Set([...kValues, k])].filter((c) => c > available).sort((a, b) => a - b);
  if (over.length > 0) warnings.push(`cutoff${over.length > 1 ? 's' : ''} ${over.join(', ')} exceed${over.length > 1 ? '' : 's'} the ${available} available references; evaluated at ${available} (every reference retrieved) and reported under the requested key${over.length > 1 ? 's' : ''}`);
  const effK = Math.min(k, available);
  const effKValues = [...new Set(kValues.map((c) => Math.min(c, available)))];
  let depth = Math.max(maxR, effK, ...effKValues);
  if (options.depth !== undefined) {
    if (!Number.isInteger(options.depth) || options.depth < 1) throw new RangeError(`depth must be a positive integer, got ${options.depth}`);
    if (options.depth < maxR) throw new RangeError(`depth = ${options.depth} is smaller than the largest class (R = ${maxR} relevant references for some query); R-precision and MAP@R would be silently wrong. Leave depth unset to derive it, or pass depth ≥ ${maxR}`);
    depth = Math.max(depth, Math.min(options.depth, available));
  }
  const nn = nearestReferences(Q, Rm, depth, sameSet);
  const relevance = new Uint8Array(nn.length);
  for (let q = 0; q < Q.rows; q++) {
    const lq = ql[q];
    const base = q * depth;
    for (let i = 0; i < depth; i++) relevance[base + i] = rl[nn[base + i]] === lq ? 1 : 0;
  }
  const m = metricsFromRelevance({ relevance, depth, nRelevant }, effKValues, effK);
  const requested = (at: Record<string, number>): Record<string, number> => {
    const o: Record<string, number> = {};
    for (const c of kValues) o[String(c)] = at[String(Math.min(c, available))];
    return o;
  };
  return {
    ...m,
    k,
    precisionAt: requested(m.precisionAt),
    recallAt: requested(m.recallAt),
    cmcAt: requested(m.cmcAt),
    ndcgAt: requested(m.ndcgAt),
    depth,
    maxRelevant: maxR,
    nQueries: Q.rows,
    sameSet,
    warnings,
  };
}
