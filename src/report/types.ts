/** What a report shows: one row per learner (the Euclidean baseline included) on one dataset. */

export interface MetricValues {
  /** k-NN classification accuracy (k in ReportInput.knnK). */
  knnAccuracy: number;
  /** MAP@R (Musgrave et al. 2020) on the held-out queries. */
  mapAtR: number;
  precisionAt1: number;
  /** ROC AUC of −distance on sampled genuine/impostor pairs, when computed. */
  rocAuc?: number;
}

export interface LearnerResult {
  /** Display name, e.g. "LMNN". */
  name: string;
  /** Model kind, e.g. "metric/lmnn", "deep/head", "euclidean". */
  kind: string;
  metrics: MetricValues;
  /** Seconds spent fitting (absent for the baseline). */
  fitSeconds?: number;
  /** 2-D coordinates of the map points in this learner's embedding (same points, same order, for every learner). */
  map?: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** ROC of verification on sampled pairs. */
  roc?: { fpr: ArrayLike<number>; tpr: ArrayLike<number> };
  /** Per-epoch history of a trained head. */
  training?: { epoch: number; loss: number; validation?: number }[];
  /** Name of the validation metric in `training` (e.g. "MAP@R"). */
  validationMetric?: string;
  /** Where the fitted model was written, if it was. */
  modelFile?: string;
  warnings?: string[];
}

export interface ReportInput {
  title: string;
  dataset: { name: string; nSamples: number; nFeatures: number; nClasses: number };
  /** Plain-text description of the evaluation protocol (splits, folds, k). */
  protocol: string;
  knnK: number;
  /** Labels of the map points. */
  mapLabels?: ArrayLike<string | number>;
  /** How the 2-D maps were made, e.g. "PCA of the test-set embeddings". */
  mapMethod?: string;
  learners: LearnerResult[];
  /** Free-form facts shown in the footer (backend, version, date, command). */
  environment?: Record<string, string>;
}
