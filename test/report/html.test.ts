import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReportHtml, writeReport, escapeHtml } from '../../src/report/html.js';
import { sampleReport } from './fixtures.js';

test('the report is one self-contained file: inline SVG figures, no scripts, no external resources', async () => {
  const html = await renderReportHtml(sampleReport());
  assert.match(html, /^<!doctype html>/);
  for (const id of ['metrics', 'maps', 'roc', 'training']) assert.match(html, new RegExp(`<figure class="chart" data-chart="${id}"><svg`));
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
  // The only URLs are XML namespace identifiers, which are never fetched.
  const urls = html.match(/https?:\/\/[^\s"')]+/g) ?? [];
  assert.ok(urls.every((u) => u.startsWith('http://www.w3.org/')), urls.join(' '));
});

test('the results table: values, the best per column in bold, the change against Euclidean', async () => {
  const html = await renderReportHtml(sampleReport());
  const table = html.slice(html.indexOf('<table class="results">'), html.indexOf('</table>'));
  assert.match(table, /<td>NCA<\/td><td><code>metric\/nca<\/code><\/td><td class="num">0\.950<\/td><td class="num">0\.750<\/td>/);
  assert.match(table, /<td class="num best">0\.900<\/td>/); // MLP's MAP@R is the best
  assert.match(table, /\+0\.250/); // NCA 0.75 vs 0.5
  assert.match(table, /<td class="num">–<\/td>/); // MLP has no ROC AUC
});

test('names, warnings and titles are escaped', async () => {
  const html = await renderReportHtml(sampleReport());
  assert.ok(html.includes('test report &lt;b&gt;'));
  assert.ok(html.includes('MLP &lt;x&gt;'));
  assert.ok(html.includes('a warning &amp; more'));
  assert.ok(!html.includes('MLP <x>'));
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('writeReport creates missing folders; an empty report is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-report-'));
  try {
    const path = join(dir, 'a', 'b', 'report.html');
    await writeReport(path, sampleReport());
    assert.match(readFileSync(path, 'utf8'), /<h1>test report &lt;b&gt;<\/h1>/);
    await assert.rejects(writeReport(path, { ...sampleReport(), learners: [] }), /no learners/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
