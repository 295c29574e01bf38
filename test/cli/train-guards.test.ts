/**
 * `simlearn train` refuses what cannot learn (exit 2), checks where it will write before
 * training (exit 1, as other commands' unwritable outputs), and reports runs that learned
 * nothing as warnings, on stderr and in the --json object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, DATA } from '../helpers.js';

const base = {
  data: join(DATA, 'iris.csv'), head: { hidden: [8], output: 4 }, loss: { name: 'triplet-margin' },
  sampler: { name: 'm-per-class', m: 4, batchSize: 24 }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 2,
};

function withConfig(over: Record<string, unknown>, body: (cfg: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-train-guards-'));
  try {
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ ...base, ...over }));
    body(cfg, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('train: an unwritable --out or checkpoint fails before the first epoch', () => {
  withConfig({}, (cfg, dir) => {
    const r = runCli(['train', '--config', cfg, '--out', join(dir, 'missing', 'h.simlearn'), '--verbose']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^simlearn: error: --out: cannot write .*missing\/h\.simlearn: no directory .*missing \(does the directory exist\?\); create it or write elsewhere \(checked before training; nothing was trained or written\)/);
    assert.doesNotMatch(r.stderr, /epoch 1\//, 'no epoch ran');
  });
  withConfig({ checkpoint: 'nowhere/ck.simlearn' }, (cfg) => {
    const r = runCli(['train', '--config', cfg, '--no-save', '--verbose']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^simlearn: error: checkpoint: cannot write .*nowhere\/ck\.simlearn: no directory/);
    assert.doesNotMatch(r.stderr, /epoch 1\//);
  });
});

test('train --json: warnings when no loss term was ever active and the head is no better than untrained', () => {
  withConfig({ miner: { name: 'triplet-margin', type: 'easy' } }, (cfg) => {
    const r = runCli(['train', '--config', cfg, '--no-save', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.mapAtR, j.untrained.mapAtR, 'nothing was trained');
    assert.equal(j.warnings.length, 2, r.stderr);
    assert.match(j.warnings[0], /^no loss term was active in any epoch \(1–2\)/);
    assert.match(j.warnings[1], /^validation mapAtR .* after training is not above the untrained head's/);
    assert.match(r.stderr, /warning: no loss term was active in any epoch/);
  });
  withConfig({}, (cfg) => {
    const r = runCli(['train', '--config', cfg, '--no-save', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).warnings, []);
  });
});

test('train: settings that cannot learn, and data that has no labels, are usage errors', () => {
  const usage = (over: Record<string, unknown>, re: RegExp, ...args: string[]) => withConfig(over, (cfg) => {
    const r = runCli(['train', '--config', cfg, '--no-save', ...args]);
    assert.equal(r.code, 2, `${JSON.stringify(over)}: ${r.stderr}`);
    assert.match(r.stderr, re);
  });
  usage({ loss: { name: 'contrastive', distance: 'cosine' } }, /^simlearn: loss: contrastive: with the cosine similarity .*set posMargin 1 and negMargin 0/);
  usage({ loss: { name: 'triplet-margin', margin: -1 } }, /^simlearn: loss: triplet-margin: option margin must be positive, got -1/);
  usage({ loss: { name: 'triplet-margin', margin: '0.2' } }, /got "0\.2"/);
  usage({ head: { hidden: [], output: 1 } }, /head\.output: with head\.normalize true an embedding of size 1/);
  usage({ loss: { name: 'score-regression', scores: [0.1] } }, /loss\.name: the score-regression loss learns from scored pairs/);
  usage({ validation: join(DATA, 'iris.csv'), split: { test: 0.5 } }, /split: split is ignored when a validation file is given/);
  usage({}, /^simlearn: --data .*x\.npy: .*x\.npy is \.npy, which holds features only.*JSON Lines with a "label" field/, '--data', join(DATA, 'x.npy'));
});
