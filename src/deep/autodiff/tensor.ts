/**
 * Reverse-mode automatic differentiation over fp32 matrices (a "tape": Wengert list).
 *
 * Every value is a 2-D row-major Float32Array. Ops append a node with its backward rule to the
 * tape; `backward(out)` walks the nodes in reverse and accumulates gradients. Only nodes whose
 * output needs a gradient are recorded, so a forward pass without trainable inputs costs nothing
 * extra.
 *
 * Buffers come from a pool owned by the tape: `reset()` hands them back, and the next training
 * step (same shapes) reuses them, so a steady training loop allocates nothing. Tensors from a
 * tape are therefore only valid until its next `reset()`; copy what must outlive a step.
 */
import type { Parameter } from '../types.js';

export class Tensor {
  /** Gradient of the backward target with respect to this tensor (null until needed). */
  grad: Float32Array | null = null;

  constructor(
    readonly tape: Tape,
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array,
    readonly requiresGrad: boolean,
  ) {
    if (data.length !== rows * cols) throw new RangeError(`Tensor: data has ${data.length} values but ${rows} x ${cols} needs ${rows * cols}`);
  }

  get size(): number {
    return this.rows * this.cols;
  }

  /** The single value of a 1 x 1 tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`Tensor.item: tensor is ${this.rows} x ${this.cols}, not 1 x 1`);
    return this.data[0];
  }
}

interface Node {
  out: Tensor;
  backward: () => void;
}

export interface TapeOptions {
  /** Reuse buffers across reset() calls (default true). */
  pool?: boolean;
}

export class Tape {
  /** When false, ops compute values but record nothing (inference). */
  enabled = true;
  private nodes: Node[] = [];
  private readonly pooling: boolean;
  private free = new Map<number, Float32Array[]>();
  private lent: Float32Array[] = [];

  constructor(options: TapeOptions = {}) {
    this.pooling = options.pool ?? true;
  }

  /** A buffer of n floats with unspecified contents (callers overwrite every element). */
  alloc(n: number): Float32Array {
    if (!this.pooling) return new Float32Array(n);
    const list = this.free.get(n);
    const buf = list && list.length > 0 ? list.pop()! : new Float32Array(n);
    this.lent.push(buf);
    return buf;
  }

  /** A zero-filled buffer of n floats. */
  zeros(n: number): Float32Array {
    const b = this.alloc(n);
    b.fill(0);
    return b;
  }

  /** A constant (no gradient) over existing data; the data is not copied. */
  constant(data: Float32Array, rows: number, cols: number): Tensor {
    return new Tensor(this, rows, cols, data, false);
  }

  /** A leaf that collects a gradient (for gradient checks and inputs one differentiates by). */
  variable(data: Float32Array, rows: number, cols: number): Tensor {
    return new Tensor(this, rows, cols, data, this.enabled);
  }

  /**
   * A trainable parameter as a leaf tensor: its value is the parameter's storage and its
   * gradient accumulates into `p.grad` (optimisers zero it between steps).
   */
  parameter(p: Parameter, rows: number, cols: number): Tensor {
    if (p.value.length !== rows * cols) throw new RangeError(`Tape.parameter: ${p.name} holds ${p.value.length} values, not ${rows} x ${cols}`);
    const t = new Tensor(this, rows, cols, p.value, this.enabled);
    if (this.enabled) t.grad = p.grad;
    return t;
  }

  /** The output tensor of an op; it needs a gradient when any input does. */
  output(rows: number, cols: number, ...inputs: Tensor[]): Tensor {
    let req = false;
    if (this.enabled) for (const t of inputs) if (t.requiresGrad) { req = true; break; }
    return new Tensor(this, rows, cols, this.alloc(rows * cols), req);
  }

  /** Records the backward rule of an op whose output needs a gradient. */
  record(out: Tensor, backward: () => void): void {
    if (out.requiresGrad) this.nodes.push({ out, backward });
  }

  /** The gradient buffer of t, allocated zeroed on first use. */
  gradOf(t: Tensor): Float32Array {
    if (!t.grad) t.grad = this.zeros(t.size);
    return t.grad;
  }

  /**
   * Back-propagates from `out`: its gradient is `seed` (default 1 for a scalar). Gradients of
   * parameters accumulate into their Parameter.grad buffers.
   */
  backward(out: Tensor, seed?: ArrayLike<number>): void {
    this.backwardAll([[out, seed]]);
  }

  /**
   * Back-propagates from several outputs at once (e.g. query and positive embeddings that share
   * the head's weights): every seed is placed first, then the graph is walked once.
   */
  backwardAll(outputs: [Tensor, ArrayLike<number> | undefined][]): void {
    for (const [out, seed] of outputs) {
      if (out.tape !== this) throw new Error('Tape.backward: the tensor belongs to another tape');
      if (!out.requiresGrad) throw new Error('Tape.backward: the output does not depend on any trainable tensor');
      const g = this.gradOf(out);
      if (seed) {
        if (seed.length !== out.size) throw new RangeError(`Tape.backward: seed has ${seed.length} values, output has ${out.size}`);
        for (let i = 0; i < g.length; i++) g[i] += seed[i];
      } else {
        if (out.size !== 1) throw new RangeError(`Tape.backward: a ${out.rows} x ${out.cols} output needs an explicit seed gradient`);
        g[0] += 1;
      }
    }
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (node.out.grad) node.backward();
    }
  }

  /** Forgets the recorded graph and returns every buffer to the pool. */
  reset(): void {
    this.nodes.length = 0;
    if (!this.pooling) return;
    for (const b of this.lent) {
      let list = this.free.get(b.length);
      if (!list) this.free.set(b.length, (list = []));
      list.push(b);
    }
    this.lent.length = 0;
  }

  /** Number of recorded nodes (for tests). */
  get size(): number {
    return this.nodes.length;
  }
}

export function assertSameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError(`${op}: shapes ${a.rows} x ${a.cols} and ${b.rows} x ${b.cols} differ`);
  if (a.tape !== b.tape) throw new Error(`${op}: tensors belong to different tapes`);
}
