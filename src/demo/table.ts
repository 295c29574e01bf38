/** The demo's results as a plain-text table for the terminal. */
import type { DemoResult } from './run.js';

function cell(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4);
}

export function formatDemoTable(r: DemoResult): string {
  const header = ['learner', 'kind', `${r.k}-NN acc`, 'MAP@R', 'P@1', 'ROC AUC', 'fit (s)'];
  const base = r.learners.find((l) => l.kind === 'euclidean');
  const rows = r.learners.map((l) => [
    l.name,
    l.kind,
    cell(l.metrics.knnAccuracy),
    cell(l.metrics.mapAtR),
    cell(l.metrics.precisionAt1),
    cell(l.metrics.rocAuc),
    l.error ? 'failed' : l.fitSeconds === undefined ? '–' : l.fitSeconds.toFixed(2),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  const out = [
    `simlearn demo: ${r.dataset.name} (${r.dataset.nSamples} samples, ${r.dataset.nFeatures} features, ${r.dataset.nClasses} classes)`,
    `held-out split: ${r.nTrain} train / ${r.nTest} test (stratified, seed ${r.seed}); backend ${r.backend}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ];
  const ranked = r.learners.filter((l) => !l.error && Number.isFinite(l.metrics.mapAtR)).sort((a, b) => b.metrics.mapAtR - a.metrics.mapAtR);
  if (base && ranked.length && ranked[0] !== base) {
    out.push(`best MAP@R: ${ranked[0].name} ${ranked[0].metrics.mapAtR.toFixed(4)} vs Euclidean ${base.metrics.mapAtR.toFixed(4)} (${((ranked[0].metrics.mapAtR / base.metrics.mapAtR - 1) * 100).toFixed(1)}% better)`);
  }
  for (const l of r.learners.filter((x) => x.error)) out.push(`${l.name} failed: ${l.error}`);
  if (r.reportPath) out.push(`report: ${r.reportPath}`);
  const model = ranked.find((l) => l.modelFile && l.kind !== 'euclidean');
  if (model) {
    out.push(`models: ${r.outDir}/*.simlearn`);
    out.push(`serve one: simlearn serve --model ${model.modelFile} --items ${r.dataset.path}`);
  }
  out.push(`done in ${r.seconds.toFixed(1)} s`);
  return out.join('\n') + '\n';
}
