/**
 * Finite-difference gradient checking: compares the tape's gradients with central differences
 * of a scalar projection L = Σ w ⊙ f(inputs) (w fixed random weights), which checks the whole
 * vector-Jacobian product rather than one output at a time.
 */
import { Random } from '../../random.js';
import type { Parameter } from '../types.js';
import { Tape, Tensor } from './tensor.js';

export interface GradCheckInput {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface GradCheckResult {
  /** Largest |analytic − numeric| / max(1, |numeric|) over every input element. */
  maxRelError: number;
  analytic: Float32Array[];
  numeric: Float64Array[];
}

export interface GradCheckOptions {
  /** Step of the central difference (default 1e-2: fp32 needs a large step). */
  eps?: number;
  seed?: number;
}

/** Runs `fn` on tensors over copies of the inputs and checks d(Σ w ⊙ out)/d(inputs). */
export function gradCheck(fn: (inputs: Tensor[]) => Tensor, inputs: GradCheckInput[], options: GradCheckOptions = {}): GradCheckResult {
  const eps = options.eps ?? 1e-2;
  const rng = new Random(options.seed ?? 7);
  const values = inputs.map((x) => x.data.slice());
  let weights: Float64Array | null = null;

  const evaluate = (withGrad: boolean): { loss: number; grads: Float32Array[] } => {
    const tape = new Tape({ pool: false });
    const ts = values.map((v, i) => tape.variable(v, inputs[i].rows, inputs[i].cols));
    const out = fn(ts);
    if (!weights) {
      weights = new Float64Array(out.size);
      for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform(-1, 1);
    }
    let loss = 0;
    for (let i = 0; i < out.size; i++) loss += weights[i] * out.data[i];
    const grads: Float32Array[] = [];
    if (withGrad) {
      tape.backward(out, Float32Array.from(weights));
      for (const t of ts) grads.push(t.grad ? t.grad.slice() : new Float32Array(t.size));
    }
    return { loss, grads };
  };

  const { grads: analytic } = evaluate(true);
  const numeric: Float64Array[] = [];
  let maxRelError = 0;
  values.forEach((v, k) => {
    const num = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const orig = v[i];
      v[i] = orig + eps;
      const up = evaluate(false).loss;
      v[i] = orig - eps;
      const down = evaluate(false).loss;
      v[i] = orig;
      // The step actually taken in fp32 is not exactly eps.
      const h = Math.fround(orig + eps) - Math.fround(orig - eps);
      num[i] = (up - down) / h;
      const err = Math.abs(analytic[k][i] - num[i]) / Math.max(1, Math.abs(num[i]));
      if (!(err <= maxRelError)) maxRelError = err;
    }
    numeric.push(num);
  });
  return { maxRelError, analytic, numeric };
}

/**
 * The same check for trainable parameters: `fn` builds the output on the given tape (reading
 * the parameters through tape.parameter); each parameter element is perturbed in place and
 * restored. Returns the largest relative error over all parameters.
 */
export function gradCheckParameters(fn: (tape: Tape) => Tensor, params: Parameter[], options: GradCheckOptions = {}): { maxRelError: number; worst: string } {
  const eps = options.eps ?? 1e-2;
  const rng = new Random(options.seed ?? 7);
  let weights: Float64Array | null = null;
  const project = (backward: boolean): number => {
    const tape = new Tape({ pool: false });
    const out = fn(tape);
    if (!weights) {
      weights = new Float64Array(out.size);
      for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform(-1, 1);
    }
    let loss = 0;
    for (let i = 0; i < out.size; i++) loss += weights[i] * out.data[i];
    if (backward) tape.backward(out, Float32Array.from(weights));
    return loss;
  };
  for (const p of params) p.grad.fill(0);
  project(true);
  const analytic = params.map((p) => p.grad.slice());
  let maxRelError = 0;
  let worst = '';
  params.forEach((p, k) => {
    const v = p.value;
    for (let i = 0; i < v.length; i++) {
      const orig = v[i];
      v[i] = orig + eps;
      const up = project(false);
      v[i] = orig - eps;
      const down = project(false);
      v[i] = orig;
      const num = (up - down) / (Math.fround(orig + eps) - Math.fround(orig - eps));
      const err = Math.abs(analytic[k][i] - num) / Math.max(1, Math.abs(num));
      if (!(err <= maxRelError)) { maxRelError = err; worst = `${p.name}[${i}]`; }
    }
  });
  return { maxRelError, worst };
}
