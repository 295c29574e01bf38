/**
 * `simlearn report`: scores already-fitted models on a dataset with the demo's protocol and
 * writes the HTML report. With `test`, the data file is the reference (gallery) part and the
 * test file the queries; otherwise the data is split (stratified, seeded). Either way the
 * Euclidean baseline on z-scored features is added first.
 */
import { basename } from 'node:path';
import type { Matrix, FloatArray } from '../matrix.js';
import { readDataset } from '../io/index.js';
import { trainTestSplit } from '../preprocessing/split.js';
import { StandardScaler } from '../preprocessing/standard-scaler.js';
import { getBackend } from '../backend/index.js';
import { VERSION } from '../version.js';
import type { SimilarityModel } from '../service/similarity-model.js';
import { evaluateEmbedding, project2d, verificationPairs, type Label } from '../demo/evaluate.js';
import { writeReport } from './html.js';
import type { LearnerResult, ReportInput } from './types.js';

export interface ModelReportOptions {
  data: string;
  test?: string;
  label?: string;
  models: { name: string; model: SimilarityModel }[];
  out: string;
  testSize?: number;
  seed?: number;
  k?: number;
  title?: string;
}

function labelled(path: string, label: string | undefined): { X: Matrix<Float64Array>; y: Label[] } {
  const ds = readDataset(path, { label });
  if (!ds.y) throw new Error(`${path}: the data has no label column; the report scores models by class labels (name it with --label)`);
  return { X: ds.X, y: ds.y };
}

export async function reportFromModels(o: ModelReportOptions): Promise<{ path: string; input: ReportInput }> {
  const seed = o.seed ?? 0;
  const k = o.k ?? 3;
  const data = labelled(o.data, o.label);
  let Xtr: Matrix<Float64Array>, Xte: Matrix<Float64Array>, ytr: Label[], yte: Label[], protocol: string;
  if (o.test) {
    const test = labelled(o.test, o.label);
    if (test.X.cols !== data.X.cols) throw new RangeError(`${o.test} has ${test.X.cols} features but ${o.data} has ${data.X.cols}`);
    ({ X: Xtr, y: ytr } = data);
    ({ X: Xte, y: yte } = test);
    protocol = `References: ${basename(o.data)} (${Xtr.rows} rows); queries: ${basename(o.test)} (${Xte.rows} rows).`;
  } else {
    const split = trainTestSplit(data.y, { testSize: o.testSize ?? 0.3, stratify: true, seed });
    Xtr = data.X.takeRows(split.train);
    Xte = data.X.takeRows(split.test);
    ytr = Array.from(split.train, (i) => data.y[i]);
    yte = Array.from(split.test, (i) => data.y[i]);
    protocol = `Stratified hold-out split (seed ${seed}): ${Xtr.rows} reference rows, ${Xte.rows} query rows. The models are scored as given (not refitted); if they were fitted on these rows, pass held-out data with --test.`;
  }
  protocol += ` ${k}-NN accuracy on the queries; MAP@R and precision@1 with queries against references; ROC AUC on seeded same-/different-class query pairs.`;
  const pairs = verificationPairs(yte, Math.min(2000, 4 * yte.length), seed);
  const scaler = new StandardScaler().fit(Xtr);
  const entries: { name: string; kind: string; embed: (X: Matrix<Float64Array>) => Matrix<FloatArray>; training?: SimilarityModel['training'] }[] = [
    { name: 'Euclidean', kind: 'euclidean', embed: (X) => scaler.transform(X) },
    ...o.models.map((m) => ({ name: m.name, kind: m.model.kind, embed: (X: Matrix<Float64Array>) => m.model.transform(X), training: m.model.training })),
  ];
  const learners: LearnerResult[] = entries.map((e) => {
    const Ete = e.embed(Xte);
    const s = evaluateEmbedding(e.embed(Xtr), ytr, Ete, yte, { k, pairs });
    return { name: e.name, kind: e.kind, metrics: s.metrics, roc: s.roc, map: project2d(Ete), ...(e.training ? { training: e.training, validationMetric: 'MAP@R (as recorded in training)' } : {}) };
  });
  const input: ReportInput = {
    title: o.title ?? `simlearn report: ${basename(o.data)}`,
    dataset: { name: basename(o.data), nSamples: Xtr.rows + Xte.rows, nFeatures: Xtr.cols, nClasses: new Set([...ytr, ...yte].map(String)).size },
    protocol,
    knnK: k,
    mapLabels: yte,
    mapMethod: 'PCA (first two principal axes) of each model\'s query embeddings, coloured by class; "Euclidean" shows the z-scored data.',
    learners,
    environment: { simlearn: VERSION, backend: getBackend().name, generated: new Date().toISOString() },
  };
  await writeReport(o.out, input);
  return { path: o.out, input };
}
