import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeReport } from '../../src/report/html.js';
import { launchChromium } from '../service/chromium.js';
import { sampleReport } from './fixtures.js';

test('the report in headless Chromium, offline: every figure is drawn with its marks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-report-browser-'));
  const browser = await launchChromium();
  try {
    const path = join(dir, 'report.html');
    await writeReport(path, sampleReport());
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    // Any request other than the file itself would mean the report is not self-contained.
    const blocked: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(path).href);
    assert.equal(await page.title(), 'test report <b>');
    assert.equal(await page.locator('table.results tr').count(), 4);

    for (const id of ['metrics', 'maps', 'roc', 'training']) {
      const svg = page.locator(`figure[data-chart="${id}"] > svg`);
      assert.equal(await svg.count(), 1, `figure ${id}`);
      const box = await svg.boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `figure ${id} is drawn at ${JSON.stringify(box)}`);
    }
    // Marks as a person would see them: 11 bars, 3 x 60 map points, 2 ROC curves, training lines.
    assert.equal(await page.locator('figure[data-chart="metrics"] g.mark-rect path').count(), 11);
    assert.equal(await page.locator('figure[data-chart="maps"] g.mark-symbol.role-mark path').count(), 180);
    assert.equal(await page.locator('figure[data-chart="roc"] g.mark-line path').count(), 3); // chance diagonal + 2 curves
    assert.ok(await page.locator('figure[data-chart="training"] g.mark-line path').count() >= 2);
    // Axis and legend text is rendered (learner names appear in the bar chart's axis).
    const axisText = await page.locator('figure[data-chart="metrics"] text').allTextContents();
    assert.ok(axisText.includes('NCA') && axisText.includes('MAP@R'), axisText.join(','));
    assert.deepEqual(blocked, []);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
