/** How good an approximate index is against exact search. */
import type { SearchResult } from './index-types.js';

/**
 * Recall of approximate results against the exact ones: the fraction of all true neighbours
 * (over every query) that the approximate search also returned, in any order.
 */
export function searchRecall(found: SearchResult, truth: SearchResult): number {
  if (found.ids.length !== truth.ids.length) throw new RangeError(`searchRecall: ${found.ids.length} approximate result lists but ${truth.ids.length} exact ones; search the same queries`);
  let hit = 0, total = 0;
  truth.ids.forEach((t, q) => {
    const s = new Set(found.ids[q]);
    for (const id of t) if (s.has(id)) hit++;
    total += t.length;
  });
  return total === 0 ? 1 : hit / total;
}
