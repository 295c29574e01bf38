/**
 * The report as one self-contained HTML file: inline CSS, inline SVG figures, no scripts and
 * no external references, so it opens offline and can be mailed or archived as is.
 */
import { ensureParentDir, writeFileAtomic } from '../io/atomic-write.js';
import { renderVegaLiteSvg } from './vega-svg.js';
import { embeddingMapSpec, metricBarsSpec, rocSpec, trainingCurvesSpec } from './charts.js';
import type { LearnerResult, ReportInput } from './types.js';

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const CSS = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232b; max-width: 76rem; margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #e3e7ec; padding-bottom: .2rem; }
p.lead { color: #4b5563; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0; }
th, td { padding: .35rem .8rem; border-bottom: 1px solid #e3e7ec; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: 700; }
td.delta-up { color: #17703a; } td.delta-down { color: #a33; }
figure { margin: 1rem 0 1.5rem; overflow-x: auto; }
figcaption { color: #4b5563; font-size: .9rem; margin-top: .3rem; }
.warn { color: #8a5a00; font-size: .9rem; }
footer { margin-top: 3rem; color: #6b7280; font-size: .85rem; }
code { background: #f3f4f6; padding: 0 .25rem; border-radius: 3px; }
`;

function fmt(v: number | undefined, digits = 3): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function resultsTable(input: ReportInput): string {
  const cols: { key: keyof LearnerResult['metrics']; label: string }[] = [
    { key: 'knnAccuracy', label: `${input.knnK}-NN accuracy` },
    { key: 'mapAtR', label: 'MAP@R' },
    { key: 'precisionAt1', label: 'precision@1' },
  ];
  if (input.learners.some((l) => l.metrics.rocAuc !== undefined)) cols.push({ key: 'rocAuc', label: 'ROC AUC' });
  const best = new Map(cols.map((c) => [c.key, Math.max(...input.learners.map((l) => l.metrics[c.key] ?? -Infinity))]));
  const base = input.learners.find((l) => l.kind === 'euclidean');
  const head = `<tr><th>learner</th><th>kind</th>${cols.map((c) => `<th class="num">${escapeHtml(c.label)}</th>`).join('')}${base ? '<th class="num">Δ MAP@R vs Euclidean</th>' : ''}<th class="num">fit (s)</th></tr>`;
  const body = input.learners.map((l) => {
    const cells = cols.map((c) => {
      const v = l.metrics[c.key];
      return `<td class="num${v !== undefined && v === best.get(c.key) ? ' best' : ''}">${fmt(v)}</td>`;
    }).join('');
    let delta = '';
    if (base) {
      const d = l.metrics.mapAtR - base.metrics.mapAtR;
      delta = l === base || !Number.isFinite(d) ? '<td class="num">–</td>' : `<td class="num ${d >= 0 ? 'delta-up' : 'delta-down'}">${d >= 0 ? '+' : ''}${d.toFixed(3)}</td>`;
    }
    return `<tr><td>${escapeHtml(l.name)}</td><td><code>${escapeHtml(l.kind)}</code></td>${cells}${delta}<td class="num">${l.fitSeconds === undefined ? '–' : l.fitSeconds.toFixed(2)}</td></tr>`;
  }).join('\n');
  return `<table class="results">\n${head}\n${body}\n</table>`;
}

async function figure(id: string, title: string, spec: Parameters<typeof renderVegaLiteSvg>[0] | null, caption: string): Promise<string> {
  if (!spec) return '';
  const svg = await renderVegaLiteSvg(spec);
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2><figure class="chart" data-chart="${id}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure></section>`;
}

/** Builds the report HTML (figures rendered to inline SVG). */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  if (input.learners.length === 0) throw new RangeError('report: no learners to report on');
  const d = input.dataset;
  const warnings = input.learners.flatMap((l) => (l.warnings ?? []).map((w) => `${l.name}: ${w}`));
  const models = input.learners.filter((l) => l.modelFile);
  const parts = [
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(input.title)}</title>\n<style>${CSS}</style>\n</head>\n<body>`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p class="lead">Dataset <b>${escapeHtml(d.name)}</b>: ${d.nSamples} samples, ${d.nFeatures} features, ${d.nClasses} classes. ${escapeHtml(input.protocol)}</p>`,
    `<section id="results"><h2>Results</h2>${resultsTable(input)}</section>`,
    warnings.length ? `<section id="warnings"><h2>Warnings</h2>${warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join('')}</section>` : '',
    await figure('metrics', 'Metrics per learner', metricBarsSpec(input), 'Higher is better; the Euclidean row is the unlearned baseline.'),
    await figure('maps', 'The data before and after learning', embeddingMapSpec(input), `${input.mapMethod ?? '2-D projection of the embeddings, coloured by class; "Euclidean" is the data before learning.'} Points beyond the 1st–99th percentile range are drawn at the edge.`),
    await figure('roc', 'Verification ROC', rocSpec(input), 'Same-class vs different-class pairs scored by −distance in each embedding; the dashed line is chance.'),
    await figure('training', 'Training curves', trainingCurvesSpec(input), 'Per-epoch training loss and validation metric of the deep heads.'),
    models.length ? `<section id="models"><h2>Saved models</h2><ul>${models.map((l) => `<li>${escapeHtml(l.name)}: <code>${escapeHtml(l.modelFile)}</code></li>`).join('')}</ul><p>Serve one with <code>simlearn serve --model FILE --items DATA.csv</code>; export one with <code>simlearn export --model FILE --to model.onnx</code>.</p></section>` : '',
    input.environment ? `<footer>${Object.entries(input.environment).map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(v)}`).join(' · ')}</footer>` : '',
    '</body>\n</html>\n',
  ];
  return parts.filter((p) => p !== '').join('\n');
}

/** Writes the report, creating its folder; atomic, so a failed write leaves any earlier report intact. */
export async function writeReport(path: string, input: ReportInput): Promise<void> {
  const html = await renderReportHtml(input);
  ensureParentDir(path, 'report');
  writeFileAtomic(path, html, 'report');
}
