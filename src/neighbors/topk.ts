/**
 * Per-query sorted top-k lists over flat arrays (k small, so insertion beats a heap and
 * the early "worse than the current k-th" test skips almost every candidate).
 */

/** Fresh lists for nq queries: ids −1 and distances +∞ mark empty slots. */
export function emptyTopK(nq: number, k: number): { ids: Float64Array; dists: Float64Array } {
  return { ids: new Float64Array(nq * k).fill(-1), dists: new Float64Array(nq * k).fill(Infinity) };
}

/** Inserts (id, dist) into the list at [base, base + k) if it belongs; ties keep the earlier entry. */
export function pushTopK(ids: Float64Array, dists: Float64Array, base: number, k: number, id: number, dist: number): void {
  const last = base + k - 1;
  if (!(dist < dists[last])) return;
  let pos = last;
  while (pos > base && dist < dists[pos - 1]) {
    ids[pos] = ids[pos - 1];
    dists[pos] = dists[pos - 1];
    pos--;
  }
  ids[pos] = id;
  dists[pos] = dist;
}
