/**
 * Verification metrics: scores of pairs (higher = more alike) against genuine/impostor labels.
 *
 * Conventions used throughout (as in biometric verification, ISO/IEC 19795-1):
 * - a pair is *accepted* (predicted genuine, a "match") when score ≥ t;
 * - FMR(t)  = #{impostor pairs with s ≥ t} / #impostors   (false match rate = FPR);
 * - FNMR(t) = #{genuine pairs with s < t} / #genuines      (false non-match rate = 1 − TPR).
 * Labels: genuine = 1 / true, impostor = −1 / 0 / false.
 *
 * Thresholds returned by the calibration helpers lie halfway between the last accepted and the
 * first rejected distinct score, so that scores equal to neither are still classified as on the
 * calibration set (a threshold sitting exactly on a score flips with rounding).
 */

export interface RocCurve {
  /** False positive rate (FMR) at each threshold, non-decreasing, starting at 0 and ending at 1. */
  fpr: Float64Array;
  /** True positive rate (1 − FNMR), non-decreasing, starting at 0 and ending at 1. */
  tpr: Float64Array;
  /** thresholds[0] = +Infinity (accept nothing); then each distinct score, descending. */
  thresholds: Float64Array;
}

interface Sorted {
  /** Distinct scores, descending. */
  values: Float64Array;
  /** Genuine / impostor counts at each distinct score. */
  pos: Float64Array;
  neg: Float64Array;
  nPos: number;
  nNeg: number;
}

/** Reads labels as booleans (genuine?), rejecting anything that is not ±1, 0/1 or boolean. */
export function toBinaryLabels(labels: ArrayLike<number | boolean>, name = 'labels'): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0 || v === -1) out[i] = 0;
    else throw new RangeError(`${name}[${i}] is ${String(v)}; use 1 (or true) for genuine pairs and -1, 0 (or false) for impostor pairs`);
  }
  return out;
}

function sortScores(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, who: string): Sorted {
  if (scores.length !== labels.length) throw new RangeError(`${who}: scores has ${scores.length} entries but labels has ${labels.length}; give one label per score`);
  const n = scores.length;
  const y = toBinaryLabels(labels, `${who}: labels`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new RangeError(`${who}: scores[${i}] is ${s}; scores must be finite`);
    order[i] = i;
  }
  order.sort((a, b) => scores[b] - scores[a]);
  const values: number[] = [];
  const pos: number[] = [];
  const neg: number[] = [];
  let nPos = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    const s = scores[i];
    if (values.length === 0 || values[values.length - 1] !== s) {
      values.push(s);
      pos.push(0);
      neg.push(0);
    }
    const k = values.length - 1;
    if (y[i]) {
      pos[k]++;
      nPos++;
    } else neg[k]++;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new RangeError(`${who}: labels contain only ${nPos === 0 ? 'impostor' : 'genuine'} pairs; both genuine and impostor pairs are needed`);
  return { values: Float64Array.from(values), pos: Float64Array.from(pos), neg: Float64Array.from(neg), nPos, nNeg };
}

