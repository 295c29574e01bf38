/**
 * Agreement between two labellings of the same items (true classes U, found clusters V),
 * from their contingency table n_ij (items in class i and cluster j), a_i = Σ_j n_ij,
 * b_j = Σ_i n_ij, N items.
 *
 *   H(U)  = −Σ_i (a_i/N) ln(a_i/N)                          (entropies in nats)
 *   MI    = Σ_ij (n_ij/N) ln(N n_ij / (a_i b_j))
 *   NMI   = MI / ((H(U) + H(V)) / 2)                        (arithmetic normalisation, as
 *                                                            scikit-learn's default, which
 *                                                            pytorch-metric-learning reports)
 *   AMI   = (MI − E[MI]) / ((H(U) + H(V))/2 − E[MI])         (Vinh, Epps & Bailey, JMLR 2010;
 *           E[MI] is the expectation under the hypergeometric model of random labellings
 *           with the same marginals: E[MI] = Σ_ij Σ_{n=max(1, a_i+b_j−N)}^{min(a_i, b_j)}
 *           (n/N) ln(N n/(a_i b_j)) · a_i! b_j! (N−a_i)! (N−b_j)! / (N! n! (a_i−n)! (b_j−n)! (N−a_i−b_j+n)!))
 *   ARI   = (Σ_ij C(n_ij,2) − [Σ_i C(a_i,2) Σ_j C(b_j,2)]/C(N,2))
 *           / (½[Σ_i C(a_i,2) + Σ_j C(b_j,2)] − [Σ_i C(a_i,2) Σ_j C(b_j,2)]/C(N,2))
 *                                                           (Hubert & Arabie 1985)
 * When both labellings put everything in one group (or are identical partitions into
 * singletons for ARI), the scores are 1 by convention, as in scikit-learn.
 */
import { encodeLabels, type LabelsInput } from './retrieval.js';

export interface Contingency {
  table: Float64Array;
  rows: number;
  cols: number;
  a: Float64Array;
  b: Float64Array;
  n: number;
}

export function contingency(labelsTrue: LabelsInput, labelsPred: LabelsInput): Contingency {
  if (labelsTrue.length !== labelsPred.length) throw new RangeError(`labelsTrue has ${labelsTrue.length} entries but labelsPred has ${labelsPred.length}; they must label the same items`);
  if (labelsTrue.length === 0) throw new RangeError('clustering metrics need at least one labelled item');
  const u = encodeLabels(labelsTrue);
  const v = encodeLabels(labelsPred);
  const rows = u.nClasses;
  const cols = v.nClasses;
  const table = new Float64Array(rows * cols);
  for (let i = 0; i < u.a.length; i++) table[u.a[i] * cols + v.a[i]]++;
  const a = new Float64Array(rows);
  const b = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) { a[i] += table[i * cols + j]; b[j] += table[i * cols + j]; }
  return { table, rows, cols, a, b, n: labelsTrue.length };
}

function entropy(counts: Float64Array, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

function mutualInfo(c: Contingency): number {
  let mi = 0;
  const { table, rows, cols, a, b, n } = c;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const nij = table[i * cols + j];
    if (nij > 0) mi += (nij / n) * Math.log((n * nij) / (a[i] * b[j]));
  }
  return Math.max(0, mi);
}

/** Mutual information (nats) between two labellings. */
export function mutualInformation(labelsTrue: LabelsInput, labelsPred: LabelsInput): number {
  return mutualInfo(contingency(labelsTrue, labelsPred));
}

export function normalizedMutualInfo(labelsTrue: LabelsInput, labelsPred: LabelsInput): number {
  const c = contingency(labelsTrue, labelsPred);
  if ((c.rows === 1 && c.cols === 1)) return 1;
  const denom = (entropy(c.a, c.n) + entropy(c.b, c.n)) / 2;
  if (denom <= 0) return 1;
  return Math.min(1, mutualInfo(c) / denom);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
export function logGamma(x: number): number {
  const g = 7;
  const coef = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let s = coef[0];
  for (let i = 1; i < g + 2; i++) s += coef[i] / (x + i);
  const t = x + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** E[MI] under the hypergeometric model (Vinh et al. 2010, eq. 24a). */
export function expectedMutualInfo(c: Contingency): number {
  const { a, b, n: N } = c;
  const lgN = logGamma(N + 1);
  let emi = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    for (let j = 0; j < b.length; j++) {
      const bj = b[j];
      const lo = Math.max(1, ai + bj - N);
      const hi = Math.min(ai, bj);
      const base = logGamma(ai + 1) + logGamma(bj + 1) + logGamma(N - ai + 1) + logGamma(N - bj + 1) - lgN;
      for (let nij = lo; nij <= hi; nij++) {
        const term = (nij / N) * Math.log((N * nij) / (ai * bj));
        const logP = base - logGamma(nij + 1) - logGamma(ai - nij + 1) - logGamma(bj - nij + 1) - logGamma(N - ai - bj + nij + 1);
        emi += term * Math.exp(logP);
      }
    }
  }
  return emi;
}

export function adjustedMutualInfo(labelsTrue: LabelsInput, labelsPred: LabelsInput): number {
  const c = contingency(labelsTrue, labelsPred);
  if ((c.rows === 1 && c.cols === 1) || (c.rows === c.n && c.cols === c.n)) return 1;
  const mi = mutualInfo(c);
  const emi = expectedMutualInfo(c);
  const mean = (entropy(c.a, c.n) + entropy(c.b, c.n)) / 2;
  let denom = mean - emi;
  // as scikit-learn: keep the sign of a vanishing denominator instead of dividing by ±0
  const eps = 2.220446049250313e-16;
  if (Math.abs(denom) < eps) denom = denom < 0 ? -eps : eps;
  return (mi - emi) / denom;
}

function comb2(x: number): number {
  return (x * (x - 1)) / 2;
}

export function adjustedRandIndex(labelsTrue: LabelsInput, labelsPred: LabelsInput): number {
  const c = contingency(labelsTrue, labelsPred);
  const { table, a, b, n } = c;
  if ((c.rows === 1 && c.cols === 1) || (c.rows === n && c.cols === n)) return 1;
  let sumIJ = 0;
  for (const v of table) sumIJ += comb2(v);
  let sumA = 0;
  for (const v of a) sumA += comb2(v);
  let sumB = 0;
  for (const v of b) sumB += comb2(v);
  const expected = (sumA * sumB) / comb2(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (sumIJ - expected) / (max - expected);
}
