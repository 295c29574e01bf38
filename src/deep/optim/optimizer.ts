/**
 * Optimisers update Parameter.value in place from Parameter.grad. The learning rate is a
 * public field so schedules can set it before each step; per-parameter state (moments) is
 * kept in Float32Arrays allocated once.
 */
import type { Parameter } from '../types.js';

export abstract class Optimizer {
  /** The learning rate used by the next step (schedules overwrite it). */
  lr: number;
  readonly baseLr: number;
  /** Steps taken so far. */
  t = 0;

  constructor(readonly params: Parameter[], lr: number, name: string) {
    if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`${name}: lr must be a positive number, got ${lr}`);
    const seen = new Set<Parameter>();
    for (const p of params) {
      if (seen.has(p)) throw new Error(`${name}: parameter "${p.name}" is listed twice`);
      seen.add(p);
      if (p.value.length !== p.grad.length) throw new RangeError(`${name}: parameter "${p.name}" has ${p.value.length} values but ${p.grad.length} gradients`);
    }
    this.lr = lr;
    this.baseLr = lr;
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  step(): void {
    this.t++;
    for (let k = 0; k < this.params.length; k++) this.update(this.params[k], k);
  }

  protected abstract update(p: Parameter, k: number): void;
}

export function checkUnit(name: string, field: string, v: number, closedTop = false): void {
  if (!(v >= 0 && (closedTop ? v <= 1 : v < 1))) throw new RangeError(`${name}: ${field} must be in [0, ${closedTop ? '1]' : '1)'}, got ${v}`);
}

export function checkNonNegative(name: string, field: string, v: number): void {
  if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`${name}: ${field} must be a non-negative number, got ${v}`);
}
