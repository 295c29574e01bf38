import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers.js';
import { loadSimilarityModel } from '../../src/service/load-model.js';

test('simlearn demo --quick: table on stdout, progress on stderr, report and loadable models in --out', () => {
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-cli-'));
  try {
    const r = runCli(['demo', '--quick', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /simlearn demo: digits \(600 samples, 64 features, 10 classes\)/);
    assert.match(r.stdout, /learner\s+kind\s+3-NN acc\s+MAP@R\s+P@1\s+ROC AUC\s+fit \(s\)/);
    assert.match(r.stderr, /simlearn demo: digits/);
    const row = (name: string) => {
      const m = r.stdout.match(new RegExp(`^${name}\\s+\\S+\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)`, 'm'));
      assert.ok(m, `no row for ${name} in\n${r.stdout}`);
      return { acc: Number(m[1]), mapAtR: Number(m[2]), p1: Number(m[3]), auc: Number(m[4]) };
    };
    const eu = row('Euclidean');
    const lfda = row('LFDA');
    const mlp = row('MLP triplet');
    // Floors on the held-out digits: learned similarities must beat Euclidean on MAP@R by a margin.
    assert.ok(eu.acc > 0.9);
    assert.ok(lfda.mapAtR > eu.mapAtR + 0.1, `LFDA ${lfda.mapAtR} vs Euclidean ${eu.mapAtR}`);
    assert.ok(mlp.mapAtR > eu.mapAtR + 0.1, `MLP ${mlp.mapAtR} vs Euclidean ${eu.mapAtR}`);
    assert.match(r.stdout, new RegExp(`report: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/report\\.html`));

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const id of ['metrics', 'maps', 'roc', 'training']) assert.match(html, new RegExp(`data-chart="${id}"`));
    const models = readdirSync(out).filter((f) => f.endsWith('.simlearn')).sort();
    assert.deepEqual(models, ['euclidean.simlearn', 'lfda.simlearn', 'mlp-triplet.simlearn', 'nca.simlearn']);
    for (const f of models) assert.ok(loadSimilarityModel(join(out, f)).transform);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('simlearn demo --json on the user\'s data (--data/--label), subset of learners, no report', () => {
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-cli-json-'));
  try {
    const r = runCli(['demo', '--data', join('data', 'iris.csv'), '--label', 'label', '--learners', 'lfda', '--no-report', '--json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.dataset.nSamples, 150);
    assert.deepEqual(j.learners.map((l: { id: string }) => l.id), ['euclidean', 'lfda']);
    assert.equal(j.reportPath, null);
    assert.ok(j.learners[1].metrics.knnAccuracy > 0.9);
    assert.ok(!existsSync(join(out, 'report.html')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('simlearn demo: an unknown learner is a usage error (exit 2) listing the choices', () => {
  const bad = runCli(['demo', '--learners', 'euclidean,nope', '--no-progress']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown learner nope; choose from .*lmnn/);
});

test('simlearn demo: option values the data cannot take (-k, --test-size) and wrapping seeds exit 2 naming the option', () => {
  const out = mkdtempSync(join(tmpdir(), 'simlearn-demo-cli-opts-'));
  try {
    const demo = (...args: string[]) => runCli(['demo', '--data', join('data', 'iris.csv'), '--learners', 'euclidean', '--quick', '--no-report', '--no-progress', '--out', out, ...args]);
    for (const [args, re] of [
      [['-k', '200'], /^simlearn: -k 200: k = 200 must be smaller than the training part/],
      [['--test-size', '0.01'], /^simlearn: --test-size 0\.01: .*change testSize/],
      [['--seed', '4294967296'], /^simlearn: --seed must be an integer in 0\.\.4294967295/],
    ] as const) {
      const r = demo(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
