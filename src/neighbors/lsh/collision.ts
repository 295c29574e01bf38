/**
 * Collision probabilities of the LSH families, and the recall/cost model used to choose
 * (hash length K, tables L, extra probes T) from a target recall.
 *
 * SimHash (Charikar 2002): one random-hyperplane bit agrees for two vectors at angle θ with
 * probability p = 1 − θ/π.
 * E2LSH (Datar, Immorlica, Indyk & Mirrokni 2004): h(v) = ⌊(a·v + b)/w⌋ with a ~ N(0, I),
 * b ~ U[0, w). For two points at distance c, Δ = a·(u − v) ~ N(0, c²) and, averaging over b,
 * P(same bucket | Δ) = max(0, 1 − |Δ|/w), P(buckets differ by exactly one | Δ) =
 * |Δ|/w for |Δ| < w, 2 − |Δ|/w for w ≤ |Δ| < 2w. Integrating over Δ gives p(c) (the paper's
 * closed form) and q(c), the adjacent-bucket probability multi-probe relies on.
 *
 * Recall model: a pair collides in one table when all K hashes agree (p^K) or, with T extra
 * probes per table (multi-probe LSH, Lv, Josephson, Wang, Charikar & Li 2007), when exactly
 * one hash is off by one step and that perturbation is among those probed. We credit the
 * probes as if they were chosen at random among the possible single perturbations (m = K for
 * SimHash bit flips, 2K for E2LSH ±1 shifts), a lower bound because query-directed probing
 * picks the likeliest ones first:
 *   P_table ≈ p^K + min(1, T/m) · K · p^(K−1) · q,        recall = 1 − (1 − P_table)^L.
 * The expected number of candidates is n · E_random pairs[1 − (1 − P_table)^L].
 */

