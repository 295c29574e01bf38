/**
 * How the demo and `simlearn report` score one embedding, always against the same held-out
 * protocol so every learner (and the Euclidean baseline) is measured identically:
 * - k-NN accuracy: a k-NN classifier over the training embeddings predicts the test labels;
 * - MAP@R and precision@1: test embeddings as queries, training embeddings as the references
 *   (Musgrave et al. 2020's MAP@R via src/evaluation/retrieval.ts);
 * - verification: equal numbers of same-class and different-class test pairs (seeded), scored
 *   by −distance; ROC curve and AUC from src/evaluation/verification.ts.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { toRandom } from '../random.js';
import { retrievalMetrics } from '../evaluation/retrieval.js';
import { rocCurve, rocAuc } from '../evaluation/verification.js';
import { KNeighborsClassifier } from '../neighbors/knn-classifier.js';
import { PCA } from '../preprocessing/pca.js';
import { rowDistance } from '../linalg/distances.js';
import type { MetricValues } from '../report/types.js';

export type Label = string | number;

export interface EmbeddingScores {
  metrics: MetricValues;
  roc: { fpr: Float64Array; tpr: Float64Array };
}

/** Seeded same-class / different-class pairs of rows (equal counts). */
export function verificationPairs(labels: ArrayLike<Label>, perKind: number, seed: number): { a: Int32Array; b: Int32Array; genuine: Uint8Array } {
  const n = labels.length;
  const rng = toRandom(seed);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = String(labels[i]);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  const multi = [...groups.values()].filter((g) => g.length >= 2);
  if (multi.length === 0 || groups.size < 2) throw new RangeError('verification pairs need at least two classes and a class with two or more rows in the test part');
  const a: number[] = [];
  const b: number[] = [];
  const genuine: number[] = [];
  for (let t = 0; t < perKind; t++) {
    const g = multi[rng.int(multi.length)];
    const i = rng.int(g.length);
    const j = (i + 1 + rng.int(g.length - 1)) % g.length;
    a.push(g[i]); b.push(g[j]); genuine.push(1);
  }
  let neg = 0;
  for (let t = 0; neg < perKind && t < perKind * 50; t++) {
    const i = rng.int(n);
    const j = rng.int(n);
    if (String(labels[i]) === String(labels[j])) continue;
    a.push(i); b.push(j); genuine.push(0);
    neg++;
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), genuine: Uint8Array.from(genuine) };
}

export interface EvaluateOptions {
  k: number;
  pairs: { a: Int32Array; b: Int32Array; genuine: Uint8Array };
}

export function evaluateEmbedding(Ztr: Matrix<FloatArray>, ytr: Label[], Zte: Matrix<FloatArray>, yte: Label[], options: EvaluateOptions): EmbeddingScores {
  const tr = Ztr.toFloat64();
  const te = Zte.toFloat64();
  const knn = new KNeighborsClassifier({ k: options.k }).fit(tr, ytr);
  const knnAccuracy = knn.score(te, yte);
  const r = retrievalMetrics(te, yte, { references: tr, referenceLabels: ytr });
  const { a, b, genuine } = options.pairs;
  const scores = new Float64Array(a.length);
  for (let p = 0; p < a.length; p++) scores[p] = -rowDistance(te, a[p], b[p]);
  const roc = rocCurve(scores, genuine);
  return {
    metrics: { knnAccuracy, mapAtR: r.mapAtR, precisionAt1: r.precisionAt1, rocAuc: rocAuc(scores, genuine) },
    roc: { fpr: roc.fpr, tpr: roc.tpr },
  };
}

/** First two principal axes of the embedding (the report's 2-D map). */
export function project2d(Z: Matrix<FloatArray>): { x: Float64Array; y: Float64Array } {
  const m = Z.toFloat64();
  if (m.cols === 1) return { x: Float64Array.from(m.data), y: new Float64Array(m.rows) };
  const P = new PCA({ nComponents: 2 }).fit(m).transform(m).toFloat64();
  const x = new Float64Array(m.rows);
  const y = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    x[i] = P.data[2 * i];
    y[i] = P.data[2 * i + 1];
  }
  return { x, y };
}
