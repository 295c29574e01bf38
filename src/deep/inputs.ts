/**
 * Converters from the forms similarity data comes in besides class labels into what the losses,
 * miners and samplers consume (rows X, Int32 labels, and where needed index tuples or targets).
 *
 * - Labelled pairs (a_k, b_k, y_k = +1 similar / −1 dissimilar) → `fromLabeledPairs`: the
 *   distinct items as rows of X (an item that occurs in several pairs, i.e. the same feature
 *   vector, is one row), `pairRows` (the two rows of each pair), the pairs as MinedTuples over
 *   those rows, and labels = connected components of the similar pairs (items linked by a chain
 *   of similar pairs share a label). Train with the tuples (restricted to each batch by
 *   `tuplesForBatch`, batches from `new PairBatchSampler(pairRows, ...)`) and a pair loss
 *   (contrastive, margin, ntxent...), not with a miner: a miner would treat every two items with
 *   different component labels as a negative pair, which pair data does not say. A dissimilar
 *   pair inside one component is a contradiction and an error.
 * - Scored pairs (a_k, b_k, score_k) → `fromScoredPairs`: rows [a; b], label k on both rows of
 *   pair k, and the scores, for ScoreRegressionLoss({ scores }) with PairBatchSampler.
 * - Groups (lists of items that belong together, e.g. paraphrase sets, sessions) →
 *   `fromGroups`: rows stacked, each group one pseudo-class; then any loss/miner/sampler as with
 *   class labels.
 * - (query, positive) pairs with in-batch negatives → `fromQueryPositivePairs`: either use the
 *   stacked form (labels pair id, any pair loss such as ntxent or supcon: each side is the
 *   other's positive and all other rows are negatives), or compute the queries' embeddings as
 *   the batch and the positives' as the loss's `reference`, both with labels 0..n−1 (the
 *   asymmetric InfoNCE form); the loss returns referenceGrad for the positives.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import type { MinedTuples } from './types.js';

type Rows = Matrix<FloatArray> | ArrayLike<ArrayLike<number>>;

function stack(parts: Matrix<FloatArray>[]): Matrix<Float32Array> {
  const d = parts[0].cols;
  const n = parts.reduce((s, p) => s + p.rows, 0);
  const out = new Float32Array(n * d);
  let at = 0;
  for (const p of parts) {
    out.set(p.data, at);
    at += p.data.length;
  }
  return new Matrix(n, d, out);
}

function pairSides(a: Rows, b: Rows, owner: string): { A: Matrix<FloatArray>; B: Matrix<FloatArray> } {
  const A = asMatrix(a, `${owner}: a`, 'float32');
  const B = asMatrix(b, `${owner}: b`, 'float32');
  if (A.rows !== B.rows) throw new RangeError(`${owner}: a has ${A.rows} rows but b has ${B.rows}; row k of each forms pair k`);
  if (A.cols !== B.cols) throw new RangeError(`${owner}: a has ${A.cols} columns but b has ${B.cols}`);
  if (A.rows === 0) throw new RangeError(`${owner}: no pairs given`);
  return { A, B };
}

export interface LabeledPairData {
  /** The distinct items, one row each. */
  X: Matrix<Float32Array>;
  /** Connected components of the similar pairs. */
  labels: Int32Array;
  /** Row of X of each pair's first and second item. */
  pairRows: { a: Int32Array; b: Int32Array };
  /** The pairs over the rows of X (posA/posB similar, negA/negB dissimilar). */
  tuples: Extract<MinedTuples, { kind: 'pairs' }>;
  nPairs: number;
}

/** (a, b, ±1) pairs. y may be +1/−1, or 1/0 (1 similar, 0 dissimilar), or booleans. */
export function fromLabeledPairs(a: Rows, b: Rows, y: ArrayLike<number | boolean>): LabeledPairData {
  const owner = 'fromLabeledPairs';
  const { A, B } = pairSides(a, b, owner);
  const n = A.rows;
  const d = A.cols;
  if (y.length !== n) throw new RangeError(`${owner}: y has ${y.length} entries for ${n} pairs`);
  const similar = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const v = y[k];
    if (v === true || v === 1) similar[k] = 1;
    else if (v === false || v === -1 || v === 0) similar[k] = 0;
    else throw new RangeError(`${owner}: y[${k}] is ${String(v)}; use +1/1/true for similar and -1/0/false for dissimilar`);
  }
  // Items are identified by their values: the same vector in two pairs is one row.
  const rowOf = new Map<string, number>();
  const items: Float32Array[] = [];
  const place = (v: Float32Array): number => {
    const key = Array.prototype.join.call(v, ',');
    let r = rowOf.get(key);
    if (r === undefined) {
      r = items.length;
      rowOf.set(key, r);
      items.push(v);
    }
    return r;
  };
  const ra = new Int32Array(n);
  const rb = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    ra[k] = place(A.row(k) as Float32Array);
    rb[k] = place(B.row(k) as Float32Array);
  }
  const N = items.length;
  const parent = new Int32Array(N);
  for (let i = 0; i < N; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let k = 0; k < n; k++) if (similar[k]) parent[find(ra[k])] = find(rb[k]);
  const labels = new Int32Array(N);
  const code = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    const r = find(i);
    if (!code.has(r)) code.set(r, code.size);
    labels[i] = code.get(r)!;
  }
  let nPos = 0;
  for (let k = 0; k < n; k++) nPos += similar[k];
  const tuples = { kind: 'pairs' as const, posA: new Int32Array(nPos), posB: new Int32Array(nPos), negA: new Int32Array(n - nPos), negB: new Int32Array(n - nPos) };
  let p = 0;
  let q = 0;
  for (let k = 0; k < n; k++) {
    if (similar[k]) {
      tuples.posA[p] = ra[k];
      tuples.posB[p++] = rb[k];
    } else {
      if (labels[ra[k]] === labels[rb[k]]) throw new RangeError(`${owner}: pair ${k} is marked dissimilar but its items are linked by a chain of similar pairs; fix the labels of the data`);
      tuples.negA[q] = ra[k];
      tuples.negB[q++] = rb[k];
    }
  }
  const X = new Float32Array(N * d);
  items.forEach((v, i) => X.set(v, i * d));
  return { X: new Matrix(N, d, X), labels, pairRows: { a: ra, b: rb }, tuples, nPairs: n };
}

