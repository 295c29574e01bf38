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
    const v = p.value, g = p.grad, buf = this.buf[k];
    const wd = p.noDecay ? 0 : this.weightDecay;
    const mu = this.momentum, damp = 1 - this.dampening, lr = this.lr * (p.lrScale ?? 1);
    const n = v.length;
    // One branch-free loop per case: a flag tested inside the loop costs more than the update.
    if (mu === 0) {
      for (let i = 0; i < n; i++) v[i] -= lr * (g[i] + wd * v[i]);
    } else if (this.t === 1) {
      // torch starts the buffer at the first gradient, without dampening.
      const nest = this.nesterov ? 1 + mu : 1;
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * v[i];
        buf[i] = d;
        v[i] -= lr * nest * d;
      }
    } else if (this.nesterov) {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * v[i];
        const bi = mu * buf[i] + damp * d;
        buf[i] = bi;
        v[i] -= lr * (d + mu * bi);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const bi = mu * buf[i] + damp * (g[i] + wd * v[i]);
        buf[i] = bi;
        v[i] -= lr * bi;
      }
    }
  }
}
