/**
 * Adam (Kingma & Ba 2015, Algorithm 1, with bias-corrected moments) and AdamW (Loshchilov &
 * Hutter 2019, "Decoupled Weight Decay Regularization"). Adam's weightDecay is the classic L2
 * term added to the gradient; AdamW shrinks the weights directly by lr · weightDecay, which is
 * what the AdamW paper shows generalises better. Both follow torch.optim's update order, with
 * eps added to √v̂ (not inside the root).
 */
import type { Parameter } from '../types.js';
import { getBackend } from '../../backend/index.js';
import { Optimizer, checkNonNegative, checkUnit } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly coefficients = new Float64Array(9);

  constructor(params: Parameter[], options: AdamOptions = {}, name = 'Adam', defaultDecay = 0) {
    super(params, options.lr ?? 1e-3, name);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultDecay;
    checkUnit(name, 'beta1', this.beta1);
    checkUnit(name, 'beta2', this.beta2);
    if (!(this.eps > 0)) throw new RangeError(`${name}: eps must be positive, got ${this.eps}`);
    checkNonNegative(name, 'weightDecay', this.weightDecay);
    this.m = params.map((p) => new Float32Array(p.value.length));
    this.v = params.map((p) => new Float32Array(p.value.length));
  }

  protected update(p: Parameter, k: number): void {
    const b1 = this.beta1, b2 = this.beta2, lr = this.lr * (p.lrScale ?? 1);
    const wd = p.noDecay ? 0 : this.weightDecay;
    const c = this.coefficients;
    c[0] = b1; c[1] = b2; c[2] = 1 - b1; c[3] = 1 - b2; c[4] = this.eps;
    c[5] = lr / (1 - Math.pow(b1, this.t));
    c[6] = 1 / Math.sqrt(1 - Math.pow(b2, this.t));
    c[7] = this.decoupled ? 0 : wd;
    c[8] = this.decoupled ? 1 - lr * wd : 1;
    // The backend's kernel (native: one pass in C++, a few times the JS loop's speed over a
    // 100 000-weight head), the same bits on both backends.
    getBackend().adamStep(p.value, p.grad, this.m[k], this.v[k], c);
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  /** weightDecay defaults to 0.01, torch.optim.AdamW's default. */
  constructor(params: Parameter[], options: AdamOptions = {}) {
    super(params, options, 'AdamW', 0.01);
  }
}
