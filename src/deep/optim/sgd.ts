/**
 * Stochastic gradient descent with (optionally Nesterov) momentum and L2 weight decay, in
 * torch.optim.SGD's formulation (Sutskever et al. 2013): b ← μ b + (1 − dampening) g,
 * p ← p − lr · (g + μ b if Nesterov else b).
 */
import type { Parameter } from '../types.js';
import { Optimizer, checkNonNegative, checkUnit } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient (skipped for parameters marked noDecay). */
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly buf: Float32Array[];

  constructor(params: Parameter[], options: SgdOptions) {
    super(params, options.lr, 'SGD');
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkUnit('SGD', 'momentum', this.momentum);
    checkUnit('SGD', 'dampening', this.dampening);
    checkNonNegative('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new RangeError('SGD: nesterov needs momentum > 0 and dampening 0');
    this.buf = params.map((p) => new Float32Array(p.value.length));
  }

  protected update(p: Parameter, k: number): void {
    const v = p.value, g = p.grad, b = this.buf[k];
    const wd = p.noDecay ? 0 : this.weightDecay;
    const mu = this.momentum, damp = 1 - this.dampening, lr = this.lr;
    const first = this.t === 1;
    for (let i = 0; i < v.length; i++) {
      let d = g[i] + wd * v[i];
      if (mu !== 0) {
        // torch starts the buffer at the first gradient, without dampening.
        b[i] = first ? d : mu * b[i] + damp * d;
        d = this.nesterov ? d + mu * b[i] : b[i];
      }
      v[i] -= lr * d;
    }
  }
}
