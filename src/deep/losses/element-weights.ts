/**
 * Per-row weights from mined tuples, for losses that do not take tuples directly (classification
 * and proxy losses): each row weighs count/maxCount where count is how often it appears in any
 * tuple, rows in no tuple weigh 0 (pytorch-metric-learning's convert_to_weights). No tuples: all 1.
 */
import type { MinedTuples } from '../types.js';

export function elementWeights(tuples: MinedTuples | undefined, n: number): Float64Array {
  const w = new Float64Array(n);
  if (!tuples) return w.fill(1);
  const arrays = tuples.kind === 'triplets' ? [tuples.anchors, tuples.positives, tuples.negatives] : [tuples.posA, tuples.posB, tuples.negA, tuples.negB];
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (a[i] < n) w[a[i]]++;
  let mx = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, w[i]);
  if (mx > 0) for (let i = 0; i < n; i++) w[i] /= mx;
  return w;
}
