/**
 * Margin loss (Wu, Manmatha, Smola & Krähenbühl, "Sampling Matters in Deep Embedding Learning",
 * ICCV 2017): each pair pays [α + y_ij (D_ij − β)]₊ with y = +1 for positive and −1 for negative
 * pairs, β a boundary that can be learned (`learnBeta`), per class when `numClasses` is given
 * (β of the anchor's class, the paper's β^(class)), with regulariser ν·β. The paper draws pairs
 * by distance-weighted sampling; here pairs come from any miner (or all pairs), and the
 * distance-weighted sampler is not part of this loss. For a similarity the directions flip.
 * Default reduction: average over the non-zero pair terms (PML divides by that count too); the
 * ν·β term is added as ν times the mean β over those active pairs.
 * compute() ADDS β's gradient into its Parameter's grad.
 * The defaults α 0.2, β 1.2 are the paper's (and PML's), for Euclidean distances between unit
 * embeddings; with a similarity a fixed β that no pair can reach on one side is refused (see
 * marginLossProblem), as it would leave that side of the loss inert.
 */
import { describeValue, type Matrix } from '../../matrix.js';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero.js';
import { resolveReducer, type ReducerSpec } from '../reducers/by-name.js';
import type { Reducer } from '../reducers/reducer.js';
import { resolveDistance } from '../distances/by-name.js';
import { gap } from '../distances/base.js';
import type { Distance, Loss, LossResult, MinedTuples, Parameter, Reference } from '../types.js';
import { backprop, distanceMatrix, num, prepareInput } from './context.js';
import { toPairs } from './tuples.js';

export interface MarginLossOptions {
  /** α, the half-width of the band around β (default 0.2). */
  margin?: number;
  /** Initial β (default 1.2). */
  beta?: number;
  /** ν, weight of the β regulariser (default 0). */
  nu?: number;
  learnBeta?: boolean;
  /** With learnBeta: one β per class (labels must be in 0..numClasses−1). */
  numClasses?: number;
  distance?: string | Distance;
  reducer?: ReducerSpec;
}

export class MarginLoss implements Loss {
  readonly name = 'margin';
  readonly acceptsReference = true;
  readonly margin: number;
  readonly nu: number;
  readonly learnBeta: boolean;
  readonly distance: Distance;
  readonly reducer: Reducer;
  /** β: one value, or one per class. */
  readonly beta: Parameter;
  /** The β every class starts from (the `beta` option, default 1.2). */
  readonly initialBeta: number;

  constructor(options: MarginLossOptions = {}) {
    const owner = this.name;
    this.margin = num(owner, 'margin', options.margin, 0.2);
    this.nu = num(owner, 'nu', options.nu, 0, (x) => Number.isFinite(x) && x >= 0, 'a non-negative number');
    this.learnBeta = options.learnBeta ?? false;
    const beta0 = num(owner, 'beta', options.beta, 1.2);
    this.initialBeta = beta0;
    if (options.numClasses !== undefined && (!Number.isInteger(options.numClasses) || options.numClasses < 1)) throw new RangeError(`${owner}: numClasses must be a positive integer, got ${describeValue(options.numClasses)}`);
    if (options.numClasses !== undefined && !this.learnBeta) throw new RangeError(`${owner}: numClasses (one β per class) only makes sense with learnBeta: true`);
    const len = options.numClasses ?? 1;
    this.beta = { name: 'margin.beta', value: new Float32Array(len).fill(beta0), grad: new Float32Array(len), shape: [len], noDecay: true };
    this.distance = resolveDistance(options.distance, 'euclidean', owner);
    const problem = marginLossProblem({ margin: this.margin, beta: beta0, learnBeta: this.learnBeta, distance: this.distance }, { unit: this.distance.name === 'cosine', defaults: { margin: options.margin === undefined, beta: options.beta === undefined } });
    if (problem) throw new RangeError(`${owner}: ${problem}`);
    this.reducer = resolveReducer(options.reducer, () => new AvgNonZeroReducer(), owner);
  }

