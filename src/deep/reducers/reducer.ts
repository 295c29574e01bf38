/**
 * Reducers turn a loss's per-term values (one per pair, triplet or element) into one number,
 * and say how much each term weighs in it so the loss can back-propagate exactly:
 * dLoss/dθ = Σ_t weights[t] · dTerm_t/dθ. Which terms count (e.g. only the non-zero ones) is
 * piecewise constant in the embeddings, so those weights are the exact gradient almost everywhere.
 * (pytorch-metric-learning's reducers: MeanReducer, AvgNonZeroReducer, ThresholdReducer.)
 */
export interface Reduction {
  loss: number;
  /** Weight of each term in the loss (same length as the terms). */
  weights: Float64Array;
  /** Terms that took part with a non-zero value. */
  active: number;
}

export interface Reducer {
  readonly name: string;
  reduce(terms: Float64Array): Reduction;
}

/** Mean over the terms whose `keep` is true (0 and no gradient when none is kept). */
export function meanOver(terms: Float64Array, keep: (v: number) => boolean): Reduction {
  const weights = new Float64Array(terms.length);
  let count = 0;
  let sum = 0;
  let active = 0;
  for (let i = 0; i < terms.length; i++) {
    const v = terms[i];
    if (keep(v)) {
      count++;
      sum += v;
      if (v !== 0) active++;
    }
  }
  if (count === 0) return { loss: 0, weights, active: 0 };
  const w = 1 / count;
  for (let i = 0; i < terms.length; i++) if (keep(terms[i])) weights[i] = w;
  return { loss: sum / count, weights, active };
}
