/**
 * Seeded random numbers, identical on every platform.
 *
 * xoshiro128** (Blackman & Vigna 2018) on 32-bit integer arithmetic (Math.imul), seeded by
 * splitmix32 so that nearby seeds give unrelated streams. Doubles use 53 bits from two draws.
 * Everything random in simlearn takes a `seed` or a `Random` and uses this class.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  /**
   * Any finite number is taken modulo 2^32 (derived seeds such as `seed ^ k` may be negative).
   * Seeds a user chooses should go through toRandom, which refuses the ones that would wrap.
   */
  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Random: seed must be a finite number, got ${seed}`);
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * The four xoshiro128** state words, for handing the stream to a kernel that draws from it
   * (the native SCML iterations run the same generator) and taking it back with setState.
   * The spare deviate that normal() may hold is not part of it.
   */
  state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  /**
   * Continues from state words given by state() (possibly advanced by a kernel). Leaves
   * normal()'s spare deviate as it is, so a round trip through a kernel that only draws
   * integers changes nothing but the words. The all-zero state is xoshiro's fixed point.
   */
  setState(words: ArrayLike<number>): void {
    if (words.length !== 4) throw new RangeError(`Random.setState: words must hold 4 state words, got ${words.length}`);
    for (let i = 0; i < 4; i++) {
      const v = words[i];
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`Random.setState: words[${i}] must be an unsigned 32-bit integer, got ${v}`);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) throw new RangeError('Random.setState: words must not all be zero (xoshiro128** would stay at zero)');
    this.s0 = words[0] >>> 0;
    this.s1 = words[1] >>> 0;
    this.s2 = words[2] >>> 0;
    this.s3 = words[3] >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`Random.int: n must be a positive integer, got ${n}`);
    if (n <= 0x100000000) {
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const r = this.nextUint32();
        if (r < limit) return r % n;
      }
    }
    return Math.floor(this.next() * n);
  }

  /** Standard normal by the polar Box-Muller method (keeps the spare draw). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return mean + std * v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + std * u * f;
  }

  /** Standard Cauchy (1-stable), used by p-stable LSH for L1. */
  cauchy(): number {
    return Math.tan(Math.PI * (this.next() - 0.5));
  }

  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  fillUniform<T extends Float64Array | Float32Array>(out: T, low = 0, high = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array | Float64Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t as never;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** k distinct integers from [0, n), in random order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new RangeError(`Random.sample: cannot draw ${k} distinct values from ${n}`);
    if (k * 4 > n) return this.permutation(n).subarray(0, k).slice();
    const seen = new Set<number>();
    const out = new Int32Array(k);
    let c = 0;
    while (c < k) {
      const v = this.int(n);
      if (!seen.has(v)) {
        seen.add(v);
        out[c++] = v;
      }
    }
    return out;
  }

  /** A new generator whose stream is determined by this one (for independent sub-tasks). */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The largest seed: the generator keeps 32 bits of a seed, so larger ones would repeat smaller ones. */
export const MAX_SEED = 0xffffffff;

/**
 * A seed as given by a user, checked: an integer in 0..MAX_SEED. Anything else would be
 * silently truncated or wrapped (1.5 and 1, −1 and 2^32 − 1, 2^32 and 0 give the same stream).
 */
export function checkSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`${name} must be an integer in 0..${MAX_SEED} (2^32 − 1), got ${typeof seed === 'string' ? JSON.stringify(seed) : String(seed)}`);
  }
  return seed;
}

/** Accepts a seed or an existing generator, as scikit-learn's random_state does. */
export function toRandom(seed: number | Random | undefined): Random {
  return seed instanceof Random ? seed : new Random(seed == null ? 0 : checkSeed(seed));
}
