/**
 * A loss's reusable dL/dMatrix buffer. A training step needs one n x m float64 matrix that dies
 * when the step's gradient is computed; allocating it anew each step (128 KB for a batch of
 * 128) is what keeps the garbage collector busy. The buffer is only valid until the owner's next
 * call, so it must never escape compute() (backprop only reads it).
 */
export class Scratch {
  private buf = new Float64Array(0);

  /** n zeros, in a buffer reused across calls. */
  zeros(n: number): Float64Array {
    if (this.buf.length < n) this.buf = new Float64Array(n);
    const out = this.buf.length === n ? this.buf : this.buf.subarray(0, n);
    out.fill(0);
    return out;
  }
}