/**
 * ROC curve: one point per distinct score s_k (descending), at threshold t = s_k,
 *   tpr_k = #{genuine with s ≥ s_k} / nGenuine,  fpr_k = #{impostor with s ≥ s_k} / nImpostor,
 * preceded by (0, 0) at t = +∞. Tied scores form one point, so the curve has a diagonal
 * segment there (the expected ROC under random tie-breaking).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve {
  const s = sortScores(scores, labels, 'rocCurve');
  return curveOf(s);
}

function curveOf(s: Sorted): RocCurve {
  const m = s.values.length;
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  const thresholds = new Float64Array(m + 1);
  thresholds[0] = Infinity;
  let tp = 0, fp = 0;
  for (let k = 0; k < m; k++) {
    tp += s.pos[k];
    fp += s.neg[k];
    tpr[k + 1] = tp / s.nPos;
    fpr[k + 1] = fp / s.nNeg;
    thresholds[k + 1] = s.values[k];
  }
  return { fpr, tpr, thresholds };
}

/**
 * Area under the ROC curve, as the Mann-Whitney statistic with ties counted one half:
 *   AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ n₋),
 * where R₊ is the sum of the (ascending, tie-averaged mid-)ranks of the genuine scores.
 * Equals P(s_genuine > s_impostor) + ½ P(s_genuine = s_impostor) and the trapezoidal area
 * under `rocCurve`.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const s = sortScores(scores, labels, 'rocAuc');
  // Walk ascending: distinct values are stored descending, so start from the end.
  let rankBase = 0; // number of scores strictly below the current value
  let rPos = 0;
  for (let k = s.values.length - 1; k >= 0; k--) {
    const cnt = s.pos[k] + s.neg[k];
    const midRank = rankBase + (cnt + 1) / 2;
    rPos += s.pos[k] * midRank;
    rankBase += cnt;
  }
  return (rPos - (s.nPos * (s.nPos + 1)) / 2) / (s.nPos * s.nNeg);
}

function cutThreshold(values: Float64Array, k: number): number {
  // Accept the first k distinct values (descending), reject the rest.
  const m = values.length;
  if (k <= 0) return values[0] + 1;
  if (k >= m) return values[m - 1] - 1;
  return values[k - 1] / 2 + values[k] / 2;
}

export interface EerResult {
  /** Equal error rate: the rate where FMR = FNMR on the linearly interpolated ROC. */
  eer: number;
  /** The threshold of the ROC point nearest to the crossing. */
  threshold: number;
}

/**
 * Equal error rate. On the ROC points (fpr_k, fnr_k = 1 − tpr_k), d_k = fnr_k − fpr_k goes
 * from 1 (k = 0) to −1; at the first k with d_k ≤ 0,
 *   λ = d_{k−1} / (d_{k−1} − d_k),  EER = fpr_{k−1} + λ (fpr_k − fpr_{k−1}),
 * the crossing of the segment between the two points with the line FMR = FNMR.
 */
export function equalErrorRate(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): EerResult {
  const s = sortScores(scores, labels, 'equalErrorRate');
  const { fpr, tpr } = curveOf(s);
  for (let k = 1; k < fpr.length; k++) {
    const dk = 1 - tpr[k] - fpr[k];
    if (dk <= 0) {
      const dp = 1 - tpr[k - 1] - fpr[k - 1];
      const lambda = dp / (dp - dk);
      const eer = fpr[k - 1] + lambda * (fpr[k] - fpr[k - 1]);
      const kk = lambda < 0.5 ? k - 1 : k;
      return { eer, threshold: cutThreshold(s.values, kk) };
    }
  }
  /* c8 ignore next: d ends at −1, so the loop always returns */
  throw new Error('equalErrorRate: internal error, the ROC curve did not cross FMR = FNMR');
}

export interface OperatingPoint {
  /** The FMR asked for. */
  targetFmr: number;
  /** The FMR actually reached (≤ target). */
  fmr: number;
  /** FNMR at that threshold. */
  fnmr: number;
  threshold: number;
}

/**
 * FNMR at each target FMR: the operating point with the most genuine acceptances among those
 * with FMR ≤ target (no interpolation; the conservative empirical value):
 *   k* = max{k : fpr_k ≤ f},  FNMR@f = 1 − tpr_{k*}.
 */
export function fnmrAtFmr(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, targetFmrs: ArrayLike<number>): OperatingPoint[] {
  const s = sortScores(scores, labels, 'fnmrAtFmr');
  const { fpr, tpr } = curveOf(s);
  const out: OperatingPoint[] = [];
  for (let i = 0; i < targetFmrs.length; i++) {
    const f = targetFmrs[i];
    if (!(f >= 0 && f <= 1)) throw new RangeError(`fnmrAtFmr: target FMR ${f} must be in [0, 1]`);
    let k = 0;
    while (k + 1 < fpr.length && fpr[k + 1] <= f) k++;
    out.push({ targetFmr: f, fmr: fpr[k], fnmr: 1 - tpr[k], threshold: cutThreshold(s.values, k) });
  }
  return out;
}

