/**
 * Loads any saved simlearn model as a SimilarityModel. The registry modules imported by
 * ./registries.js make every kind loadable (metric learners, deep heads, pipelines).
 */
import { loadModel } from '../io/model-file.js';
import { modelFromPayload } from '../io/model-registry.js';
import { asSimilarityModel, euclideanModel, type SimilarityModel } from './similarity-model.js';
import './registries.js';

/** `euclidean` (the identity baseline) or the path of a .simlearn file. */
export function loadSimilarityModel(spec: string): SimilarityModel {
  if (spec === 'euclidean') return euclideanModel();
  const payload = loadModel(spec);
  // The demo's pipelines record their learner; "pipeline (lmnn)" says more in /health and reports.
  const algo = payload.kind === 'pipeline' && typeof payload.meta.algorithm === 'string' ? payload.meta.algorithm : null;
  return asSimilarityModel(modelFromPayload(payload), { kind: algo ? `pipeline (${algo})` : payload.kind, meta: payload.meta });
}
