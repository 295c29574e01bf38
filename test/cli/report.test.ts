import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset } from '../../src/io/index.js';
import { LFDA } from '../../src/metric/lfda.js';
import { Pipeline } from '../../src/metric/registry.js';
import { StandardScaler } from '../../src/preprocessing/standard-scaler.js';
import { trainTestSplit } from '../../src/preprocessing/split.js';
import { writeCsv } from '../../src/io/index.js';
import { runCli, DATA } from '../helpers.js';

test('simlearn report: fitted models scored against Euclidean on held-out data, one HTML file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-report-cli-'));
  try {
    const wine = readDataset(join(DATA, 'wine.csv'));
    const split = trainTestSplit(wine.y!, { testSize: 0.3, stratify: true, seed: 2 });
    const Xtr = wine.X.takeRows(split.train);
    const ytr = Array.from(split.train, (i) => wine.y![i]);
    const scaler = new StandardScaler().fit(Xtr);
    const lfda = new LFDA({ k: 5 }).fit(scaler.transform(Xtr), ytr);
    const model = join(dir, 'wine-lfda.simlearn');
    new Pipeline([scaler, lfda]).save(model);
    writeCsv(join(dir, 'train.csv'), Xtr, { y: ytr });
    writeCsv(join(dir, 'test.csv'), wine.X.takeRows(split.test), { y: Array.from(split.test, (i) => wine.y![i]) });

    const out = join(dir, 'r', 'report.html');
    const r = runCli(['report', '--data', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'), '--model', model, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.report, out);
    assert.deepEqual(j.learners.map((l: { name: string }) => l.name), ['Euclidean', 'wine-lfda']);
    const [eu, lf] = j.learners;
    assert.ok(lf.mapAtR > eu.mapAtR, `LFDA ${lf.mapAtR} vs Euclidean ${eu.mapAtR}`);
    assert.ok(lf.knnAccuracy >= 0.9);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /References: train\.csv \(124 rows\); queries: test\.csv \(54 rows\)/);
    for (const id of ['metrics', 'maps', 'roc']) assert.match(html, new RegExp(`data-chart="${id}"`));

    const none = runCli(['report', '--data', join(dir, 'train.csv')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /at least one --model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simlearn report: -k and --test-size values the data cannot take, and wrapping seeds, exit 2 naming the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-report-cli-opts-'));
  try {
    const iris = readDataset(join(DATA, 'iris.csv'));
    const scaler = new StandardScaler().fit(iris.X);
    const model = join(dir, 'iris-lfda.simlearn');
    new Pipeline([scaler, new LFDA({ k: 5 }).fit(scaler.transform(iris.X), iris.y!)]).save(model);
    const report = (...args: string[]) => runCli(['report', '--data', join(DATA, 'iris.csv'), '--model', model, '--out', join(dir, 'r.html'), ...args]);
    for (const [args, re] of [
      [['-k', '200'], /^simlearn: -k 200: .*k = 200 must be smaller/],
      [['--test-size', '0.01'], /^simlearn: --test-size 0\.01: .*change testSize/],
      [['--seed', '4294967296'], /^simlearn: --seed must be an integer in 0\.\.4294967295/],
    ] as const) {
      const r = report(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
