/**
 * The layer contract: a forward pass on a tape, the trainable parameters, and the
 * non-trainable state (running statistics) that a saved model must also carry.
 */
import type { Random } from '../../random.js';
import type { Parameter } from '../types.js';
import type { Tensor } from '../autodiff/tensor.js';

export interface ForwardContext {
  /** Training mode: dropout active, batch norm uses and updates batch statistics. */
  training: boolean;
  /** Source of dropout masks (seeded by the trainer). */
  rng: Random;
}

/** Non-trainable state saved with the model (e.g. batch norm's running mean). */
export interface StateBuffer {
  name: string;
  value: Float32Array;
  shape: number[];
}

export interface Module {
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  parameters(): Parameter[];
  buffers(): StateBuffer[];
}

export function makeParameter(name: string, shape: number[], noDecay = false): Parameter {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, value: new Float32Array(n), grad: new Float32Array(n), shape, noDecay };
}
