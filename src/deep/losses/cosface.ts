/**
 * CosFace / large-margin cosine loss (Wang et al., "CosFace: Large Margin Cosine Loss for Deep
 * Face Recognition", CVPR 2018): the target logit is s·(cos θ_y − m). Defaults s = 64,
 * m = 0.35 (pytorch-metric-learning's). Class weights: `parameters()`; see cosine-softmax.ts.
 */
import { CosineSoftmaxLoss, type CosineSoftmaxOptions } from './cosine-softmax.js';

export type CosFaceLossOptions = CosineSoftmaxOptions;

export class CosFaceLoss extends CosineSoftmaxLoss {
  readonly name = 'cosface';

  constructor(options: CosFaceLossOptions) {
    super('cosface', options, 0.35);
  }

  protected target(cos: number): { value: number; slope: number } {
    return { value: cos - this.margin, slope: 1 };
  }
}
