/**
 * OASIS: Online Algorithm for Scalable Image Similarity.
 * G. Chechik, V. Sharma, U. Shalit, S. Bengio, "Large scale online learning of image
 * similarity through ranking", JMLR 11, 2010 (§2, Algorithm 1).
 *
 * A bilinear similarity S_W(x, y) = xᵀ W y (W need not be symmetric or PSD, so this is not a
 * Mahalanobis metric), learned from triplets (p, p⁺, p⁻) that should satisfy
 * S_W(p, p⁺) ≥ S_W(p, p⁻) + 1, by passive-aggressive updates (Crammer et al. 2006):
 *   l = max(0, 1 − pᵀW(p⁺ − p⁻)),   V = p (p⁺ − p⁻)ᵀ,   ‖V‖²_F = ‖p‖² ‖p⁺ − p⁻‖²,
 *   τ = min(C, l / ‖V‖²_F),          W ← W + τ V,
 * starting from W₀ = I. Each update is O(d²) in dense form and O(nnz(p) · d) in the loop
 * kernel: rows of W whose p-coordinate is zero are skipped, as the paper does for sparse
 * features; dense rows on the native backend go through one GEMV and one rank-one GEMM per
 * update instead (see `kernel`). The hot loop allocates nothing. Features on comparable scales (e.g. L2-normalised rows) suit the fixed
 * margin of 1.
 *
 * Tiny features. The margin 1, the step cap C and W₀ = I are in the units of the features, and
 * one step changes an entry of W by at most C‖a‖‖p⁺ − p⁻‖ ≤ 2CR² (R the largest row norm)
 * while ‖V‖²_F ≤ 4R⁴. When 2CR² is below half an ulp of 1 (2⁻⁵³), no step can change the
 * diagonal of W₀ = I at all, and below R = 2⁻²⁵⁰ ‖V‖²_F underflows float64 and every step is
 * skipped: either way W stays at its initial value without a word (features ~1e-100 did). Such
 * data are trained in the units where R is in [1, 2): the rows are multiplied by 2^e, which is
 * exact (only exponents change), W is learned there as W′ (from W′ = I, or on a warm start
 * from W′ = 2^(−2e) W) and returned as W = 2^(2e) W′, also exact, so that xᵀWy = (2^e x)ᵀW′(2^e y)
 * exactly. The margin 1 and C then refer to the rescaled features, as they would for
 * data scaled to unit norm by hand; `rescaleExponent` reports e (0 when no rescaling was
 * needed, which leaves every other fit unchanged). Features too small for 2^(2e) W′ to fit in
 * float64 (row norms below ~2⁻⁴⁸⁰) are refused, naming the fix.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { toRandom, type Random } from '../random.js';
import { getBackend } from '../backend/index.js';
import { toTuples, tupleCount, type TuplesInput } from './tuples.js';
import type { ModelPayload } from '../io/model-file.js';
import { registerModelLoader } from '../io/model-registry.js';
import { checkPositive, checkInt } from './init.js';
import { Constraints } from './constraints.js';
import { exponentOf, timesPowerOfTwo } from '../linalg/power-of-two.js';

export const OASIS_KIND = 'bilinear/oasis';

export interface OasisOptions {
  /** Aggressiveness C: the largest step of one update. Default 0.1. */
  C?: number;
  seed?: number;
  /**
   * How each update is computed: 'js' = tight loops over the anchor's nonzeros (best for
   * sparse rows and the pure-TypeScript backend); 'blas' = one GEMV and one rank-one GEMM
   * per update through the backend (best for dense rows on the native backend); 'auto'
   * (default) picks 'blas' when the backend is native and the data are at least 32 features
   * wide and mostly nonzero. Both give the same W up to rounding.
   */
  kernel?: 'auto' | 'js' | 'blas';
}

export interface NeighborResult {
  /** nq x k row-major indices into the references, most similar first. */
  indices: Int32Array;
  /** nq x k similarities matching `indices`. */
  scores: Float64Array;
}

