/**
 * ArcFace / additive angular margin loss (Deng, Guo, Xue & Zafeiriou, "ArcFace", CVPR 2019): the
 * target logit is s·cos(θ_y + m). `margin` is in RADIANS (default 0.5 ≈ 28.6°, the paper's and
 * pytorch-metric-learning's value, which PML states in degrees). Defaults s = 64.
 * cos θ is clamped to [−1 + 1e-7, 1 − 1e-7] before acos so the slope sin(θ+m)/sin θ stays finite;
 * as in the paper (and unlike insightface's "easy margin" variants) θ + m is not capped at π.
 */
import { CosineSoftmaxLoss, type CosineSoftmaxOptions } from './cosine-softmax.js';

export type ArcFaceLossOptions = CosineSoftmaxOptions;

const EDGE = 1 - 1e-7;

export class ArcFaceLoss extends CosineSoftmaxLoss {
  readonly name = 'arcface';

  constructor(options: ArcFaceLossOptions) {
    super('arcface', options, 0.5);
  }

  protected target(cos: number): { value: number; slope: number } {
    const c = Math.min(EDGE, Math.max(-EDGE, cos));
    const theta = Math.acos(c);
    // d cos(θ + m)/d cos θ = sin(θ + m)/sin θ; zero slope where the clamp is active.
    const slope = c === cos ? Math.sin(theta + this.margin) / Math.sin(theta) : 0;
    return { value: Math.cos(theta + this.margin), slope };
  }
}
