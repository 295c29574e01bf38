/**
 * Sequential composition and the MLP head: Linear → [norm] → activation → [dropout] for each
 * hidden size, then a final Linear and, by default, L2 normalisation of the output.
 */
import { toRandom, type Random } from '../../random.js';
import type { Tensor } from '../autodiff/tensor.js';
import type { Parameter } from '../types.js';
import { Activation, ACTIVATIONS, Dropout, L2Normalize, type ActivationName } from './activation.js';
import { Linear } from './linear.js';
import type { ForwardContext, Module, StateBuffer } from './module.js';
import { BatchNorm1d, LayerNorm } from './norm.js';

export class Sequential implements Module {
  constructor(readonly layers: Module[]) {}

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(h, ctx);
    return h;
  }

  parameters(): Parameter[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  buffers(): StateBuffer[] {
    return this.layers.flatMap((l) => l.buffers());
  }
}

export type NormKind = 'none' | 'batch' | 'layer';

/** Everything needed to rebuild an MLP's structure (saved in the model file's meta). */
export interface MlpSpec {
  inputDim: number;
  hidden: number[];
  outputDim: number;
  activation: ActivationName;
  dropout: number;
  norm: NormKind;
  /** L2-normalise the output rows (default true). */
  normalize: boolean;
}

export type MlpOptions = Partial<Omit<MlpSpec, 'inputDim' | 'outputDim'>> & Pick<MlpSpec, 'inputDim' | 'outputDim'> & { seed?: number | Random };

export function mlpSpec(o: MlpOptions): MlpSpec {
  const spec: MlpSpec = {
    inputDim: o.inputDim,
    hidden: o.hidden ?? [],
    outputDim: o.outputDim,
    activation: o.activation ?? 'relu',
    dropout: o.dropout ?? 0,
    norm: o.norm ?? 'none',
    normalize: o.normalize ?? true,
  };
  const positive = (v: number) => Number.isInteger(v) && v >= 1;
  if (!positive(spec.inputDim)) throw new RangeError(`MLP: inputDim must be a positive integer, got ${spec.inputDim}`);
  if (!positive(spec.outputDim)) throw new RangeError(`MLP: outputDim must be a positive integer, got ${spec.outputDim}`);
  spec.hidden.forEach((h, i) => { if (!positive(h)) throw new RangeError(`MLP: hidden[${i}] must be a positive integer, got ${h}`); });
  if (!ACTIVATIONS.includes(spec.activation)) throw new RangeError(`MLP: unknown activation "${spec.activation}"; use one of ${ACTIVATIONS.join(', ')}`);
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw new RangeError(`MLP: dropout must be in [0, 1), got ${spec.dropout}`);
  if (!['none', 'batch', 'layer'].includes(spec.norm)) throw new RangeError(`MLP: norm must be "none", "batch" or "layer", got "${spec.norm}"`);
  return spec;
}

export class MLP implements Module {
  readonly spec: MlpSpec;
  private readonly net: Sequential;

  constructor(options: MlpOptions) {
    this.spec = mlpSpec(options);
    const rng = toRandom(options.seed);
    const layers: Module[] = [];
    let width = this.spec.inputDim;
    this.spec.hidden.forEach((h, i) => {
      layers.push(new Linear(width, h, { seed: rng, name: `hidden.${i}.linear` }));
      if (this.spec.norm === 'batch') layers.push(new BatchNorm1d(h, 0.1, 1e-5, `hidden.${i}.norm`));
      if (this.spec.norm === 'layer') layers.push(new LayerNorm(h, 1e-5, `hidden.${i}.norm`));
      layers.push(new Activation(this.spec.activation));
      if (this.spec.dropout > 0) layers.push(new Dropout(this.spec.dropout));
      width = h;
    });
    layers.push(new Linear(width, this.spec.outputDim, { seed: rng, name: 'output' }));
    if (this.spec.normalize) layers.push(new L2Normalize());
    this.net = new Sequential(layers);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (x.cols !== this.spec.inputDim) throw new RangeError(`MLP: input has ${x.cols} features, the head expects ${this.spec.inputDim}`);
    return this.net.forward(x, ctx);
  }

  parameters(): Parameter[] {
    return this.net.parameters();
  }

  buffers(): StateBuffer[] {
    return this.net.buffers();
  }
}