export class OASIS {
  readonly kind = OASIS_KIND;
  readonly options: Readonly<OasisOptions>;
  private W: Float64Array | null = null;
  private d = 0;
  private _nUpdates = 0;
  private _nSteps = 0;
  private _rescaleExponent = 0;
  private rng: Random;

  constructor(options: OasisOptions = {}) {
    checkPositive(options.C ?? 0.1, 'C', 'oasis');
    this.options = Object.freeze({ ...options });
    this.rng = toRandom(options.seed);
  }

  get isFitted(): boolean {
    return this.W !== null;
  }

  get nFeatures(): number {
    this.requireFitted();
    return this.d;
  }

  /** Triplets seen so far, and how many of them changed W (had positive loss). */
  get nUpdates(): number {
    return this._nUpdates;
  }

  get nSteps(): number {
    return this._nSteps;
  }

  /**
   * The power of two e by which the last fit multiplied features too small to learn from at
   * their own scale (see the header); 0 when it did not rescale.
   */
  get rescaleExponent(): number {
    return this._rescaleExponent;
  }

  /** W (d x d, a copy). */
  get weights(): Matrix<Float64Array> {
    return new Matrix(this.d, this.d, this.requireFitted().slice());
  }

  private requireFitted(): Float64Array {
    if (!this.W) throw new Error('oasis is not fitted yet: call fit(triplets) or fitSupervised(X, y) first (or load a model)');
    return this.W;
  }

  private init(d: number, reset: boolean): Float64Array {
    if (this.W && !reset) {
      if (this.d !== d) throw new RangeError(`oasis: the data have ${d} features but the model has ${this.d}`);
      return this.W;
    }
    this.d = d;
    this.W = new Float64Array(d * d);
    for (let i = 0; i < d; i++) this.W[i * d + i] = 1;
    this._nUpdates = 0;
    this._nSteps = 0;
    this.rng = toRandom(this.options.seed);
    return this.W;
  }

  /**
   * One passive-aggressive step per triplet (anchor, similar, dissimilar), in a seeded random
   * order, `epochs` times. Continues from the current W when `warmStart` is true.
   */
  fit(triplets: TuplesInput, options: { epochs?: number; warmStart?: boolean } = {}): this {
    const t = toTuples(triplets, 3, 'triplets');
    const epochs = checkInt(options.epochs ?? 1, 'epochs', 'oasis');
    const n = tupleCount(t);
    if (n === 0) throw new RangeError('oasis: no triplets given');
    checkUpdateCount(epochs * n, `epochs × triplets = ${epochs} × ${n}`, 'lower epochs');
    const used = new Uint8Array(t.points.rows);
    for (let i = 0; i < t.indices.length; i++) used[t.indices[i]] = 1;
    const e = tinyScale(checkScale(t.points, used), this.options.C ?? 0.1);
    const points = scaledRows(t.points.data, e);
    const idx = t.indices;
    // One epoch's permutation at a time: drawn in the same order as a precomputed schedule
    // would be (nothing else uses the generator here), but memory stays O(triplets).
    let order: Int32Array = new Int32Array(0);
    this.guarded(t.points.cols, !options.warmStart, e, (W) =>
      this.run(W, points, epochs * n, (s, out) => {
        const j = s % n;
        // this.rng as init() left it (a fresh seeded stream unless warm-starting)
        if (j === 0) order = this.rng.permutation(n);
        const k = order[j] * 3;
        out[0] = idx[k];
        out[1] = idx[k + 1];
        out[2] = idx[k + 2];
      }),
    );
    return this;
  }

