/** A small ReportInput with known values, shared by the report tests. */
import type { ReportInput } from '../../src/report/types.js';

export function sampleReport(): ReportInput {
  const n = 60;
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const map = (spread: number) => ({ x: labels.map((l, i) => l * spread + Math.sin(i)), y: labels.map((l, i) => Math.cos(3 * i) - l) });
  return {
    title: 'test report <b>',
    dataset: { name: 'toy', nSamples: n, nFeatures: 4, nClasses: 3 },
    protocol: 'toy protocol',
    knnK: 3,
    mapLabels: labels,
    learners: [
      { name: 'Euclidean', kind: 'euclidean', metrics: { knnAccuracy: 0.9, mapAtR: 0.5, precisionAt1: 0.88, rocAuc: 0.8 }, map: map(1), roc: { fpr: [0, 0.2, 1], tpr: [0, 0.6, 1] } },
      { name: 'NCA', kind: 'metric/nca', metrics: { knnAccuracy: 0.95, mapAtR: 0.75, precisionAt1: 0.93, rocAuc: 0.9 }, map: map(4), roc: { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1] }, fitSeconds: 1.5, modelFile: 'out/nca.simlearn' },
      { name: 'MLP <x>', kind: 'deep/head', metrics: { knnAccuracy: 0.97, mapAtR: 0.9, precisionAt1: 0.96 }, map: map(8), fitSeconds: 3, training: [{ epoch: 1, loss: 0.5, validation: 0.6 }, { epoch: 2, loss: 0.3, validation: 0.8 }, { epoch: 3, loss: 0.2, validation: 0.85 }], validationMetric: 'MAP@R', warnings: ['a warning & more'] },
    ],
    environment: { backend: 'js' },
  };
}
