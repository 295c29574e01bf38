/**
 * Saving the learned transform an index applies, inside the index's own model file, so a
 * loaded index searches in the same space it was built in.
 *
 * Two forms: an object with `toPayload()` is embedded whole (any registered model kind);
 * otherwise an object exposing a `components` Matrix L (every Mahalanobis learner) is saved
 * as the linear map x ↦ L x and restored as a LinearTransform.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { encodeModel, decodeModel, type ModelPayload, type ModelArray } from '../io/model-file.js';
import { modelFromPayload } from '../io/model-registry.js';
import type { IndexTransform } from './index-types.js';

/** x ↦ L x for every row (X Lᵀ), the restored form of a Mahalanobis learner's transform. */
export class LinearTransform implements IndexTransform {
  constructor(readonly components: Matrix<Float64Array>) {}

  /** The input width: L's columns. */
  get nFeatures(): number {
    return this.components.cols;
  }

  transform(X: Matrix<FloatArray>): Matrix<Float64Array> {
    const x = X.toFloat64();
    const L = this.components;
    if (x.cols !== L.cols) throw new RangeError(`LinearTransform: input has ${x.cols} columns but the transform expects ${L.cols}`);
    const out = Matrix.zeros(x.rows, L.rows);
    getBackend().gemm(false, true, x.rows, L.rows, L.cols, 1, x.data, x.cols, L.data, L.cols, 0, out.data, L.rows);
    return out;
  }
}

interface WithPayload { toPayload?(): ModelPayload }

/** A positive integer property of a model object, or undefined (getters of unfitted models throw). */
function widthProp(obj: unknown, names: readonly string[]): number | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  for (const n of names) {
    let v: unknown;
    try {
      v = (obj as Record<string, unknown>)[n];
    } catch {
      continue;
    }
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

const WIDTH_NAMES = ['nFeatures', 'inFeatures', 'inputDim'] as const;

/**
 * The input width a transform takes, when the object says: `nFeatures` (Mahalanobis learners,
 * scalers, LinearTransform), `inputDim` (deep heads), or a pipeline's first step's.
 * Undefined for a duck-typed transform that does not say.
 */
export function transformInputWidth(t: IndexTransform): number | undefined {
  const own = widthProp(t, WIDTH_NAMES);
  if (own !== undefined) return own;
  const steps = (t as unknown as { steps?: unknown }).steps;
  if (Array.isArray(steps) && steps.length > 0) return widthProp(steps[0], WIDTH_NAMES);
  try {
    const comps = (t as unknown as Partial<WithComponents>).components;
    return comps instanceof Matrix ? comps.cols : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The width of the vectors an index takes from its caller: its transform's input width when it
 * applies one, else the width of its stored vectors. Undefined when unknown (an empty index,
 * or a transform that does not say); the index's own checks still apply then.
 */
export function indexInputWidth(index: { readonly dim: number; readonly transform?: IndexTransform }): number | undefined {
  if (index.transform) return transformInputWidth(index.transform);
  return index.dim > 0 ? index.dim : undefined;
}

interface WithComponents { components: Matrix<FloatArray> }

export function transformToPayloadParts(t: IndexTransform | undefined): { meta: Record<string, unknown> | null; arrays: Record<string, ModelArray> } {
  if (!t) return { meta: null, arrays: {} };
  const wp = t as unknown as WithPayload;
  if (typeof wp.toPayload === 'function') {
    const bytes = encodeModel(wp.toPayload());
    return { meta: { type: 'payload' }, arrays: { 'transform.payload': { shape: [bytes.length], data: bytes } } };
  }
  const comps = (t as unknown as WithComponents).components;
  if (comps instanceof Matrix) {
    const L = comps.toFloat64();
    return { meta: { type: 'linear', source: t.constructor?.name ?? 'unknown' }, arrays: { 'transform.components': { shape: [L.rows, L.cols], data: L.data.slice() } } };
  }
  throw new TypeError('index.save: the index transform cannot be serialised (it has neither toPayload() nor a components matrix); save the transform separately and build the index without it, or give it a toPayload() method');
}

export function transformFromPayload(p: ModelPayload): IndexTransform | undefined {
  const meta = p.meta.transform as { type?: string } | null | undefined;
  if (!meta) return undefined;
  if (meta.type === 'payload') {
    const a = p.arrays['transform.payload'];
    if (!a) throw new Error(`${p.kind}: the file says it holds a transform but the transform.payload array is missing`);
    const obj = modelFromPayload(decodeModel(a.data as Uint8Array, 'index transform')) as IndexTransform;
    if (typeof obj?.transform !== 'function') throw new TypeError(`${p.kind}: the embedded transform has no transform() method`);
    return obj;
  }
  if (meta.type === 'linear') {
    const a = p.arrays['transform.components'];
    if (!a || a.shape.length !== 2) throw new Error(`${p.kind}: the transform.components array is missing or not 2-D`);
    return new LinearTransform(new Matrix(a.shape[0], a.shape[1], Float64Array.from(a.data)));
  }
  throw new Error(`${p.kind}: unknown transform type ${JSON.stringify(meta.type)}`);
}