  /**
   * Online training from labels as in the paper's experiments: each step draws an anchor,
   * a random point of its class and a random point of another class.
   */
  fitSupervised(X: Matrix<FloatArray> | number[][], y: ArrayLike<number | string>, options: { nUpdates?: number; warmStart?: boolean } = {}): this {
    const x = asMatrix(X, 'X').toFloat64();
    if (y.length !== x.rows) throw new RangeError(`oasis: X has ${x.rows} rows but y has ${y.length} labels`);
    const nUpdates = checkInt(options.nUpdates ?? 100000, 'nUpdates', 'oasis');
    checkUpdateCount(nUpdates, `nUpdates = ${nUpdates}`, 'lower nUpdates');
    // Every label is a class here (unlike Constraints' partial labels, where −1 means unknown):
    // recode to 0..c−1 first so that, e.g., ±1 labels keep both classes.
    const codeOf = new Map<number | string, number>();
    const coded = Array.from(y, (v, i) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`oasis: y[${i}] is ${v}; labels must be finite`);
      let c = codeOf.get(v);
      if (c === undefined) codeOf.set(v, (c = codeOf.size));
      return c;
    });
    const cons = new Constraints(coded);
    if (cons.nClasses < 2) throw new RangeError(`oasis: y has ${cons.nClasses} class(es); triplets need at least 2`);
    const members: Int32Array[] = [];
    for (let c = 0; c < cons.nClasses; c++) members.push(new Int32Array(0));
    const lists: number[][] = Array.from({ length: cons.nClasses }, () => []);
    for (let i = 0; i < x.rows; i++) if (cons.codes[i] >= 0) lists[cons.codes[i]].push(i);
    lists.forEach((l, c) => (members[c] = Int32Array.from(l)));
    if (!lists.some((l) => l.length >= 2)) throw new RangeError('oasis: every class has a single point; a triplet needs two points of one class');
    const eligible = Int32Array.from(lists.flatMap((l) => (l.length >= 2 ? l : [])));
    const codes = cons.codes;
    const rng = this.rng;
    const nKnown = cons.nKnown;
    const known = new Int32Array(nKnown);
    for (let i = 0, k = 0; i < codes.length; i++) if (codes[i] >= 0) known[k++] = i;
    const used = new Uint8Array(x.rows);
    for (let i = 0; i < nKnown; i++) used[known[i]] = 1;
    const e = tinyScale(checkScale(x, used), this.options.C ?? 0.1);
    const points = scaledRows(x.data, e);
    this.guarded(x.cols, !options.warmStart, e, (W) => this.run(W, points, nUpdates, (_s, out) => {
      const a = eligible[rng.int(eligible.length)];
      const m = members[codes[a]];
      let p = a;
      while (p === a) p = m[rng.int(m.length)];
      let q = a;
      while (codes[q] === codes[a]) q = known[rng.int(nKnown)];
      out[0] = a;
      out[1] = p;
      out[2] = q;
    }));
    return this;
  }

  /**
   * Runs `train` on the (re)initialised W and refuses a non-finite result. The up-front scale
   * check covers the data, but a warm-started W (e.g. loaded from a file) can still be large
   * enough for the margins to overflow; a NaN W would otherwise be saved and used without a
   * word. On failure the model is put back as it was before the call. With `e` ≠ 0 the data
   * come multiplied by 2^e, and W is trained as W′ (I on a fresh start, 2^(−2e) W on a warm
   * start) and returned as 2^(2e) W′ (see the header).
   */
  private guarded(d: number, reset: boolean, e: number, train: (W: Float64Array) => void): void {
    const before = { W: this.W, d: this.d, nUpdates: this._nUpdates, nSteps: this._nSteps, rng: this.rng, rescale: this._rescaleExponent };
    // init() reuses the same array on a warm start, so that case needs a copy to go back to
    if (!reset && this.W) before.W = this.W.slice();
    const restore = (): void => {
      this.W = before.W;
      this.d = before.d;
      this._nUpdates = before.nUpdates;
      this._nSteps = before.nSteps;
      this.rng = before.rng;
      this._rescaleExponent = before.rescale;
    };
    const fresh = reset || !this.W;
    const W = this.init(d, reset);
    try {
      // A fresh start is W′ = I in the rescaled units; a warm start carries W over exactly.
      if (e !== 0 && !fresh) for (let i = 0; i < W.length; i++) W[i] = timesPowerOfTwo(W[i], -2 * e);
      train(W);
      if (e !== 0) for (let i = 0; i < W.length; i++) W[i] = timesPowerOfTwo(W[i], 2 * e);
    } catch (err) {
      restore();
      throw err;
    }
    this._rescaleExponent = e;
    for (let i = 0; i < W.length; i++) {
      if (Number.isFinite(W[i])) continue;
      restore();
      throw new RangeError(`oasis: training made W non-finite (W[${Math.floor(i / d)}, ${i % d}] is ${W[i]}): the similarities aᵀW(p − n) overflow float64. Standardise the features (z-score)${reset ? '' : ' or start without warmStart'}; W was left as it was before this call`);
    }
  }

  /**
   * The passive-aggressive loop. Triplets are drawn by `next` into a buffer a block at a time,
   * and the block is processed by paSteps, a plain function V8 optimises on its own.
   */
  private run(W: Float64Array, X: Float64Array, steps: number, next: (s: number, out: Int32Array) => void): void {
    const d = this.d;
    const C = this.options.C ?? 0.1;
    const scratch = { diff: new Float64Array(d), nz: new Int32Array(d), a: new Float64Array(d), t: new Float64Array(d) };
    const kernel = this.options.kernel ?? 'auto';
    if (!['auto', 'js', 'blas'].includes(kernel)) throw new RangeError(`oasis: kernel must be "auto", "js" or "blas", got "${String(kernel)}"`);
    let blas = kernel === 'blas';
    if (kernel === 'auto' && d >= 32 && getBackend().name === 'native') {
      let nonzero = 0;
      const probe = Math.min(X.length, 256 * d);
      for (let i = 0; i < probe; i++) if (X[i] !== 0) nonzero++;
      blas = nonzero > 0.75 * probe;
    }
    const block = 4096;
    const buf = new Int32Array(3 * block);
    const one = new Int32Array(3);
    let changed = 0;
    for (let s0 = 0; s0 < steps; s0 += block) {
      const m = Math.min(block, steps - s0);
      for (let k = 0; k < m; k++) {
        next(s0 + k, one);
        buf[3 * k] = one[0];
        buf[3 * k + 1] = one[1];
        buf[3 * k + 2] = one[2];
      }
      changed += blas ? paStepsBlas(W, X, d, buf, m, C, scratch.diff, scratch.a, scratch.t) : paSteps(W, X, d, buf, m, C, scratch.diff, scratch.nz);
    }
    this._nUpdates += steps;
    this._nSteps += changed;
  }

  /** S_W(a, b) = aᵀ W b for each pair. */
  pairScore(pairs: TuplesInput): Float64Array {
    const W = this.requireFitted();
    const t = toTuples(pairs, 2, 'pairs');
    const d = this.d;
    if (t.points.cols !== d) throw new RangeError(`oasis: pairs have ${t.points.cols} features but the model has ${d}`);
    const n = tupleCount(t);
    const XW = new Float64Array(t.points.rows * d);
    getBackend().gemm(false, false, t.points.rows, d, d, 1, t.points.data, d, W, d, 0, XW, d);
    const out = new Float64Array(n);
    const x = t.points.data;
    for (let k = 0; k < n; k++) {
      const a = t.indices[2 * k] * d, b = t.indices[2 * k + 1] * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += XW[a + j] * x[b + j];
      out[k] = s;
    }
    return out;
  }

  /** The similarity of two vectors. */
  similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
    const W = this.requireFitted();
    const d = this.d;
    if (a.length !== d || b.length !== d) throw new RangeError(`oasis: vectors must have ${d} features, got ${a.length} and ${b.length}`);
    let s = 0;
    for (let i = 0; i < d; i++) {
      if (a[i] === 0) continue;
      let r = 0;
      for (let j = 0; j < d; j++) r += W[i * d + j] * b[j];
      s += a[i] * r;
    }
    return s;
  }

  /**
   * The k references most similar to each query (largest qᵀ W r first; ties keep the lower
   * index). Scores are computed a block of queries at a time through GEMM.
   */
  mostSimilar(queries: Matrix<FloatArray> | number[][], refs: Matrix<FloatArray> | number[][], k: number): NeighborResult {
    const W = this.requireFitted();
    const Q = asMatrix(queries, 'queries').toFloat64();
    const R = asMatrix(refs, 'refs').toFloat64();
    const d = this.d;
    if (Q.cols !== d || R.cols !== d) throw new RangeError(`oasis: queries and refs must have ${d} features (got ${Q.cols} and ${R.cols})`);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`oasis: k must be a positive integer, got ${k}`);
    if (k > R.rows) throw new RangeError(`oasis: k = ${k} but there are only ${R.rows} references; use k <= ${R.rows}`);
    const be = getBackend();
    const nq = Q.rows, nr = R.rows;
    const QW = new Float64Array(nq * d);
    be.gemm(false, false, nq, d, d, 1, Q.data, d, W, d, 0, QW, d);
    const indices = new Int32Array(nq * k);
    const scores = new Float64Array(nq * k);
    const block = Math.max(1, Math.min(nq, Math.floor(8_000_000 / Math.max(1, nr))));
    const S = new Float64Array(block * nr);
    for (let q0 = 0; q0 < nq; q0 += block) {
      const m = Math.min(block, nq - q0);
      be.gemm(false, true, m, nr, d, 1, QW.subarray(q0 * d, (q0 + m) * d), d, R.data, d, 0, S, nr);
      for (let r = 0; r < m; r++) {
        const base = (q0 + r) * k;
        let filled = 0;
        for (let j = 0; j < nr; j++) {
          const v = S[r * nr + j];
          if (filled === k && !(v > scores[base + k - 1])) continue;
          // Insert keeping descending order; equal scores stay behind earlier (lower) indices.
          let pos = filled === k ? k - 1 : filled++;
          while (pos > 0 && scores[base + pos - 1] < v) {
            scores[base + pos] = scores[base + pos - 1];
            indices[base + pos] = indices[base + pos - 1];
            pos--;
          }
          scores[base + pos] = v;
          indices[base + pos] = j;
        }
      }
    }
    return { indices, scores };
  }

  /** The references ranked for one query, most similar first (all of them unless k is given). */
  rank(query: ArrayLike<number>, refs: Matrix<FloatArray> | number[][], k?: number): NeighborResult {
    const R = asMatrix(refs, 'refs');
    return this.mostSimilar([Array.from(query)], R, k ?? R.rows);
  }

  /** k-NN classification by largest similarity: majority vote; a tie goes to the label that reached the top count first (walking from the most similar). */
  knnPredict(refs: Matrix<FloatArray> | number[][], refLabels: ArrayLike<number | string>, queries: Matrix<FloatArray> | number[][], k = 3): (number | string)[] {
    const R = asMatrix(refs, 'refs');
    if (refLabels.length !== R.rows) throw new RangeError(`oasis: ${R.rows} references but ${refLabels.length} labels`);
    const { indices } = this.mostSimilar(queries, R, k);
    const nq = indices.length / k;
    const out: (number | string)[] = [];
    for (let q = 0; q < nq; q++) {
      const votes = new Map<number | string, number>();
      let best: number | string = refLabels[indices[q * k]];
      let bestVotes = 0;
      for (let j = 0; j < k; j++) {
        const l = refLabels[indices[q * k + j]];
        const v = (votes.get(l) ?? 0) + 1;
        votes.set(l, v);
        if (v > bestVotes) {
          bestVotes = v;
          best = l;
        }
      }
      out.push(best);
    }
    return out;
  }

  toPayload(): ModelPayload {
    const W = this.requireFitted();
    return {
      kind: OASIS_KIND,
      version: 1,
      meta: { options: { ...this.options }, nFeatures: this.d, nUpdates: this._nUpdates, nSteps: this._nSteps },
      arrays: { W: { shape: [this.d, this.d], data: W.slice() } },
    };
  }

  static fromModel(p: ModelPayload): OASIS {
    if (p.kind !== OASIS_KIND) throw new Error(`oasis: expected a "${OASIS_KIND}" model, got "${p.kind}"`);
    const a = p.arrays.W;
    if (!a || a.shape.length !== 2 || a.shape[0] !== a.shape[1] || !(a.data instanceof Float64Array) || a.data.length !== a.shape[0] * a.shape[1]) throw new Error(`${OASIS_KIND}: the W array is missing or malformed`);
    for (let i = 0; i < a.data.length; i++) {
      if (!Number.isFinite(a.data[i])) throw new Error(`${OASIS_KIND}: W[${Math.floor(i / a.shape[0])}, ${i % a.shape[0]}] is ${a.data[i]}; the model file is damaged or was saved from a diverged model (refit it)`);
    }
    const meta = (p.meta ?? {}) as { options?: OasisOptions; nUpdates?: number; nSteps?: number };
    const m = new OASIS(meta.options ?? {});
    m.d = a.shape[0];
    m.W = a.data.slice();
    m._nUpdates = meta.nUpdates ?? 0;
    m._nSteps = meta.nSteps ?? 0;
    return m;
  }
}

