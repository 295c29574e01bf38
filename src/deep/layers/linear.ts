/**
 * A dense layer y = x Wᵀ + b, W stored out x in as torch.nn.Linear does.
 *
 * Initialisation follows torch.nn.Linear's default (kaiming_uniform with a = √5, which gives
 * U(−1/√in, 1/√in) for the weights, and the same range for the bias), so a head trained here
 * starts from the same distribution as the pytorch-metric-learning reference.
 */
import { Random, toRandom } from '../../random.js';
import { linear } from '../autodiff/ops-linear.js';
import type { Tensor } from '../autodiff/tensor.js';
import type { Parameter } from '../types.js';
import { makeParameter, type ForwardContext, type Module, type StateBuffer } from './module.js';

export interface LinearOptions {
  bias?: boolean;
  seed?: number | Random;
  /** Name prefix of the parameters (e.g. "layers.0"). */
  name?: string;
}

export class Linear implements Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    if (!Number.isInteger(inFeatures) || inFeatures < 1) throw new RangeError(`Linear: inFeatures must be a positive integer, got ${inFeatures}`);
    if (!Number.isInteger(outFeatures) || outFeatures < 1) throw new RangeError(`Linear: outFeatures must be a positive integer, got ${outFeatures}`);
    const prefix = options.name ? `${options.name}.` : '';
    const rng = toRandom(options.seed);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = makeParameter(`${prefix}weight`, [outFeatures, inFeatures]);
    rng.fillUniform(this.weight.value, -bound, bound);
    this.bias = options.bias === false ? null : makeParameter(`${prefix}bias`, [1, outFeatures], true);
    if (this.bias) rng.fillUniform(this.bias.value, -bound, bound);
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    const tape = x.tape;
    const w = tape.parameter(this.weight, this.outFeatures, this.inFeatures);
    const b = this.bias ? tape.parameter(this.bias, 1, this.outFeatures) : null;
    return linear(x, w, b);
  }

  parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  buffers(): StateBuffer[] {
    return [];
  }
}
