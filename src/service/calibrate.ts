/**
 * A verification threshold from labelled items, for models that do not carry one: the score
 * (−distance in the embedding space) that maximises balanced accuracy (bestThreshold's
 * 'balanced_accuracy') over equally many sampled same-label and different-label pairs. Balanced, because on k classes
 * different-label pairs outnumber same-label ones about k−1 to 1 and plain accuracy would
 * favour "always different".
 */
import { Random } from '../random.js';
import type { Matrix, FloatArray } from '../matrix.js';
import { bestThreshold } from '../evaluation/verification.js';
import { rowDistance } from '../linalg/distances.js';

export interface Calibration {
  threshold: number;
  balancedAccuracy: number;
  pairs: number;
}

/** Returns null when the labels cannot give both kinds of pair (one class, or no repeated label). */
export function calibrateThreshold(E: Matrix<FloatArray>, labels: ArrayLike<string | number>, options: { pairsPerKind?: number; seed?: number } = {}): Calibration | null {
  const n = E.rows;
  const perKind = options.pairsPerKind ?? 4000;
  const rng = new Random(options.seed ?? 0);
  const byLabel = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = String(labels[i]);
    let list = byLabel.get(key);
    if (!list) byLabel.set(key, (list = []));
    list.push(i);
  }
  const groups = [...byLabel.values()].filter((g) => g.length >= 2);
  if (groups.length === 0 || byLabel.size < 2) return null;
  const scores: number[] = [];
  const genuine: number[] = [];
  for (let t = 0; t < perKind; t++) {
    const g = groups[rng.int(groups.length)];
    const a = rng.int(g.length);
    const b = (a + 1 + rng.int(g.length - 1)) % g.length; // any member but a
    scores.push(-rowDistance(E, g[a], g[b]));
    genuine.push(1);
  }
  let negatives = 0;
  for (let t = 0; t < perKind * 20 && negatives < perKind; t++) {
    const a = rng.int(n);
    const b = rng.int(n);
    if (String(labels[a]) === String(labels[b])) continue;
    scores.push(-rowDistance(E, a, b));
    genuine.push(0);
    negatives++;
  }
  // Equally many pairs of each kind (as far as the labels allow) keep the estimate's variance even.
  scores.length = genuine.length = perKind + negatives;
  if (negatives < perKind) {
    scores.splice(negatives, perKind - negatives);
    genuine.splice(negatives, perKind - negatives);
  }
  const r = bestThreshold(scores, genuine, { strategy: 'balanced_accuracy' });
  return { threshold: r.threshold, balancedAccuracy: r.value, pairs: scores.length };
}