/**
 * Most updates one fit call makes. A schedule beyond this is almost surely a typo (epochs=1e9
 * would run for hours); training can continue past it with further warm-started calls.
 */
export const MAX_OASIS_UPDATES = 2 ** 31 - 1;

function checkUpdateCount(total: number, what: string, fix: string): void {
  if (total > MAX_OASIS_UPDATES) throw new RangeError(`oasis: ${what} updates exceeds the limit of ${MAX_OASIS_UPDATES} per call; ${fix}, or continue training with further calls with warmStart: true`);
}

/**
 * Largest row norm OASIS accepts. A step divides the hinge loss by ‖V‖² = ‖a‖²‖p − n‖²,
 * which is up to 4R⁴ for rows of norm at most R: beyond 2^250 that overflows float64, so
 * τ = loss/∞ = 0 and W silently stays the identity, or (from ~1e154 on) the margin itself
 * is ∞ − ∞ and W turns NaN. 4·2^1000 leaves 2^22 of headroom below the float64 maximum.
 */
const MAX_ROW_NORM = 2 ** 250;

/** Below this row norm ‖V‖²_F = ‖a‖²‖p − n‖² underflows float64 (mirror of MAX_ROW_NORM). */
const MIN_ROW_NORM = 2 ** -250;

/** The largest e with 2^(2e) W′ still far inside float64 for W′ of moderate size (2^(2e) ≤ 2^960). */
const MAX_RESCALE_EXPONENT = 480;