  compute(embeddings: Matrix<Float32Array>, labels: Int32Array, tuples?: MinedTuples, reference?: Reference): LossResult {
    const inp = prepareInput(this.name, embeddings, labels, reference, tuples);
    const mat = distanceMatrix(this.distance, inp);
    const pairs = toPairs(tuples, inp.labels, inp.refLabels, inp.self);
    const perClass = this.beta.value.length > 1;
    const B = this.beta.value;
    const betaIndex = (a: number): number => {
      if (!perClass) return 0;
      const c = labels[a];
      if (!(c >= 0 && c < B.length)) throw new RangeError(`margin: label ${c} at row ${a} is outside 0..${B.length - 1}; numClasses must cover every class code`);
      return c;
    };
    const lic = this.distance.largerIsCloser;
    const m = inp.m;
    const nP = pairs.posA.length;
    const nN = pairs.negA.length;
    const A = new Int32Array(nP + nN);
    const Bx = new Int32Array(nP + nN);
    A.set(pairs.posA, 0); A.set(pairs.negA, nP);
    Bx.set(pairs.posB, 0); Bx.set(pairs.negB, nP);
    const T = nP + nN;
    const terms = new Float64Array(T);
    const bIdx = new Int32Array(T);
    for (let t = 0; t < T; t++) {
      bIdx[t] = betaIndex(A[t]);
      const v = mat[A[t] * m + Bx[t]];
      const x = this.margin + (t < nP ? gap(v, B[bIdx[t]], lic) : gap(B[bIdx[t]], v, lic));
      terms[t] = x > 0 ? x : 0;
    }
    const r = this.reducer.reduce(terms);
    const gm = new Float64Array(inp.n * m);
    const gBeta = new Float64Array(B.length);
    let reg = 0;
    let regCount = 0;
    const s = lic ? -1 : 1; // d gap(x, y)/dx; d/dy = −s
    for (let t = 0; t < T; t++) {
      const w = r.weights[t];
      if (w === 0 || terms[t] === 0) continue;
      const sign = t < nP ? 1 : -1;
      gm[A[t] * m + Bx[t]] += w * sign * s;
      gBeta[bIdx[t]] -= w * sign * s;
      reg += B[bIdx[t]];
      regCount++;
    }
    let loss = r.loss;
    if (this.nu > 0 && regCount > 0) {
      loss += (this.nu * reg) / regCount;
      for (let t = 0; t < T; t++) if (r.weights[t] !== 0 && terms[t] !== 0) gBeta[bIdx[t]] += this.nu / regCount;
    }
    if (this.learnBeta) for (let k = 0; k < B.length; k++) this.beta.grad[k] += gBeta[k];
    return { loss, activeTerms: r.active, ...backprop(this.distance, inp, gm) };
  }

  parameters(): Parameter[] {
    return this.learnBeta ? [this.beta] : [];
  }
}

/**
 * Why a fixed β (learnBeta false) would make one side of the margin loss cost nothing whatever
 * the embeddings, or null. With a distance d ≥ 0 negative pairs pay [α + β − d]₊, so α + β must be
 * positive; with a similarity s, negative pairs pay [α + s − β]₊ and positive pairs [α + β − s]₊,
 * so when s lies in [−1, 1] (`unit`: cosine, or a dot product of L2-normalised embeddings) β − α
 * must be below 1 and β + α above −1. A learned β moves to where the pairs are, so it is not checked.
 */
export function marginLossProblem(loss: { margin: number; beta: number; learnBeta: boolean; distance: Distance }, options: { unit: boolean; unitReason?: string; defaults?: { margin?: boolean; beta?: boolean } }): string | null {
  const { margin: a, beta: b, distance } = loss;
  if (loss.learnBeta) return null;
  const d = options.defaults ?? {};
  const given = `beta ${b}${d.beta ? ' (the default)' : ''} and margin ${a}${d.margin ? ' (the default)' : ''}`;
  if (distance.largerIsCloser) {
    if (!options.unit) return null;
    const what = `the ${distance.name} similarity (larger = closer, between −1 and 1 ${options.unitReason ?? 'here'})`;
    const fix = `set beta to a similarity between −1 + margin and 1 − margin (e.g. 0.5), set learnBeta: true, or use the euclidean distance${d.beta ? ' (the defaults are meant for distances)' : ''}`;
    if (b - a >= 1) return `with ${what} negative pairs pay [margin + s − beta]₊, so ${given} make every negative pair cost nothing; ${fix}`;
    if (b + a <= -1) return `with ${what} positive pairs pay [margin + beta − s]₊, so ${given} make every positive pair cost nothing; ${fix}`;
    return null;
  }
  if (a + b <= 0) return `with the ${distance.name} distance (never negative) negative pairs pay [margin + beta − d]₊, so ${given} make every negative pair cost nothing; set beta above −margin (e.g. 1.2, the default) or learnBeta: true`;
  return null;
}
