/** Parameter-free element-wise layers: activations, dropout and L2 normalisation of rows. */
import { relu, gelu, tanh, sigmoid, softplus } from '../autodiff/ops-activation.js';
import { dropout } from '../autodiff/ops-norm.js';
import { l2Normalize } from '../autodiff/ops-reduce.js';
import type { Tensor } from '../autodiff/tensor.js';
import type { Parameter } from '../types.js';
import type { ForwardContext, Module, StateBuffer } from './module.js';

export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'sigmoid', 'softplus', 'identity'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

abstract class Stateless implements Module {
  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;
  parameters(): Parameter[] {
    return [];
  }
  buffers(): StateBuffer[] {
    return [];
  }
}

export class Activation extends Stateless {
  constructor(readonly kind: ActivationName) {
    super();
    if (!ACTIVATIONS.includes(kind)) throw new RangeError(`Activation: unknown activation "${kind}"; use one of ${ACTIVATIONS.join(', ')}`);
  }

  forward(x: Tensor): Tensor {
    switch (this.kind) {
      case 'relu': return relu(x);
      case 'gelu': return gelu(x);
      case 'tanh': return tanh(x);
      case 'sigmoid': return sigmoid(x);
      case 'softplus': return softplus(x);
      case 'identity': return x;
    }
  }
}

export class Dropout extends Stateless {
  constructor(readonly p: number) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    return dropout(x, this.p, ctx.rng, ctx.training);
  }
}

/** Rows scaled to unit L2 norm: embeddings on the hypersphere, as most metric-learning losses expect. */
export class L2Normalize extends Stateless {
  forward(x: Tensor): Tensor {
    return l2Normalize(x);
  }
}