/**
 * The tuples whose rows all lie in the batch, re-indexed to batch positions (rows = the batch's
 * row indices into the dataset, as a BatchSampler gives them).
 */
export function tuplesForBatch(tuples: MinedTuples, rows: ArrayLike<number>, datasetSize: number): MinedTuples {
  const pos = new Int32Array(datasetSize).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < datasetSize)) throw new RangeError(`tuplesForBatch: row ${r} is outside 0..${datasetSize - 1}`);
    pos[r] = i;
  }
  const filter = (A: Int32Array, B: Int32Array, C?: Int32Array): Int32Array[] => {
    let cnt = 0;
    for (let t = 0; t < A.length; t++) if (pos[A[t]] >= 0 && pos[B[t]] >= 0 && (!C || pos[C[t]] >= 0)) cnt++;
    const out = [new Int32Array(cnt), new Int32Array(cnt), new Int32Array(C ? cnt : 0)];
    let w = 0;
    for (let t = 0; t < A.length; t++) {
      if (pos[A[t]] >= 0 && pos[B[t]] >= 0 && (!C || pos[C[t]] >= 0)) {
        out[0][w] = pos[A[t]];
        out[1][w] = pos[B[t]];
        if (C) out[2][w] = pos[C[t]];
        w++;
      }
    }
    return out;
  };
  if (tuples.kind === 'triplets') {
    const [a, p, n] = filter(tuples.anchors, tuples.positives, tuples.negatives);
    return { kind: 'triplets', anchors: a, positives: p, negatives: n };
  }
  const [pa, pb] = filter(tuples.posA, tuples.posB);
  const [na, nb] = filter(tuples.negA, tuples.negB);
  return { kind: 'pairs', posA: pa, posB: pb, negA: na, negB: nb };
}

export interface ScoredPairData {
  X: Matrix<Float32Array>;
  /** Pair id k on rows k and n + k. */
  labels: Int32Array;
  scores: Float64Array;
  nPairs: number;
}

/** (a, b, score) pairs, for ScoreRegressionLoss({ scores }) and PairBatchSampler. */
export function fromScoredPairs(a: Rows, b: Rows, scores: ArrayLike<number>): ScoredPairData {
  const owner = 'fromScoredPairs';
  const { A, B } = pairSides(a, b, owner);
  const n = A.rows;
  if (scores.length !== n) throw new RangeError(`${owner}: scores has ${scores.length} entries for ${n} pairs`);
  const s = Float64Array.from(scores);
  for (let k = 0; k < n; k++) if (!Number.isFinite(s[k])) throw new RangeError(`${owner}: scores[${k}] is ${s[k]}; every score must be finite`);
  const labels = new Int32Array(2 * n);
  for (let k = 0; k < n; k++) labels[k] = labels[n + k] = k;
  return { X: stack([A, B]), labels, scores: s, nPairs: n };
}

/** Groups of rows that belong together; group g becomes pseudo-class g. */
export function fromGroups(groups: ArrayLike<Rows>): { X: Matrix<Float32Array>; labels: Int32Array } {
  const owner = 'fromGroups';
  if (!groups || groups.length < 2) throw new RangeError(`${owner}: need at least 2 groups (one group gives no negatives), got ${groups?.length ?? 0}`);
  const parts: Matrix<FloatArray>[] = [];
  for (let g = 0; g < groups.length; g++) {
    const m = asMatrix(groups[g], `${owner}: group ${g}`, 'float32');
    if (m.rows === 0) throw new RangeError(`${owner}: group ${g} is empty`);
    if (parts.length && m.cols !== parts[0].cols) throw new RangeError(`${owner}: group ${g} has ${m.cols} columns but group 0 has ${parts[0].cols}`);
    parts.push(m);
  }
  const labels = new Int32Array(parts.reduce((s, p) => s + p.rows, 0));
  let at = 0;
  parts.forEach((p, g) => {
    labels.fill(g, at, at + p.rows);
    at += p.rows;
  });
  return { X: stack(parts), labels };
}

/** (query, positive) pairs for in-batch negatives; see the module comment for the two ways to use it. */
export function fromQueryPositivePairs(queries: Rows, positives: Rows): { queries: Matrix<Float32Array>; positives: Matrix<Float32Array>; labels: Int32Array; X: Matrix<Float32Array>; stackedLabels: Int32Array } {
  const { A, B } = pairSides(queries, positives, 'fromQueryPositivePairs');
  const n = A.rows;
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) labels[k] = k;
  const stackedLabels = new Int32Array(2 * n);
  stackedLabels.set(labels, 0);
  stackedLabels.set(labels, n);
  return { queries: A.toFloat32(), positives: B.toFloat32(), labels, X: stack([A, B]), stackedLabels };
}
