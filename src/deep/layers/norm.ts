/**
 * Normalisation layers with a learnable per-feature gain (γ = 1) and shift (β = 0):
 * LayerNorm (Ba et al. 2016) per row, BatchNorm1d (Ioffe & Szegedy 2015) per column with
 * running statistics for inference.
 */
import { addRowVector, mulRowVector } from '../autodiff/ops-linear.js';
import { standardizeCols, standardizeRows } from '../autodiff/ops-norm.js';
import type { Tensor } from '../autodiff/tensor.js';
import type { Parameter } from '../types.js';
import { makeParameter, type ForwardContext, type Module, type StateBuffer } from './module.js';

function affineParams(prefix: string, d: number): [Parameter, Parameter] {
  const gamma = makeParameter(`${prefix}weight`, [1, d], true);
  gamma.value.fill(1);
  return [gamma, makeParameter(`${prefix}bias`, [1, d], true)];
}

export class LayerNorm implements Module {
  readonly gamma: Parameter;
  readonly beta: Parameter;

  constructor(readonly features: number, readonly eps = 1e-5, name = '') {
    if (!Number.isInteger(features) || features < 1) throw new RangeError(`LayerNorm: features must be a positive integer, got ${features}`);
    [this.gamma, this.beta] = affineParams(name ? `${name}.` : '', features);
  }

  forward(x: Tensor): Tensor {
    const tape = x.tape;
    const z = standardizeRows(x, this.eps);
    return addRowVector(mulRowVector(z, tape.parameter(this.gamma, 1, this.features)), tape.parameter(this.beta, 1, this.features));
  }

  parameters(): Parameter[] {
    return [this.gamma, this.beta];
  }

  buffers(): StateBuffer[] {
    return [];
  }
}

export class BatchNorm1d implements Module {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly runningMean: StateBuffer;
  readonly runningVar: StateBuffer;

  constructor(readonly features: number, readonly momentum = 0.1, readonly eps = 1e-5, name = '') {
    if (!Number.isInteger(features) || features < 1) throw new RangeError(`BatchNorm1d: features must be a positive integer, got ${features}`);
    if (!(momentum > 0 && momentum <= 1)) throw new RangeError(`BatchNorm1d: momentum must be in (0, 1], got ${momentum}`);
    const prefix = name ? `${name}.` : '';
    [this.gamma, this.beta] = affineParams(prefix, features);
    this.runningMean = { name: `${prefix}running_mean`, value: new Float32Array(features), shape: [1, features] };
    this.runningVar = { name: `${prefix}running_var`, value: new Float32Array(features).fill(1), shape: [1, features] };
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const tape = x.tape;
    const z = standardizeCols(x, { runningMean: this.runningMean.value, runningVar: this.runningVar.value, momentum: this.momentum }, ctx.training, this.eps);
    return addRowVector(mulRowVector(z, tape.parameter(this.gamma, 1, this.features)), tape.parameter(this.beta, 1, this.features));
  }

  parameters(): Parameter[] {
    return [this.gamma, this.beta];
  }

  buffers(): StateBuffer[] {
    return [this.runningMean, this.runningVar];
  }
}
