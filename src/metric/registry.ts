/**
 * Model-file loaders for this area: 'metric/<algo>' (any registered Mahalanobis learner) and
 * 'pipeline' (a chain of saved transforms, e.g. standard scaler + learner). Import this module
 * before loading such files.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { encodeModel, decodeModel, saveModel, type ModelPayload } from '../io/model-file.js';
import { registerModelLoader, modelFromPayload, registeredModelKinds } from '../io/model-registry.js';
import { StandardScaler, STANDARD_SCALER_KIND } from '../preprocessing/standard-scaler.js';
import { getAlgorithm, type SupervisedLearner } from './algorithms.js';
// Part II: 'bilinear/oasis' and the weakly supervised 'metric/*-pairs|-triplets|-quadruplets' kinds.
import './oasis.js';
import './weak-models.js';

/** Rebuilds a fitted learner from its 'metric/<algo>' payload. */
export function learnerFromPayload(p: ModelPayload): SupervisedLearner {
  const algo = p.kind.slice('metric/'.length);
  const spec = getAlgorithm(algo);
  const a = p.arrays.components;
  if (!a || a.shape.length !== 2 || a.shape[0] * a.shape[1] !== a.data.length) throw new Error(`${p.kind}: the components array is missing or malformed`);
  const meta = p.meta as { options?: Record<string, unknown>; nIter?: number; converged?: boolean; warnings?: string[] };
  const learner = spec.create({ ...(meta.options ?? {}) });
  learner.restoreState({
    components: { rows: a.shape[0], cols: a.shape[1], data: Array.from(a.data) },
    nIter: meta.nIter ?? 0,
    converged: meta.converged ?? true,
    warnings: meta.warnings ?? [],
  });
  return learner;
}

/** A fitted transform that can be saved: simlearn objects expose toPayload() or toModel(). */
export interface Step {
  transform(X: Matrix<FloatArray>): Matrix<FloatArray>;
  toPayload?(): ModelPayload;
  toModel?(): ModelPayload;
}

function stepPayload(s: Step): ModelPayload {
  return s.toPayload ? s.toPayload() : (s.toModel as () => ModelPayload).call(s);
}

/** A chain of fitted transforms applied in order (e.g. scaler, then a learner). */
export class Pipeline {
  readonly kind = 'pipeline';
  constructor(readonly steps: Step[], readonly meta: Record<string, unknown> = {}) {
    if (steps.length === 0) throw new RangeError('Pipeline: needs at least one step');
    steps.forEach((s, i) => {
      if (typeof s?.transform !== 'function' || (typeof s?.toPayload !== 'function' && typeof s?.toModel !== 'function')) throw new TypeError(`Pipeline: step ${i} needs transform() and toPayload() (or toModel()) methods`);
    });
  }

  transform(X: Matrix<FloatArray>): Matrix<FloatArray> {
    let out = X;
    for (const s of this.steps) out = s.transform(out);
    return out;
  }

  toPayload(): ModelPayload {
    const arrays: ModelPayload['arrays'] = {};
    this.steps.forEach((s, i) => {
      const bytes = encodeModel(stepPayload(s));
      arrays[`step${i}`] = { shape: [bytes.length], data: bytes };
    });
    return { kind: 'pipeline', version: 1, meta: { ...this.meta, steps: this.steps.length }, arrays };
  }

  save(path: string): void {
    saveModel(path, this.toPayload());
  }
}

export function pipelineFromPayload(p: ModelPayload): Pipeline {
  const count = Number(p.meta.steps);
  if (!Number.isInteger(count) || count < 1) throw new Error(`pipeline: meta.steps must be a positive integer, got ${String(p.meta.steps)}`);
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    const a = p.arrays[`step${i}`];
    if (!a || !(a.data instanceof Uint8Array)) throw new Error(`pipeline: step ${i} is missing from the file`);
    steps.push(modelFromPayload(decodeModel(a.data, `pipeline step ${i}`)) as Step);
  }
  const { steps: _n, ...rest } = p.meta;
  return new Pipeline(steps, rest);
}

registerModelLoader('metric', learnerFromPayload);
// Pipelines almost always start with the scaler; register its loader unless its area already did.
if (!registeredModelKinds().includes(STANDARD_SCALER_KIND)) registerModelLoader(STANDARD_SCALER_KIND, (p) => StandardScaler.fromModel(p));
registerModelLoader('pipeline', pipelineFromPayload);
