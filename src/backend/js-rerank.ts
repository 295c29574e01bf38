/**
 * knnCandidates in pure TypeScript: the reference the native kernel (native/src/rerank.cc) is
 * tested against. Scores are computed in double and rounded to the element type before any
 * comparison, so the order is decided on exactly the values that are returned.
 */
import { allocate, dtypeOf, type FloatArray } from '../matrix.js';
import type { KnnCandidatesOptions, KnnCandidatesResult } from './backend.js';

/** (score, row) order of the output: ascending score, NaN after every number, ties to the lower row. */
function before(a: number, ia: number, b: number, ib: number): boolean {
  if (a !== a) return b !== b && ia < ib;
  if (b !== b) return true;
  return a < b || (a === b && ia < ib);
}

/** Throws a RangeError/TypeError naming the argument unless the call is well formed. */
export function checkKnnCandidates(queries: FloatArray, nq: number, refs: FloatArray, nr: number, d: number, candidates: Int32Array, candStart: Int32Array, k: number, metric: string): void {
  const fn = 'knnCandidates';
  for (const [name, v] of [['nq', nq], ['nr', nr], ['d', d], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${v}`);
  }
  if (!(queries instanceof Float32Array || queries instanceof Float64Array)) throw new TypeError(`${fn}: queries must be a Float32Array or Float64Array`);
  if (dtypeOf(queries) !== dtypeOf(refs)) throw new TypeError(`${fn}: queries and refs must share the element type (both Float32Array or both Float64Array)`);
  if (!(candidates instanceof Int32Array)) throw new TypeError(`${fn}: candidates must be an Int32Array`);
  if (!(candStart instanceof Int32Array)) throw new TypeError(`${fn}: candStart must be an Int32Array`);
  if (metric !== 'sqeuclidean' && metric !== 'dot') throw new RangeError(`${fn}: metric must be 'sqeuclidean' or 'dot', got '${metric}'`);
  if (queries.length < nq * d) throw new RangeError(`${fn}: queries has ${queries.length} values but an ${nq} x ${d} matrix needs ${nq * d}`);
  if (refs.length < nr * d) throw new RangeError(`${fn}: refs has ${refs.length} values but an ${nr} x ${d} matrix needs ${nr * d}`);
  if (candStart.length < nq + 1) throw new RangeError(`${fn}: candStart needs nq + 1 = ${nq + 1} offsets, got ${candStart.length}`);
  if (candStart[0] < 0) throw new RangeError(`${fn}: candStart[0] must be >= 0, got ${candStart[0]}`);
  for (let q = 0; q < nq; q++) {
    if (candStart[q + 1] < candStart[q]) throw new RangeError(`${fn}: candStart must be non-decreasing, but candStart[${q + 1}] = ${candStart[q + 1]} < candStart[${q}] = ${candStart[q]}`);
  }
  if (candStart[nq] > candidates.length) throw new RangeError(`${fn}: candStart[nq] = ${candStart[nq]} exceeds the ${candidates.length} candidates`);
  for (let c = candStart[0]; c < candStart[nq]; c++) {
    const r = candidates[c];
    if (r < 0 || r >= nr) throw new RangeError(`${fn}: candidates[${c}] = ${r} is not a row of refs (0 .. ${nr - 1})`);
  }
}

export function knnCandidates<T extends FloatArray>(queries: T, nq: number, refs: T, nr: number, d: number, candidates: Int32Array, candStart: Int32Array, k: number, options: KnnCandidatesOptions = {}): KnnCandidatesResult<T> {
  const metric = options.metric ?? 'sqeuclidean';
  checkKnnCandidates(queries, nq, refs, nr, d, candidates, candStart, k, metric);
  const dtype = dtypeOf(queries);
  const indices = new Int32Array(nq * k).fill(-1);
  const scores = allocate(dtype, nq * k).fill(Infinity) as T;
  if (k === 0) return { indices, distances: scores, scored: 0 };
  const round = dtype === 'float32' ? Math.fround : (x: number): number => x;
  const l2 = metric === 'sqeuclidean';
  // rows already scored for the current query: open addressing sized to twice its candidates
  let seen = new Int32Array(16);
  let scored = 0;
  for (let q = 0; q < nq; q++) {
    const base = q * k;
    const qo = q * d;
    let filled = 0;
    let cap = 16;
    while (cap < 2 * (candStart[q + 1] - candStart[q])) cap *= 2;
    if (seen.length < cap) seen = new Int32Array(cap);
    seen.fill(-1, 0, cap);
    const mask = cap - 1;
    for (let c = candStart[q]; c < candStart[q + 1]; c++) {
      const r = candidates[c];
      let h = Math.imul(r, 0x9e3779b1) & mask;
      while (seen[h] !== -1 && seen[h] !== r) h = (h + 1) & mask;
      if (seen[h] === r) continue;
      seen[h] = r;
      scored++;
      const ro = r * d;
      let s = 0;
      if (l2) {
        // Early abandoning once the rounded partial sum exceeds the k-th score: every term is
        // non-negative and rounding is monotone, so such a row could not even tie.
        const bound = filled === k ? scores[base + k - 1] : Infinity;
        let j = 0;
        while (j < d) {
          const stop = Math.min(d, j + 32);
          for (; j < stop; j++) {
            const e = queries[qo + j] - refs[ro + j];
            s += e * e;
          }
          if (round(s) > bound) break;
        }
        if (j < d) continue;
      } else {
        for (let j = 0; j < d; j++) s += queries[qo + j] * refs[ro + j];
        s = -s;
      }
      const v = round(s);
      // Not js-kernels' insertTopK: that one relies on rows arriving in increasing order to
      // break ties, and candidates come in bucket order, so ties compare rows explicitly.
      if (filled === k && !before(v, r, scores[base + k - 1], indices[base + k - 1])) continue;
      let pos = filled < k ? filled : k - 1;
      while (pos > 0 && before(v, r, scores[base + pos - 1], indices[base + pos - 1])) pos--;
      for (let t = filled < k ? filled : k - 1; t > pos; t--) {
        indices[base + t] = indices[base + t - 1];
        scores[base + t] = scores[base + t - 1];
      }
      indices[base + pos] = r;
      scores[base + pos] = v;
      if (filled < k) filled++;
    }
  }
  return { indices, distances: scores, scored };
}
