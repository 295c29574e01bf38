import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/demo/run.js';
import { loadSimilarityModel } from '../../src/service/load-model.js';
import { readDataset } from '../../src/io/index.js';
import { maxAbsDiff, DATA } from '../helpers.js';

test('runDemo on wine: every learner scored against Euclidean, models saved and reloadable, report written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-lib-'));
  try {
    const r = await runDemo({ data: join(DATA, 'wine.csv'), outDir: out, quick: true, learners: ['lfda', 'mlp-triplet'], progress: false, seed: 1 });
    assert.deepEqual(r.learners.map((l) => l.id), ['euclidean', 'lfda', 'mlp-triplet']);
    assert.equal(r.nTrain + r.nTest, 178);
    assert.equal(r.nTest, Math.ceil(0.3 * 178));
    const byId = Object.fromEntries(r.learners.map((l) => [l.id, l]));
    for (const l of r.learners) {
      assert.equal(l.error, undefined);
      for (const v of [l.metrics.knnAccuracy, l.metrics.mapAtR, l.metrics.precisionAt1, l.metrics.rocAuc]) assert.ok((v as number) >= 0 && (v as number) <= 1);
    }
    // Wine is the classic case where learning the metric pays: LFDA's MAP@R beats z-scored Euclidean.
    assert.ok(byId.lfda.metrics.mapAtR > byId.euclidean.metrics.mapAtR, `${byId.lfda.metrics.mapAtR} vs ${byId.euclidean.metrics.mapAtR}`);
    assert.ok(byId.lfda.metrics.knnAccuracy >= 0.9);
    assert.ok(byId['mlp-triplet'].training && byId['mlp-triplet'].training.length === 4);

    // The saved model takes raw features (the scaler travels with it) and reproduces the embedding.
    const wine = readDataset(join(DATA, 'wine.csv'));
    const lfda = loadSimilarityModel(join(out, 'lfda.simlearn'));
    assert.equal(lfda.kind, 'pipeline (lfda)');
    const Z = lfda.transform(wine.X);
    assert.equal(Z.rows, 178);
    const head = loadSimilarityModel(join(out, 'mlp-triplet.simlearn'));
    assert.equal(head.kind, 'deep/head');
    assert.equal(head.transform(wine.X).cols, 16);
    // The training history travels in the file, for `simlearn report`'s training curve.
    assert.deepEqual(head.training?.map((e) => e.epoch), [1, 2, 3, 4]);
    assert.deepEqual(head.training?.map((e) => e.loss), byId['mlp-triplet'].training?.map((e) => e.loss));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /simlearn demo: wine\.csv/);
    assert.match(html, /data-chart="training"/);

    // Same seed, same numbers.
    const again = await runDemo({ data: join(DATA, 'wine.csv'), outDir: out, quick: true, learners: ['lfda'], progress: false, seed: 1, report: false });
    assert.equal(again.learners[1].metrics.mapAtR, byId.lfda.metrics.mapAtR);
    assert.ok(maxAbsDiff(loadSimilarityModel(join(out, 'lfda.simlearn')).transform(wine.X).data, Z.data) === 0);
    assert.equal(again.reportPath, null);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('runDemo refuses data without labels or with a single class, naming the fix', async () => {
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-bad-'));
  try {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(out, 'one.csv'), 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n');
    await assert.rejects(runDemo({ data: join(out, 'one.csv'), outDir: out, progress: false }), /1 class; similarity learning needs at least 2/);
    await assert.rejects(runDemo({ data: join(out, 'missing.csv'), outDir: out, progress: false }), /no such file/);
    assert.ok(!existsSync(join(out, 'report.html')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('runDemo: ITML on many small classes asks for the pairs the labels have, not the line-up\'s 1000', async () => {
  // 20 classes of 5 rows: the 70 % training part has about 3 rows a class, so at most ~70
  // distinct same-class pairs. Before, ITML failed here with "asked for 1000 positive pairs".
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-few-'));
  try {
    const { writeFileSync } = await import('node:fs');
    const lines = ['a,b,c,label'];
    for (let c = 0; c < 20; c++) for (let i = 0; i < 5; i++) lines.push(`${c + 0.1 * i},${(c * 7) % 5 + 0.05 * i},${i % 2},k${c}`);
    writeFileSync(join(out, 'few.csv'), lines.join('\n') + '\n');
    const r = await runDemo({ data: join(out, 'few.csv'), outDir: out, learners: ['itml'], progress: false, report: false, k: 1 });
    const itml = r.learners.find((l) => l.id === 'itml');
    assert.ok(itml, 'ITML is in the results');
    assert.equal(itml.error, undefined);
    assert.ok(itml.metrics.knnAccuracy >= 0 && itml.metrics.knnAccuracy <= 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('runDemo: LMNN with a class of 3 training rows takes k = 2 target neighbours instead of failing', async () => {
  // Iris plus a fourth class of 4 rows: its training part has 3 (stratified 70 %), fewer than
  // the line-up's k = 3 needs (4). simlearn cv would refuse, naming the limit; the demo adapts.
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-tiny-'));
  try {
    const { writeFileSync } = await import('node:fs');
    const lines = readFileSync(join(DATA, 'iris.csv'), 'utf8').trim().split('\n');
    for (let i = 0; i < 4; i++) lines.push(`${7 + 0.1 * i},3.0,1.0,${2.5 + 0.05 * i},tiny`);
    writeFileSync(join(out, 'tiny.csv'), lines.join('\n') + '\n');
    const r = await runDemo({ data: join(out, 'tiny.csv'), outDir: out, learners: ['lmnn'], progress: false, report: false });
    const lmnn = r.learners.find((l) => l.id === 'lmnn');
    assert.ok(lmnn, 'LMNN is in the results');
    assert.equal(lmnn.error, undefined);
    assert.ok(lmnn.metrics.knnAccuracy > 0.8, `3-NN accuracy ${lmnn.metrics.knnAccuracy}`);
    assert.equal(loadSimilarityModel(join(out, 'lmnn.simlearn')).kind, 'pipeline (lmnn)');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
