/** Gradient clipping, applied between backward and the optimiser step. */
import type { Parameter } from '../types.js';

/**
 * Scales all gradients together so their joint L2 norm is at most maxNorm (Pascanu et al. 2013);
 * returns the norm before clipping. A non-finite norm is an error: stepping would corrupt the weights.
 */
export function clipGradNorm(params: Parameter[], maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  let s = 0;
  for (const p of params) for (let i = 0; i < p.grad.length; i++) s += p.grad[i] * p.grad[i];
  const norm = Math.sqrt(s);
  if (!Number.isFinite(norm)) throw new Error('clipGradNorm: the gradient norm is not finite (diverged training; lower the learning rate)');
  if (norm > maxNorm) {
    const f = maxNorm / (norm + 1e-6);
    for (const p of params) for (let i = 0; i < p.grad.length; i++) p.grad[i] *= f;
  }
  return norm;
}

/** Clamps every gradient element to [−maxValue, maxValue]. */
export function clipGradValue(params: Parameter[], maxValue: number): void {
  if (!(maxValue > 0)) throw new RangeError(`clipGradValue: maxValue must be positive, got ${maxValue}`);
  for (const p of params) {
    const g = p.grad;
    for (let i = 0; i < g.length; i++) g[i] = g[i] > maxValue ? maxValue : g[i] < -maxValue ? -maxValue : g[i];
  }
}
