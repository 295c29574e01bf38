/**
 * What the service (and the demo, report and exports) need from a learned similarity: a map
 * to an embedding space where Euclidean distance is the learned distance. Any fitted
 * Mahalanobis learner, deep head or pipeline fits, as does plain Euclidean (the identity).
 */
import { Matrix, type FloatArray } from '../matrix.js';

export interface SimilarityModel {
  /** Model kind for /health and reports, e.g. 'metric/lmnn', 'deep/head', 'euclidean'. */
  readonly kind: string;
  /** Input dimension when the model knows it (validated against the items). */
  readonly nFeatures?: number;
  transform(X: Matrix<FloatArray>): Matrix<FloatArray>;
  /** A calibrated decision threshold on score = −distance (same when score ≥ threshold), if the model carries one. */
  readonly threshold?: number;
  /** Per-epoch training history a deep head stored in its file (meta.info.history), for reports. */
  readonly training?: { epoch: number; loss: number; validation?: number }[];
}

function trainingHistory(meta: Record<string, unknown> | undefined): SimilarityModel['training'] {
  const info = meta?.info as { history?: unknown } | undefined;
  const h = info?.history;
  if (!Array.isArray(h)) return undefined;
  const rows = h.filter((e): e is { epoch: number; loss: number; validation?: number } => typeof e === 'object' && e !== null && typeof (e as { epoch?: unknown }).epoch === 'number' && typeof (e as { loss?: unknown }).loss === 'number');
  return rows.length ? rows : undefined;
}

/** The identity map: the Euclidean baseline every learner is compared with. */
export function euclideanModel(nFeatures?: number): SimilarityModel {
  return { kind: 'euclidean', nFeatures, transform: (X) => X };
}

function numberProp(obj: Record<string, unknown>, names: string[]): number | undefined {
  for (const n of names) {
    let v: unknown;
    try {
      v = obj[n];
    } catch {
      continue; // getters of unfitted models throw; treat as unknown
    }
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * Wraps a loaded model object (anything with `transform(X)`) as a SimilarityModel. The kind and
 * a threshold may come from the model file's header (`meta.threshold`) when the object lacks them.
 */
export function asSimilarityModel(obj: unknown, info: { kind?: string; meta?: Record<string, unknown> } = {}): SimilarityModel {
  if (typeof obj !== 'object' || obj === null || typeof (obj as { transform?: unknown }).transform !== 'function') {
    throw new TypeError(`the model${info.kind ? ` (${info.kind})` : ''} has no transform(X) method, so it cannot embed vectors; use a fitted metric learner, deep head or pipeline`);
  }
  const o = obj as Record<string, unknown> & { transform(X: Matrix<FloatArray>): Matrix<FloatArray> };
  const algo = typeof o.algorithm === 'string' ? `metric/${o.algorithm}` : undefined;
  const kind = info.kind ?? (typeof o.kind === 'string' ? o.kind : algo ?? 'model');
  const metaThreshold = info.meta && typeof info.meta.threshold === 'number' ? info.meta.threshold : undefined;
  return {
    kind,
    // A pipeline's input width is its first step's.
    nFeatures: numberProp(o, ['nFeatures', 'inFeatures', 'inputDim']) ?? (Array.isArray(o.steps) && o.steps.length > 0 ? numberProp(o.steps[0] as Record<string, unknown>, ['nFeatures', 'inFeatures', 'inputDim']) : undefined),
    threshold: numberProp(o, ['threshold']) ?? metaThreshold,
    training: trainingHistory(info.meta),
    transform: (X) => o.transform(X),
  };
}