/** The threshold whose FMR is at most `targetFmr` with the lowest FNMR (see fnmrAtFmr). */
export function thresholdForFmr(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, targetFmr: number): number {
  return fnmrAtFmr(scores, labels, [targetFmr])[0].threshold;
}

export type ThresholdStrategy = 'accuracy' | 'balanced_accuracy' | 'f_beta' | 'max_tpr' | 'max_tnr';

export interface ThresholdOptions {
  strategy?: ThresholdStrategy;
  /** For max_tpr: the least TNR allowed; for max_tnr: the least TPR allowed (default 0). */
  minRate?: number;
  /** For f_beta (default 1). */
  beta?: number;
}

export interface ThresholdResult {
  threshold: number;
  /** The value of the criterion at that threshold (accuracy, balanced accuracy, F_beta, TPR or TNR). */
  value: number;
  tpr: number;
  tnr: number;
}

/**
 * The threshold that maximises a criterion over all cuts between distinct scores
 * (TP, FP, FN, TN counted with acceptance at s ≥ t; ties broken toward the higher threshold):
 * - accuracy: (TP + TN) / n;
 * - balanced_accuracy: (TPR + TNR) / 2, which does not favour the larger class (verification
 *   pairs are mostly impostor pairs, so plain accuracy drifts toward "always different");
 * - f_beta:   (1 + β²) TP / ((1 + β²) TP + β² FN + FP);
 * - max_tpr:  TPR = TP / (TP + FN) subject to TNR = TN / (TN + FP) ≥ minRate;
 * - max_tnr:  TNR subject to TPR ≥ minRate.
 */
export function bestThreshold(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, options: ThresholdOptions = {}): ThresholdResult {
  const strategy = options.strategy ?? 'accuracy';
  const beta = options.beta ?? 1;
  const minRate = options.minRate ?? 0;
  if (!['accuracy', 'balanced_accuracy', 'f_beta', 'max_tpr', 'max_tnr'].includes(strategy)) throw new RangeError(`bestThreshold: strategy must be "accuracy", "balanced_accuracy", "f_beta", "max_tpr" or "max_tnr", got "${strategy}"`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`bestThreshold: beta must be a positive number, got ${beta}`);
  if (!(minRate >= 0 && minRate <= 1)) throw new RangeError(`bestThreshold: minRate must be in [0, 1], got ${minRate}`);
  const s = sortScores(scores, labels, 'bestThreshold');
  const { fpr, tpr } = curveOf(s);
  const n = s.nPos + s.nNeg;
  const b2 = beta * beta;
  let best = -1, bestValue = -Infinity, bestTie = -Infinity;
  for (let k = 0; k < fpr.length; k++) {
    const tp = tpr[k] * s.nPos, fp = fpr[k] * s.nNeg;
    const fn = s.nPos - tp, tn = s.nNeg - fp;
    const tnr = 1 - fpr[k];
    let value: number, tie = 0;
    if (strategy === 'accuracy') value = (tp + tn) / n;
    else if (strategy === 'balanced_accuracy') value = 0.5 * (tpr[k] + tnr);
    else if (strategy === 'f_beta') {
      const den = (1 + b2) * tp + b2 * fn + fp;
      value = den === 0 ? 0 : ((1 + b2) * tp) / den;
    } else if (strategy === 'max_tpr') {
      if (tnr < minRate) continue;
      value = tpr[k];
      tie = tnr;
    } else {
      if (tpr[k] < minRate) continue;
      value = tnr;
      tie = tpr[k];
    }
    if (value > bestValue || (value === bestValue && tie > bestTie)) {
      best = k;
      bestValue = value;
      bestTie = tie;
    }
  }
  // minRate ≤ 1 and the curve contains (0,0) and (1,1), so some point always qualifies.
  return { threshold: cutThreshold(s.values, best), value: bestValue, tpr: tpr[best], tnr: 1 - fpr[best] };
}
