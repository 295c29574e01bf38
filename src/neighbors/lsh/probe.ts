/**
 * Query-directed probing sequence of multi-probe LSH (Lv, Josephson, Wang, Charikar & Li,
 * "Multi-Probe LSH", VLDB 2007, section 4.2): given m single perturbations sorted by score
 * (the squared distance of the query's projection to the bucket boundary that perturbation
 * crosses), generate perturbation sets in increasing total score with a min-heap seeded by
 * {1} and the "shift" (replace the largest element by the next) and "expand" (add the next)
 * operations. `valid` rejects sets the family cannot realise (an E2LSH coordinate shifted
 * both ways).
 */

interface Entry {
  set: number[];
  score: number;
}

/** Up to `count` sets of positions into the sorted scores, best first. */
export function perturbationSets(sortedScores: ArrayLike<number>, count: number, valid: (set: number[]) => boolean = () => true): number[][] {
  const m = sortedScores.length;
  const out: number[][] = [];
  if (count <= 0 || m === 0) return out;
  const heap: Entry[] = [{ set: [0], score: sortedScores[0] }];
  let guard = 0;
  while (heap.length > 0 && out.length < count && guard++ < count * 8 + 64) {
    const top = popMin(heap);
    const last = top.set[top.set.length - 1];
    if (last + 1 < m) {
      const shifted = top.set.slice();
      shifted[shifted.length - 1] = last + 1;
      pushHeap(heap, { set: shifted, score: top.score - sortedScores[last] + sortedScores[last + 1] });
      pushHeap(heap, { set: [...top.set, last + 1], score: top.score + sortedScores[last + 1] });
    }
    if (valid(top.set)) out.push(top.set);
  }
  return out;
}

function pushHeap(h: Entry[], e: Entry): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p].score <= h[i].score) break;
    [h[p], h[i]] = [h[i], h[p]];
    i = p;
  }
}

function popMin(h: Entry[]): Entry {
  const top = h[0];
  const last = h.pop() as Entry;
  if (h.length > 0) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let s = i;
      if (l < h.length && h[l].score < h[s].score) s = l;
      if (r < h.length && h[r].score < h[s].score) s = r;
      if (s === i) break;
      [h[s], h[i]] = [h[i], h[s]];
      i = s;
    }
  }
  return top;
}
