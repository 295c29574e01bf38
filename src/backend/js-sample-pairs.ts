/**
 * Distinct labelled pairs by rejection sampling: the sparse branch of Constraints'
 * pair sampling (src/metric/constraints.ts), and the reference for native/src/sample_pairs.cc,
 * which makes the same draws from the same xoshiro128** stream. It runs once per fit of ITML,
 * MMC, SDML and LSML; in a short process the loop ran mostly in V8's interpreter.
 *
 * The first point is uniform over the labelled rows (`known`); its partner is uniform among
 * its classmates (same = true) or over the labelled rows, redrawn while it is the point itself
 * or of the point's class. A pair already drawn (as an unordered pair) is drawn again.
 */
import { Random } from '../random.js';
import type { IndexPairs } from './backend.js';

const FN = 'samplePairs';

/** Distinct unordered pairs the classes allow: same-class, or different-class. */
export function feasiblePairs(memberStart: Int32Array, same: boolean): number {
  let total = 0, sq = 0, within = 0;
  for (let c = 0; c + 1 < memberStart.length; c++) {
    const m = memberStart[c + 1] - memberStart[c];
    total += m;
    sq += m * m;
    within += (m * (m - 1)) / 2;
  }
  return same ? within : (total * total - sq) / 2;
}

/** Every check the native kernel makes too. */
export function checkSamplePairsArgs(codes: Int32Array, known: Int32Array, memberStart: Int32Array, members: Int32Array, count: number, rng: Uint32Array, same: boolean): void {
  for (const [name, a] of [['codes', codes], ['known', known], ['memberStart', memberStart], ['members', members]] as const) {
    if (!(a instanceof Int32Array)) throw new TypeError(`${FN}: ${name} must be an Int32Array`);
  }
  if (!(rng instanceof Uint32Array) || rng.length !== 4) throw new RangeError(`${FN}: rng must be a Uint32Array of the 4 xoshiro128** state words`);
  if ((rng[0] | rng[1] | rng[2] | rng[3]) === 0) throw new RangeError(`${FN}: rng must not be all zero (xoshiro128** would stay at zero)`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`${FN}: count must be a non-negative integer, got ${count}`);
  const n = codes.length, nClasses = memberStart.length - 1;
  if (nClasses < 1 || memberStart[0] !== 0 || memberStart[nClasses] !== members.length) throw new RangeError(`${FN}: memberStart must run from 0 to members.length (${members.length}) over at least one class`);
  for (let c = 0; c < nClasses; c++) if (memberStart[c + 1] < memberStart[c]) throw new RangeError(`${FN}: memberStart must not decrease (class ${c})`);
  if (known.length !== members.length) throw new RangeError(`${FN}: known has ${known.length} rows but the classes list ${members.length}`);
  for (const [name, a] of [['known', known], ['members', members]] as const) {
    for (let t = 0; t < a.length; t++) {
      const i = a[t];
      if (!(i >= 0 && i < n) || codes[i] < 0 || codes[i] >= nClasses) throw new RangeError(`${FN}: ${name}[${t}] = ${i} is not a labelled row (0 .. ${n - 1} with a class code)`);
    }
  }
  // Rejection stays fast while at most a third of the feasible pairs is asked for; the
  // caller enumerates denser requests.
  const max = feasiblePairs(memberStart, same);
  if (count * 3 > max) throw new RangeError(`${FN}: ${count} pairs asked for, but rejection sampling needs count ≤ a third of the ${max} ${same ? 'same' : 'different'}-class pairs the labels allow; enumerate the pairs instead`);
}

export function samplePairs(codes: Int32Array, known: Int32Array, memberStart: Int32Array, members: Int32Array, count: number, same: boolean, rng: Uint32Array): IndexPairs {
  checkSamplePairsArgs(codes, known, memberStart, members, count, rng, same);
  const r = new Random();
  r.setState(rng);
  const n = codes.length;
  const a = new Int32Array(count), b = new Int32Array(count);
  const seen = new Set<number>();
  let t = 0;
  while (t < count) {
    const i = known[r.int(known.length)];
    const ci = codes[i];
    let j: number;
    if (same) {
      const from = memberStart[ci], size = memberStart[ci + 1] - from;
      if (size < 2) continue;
      j = members[from + r.int(size)];
      if (j === i) continue;
    } else {
      j = known[r.int(known.length)];
      if (codes[j] === ci) continue;
    }
    const key = Math.min(i, j) * n + Math.max(i, j);
    if (seen.has(key)) continue;
    seen.add(key);
    a[t] = i;
    b[t] = j;
    t++;
  }
  rng.set(r.state());
  return { a, b };
}