/** Standard normal density. */
function phi(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * For E2LSH with bucket width w and distance c: [p, q] = probabilities of the same bucket
 * and of adjacent buckets, by Simpson integration over |Δ| ~ half-normal(c).
 */
export function e2lshCollision(c: number, w: number): [number, number] {
  if (!(c > 0)) return [1, 0];
  const hi = Math.min(2 * w, 9 * c);
  const steps = 200;
  const h = hi / steps;
  let sp = 0;
  let sq = 0;
  for (let i = 0; i <= steps; i++) {
    const t = i * h;
    const wt = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    const dens = (2 / c) * phi(t / c);
    const same = t < w ? 1 - t / w : 0;
    const adj = t < w ? t / w : t < 2 * w ? 2 - t / w : 0;
    sp += wt * dens * same;
    sq += wt * dens * adj;
  }
  return [Math.min(1, (sp * h) / 3), Math.min(1, (sq * h) / 3)];
}

/** SimHash: [p, q] for two vectors with cosine similarity s. */
export function simhashCollision(s: number): [number, number] {
  const theta = Math.acos(Math.max(-1, Math.min(1, s)));
  const p = 1 - theta / Math.PI;
  return [p, 1 - p];
}

/** Probability that a pair with per-hash probabilities (p, q) meets in one probed table. */
export function tableCollision(p: number, q: number, K: number, T: number, perturbations: number): number {
  const base = Math.pow(p, K);
  if (T === 0 || K === 0) return base;
  return Math.min(1, base + Math.min(1, T / perturbations) * K * Math.pow(p, K - 1) * q);
}

export interface LshPlan {
  K: number;
  L: number;
  probes: number;
  /** Mean predicted recall of the true k nearest neighbours of the calibration queries. */
  predictedRecall: number;
  /** Predicted candidates re-ranked per query. */
  predictedCandidates: number;
  /** The cost the plan minimises (rough multiply-add equivalents per query). */
  predictedCost: number;
}

export interface PlanInput {
  /** (p, q) of (calibration query, true neighbour) pairs, or of weighted representatives. */
  near: Array<[number, number]>;
  nearWeights?: number[];
  /** (p, q) of random pairs (or weighted representatives), to predict the candidate count. */
  background: Array<[number, number]>;
  backgroundWeights?: number[];
  n: number;
  d: number;
  targetRecall: number;
  /** Perturbations available per table (K for SimHash, 2K for E2LSH) as a function of K. */
  perturbationsOf: (K: number) => number;
  kRange: [number, number];
  maxTables: number;
  probeChoices: number[];
}

/**
 * Per-query cost weights of planLsh, in units of one re-ranked dimension (a candidate costs
 * d + COST.candidate). Measured on the 100 000 × 128-d benchmark (1000 queries in one search,
 * native backend, one thread), with candidates re-ranked by the backend's knnCandidates
 * kernel: a candidate ≈ 48 ns (the row comes from memory; ≈ 0.35 ns per unit); a table ≈
 * 160 ns per query (a directory probe and a bucket read that both miss cache); a bucket entry
 * visited ≈ 4 ns (copy and repeat check); a hash ≈ 5.6 ns (its share of the projection GEMM
 * and of the key); an extra multi-probe bucket ≈ 210 ns (E2LSH: its key, a directory probe,
 * its bucket). Earlier weights (projection 4, table 500, probe 160, visit 2) were measured on
 * a JS re-ranking loop, where a candidate cost ≈ 165 ns; they choose the same plans on the
 * benchmark.
 */
const COST = { projection: 16, table: 450, probe: 600, candidate: 10, visit: 10 };

/**
 * The cheapest (K, L, T) whose predicted recall reaches the target; when none does within
 * maxTables, the plan with the highest predicted recall. Cost per query (weights COST,
 * measured): hashing L·K, tables L, extra probes L·T, re-ranking candidates·(d + 10) and
 * bucket traversal n·L·E[P_table].
 */
export function planLsh(input: PlanInput): LshPlan {
  const { near, background, n, d, targetRecall, maxTables } = input;
  const nearW = input.nearWeights ?? near.map(() => 1);
  const weight = input.backgroundWeights ?? background.map(() => 1);
  const totalNear = Math.max(1e-300, nearW.reduce((a, b) => a + b, 0));
  const totalW = Math.max(1e-300, weight.reduce((a, b) => a + b, 0));
  let best: LshPlan | null = null;
  let bestRecall: LshPlan | null = null;
  const pn = new Float64Array(near.length);
  const pb = new Float64Array(background.length);
  const missN = new Float64Array(near.length);
  const missB = new Float64Array(background.length);
  for (let K = input.kRange[0]; K <= input.kRange[1]; K++) {
    const m = input.perturbationsOf(K);
    for (const T of input.probeChoices) {
      for (let i = 0; i < near.length; i++) { pn[i] = tableCollision(near[i][0], near[i][1], K, T, m); missN[i] = 1; }
      for (let i = 0; i < background.length; i++) { pb[i] = tableCollision(background[i][0], background[i][1], K, T, m); missB[i] = 1; }
      for (let L = 1; L <= maxTables; L++) {
        let rec = 0;
        for (let i = 0; i < near.length; i++) { missN[i] *= 1 - pn[i]; rec += nearW[i] * (1 - missN[i]); }
        rec /= totalNear;
        let cand = 0;
        let traversed = 0;
        for (let i = 0; i < background.length; i++) { missB[i] *= 1 - pb[i]; cand += weight[i] * (1 - missB[i]); traversed += weight[i] * pb[i]; }
        cand = (n * cand) / totalW;
        traversed = (n * L * traversed) / totalW;
        const cost = COST.projection * L * K + COST.table * L + COST.probe * L * T + cand * (d + COST.candidate) + COST.visit * traversed;
        const plan: LshPlan = { K, L, probes: T, predictedRecall: rec, predictedCandidates: cand, predictedCost: cost };
        if (!bestRecall || rec > bestRecall.predictedRecall + 1e-12 || (Math.abs(rec - bestRecall.predictedRecall) <= 1e-12 && cost < bestRecall.predictedCost)) bestRecall = plan;
        if (rec >= targetRecall) {
          if (!best || cost < best.predictedCost) best = plan;
          break; // more tables only cost more for this (K, T)
        }
      }
    }
  }
  return (best ?? bestRecall) as LshPlan;
}

/**
 * Summarises a large calibration sample by weighted representatives so planning costs O(100)
 * per (K, L, T): the `head` fraction of values nearest the colliding end (sorted in
 * `collidingFirst` order) is kept one by one, because the expected candidate count is
 * dominated by them, and the rest becomes `bins` equal-count bins represented by their means.
 */
export function summarize(values: number[], collidingFirst: 'ascending' | 'descending', head: number, bins: number): { values: number[]; weights: number[] } {
  if (values.length <= bins * 2) return { values: [...values], weights: values.map(() => 1) };
  const sorted = [...values].sort((a, b) => (collidingFirst === 'ascending' ? a - b : b - a));
  const h = Math.ceil(sorted.length * head);
  const out = sorted.slice(0, h);
  const weights = out.map(() => 1);
  const rest = sorted.length - h;
  for (let b = 0; b < bins; b++) {
    const lo = h + Math.floor((b * rest) / bins);
    const hi = h + Math.floor(((b + 1) * rest) / bins);
    if (hi <= lo) continue;
    let s = 0;
    for (let i = lo; i < hi; i++) s += sorted[i];
    out.push(s / (hi - lo));
    weights.push(hi - lo);
  }
  return { values: out, weights };
}
