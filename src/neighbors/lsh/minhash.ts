/**
 * MinHash signatures for Jaccard similarity of sets (Broder, "On the resemblance and
 * containment of documents", 1997): for a random permutation π of the token universe,
 * P[min π(A) = min π(B)] = |A ∩ B| / |A ∪ B|, so the fraction of agreeing minima over P
 * permutations estimates the Jaccard similarity with standard error √(J(1 − J)/P)
 * (≤ 0.044 at P = 128, so ±0.05 holds for most pairs and ±3 s.e. for all).
 *
 * Permutations are simulated by universal hashing (Carter & Wegman 1979): each token is first
 * hashed to 32 bits (FNV-1a over its UTF-16 code units for strings, an integer mix for
 * numbers), reduced modulo the Mersenne prime p = 2^31 − 1, then
 * h_i(x) = (a_i x + b_i) mod p with a_i ∈ [1, p), b_i ∈ [0, p) drawn from the seeded Random.
 * Products are split into 16-bit halves so every step is exact in double precision.
 */
import { Random } from '../../random.js';

export type Token = string | number;
export const MERSENNE_31 = 2147483647;

/** 32-bit hash of one token (stable across runs and platforms). */
export function hashToken(t: Token): number {
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) throw new RangeError(`MinHash: token ${t} is not a finite number`);
    // mix the low and high 32-bit halves of integers; non-integers through their string form
    if (!Number.isInteger(t)) return hashToken(String(t));
    let x = (t >>> 0) ^ Math.floor(t / 4294967296);
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    return (x ^ (x >>> 16)) >>> 0;
  }
  if (typeof t !== 'string') throw new TypeError(`MinHash: tokens must be strings or numbers, got ${typeof t}`);
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** (a · x) mod p for a, x < 2^31, exact in doubles. */
function mulMod(a: number, x: number): number {
  const hi = Math.floor(a / 65536);
  const lo = a - hi * 65536;
  return (((hi * x) % MERSENNE_31) * 65536 + lo * x) % MERSENNE_31;
}

export class MinHasher {
  readonly a: Float64Array;
  readonly b: Float64Array;

  constructor(readonly numPerm = 128, seed = 0) {
    if (!Number.isInteger(numPerm) || numPerm < 1) throw new RangeError(`MinHasher: numPerm must be a positive integer, got ${numPerm}`);
    const rng = new Random(seed);
    this.a = new Float64Array(numPerm);
    this.b = new Float64Array(numPerm);
    for (let i = 0; i < numPerm; i++) {
      this.a[i] = 1 + rng.int(MERSENNE_31 - 1);
      this.b[i] = rng.int(MERSENNE_31);
    }
  }

  /** The numPerm minima of one set (an empty set has no minimum: it is refused). */
  signature(tokens: Iterable<Token>, out = new Float64Array(this.numPerm)): Float64Array {
    out.fill(Infinity);
    let count = 0;
    const P = this.numPerm;
    for (const t of tokens) {
      const x = hashToken(t) % MERSENNE_31;
      count++;
      for (let i = 0; i < P; i++) {
        const h = (mulMod(this.a[i], x) + this.b[i]) % MERSENNE_31;
        if (h < out[i]) out[i] = h;
      }
    }
    if (count === 0) throw new RangeError('MinHash: a set is empty; Jaccard similarity is undefined for empty sets');
    return out;
  }
}

/** Fraction of agreeing signature entries: the MinHash estimate of Jaccard similarity. */
export function estimateJaccard(s1: ArrayLike<number>, s2: ArrayLike<number>): number {
  if (s1.length !== s2.length) throw new RangeError(`estimateJaccard: signatures have ${s1.length} and ${s2.length} entries; use the same MinHasher for both`);
  let eq = 0;
  for (let i = 0; i < s1.length; i++) if (s1[i] === s2[i]) eq++;
  return eq / s1.length;
}

/** Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two token sets. */
export function jaccard(a: Iterable<Token>, b: Iterable<Token>): number {
  const A = new Set(a);
  const B = new Set(b);
  if (A.size === 0 && B.size === 0) return 1;
  let inter = 0;
  for (const x of A) if (B.has(x)) inter++;
  return inter / (A.size + B.size - inter);
}
