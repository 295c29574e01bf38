/**
 * Shared plumbing for distances: a float64 fast path that the losses and miners use so that
 * gradients stay accurate (finite-difference checks compare them in float64), while the public
 * `Distance` interface keeps float32 for the trainer.
 */
import type { Distance } from '../types.js';
import type { FloatArray } from '../../matrix.js';

/**
 * A Distance that can also work in float64. Every distance of simlearn implements it; a user's
 * own Distance that only implements the float32 interface still works (through a widening copy).
 */
export interface PreciseDistance extends Distance {
  pairwise64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number): Float64Array;
  /** Accumulates dL/da and dL/db (float64) from dL/dMatrix; ga and gb may be one buffer when a === b. */
  backward64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, gradMatrix: Float64Array, ga: Float64Array, gb: Float64Array): void;
  /**
   * The same for a sparse dL/dMatrix given as (rows[k], cols[k], vals[k]) entries: O(nnz · d)
   * instead of the dense path's GEMMs, for losses on a few mined tuples.
   */
  backwardSparse64(a: FloatArray, na: number, b: FloatArray, nb: number, d: number, rows: Int32Array, cols: Int32Array, vals: Float64Array, nnz: number, ga: Float64Array, gb: Float64Array): void;
}

export function isPrecise(d: Distance): d is PreciseDistance {
  return typeof (d as Partial<PreciseDistance>).pairwise64 === 'function' && typeof (d as Partial<PreciseDistance>).backward64 === 'function';
}

export function toF64(a: FloatArray): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

function toF32(a: FloatArray): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/**
 * The last matrix computed by a built-in distance, with a snapshot of its inputs. A training
 * step asks for the same matrix twice (the miner, then the loss, on the same embeddings, with
 * distinct but equal Distance objects), and the cosine backward a third time; this serves the
 * repeats. The inputs are compared by value, not identity (the trainer's buffers are pooled and
 * rewritten in place), so nothing can see a stale matrix. Only readOnly calls (whose callers
 * never write to the array, as others share it) store their result; other callers get their own
 * copy of a stored one. Larger matrices are not kept.
 */
interface PairwiseMemo {
  kind: unknown;
  name: string;
  a: FloatArray;
  b: FloatArray | null;
  na: number;
  nb: number;
  d: number;
  out: Float64Array;
}
let memo: PairwiseMemo | null = null;
const MEMO_MAX_ENTRIES = 1 << 18;
/**
 * Classes whose pairwise64 depends on the class and its name alone (no other state): simlearn's
 * own. A subclass or a user's Distance is not in here, so it is never memoized.
 */
const MEMOIZABLE = new Set<unknown>();

/** Marks a built-in Distance class as memoizable (see MEMOIZABLE). */
export function registerMemoizable(cls: abstract new (...args: never[]) => PreciseDistance): void {
  MEMOIZABLE.add(cls);
}

function sameValues(x: FloatArray, y: FloatArray): boolean {
  if (x.length !== y.length || x.constructor !== y.constructor) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function memoHit(dist: PreciseDistance, a: FloatArray, na: number, b: FloatArray, nb: number, d: number): Float64Array | null {
  const m = memo;
  if (!m || m.kind !== dist.constructor || m.name !== dist.name || m.na !== na || m.nb !== nb || m.d !== d) return null;
  if ((m.b === null) !== (a === b)) return null;
  if (!sameValues(m.a, a) || (m.b !== null && !sameValues(m.b, b))) return null;
  return m.out;
}

/** Forgets the remembered matrix (tests; or to release its memory). */
export function clearPairwiseMemo(): void {
  memo = null;
}

/**
 * Pairwise matrix in float64 from any Distance. With readOnly the result may be shared with
 * other callers (no copy), so the caller must not modify it.
 */
export function pairwiseF64(dist: Distance, a: FloatArray, na: number, b: FloatArray, nb: number, d: number, readOnly = false): Float64Array {
  if (isPrecise(dist)) {
    const cacheable = MEMOIZABLE.has(dist.constructor) && na * nb <= MEMO_MAX_ENTRIES;
    if (!cacheable) return dist.pairwise64(a, na, b, nb, d);
    const hit = memoHit(dist, a, na, b, nb, d);
    if (hit) return readOnly ? hit : hit.slice();
    const out = dist.pairwise64(a, na, b, nb, d);
    // Only a read-only result can be kept without a copy; the others are the caller's own.
    if (readOnly) memo = { kind: dist.constructor, name: dist.name, a: a.slice(), b: a === b ? null : b.slice(), na, nb, d, out };
    return out;
  }
  const a32 = toF32(a);
  const b32 = b === a ? a32 : toF32(b);
  return Float64Array.from(dist.pairwise(a32, na, b32, nb, d));
}

/** Backward in float64 from any Distance (a user's float32-only Distance goes through temporary buffers). */
export function backwardF64(dist: Distance, a: FloatArray, na: number, b: FloatArray, nb: number, d: number, gm: Float64Array, ga: Float64Array, gb: Float64Array): void {
  if (isPrecise(dist)) {
    // Mined tuples touch few entries: below 1/16 density the sparse path beats the GEMMs.
    let nnz = 0;
    for (let i = 0; i < gm.length; i++) nnz += +(gm[i] !== 0);
    if (nnz * 16 <= gm.length) {
      const rows = new Int32Array(nnz);
      const cols = new Int32Array(nnz);
      const vals = new Float64Array(nnz);
      let k = 0;
      for (let i = 0; i < gm.length; i++) {
        if (gm[i] === 0) continue;
        rows[k] = (i / nb) | 0;
        cols[k] = i - rows[k] * nb;
        vals[k++] = gm[i];
      }
      dist.backwardSparse64(a, na, b, nb, d, rows, cols, vals, nnz, ga, gb);
    } else dist.backward64(a, na, b, nb, d, gm, ga, gb);
    return;
  }
  const a32 = toF32(a);
  const same = b === a;
  const b32 = same ? a32 : toF32(b);
  const ga32 = new Float32Array(na * d);
  const gb32 = ga === gb ? ga32 : new Float32Array(nb * d);
  dist.backward(a32, na, b32, nb, d, Float32Array.from(gm), ga32, gb32);
  for (let i = 0; i < ga32.length; i++) ga[i] += ga32[i];
  if (gb32 !== ga32) for (let i = 0; i < gb32.length; i++) gb[i] += gb32[i];
}

/**
 * PML's `distance.margin(x, y)`: how much farther x is than y, read in the distance's own
 * direction (x - y for distances, y - x for similarities). Positive means "x is the worse match".
 */
export function gap(x: number, y: number, largerIsCloser: boolean): number {
  return largerIsCloser ? y - x : x - y;
}

export function checkDims(name: string, a: FloatArray, na: number, b: FloatArray, nb: number, d: number): void {
  if (a.length !== na * d) throw new RangeError(`${name}: a has ${a.length} values but na x d = ${na} x ${d} needs ${na * d}`);
  if (b.length !== nb * d) throw new RangeError(`${name}: b has ${b.length} values but nb x d = ${nb} x ${d} needs ${nb * d}`);
}
