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
  /**
   * Set when the reduction is "mean over the terms with low < term < high" (all three built-in
   * reducers): a loss may then reduce on the fly without storing its terms.
   */
  readonly bounds?: { low: number; high: number };
}

/**
 * Mean over the terms with low < value < high (0 and no gradient when none is kept). One
 * monomorphic loop for every reducer (a per-term callback would cost a call per term).
 */
export function meanOver(terms: Float64Array, low: number, high: number): Reduction {
  const weights = new Float64Array(terms.length);
  let count = 0;
  let sum = 0;
  let active = 0;
  // Branch-free: whether a term is kept is data-dependent and mispredicts often.
  for (let i = 0; i < terms.length; i++) {
    const v = terms[i];
    const k = +(v > low) & +(v < high);
    count += k;
    sum += k * v;
    active += k & +(v !== 0);
  }
  if (count === 0) return { loss: 0, weights, active: 0 };
  const w = 1 / count;
  for (let i = 0; i < terms.length; i++) {
    const v = terms[i];
    weights[i] = (+(v > low) & +(v < high)) * w;
  }
  return { loss: sum / count, weights, active };
}
