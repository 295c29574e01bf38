import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readDataset } from '../../src/io/index.js';
import { NCA } from '../../src/metric/nca.js';
import { asSimilarityModel } from '../../src/service/similarity-model.js';
import { loadItems } from '../../src/service/items.js';
import { startService } from '../../src/service/server.js';
import { DATA } from '../helpers.js';
import { launchChromium } from './chromium.js';

test('the service page in headless Chromium: pick an item, see its neighbours with scores, follow one', async () => {
  const iris = readDataset(join(DATA, 'iris.csv'));
  const nca = new NCA({ seed: 0, maxIter: 20 }).fit(iris.X, iris.y as number[]);
  const { app, url } = await startService({ model: asSimilarityModel(nca), items: loadItems(join(DATA, 'iris.csv')), port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(url)) foreign.push(r.url()); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url + '/');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    assert.match(await page.textContent('#status') ?? '', /150 items · 4 features/);
    assert.equal(await page.locator('#item-select option').count(), 150);

    await page.selectOption('#item-select', { index: 120 });
    await page.fill('#k', '7');
    await page.click('#search');
    await page.waitForSelector('#results tbody tr');
    const rows = page.locator('#results tbody tr');
    assert.equal(await rows.count(), 7);
    assert.match(await page.textContent('#query-info') ?? '', /Neighbours of 120/);
    const scores = (await page.locator('#results tbody td.num:nth-child(4)').allTextContents()).map(Number);
    assert.equal(scores.length, 7);
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i] <= scores[i - 1], `scores not sorted: ${scores}`);
    assert.ok(scores.every((s) => s <= 0));

    // Clicking a neighbour's id queries that item.
    const firstId = (await rows.first().getAttribute('data-id')) as string;
    await rows.first().locator('a.item').click();
    // Locator waits, not waitForFunction: tsx's compiled callbacks cannot run inside the page.
    await page.locator('#query-info', { hasText: `Neighbours of ${JSON.parse(firstId)} ` }).waitFor({ timeout: 10_000 });

    // The k field is bounded by the server's limit, read from /health.
    assert.equal(await page.getAttribute('#k', 'max'), '100');
    assert.equal(await page.textContent('#error'), '');

    assert.deepEqual(foreign, [], 'the page must not fetch anything from other origins');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
