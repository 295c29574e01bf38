/**
 * The demo's line-up: the Euclidean baseline, a selection of Mahalanobis learners from the
 * algorithm registry, and one deep head (an MLP trained with the triplet margin loss and a
 * semi-hard miner, as pytorch-metric-learning's standard recipe). Learners that the registry
 * does not (yet) provide are skipped, so the demo follows whatever simlearn ships.
 */
import { algorithmNames } from '../metric/algorithms.js';

export interface MetricLearnerSpec {
  type: 'metric';
  /** Display name. */
  name: string;
  /** Registry name; also the model file name. */
  algorithm: string;
  params: Record<string, unknown>;
}

export interface DeepHeadSpec {
  type: 'deep';
  name: string;
  /** File name stem. */
  id: string;
  hidden: number[];
  output: number;
  epochs: number;
  /** Samples per epoch for the m-per-class sampler. */
  epochSize?: number;
  batchSize: number;
  m: number;
  lr: number;
  margin: number;
}

export type DemoLearnerSpec = MetricLearnerSpec | DeepHeadSpec;

const FULL: DemoLearnerSpec[] = [
  { type: 'metric', name: 'Euclidean', algorithm: 'euclidean', params: {} },
  { type: 'metric', name: 'LFDA', algorithm: 'lfda', params: { k: 7 } },
  { type: 'metric', name: 'RCA', algorithm: 'rca', params: {} },
  { type: 'metric', name: 'NCA', algorithm: 'nca', params: { maxIter: 100 } },
  { type: 'metric', name: 'LMNN', algorithm: 'lmnn', params: { k: 3, maxIter: 200 } },
  { type: 'metric', name: 'ITML', algorithm: 'itml', params: { numConstraints: 1000 } },
  { type: 'deep', name: 'MLP triplet', id: 'mlp-triplet', hidden: [128], output: 32, epochs: 20, batchSize: 128, m: 8, lr: 1e-3, margin: 0.2 },
];

/** Fast enough for --quick (< 30 s on 2 cores, data capped at QUICK_MAX_ROWS). */
const QUICK: DemoLearnerSpec[] = [
  { type: 'metric', name: 'Euclidean', algorithm: 'euclidean', params: {} },
  { type: 'metric', name: 'LFDA', algorithm: 'lfda', params: { k: 7 } },
  { type: 'metric', name: 'NCA', algorithm: 'nca', params: { maxIter: 15 } },
  { type: 'deep', name: 'MLP triplet', id: 'mlp-triplet', hidden: [64], output: 16, epochs: 4, batchSize: 64, m: 4, lr: 2e-3, margin: 0.2 },
];

/** --quick subsamples larger datasets (stratified) to this many rows. */
export const QUICK_MAX_ROWS = 600;

export function demoLearners(quick: boolean, only?: string[]): { selected: DemoLearnerSpec[]; skipped: string[] } {
  const available = new Set(algorithmNames());
  const base = quick ? QUICK : FULL;
  const pool = only ? [...base, ...(quick ? FULL : QUICK)].filter((s, i, all) => all.findIndex((t) => fileStem(t) === fileStem(s)) === i) : base;
  const skipped: string[] = [];
  const selected = pool.filter((s) => {
    if (only && !only.includes(fileStem(s))) return false;
    if (s.type === 'metric' && !available.has(s.algorithm)) {
      skipped.push(s.name);
      return false;
    }
    return true;
  });
  if (only) {
    const known = new Set(pool.map(fileStem));
    const unknown = only.filter((o) => !known.has(o));
    if (unknown.length) throw new RangeError(`unknown learner${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; choose from ${[...known].join(', ')}`);
  }
  if (!selected.some((s) => s.type === 'metric' && s.algorithm === 'euclidean')) {
    selected.unshift(base[0]); // the baseline every comparison needs
  }
  return { selected, skipped };
}

export function fileStem(s: DemoLearnerSpec): string {
  return s.type === 'metric' ? s.algorithm : s.id;
}
