/**
 * Learning-rate schedules as pure functions of the step: the factor applied to the base rate.
 * Step decay, cosine annealing (Loshchilov & Hutter 2017, SGDR, without restarts) and linear
 * warm-up (Goyal et al. 2017), which composes with either.
 */

export type LrSchedule = (step: number) => number;

export interface ScheduleSpec {
  name: 'constant' | 'step' | 'cosine';
  /** step: multiply by gamma every stepSize steps. */
  stepSize?: number;
  gamma?: number;
  /** cosine: the factor reached at the last step (default 0). */
  minFactor?: number;
  /** Linear warm-up from warmupStart·lr to lr over this many steps (default 0). */
  warmupSteps?: number;
  warmupStart?: number;
}

/** Builds the factor function; totalSteps is the length of training (needed by cosine). */
export function makeSchedule(spec: ScheduleSpec, totalSteps: number): LrSchedule {
  const warm = spec.warmupSteps ?? 0;
  const start = spec.warmupStart ?? 0;
  if (!(Number.isInteger(warm) && warm >= 0)) throw new RangeError(`schedule: warmupSteps must be a non-negative integer, got ${warm}`);
  if (!(start >= 0 && start <= 1)) throw new RangeError(`schedule: warmupStart must be in [0, 1], got ${start}`);
  let base: LrSchedule;
  switch (spec.name) {
    case 'constant':
      base = () => 1;
      break;
    case 'step': {
      const size = spec.stepSize, gamma = spec.gamma ?? 0.1;
      if (!(Number.isInteger(size) && size! >= 1)) throw new RangeError(`schedule "step": stepSize must be a positive integer, got ${size}`);
      if (!(gamma > 0 && gamma <= 1)) throw new RangeError(`schedule "step": gamma must be in (0, 1], got ${gamma}`);
      base = (t) => Math.pow(gamma, Math.floor(t / size!));
      break;
    }
    case 'cosine': {
      const minF = spec.minFactor ?? 0;
      if (!(minF >= 0 && minF <= 1)) throw new RangeError(`schedule "cosine": minFactor must be in [0, 1], got ${minF}`);
      if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) throw new RangeError(`schedule "cosine": totalSteps must be a positive integer, got ${totalSteps}`);
      const span = Math.max(1, totalSteps - warm);
      base = (t) => {
        const p = Math.min(1, Math.max(0, (t - warm) / span));
        return minF + (1 - minF) * 0.5 * (1 + Math.cos(Math.PI * p));
      };
      break;
    }
    default:
      throw new RangeError(`schedule: unknown name "${(spec as { name: string }).name}"; use constant, step or cosine`);
  }
  if (warm === 0) return base;
  return (t) => (t < warm ? start + ((1 - start) * (t + 1)) / warm : base(t));
}
