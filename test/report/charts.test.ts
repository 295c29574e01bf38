import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddingMapSpec, metricBarsSpec, rocSpec, trainingCurvesSpec } from '../../src/report/charts.js';
import { renderVegaLiteSvg } from '../../src/report/vega-svg.js';
import { sampleReport } from './fixtures.js';

type Rows = Record<string, unknown>[];
const values = (spec: unknown): Rows => (spec as { data: { values: Rows } }).data.values;

test('metric bars: one bar per learner and metric, metrics absent for a learner are left out', () => {
  const spec = metricBarsSpec(sampleReport());
  assert.ok(spec);
  const rows = values(spec);
  // 3 learners x (k-NN, MAP@R, P@1) + 2 learners with ROC AUC
  assert.equal(rows.length, 11);
  assert.deepEqual(rows.filter((r) => r.metric === 'ROC AUC').map((r) => r.learner), ['Euclidean', 'NCA']);
  assert.ok(rows.some((r) => r.metric === '3-NN accuracy' && r.learner === 'NCA' && r.value === 0.95));
});

test('each learner keeps its colour in every figure, even when a figure shows only some learners', () => {
  const input = sampleReport();
  const barColour = (metricBarsSpec(input) as any).spec.layer[0].encoding.color.scale;
  const rocColour = (rocSpec(input) as any).layer[1].encoding.color.scale;
  const trainColour = (trainingCurvesSpec(input) as any).spec.encoding.color.scale;
  const colourOf = (scale: { domain: string[]; range: string[] }, name: string) => scale.range[scale.domain.indexOf(name)];
  assert.deepEqual(rocColour.domain, ['Euclidean', 'NCA']);
  assert.deepEqual(trainColour.domain, ['MLP <x>']);
  assert.equal(colourOf(rocColour, 'NCA'), colourOf(barColour, 'NCA'));
  assert.equal(colourOf(trainColour, 'MLP <x>'), colourOf(barColour, 'MLP <x>'));
  assert.notEqual(colourOf(barColour, 'NCA'), colourOf(barColour, 'Euclidean'));
});

test('maps: the same points for every learner, outliers clamped to the robust range', () => {
  const input = sampleReport();
  const far = { ...input.learners[1], map: { x: [...(input.learners[1].map!.x as number[])], y: [...(input.learners[1].map!.y as number[])] } };
  (far.map.x as number[])[5] = 1e6;
  const spec = embeddingMapSpec({ ...input, learners: [input.learners[0], far] });
  const rows = values(spec);
  assert.equal(rows.length, 2 * 60);
  const xs = rows.filter((r) => r.learner === 'NCA').map((r) => r.x as number);
  const others = xs.filter((_, i) => i !== 5);
  // Clamped to p99 + 10% of the p1..p99 span, nowhere near 1e6.
  assert.ok(xs[5] < Math.max(...others) * 1.5 + 1, String(xs[5]));
  assert.throws(() => embeddingMapSpec({ ...input, mapLabels: [1, 2] }), /has 60 points but there are 2 map labels/);
});

test('figures with nothing to draw are omitted (null), not drawn empty', () => {
  const input = sampleReport();
  const bare = { ...input, learners: input.learners.map(({ map: _m, roc: _r, training: _t, ...l }) => l) };
  assert.equal(embeddingMapSpec(bare), null);
  assert.equal(rocSpec(bare), null);
  assert.equal(trainingCurvesSpec(bare), null);
  assert.ok(metricBarsSpec(bare));
});

test('ROC curves longer than 200 points are thinned, keeping both ends', () => {
  const input = sampleReport();
  const n = 1001;
  const fpr = Array.from({ length: n }, (_, i) => i / (n - 1));
  const tpr = fpr.map((f) => Math.sqrt(f));
  const spec = rocSpec({ ...input, learners: [{ ...input.learners[0], roc: { fpr, tpr } }] });
  const rows = values((spec as any).layer[1]);
  assert.equal(rows.length, 200);
  assert.deepEqual([rows[0].fpr, rows[0].tpr], [0, 0]);
  assert.deepEqual([rows[199].fpr, rows[199].tpr], [1, 1]);
});

test('vega-lite renders in Node to an SVG with one bar per data row, without a browser', async () => {
  const svg = await renderVegaLiteSvg(metricBarsSpec(sampleReport())!);
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const barGroups = svg.match(/<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/g) ?? [];
  const bars = barGroups.reduce((s, g) => s + (g.match(/<path /g) ?? []).length, 0);
  assert.equal(bars, 11);
});

test('a spec that names external data is refused (reports stay offline)', async () => {
  await assert.rejects(renderVegaLiteSvg({ data: { url: 'https://example.com/data.json' }, mark: 'point' } as any), /must not load external data/);
});
