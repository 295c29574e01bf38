/**
 * Contracts of `train` (config file, --data override, --json keys, saved head) and `demo`
 * (table on stdout, report.html, model files that `serve` loads), on generated data.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { tempDir, blobs, writeBlobsCsv, parseOneJson, runInProcess } from './fixtures.js';
import { loadSimilarityModel } from '../../src/service/load-model.js';
import { loadItems } from '../../src/service/items.js';
import { startService } from '../../src/service/server.js';

const dir = tempDir('train');
after(() => rmSync(dir, { recursive: true, force: true }));
const LABELS = ['ant', 'bee', 'cat', 'dog'];
const data = writeBlobsCsv(join(dir, 'animals.csv'), blobs([20, 20, 20, 20], 6, 31), { labelName: 'animal', labelFirst: true, labels: (c) => LABELS[c], eol: '\r\n' });

test('train --config --json: metrics, epochSeconds, and the head saved where -o says', async () => {
  const config = join(dir, 'small.json');
  writeFileSync(config, JSON.stringify({
    data: { path: 'animals.csv', label: 'animal' },
    head: { hidden: [16], output: 8 },
    loss: { name: 'triplet-margin', margin: 0.2 },
    sampler: { name: 'm-per-class', m: 4, batchSize: 16 },
    optimizer: { name: 'adam', lr: 0.001 },
    epochs: 2,
    seed: 0,
  }));
  const head = join(dir, 'small.head.simlearn');
  const r = await runInProcess(['train', '--config', config, '-o', head, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = parseOneJson(r.stdout) as Record<string, number>;
  for (const key of ['precisionAt1', 'rPrecision', 'mapAtR', 'epochSeconds']) {
    assert.equal(typeof out[key], 'number', key);
    assert.ok(Number.isFinite(out[key]) && out[key] >= 0, key);
  }
  assert.ok(out.precisionAt1 <= 1 && out.mapAtR <= 1);
  assert.ok(existsSync(head));
  assert.equal(loadSimilarityModel(head).kind, 'deep/head');
});

test('train with an example config and --data of another dataset: the config\'s folds file gives way to a split', async () => {
  // examples/*.json split digits with a folds file; with other data that file cannot apply.
  const r = await runInProcess(['train', '--config', join(ROOT, 'examples', 'train-digits-triplet.json'), '--data', data, '--label', 'animal', '--epochs', '1', '--no-save', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /ignoring the config's folds file/);
  const out = parseOneJson(r.stdout) as Record<string, number>;
  assert.equal(out.nTrain + out.nValidation, 80);
  assert.equal(typeof out.mapAtR, 'number');
});

test('train: a bad config is a usage error naming the key', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ data: 'animals.csv', epochz: 3 }));
  const r = await runInProcess(['train', '--config', bad, '--json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /epochz/);
  assert.equal(r.stdout, '');
});

test('demo --quick on your own data: a table, report.html and models that serve loads', async () => {
  const outDir = join(dir, 'demo');
  const r = await runInProcess(['demo', '--data', data, '--label', 'animal', '--quick', '--out', outDir, '--learners', 'euclidean,lfda,mlp-triplet', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Euclidean/);
  assert.match(r.stdout, /LFDA/);
  assert.ok(existsSync(join(outDir, 'report.html')));
  const models = readdirSync(outDir).filter((f) => f.endsWith('.simlearn'));
  assert.ok(models.length >= 2, models.join(', '));
  const items = loadItems(data, { label: 'animal' });
  for (const file of models) {
    const model = loadSimilarityModel(join(outDir, file));
    const { app, url } = await startService({ model, items, port: 0 });
    try {
      const res = await fetch(`${url}/similar`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 0, k: 3 }) });
      assert.equal(res.status, 200, file);
      const body = (await res.json()) as { results: { label: string }[] };
      assert.equal(body.results.length, 3, file);
      assert.ok(body.results.every((h) => LABELS.includes(h.label)), file);
    } finally {
      await app.close();
    }
  }
});
