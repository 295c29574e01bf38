/**
 * The report's figures as Vega-Lite specifications (data inline). Each builder returns null
 * when the input has nothing to draw, so the report simply leaves the figure out.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LearnerResult, ReportInput } from './types.js';

const METRIC_LABELS: [keyof LearnerResult['metrics'], string][] = [
  ['knnAccuracy', 'k-NN accuracy'],
  ['mapAtR', 'MAP@R'],
  ['precisionAt1', 'precision@1'],
  ['rocAuc', 'ROC AUC'],
];

// Tableau 10, assigned by learner order so a learner has the same colour in every figure.
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

function learnerColor(input: ReportInput, legend: boolean, shown: LearnerResult[] = input.learners): Record<string, unknown> {
  const colour = (l: LearnerResult) => PALETTE[input.learners.indexOf(l) % PALETTE.length];
  return {
    field: 'learner',
    type: 'nominal',
    title: null,
    scale: { domain: shown.map((l) => l.name), range: shown.map(colour) },
    ...(legend ? { legend: { labelLimit: 400 } } : { legend: null }),
  };
}

/** Keeps at most `max` points of a curve, always including the ends, so files stay small. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]);
  return out;
}

function metricLabel(input: ReportInput, key: string, label: string): string {
  return key === 'knnAccuracy' ? `${input.knnK}-NN accuracy` : label;
}

export function metricBarsSpec(input: ReportInput): TopLevelSpec | null {
  const rows: { learner: string; metric: string; value: number }[] = [];
  for (const [key, label] of METRIC_LABELS) {
    for (const l of input.learners) {
      const v = l.metrics[key];
      if (typeof v === 'number' && Number.isFinite(v)) rows.push({ learner: l.name, metric: metricLabel(input, key, label), value: v });
    }
  }
  const metricOrder = METRIC_LABELS.map(([key, label]) => metricLabel(input, key, label));
  if (rows.length === 0) return null;
  const order = input.learners.map((l) => l.name);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: metricOrder } },
    spec: {
      width: Math.max(160, 34 * order.length),
      height: 220,
      encoding: {
        x: { field: 'learner', type: 'nominal', sort: order, title: null, axis: { labelAngle: -40 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 1] } },
      },
      layer: [
        { mark: { type: 'bar', tooltip: true }, encoding: { color: learnerColor(input, false) } },
        { mark: { type: 'text', dy: -6, fontSize: 10 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.3f' } } },
      ],
    },
  } as TopLevelSpec;
}

/**
 * Clamps a coordinate to the range between its second-smallest and second-largest values at
 * the 1st/99th percentile ranks (nearest rank, so a lone outlier cannot drag the bound),
 * widened by 10%: whitening learners can send a few points far out, which would squash the
 * rest of the map into a corner.
 */
function robustClamp(values: ArrayLike<number>, n: number): number[] {
  const v = Array.from({ length: n }, (_, i) => values[i]);
  const s = [...v].sort((a, b) => a - b);
  const lo = s[Math.min(n - 1, Math.ceil((n - 1) * 0.01))];
  const hi = s[Math.max(0, Math.floor((n - 1) * 0.99))];
  const pad = 0.1 * (hi - lo || 1);
  return v.map((x) => Math.min(hi + pad, Math.max(lo - pad, x)));
}

export function embeddingMapSpec(input: ReportInput, maxPoints = 600): TopLevelSpec | null {
  const labels = input.mapLabels;
  const withMaps = input.learners.filter((l) => l.map && l.map.x.length > 0);
  if (!labels || withMaps.length === 0) return null;
  const n = Math.min(labels.length, maxPoints);
  const rows: { learner: string; x: number; y: number; label: string }[] = [];
  for (const l of withMaps) {
    const m = l.map as { x: ArrayLike<number>; y: ArrayLike<number> };
    if (m.x.length !== labels.length || m.y.length !== labels.length) throw new RangeError(`report: the map of ${l.name} has ${m.x.length} points but there are ${labels.length} map labels`);
    const xs = robustClamp(m.x, n);
    const ys = robustClamp(m.y, n);
    for (let i = 0; i < n; i++) rows.push({ learner: l.name, x: +xs[i].toPrecision(5), y: +ys[i].toPrecision(5), label: String(labels[i]) });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    facet: { field: 'learner', type: 'nominal', sort: withMaps.map((l) => l.name), title: null },
    columns: Math.min(4, withMaps.length),
    spec: {
      width: 210,
      height: 210,
      mark: { type: 'circle', size: 14, opacity: 0.75 },
      encoding: {
        x: { field: 'x', type: 'quantitative', axis: { labels: false, ticks: false, title: null }, scale: { zero: false, nice: false } },
        y: { field: 'y', type: 'quantitative', axis: { labels: false, ticks: false, title: null }, scale: { zero: false, nice: false } },
        color: { field: 'label', type: 'nominal', title: 'class', scale: { scheme: 'category10' } },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

export function rocSpec(input: ReportInput): TopLevelSpec | null {
  const withRoc = input.learners.filter((l) => l.roc && l.roc.fpr.length > 1);
  if (withRoc.length === 0) return null;
  const rows: { learner: string; fpr: number; tpr: number }[] = [];
  for (const l of withRoc) {
    const r = l.roc as { fpr: ArrayLike<number>; tpr: ArrayLike<number> };
    const pts = Array.from({ length: r.fpr.length }, (_, i) => ({ learner: l.name, fpr: +r.fpr[i].toPrecision(5), tpr: +r.tpr[i].toPrecision(5) }));
    rows.push(...thin(pts, 200));
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 360,
    height: 320,
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#9aa3ad', strokeWidth: 1 },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false match rate (FPR)', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true match rate (TPR)', scale: { domain: [0, 1] } },
          color: learnerColor(input, true, withRoc),
          order: { field: 'fpr', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}

export function trainingCurvesSpec(input: ReportInput): TopLevelSpec | null {
  const trained = input.learners.filter((l) => l.training && l.training.length > 0);
  if (trained.length === 0) return null;
  const rows: { learner: string; epoch: number; value: number; series: string }[] = [];
  for (const l of trained) {
    for (const e of l.training as NonNullable<LearnerResult['training']>) {
      if (Number.isFinite(e.loss)) rows.push({ learner: l.name, epoch: e.epoch, value: e.loss, series: 'training loss' });
      if (e.validation !== undefined && Number.isFinite(e.validation)) rows.push({ learner: l.name, epoch: e.epoch, value: e.validation, series: `validation ${l.validationMetric ?? 'metric'}` });
    }
  }
  if (rows.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    facet: { column: { field: 'series', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 220,
      mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.8 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: learnerColor(input, true, trained),
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}