/**
 * The power of two e that brings rows of largest norm R into [1, 2) when, at their own scale,
 * no step could move W (2CR² below half an ulp of 1, or ‖V‖² underflowing); else 0.
 */
function tinyScale(R: number, C: number): number {
  if (!(R > 0) || (2 * C * R * R >= 2 ** -53 && R >= MIN_ROW_NORM)) return 0;
  const e = -exponentOf(R);
  // Only ever up: rows already of norm 1 or more (with a tiny C) gain nothing from shrinking.
  if (e <= 0) return 0;
  if (e > MAX_RESCALE_EXPONENT) {
    throw new RangeError(`oasis: the features are tiny (row norms up to ${R.toPrecision(3)}): OASIS's margin of 1 cannot be reached at that scale, and they are too small to rescale exactly (by 2^${e}) with W still representable in float64; multiply the features by a constant or standardise them (z-score) first`);
  }
  return e;
}

/** The rows times 2^e (exact), or the rows themselves when e = 0. */
function scaledRows(data: Float64Array, e: number): Float64Array {
  if (e === 0) return data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = timesPowerOfTwo(data[i], e);
  return out;
}

/**
 * Refuses data whose squared norms in the step would overflow (only the rows in `used`), and
 * returns the largest row norm of those rows.
 */
