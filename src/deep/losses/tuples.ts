/**
 * Index tuples: enumeration of all pairs/triplets of a batch, and the conversions that let any
 * miner feed any loss. The rules are pytorch-metric-learning's (loss_and_miner_utils):
 * - pairs from triplets (a, p, n): positive pairs (a, p) and negative pairs (a, n), one each per
 *   triplet, duplicates kept;
 * - triplets from pairs: every positive pair (a, p) joined with every negative pair (a', n) that
 *   has the same first element a' = a;
 * - no tuples: all pairs (i, j), i ≠ j, both orders / all triplets (a, p, n).
 * With a reference set the first element indexes the batch and the others the reference, and a
 * row is never paired with its own copy (Reference.selfIndex).
 */
import type { MinedTuples, Reference } from '../types.js';

export interface Pairs {
  posA: Int32Array;
  posB: Int32Array;
  negA: Int32Array;
  negB: Int32Array;
}

export interface Triplets {
  anchors: Int32Array;
  positives: Int32Array;
  negatives: Int32Array;
}

/** Row i's own index in the compared set: i without a reference, selfIndex with one, else none. */
export function selfIndexOf(n: number, reference: Reference | undefined, owner: string): Int32Array | null {
  if (!reference) {
    const s = new Int32Array(n);
    for (let i = 0; i < n; i++) s[i] = i;
    return s;
  }
  const s = reference.selfIndex;
  if (!s) return null;
  if (s.length !== n) throw new RangeError(`${owner}: reference.selfIndex has ${s.length} entries but the batch has ${n} rows`);
  return s;
}

export function allPairs(labels: Int32Array, refLabels: Int32Array, self: Int32Array | null): Pairs {
  const n = labels.length;
  const m = refLabels.length;
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    const si = self ? self[i] : -1;
    for (let j = 0; j < m; j++) {
      if (j === si) continue;
      if (refLabels[j] === li) nPos++;
      else nNeg++;
    }
  }
  const out: Pairs = { posA: new Int32Array(nPos), posB: new Int32Array(nPos), negA: new Int32Array(nNeg), negB: new Int32Array(nNeg) };
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    const li = labels[i];
    const si = self ? self[i] : -1;
    for (let j = 0; j < m; j++) {
      if (j === si) continue;
      if (refLabels[j] === li) {
        out.posA[p] = i;
        out.posB[p++] = j;
      } else {
        out.negA[q] = i;
        out.negB[q++] = j;
      }
    }
  }
  return out;
}

export function allTriplets(labels: Int32Array, refLabels: Int32Array, self: Int32Array | null): Triplets {
  const n = labels.length;
  const m = refLabels.length;
  const posOf: Int32Array[] = [];
  const negOf: Int32Array[] = [];
  let total = 0;
  const pbuf = new Int32Array(m);
  const nbuf = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    let np = 0;
    let nn = 0;
    const si = self ? self[i] : -1;
    for (let j = 0; j < m; j++) {
      if (j === si) continue;
      if (refLabels[j] === labels[i]) pbuf[np++] = j;
      else nbuf[nn++] = j;
    }
    posOf.push(pbuf.slice(0, np));
    negOf.push(nbuf.slice(0, nn));
    total += np * nn;
  }
  const out: Triplets = { anchors: new Int32Array(total), positives: new Int32Array(total), negatives: new Int32Array(total) };
  let t = 0;
  for (let i = 0; i < n; i++) {
    const ps = posOf[i];
    const ns = negOf[i];
    for (let a = 0; a < ps.length; a++) {
      for (let b = 0; b < ns.length; b++) {
        out.anchors[t] = i;
        out.positives[t] = ps[a];
        out.negatives[t++] = ns[b];
      }
    }
  }
  return out;
}

/** Checks that every index is inside the batch (first element) or the compared set (others). */
function inRange(arr: Int32Array, limit: number): number {
  // Unsigned compare catches negatives too; returns the first bad position or −1.
  for (let i = 0; i < arr.length; i++) if ((arr[i] >>> 0) >= limit) return i;
  return -1;
}

export function validateTuples(tuples: MinedTuples, n: number, m: number, owner: string): void {
  const check = (arr: Int32Array, limit: number, what: string): void => {
    const i = inRange(arr, limit);
    if (i >= 0) throw new RangeError(`${owner}: tuples.${what}[${i}] = ${arr[i]} is outside 0..${limit - 1}; tuples must index the batch (and the reference set for the second element)`);
  };
  if (tuples.kind === 'triplets') {
    const { anchors, positives, negatives } = tuples;
    if (positives.length !== anchors.length || negatives.length !== anchors.length) throw new RangeError(`${owner}: triplet arrays differ in length (${anchors.length}, ${positives.length}, ${negatives.length})`);
    check(anchors, n, 'anchors');
    check(positives, m, 'positives');
    check(negatives, m, 'negatives');
  } else if (tuples.kind === 'pairs') {
    if (tuples.posA.length !== tuples.posB.length || tuples.negA.length !== tuples.negB.length) throw new RangeError(`${owner}: pair arrays differ in length`);
    check(tuples.posA, n, 'posA');
    check(tuples.posB, m, 'posB');
    check(tuples.negA, n, 'negA');
    check(tuples.negB, m, 'negB');
  } else {
    throw new TypeError(`${owner}: tuples.kind must be 'triplets' or 'pairs'`);
  }
}

export function toPairs(tuples: MinedTuples | undefined, labels: Int32Array, refLabels: Int32Array, self: Int32Array | null): Pairs {
  if (!tuples) return allPairs(labels, refLabels, self);
  if (tuples.kind === 'pairs') return tuples;
  return { posA: tuples.anchors, posB: tuples.positives, negA: tuples.anchors, negB: tuples.negatives };
}

export function toTriplets(tuples: MinedTuples | undefined, labels: Int32Array, refLabels: Int32Array, self: Int32Array | null): Triplets {
  if (!tuples) return allTriplets(labels, refLabels, self);
  if (tuples.kind === 'triplets') return tuples;
  return tripletsFromPairs(tuples, labels.length);
}

/** Joins positive and negative pairs on their first element (counting sort by anchor, no n² scan). */
export function tripletsFromPairs(p: Pairs, n: number): Triplets {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < p.negA.length; i++) start[p.negA[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const negSorted = new Int32Array(p.negA.length);
  for (let i = 0; i < p.negA.length; i++) negSorted[fill[p.negA[i]]++] = p.negB[i];
  let total = 0;
  for (let i = 0; i < p.posA.length; i++) {
    const a = p.posA[i];
    total += start[a + 1] - start[a];
  }
  const out: Triplets = { anchors: new Int32Array(total), positives: new Int32Array(total), negatives: new Int32Array(total) };
  let t = 0;
  for (let i = 0; i < p.posA.length; i++) {
    const a = p.posA[i];
    for (let k = start[a]; k < start[a + 1]; k++) {
      out.anchors[t] = a;
      out.positives[t] = p.posB[i];
      out.negatives[t++] = negSorted[k];
    }
  }
  return out;
}

/** n x m 0/1 masks of the positive and negative pairs (duplicates collapse, as in PML's pair losses). */
export function pairMasks(p: Pairs, n: number, m: number): { pos: Uint8Array; neg: Uint8Array } {
  const pos = new Uint8Array(n * m);
  const neg = new Uint8Array(n * m);
  for (let i = 0; i < p.posA.length; i++) pos[p.posA[i] * m + p.posB[i]] = 1;
  for (let i = 0; i < p.negA.length; i++) neg[p.negA[i] * m + p.negB[i]] = 1;
  return { pos, neg };
}