function checkScale(x: Matrix<Float64Array>, used: Uint8Array): number {
  const { rows, cols: d, data } = x;
  let maxAbs = 0;
  for (let i = 0; i < rows; i++) {
    if (!used[i]) continue;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const v = Math.abs(data[j]);
      if (v > maxAbs) maxAbs = v;
    }
  }
  if (maxAbs === 0) return 0;
  // The norm itself may overflow (or underflow): sum squares of the rows divided by the largest entry.
  let maxSq = 0;
  for (let i = 0; i < rows; i++) {
    if (!used[i]) continue;
    let s = 0;
    for (let j = i * d; j < (i + 1) * d; j++) s += (data[j] / maxAbs) ** 2;
    if (s > maxSq) maxSq = s;
  }
  const norm = maxAbs * Math.sqrt(maxSq);
  if (norm > MAX_ROW_NORM) {
    throw new RangeError(`oasis: the features reach ${maxAbs.toPrecision(3)} (row norms up to ${norm.toPrecision(3)}); OASIS's step squares them (‖x‖²‖p − n‖² overflows float64, so W would not learn or would turn NaN); standardise the features (z-score) first`);
  }
  return norm;
}

/** `count` passive-aggressive steps on the triplets in `tri` (row indices); returns how many changed W. */
function paSteps(W: Float64Array, X: Float64Array, d: number, tri: Int32Array, count: number, C: number, diff: Float64Array, nz: Int32Array): number {
  const d4 = d & ~3;
  let changed = 0;
  for (let s = 0; s < count; s++) {
    const a = tri[3 * s] * d, p = tri[3 * s + 1] * d, q = tri[3 * s + 2] * d;
    let dn = 0, an = 0, nnz = 0;
    for (let j = 0; j < d; j++) {
      const v = X[p + j] - X[q + j];
      diff[j] = v;
      dn += v * v;
      const aj = X[a + j];
      if (aj !== 0) {
        nz[nnz++] = j;
        an += aj * aj;
      }
    }
    // margin = aᵀ W (p⁺ − p⁻), over the nonzero coordinates of a only.
    let margin = 0;
    for (let r = 0; r < nnz; r++) {
      const i = nz[r];
      const row = i * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let j = 0;
      for (; j < d4; j += 4) {
        s0 += W[row + j] * diff[j];
        s1 += W[row + j + 1] * diff[j + 1];
        s2 += W[row + j + 2] * diff[j + 2];
        s3 += W[row + j + 3] * diff[j + 3];
      }
      for (; j < d; j++) s0 += W[row + j] * diff[j];
      margin += X[a + i] * (s0 + s1 + s2 + s3);
    }
    const loss = 1 - margin;
    const norm2 = an * dn;
    if (loss <= 0 || norm2 === 0) continue;
    const tau = Math.min(C, loss / norm2);
    for (let r = 0; r < nnz; r++) {
      const i = nz[r];
      const row = i * d;
      const f = tau * X[a + i];
      let j = 0;
      for (; j < d4; j += 4) {
        W[row + j] += f * diff[j];
        W[row + j + 1] += f * diff[j + 1];
        W[row + j + 2] += f * diff[j + 2];
        W[row + j + 3] += f * diff[j + 3];
      }
      for (; j < d; j++) W[row + j] += f * diff[j];
    }
    changed++;
  }
  return changed;
}

/** paSteps through the backend: t = W (p⁺ − p⁻) by GEMV, W += τ a (p⁺ − p⁻)ᵀ by a k = 1 GEMM. */
function paStepsBlas(W: Float64Array, X: Float64Array, d: number, tri: Int32Array, count: number, C: number, diff: Float64Array, abuf: Float64Array, t: Float64Array): number {
  const be = getBackend();
  let changed = 0;
  for (let s = 0; s < count; s++) {
    const a = tri[3 * s] * d, p = tri[3 * s + 1] * d, q = tri[3 * s + 2] * d;
    let dn = 0, an = 0;
    for (let j = 0; j < d; j++) {
      const v = X[p + j] - X[q + j];
      diff[j] = v;
      dn += v * v;
      const aj = X[a + j];
      abuf[j] = aj;
      an += aj * aj;
    }
    be.gemv(false, d, d, 1, W, d, diff, 0, t);
    let margin = 0;
    for (let j = 0; j < d; j++) margin += abuf[j] * t[j];
    const loss = 1 - margin;
    const norm2 = an * dn;
    if (loss <= 0 || norm2 === 0) continue;
    const tau = Math.min(C, loss / norm2);
    be.gemm(false, false, d, d, 1, tau, abuf, 1, diff, d, 1, W, d);
    changed++;
  }
  return changed;
}

registerModelLoader(OASIS_KIND, (p) => OASIS.fromModel(p));
