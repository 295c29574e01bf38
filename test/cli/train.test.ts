import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT, DATA } from '../helpers.js';
import { DeepHead } from '../../src/deep/head.js';

test('simlearn train --json runs the example config, prints the metrics and saves the head', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-train-cli-'));
  try {
    const out = join(dir, 'head.simlearn');
    const r = runCli(['train', '--config', join(ROOT, 'examples', 'train-digits-triplet.json'), '--epochs', '3', '--json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON object on stdout');
    const j = JSON.parse(lines[0]);
    for (const k of ['precisionAt1', 'rPrecision', 'mapAtR', 'epochSeconds']) assert.equal(typeof j[k], 'number', k);
    assert.equal(j.nTrain, 1257);
    assert.equal(j.nValidation, 540);
    assert.equal(j.epochsRun, 3);
    // Three epochs already separate the digits far better than the untrained head.
    assert.ok(j.mapAtR > j.untrained.mapAtR + 0.3, `MAP@R ${j.untrained.mapAtR} → ${j.mapAtR}`);
    assert.ok(existsSync(out));
    const head = DeepHead.load(out);
    assert.equal(head.inputDim, 64);
    assert.equal(head.outputDim, 32);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simlearn train: --data overrides the config data; human output names the metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-train-cli-'));
  try {
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({
      data: 'does-not-exist.csv', head: { hidden: [8], output: 4 }, loss: { name: 'contrastive' },
      sampler: { name: 'm-per-class', m: 4, batchSize: 24 }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 2,
    }));
    const r = runCli(['train', '--config', cfg, '--data', join(DATA, 'iris.csv'), '--out', join(dir, 'iris.head.simlearn'), '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /epoch 1\/2 {2}loss \d+\.\d{4}/);
    assert.match(r.stderr, /epoch 2\/2 .*MAP@R/);
    assert.match(r.stdout, /head saved to .*iris.head.simlearn/);
    assert.ok(existsSync(join(dir, 'iris.head.simlearn')));
    assert.match(r.stdout, /on 105 rows, validated on 45 \(3 classes\)/);
    assert.match(r.stdout, /MAP@R 0\.\d+ {2}P@1/);
    assert.equal(r.stderr.includes('train ['), false, 'no progress bar when stderr is not a terminal');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simlearn train: a bad config is a usage error naming the field; a missing option too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-train-cli-'));
  try {
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ data: 'x.csv', loss: { name: 'contrastive' }, optimizer: { name: 'adam', lr: 'fast' }, epochs: 1 }));
    const r = runCli(['train', '--config', cfg]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /optimizer\.lr/);
    assert.equal(runCli(['train']).code, 2);
    const r2 = runCli(['train', '--config', cfg, '--epochs', '0', '--no-save']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--epochs must be an integer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simlearn train: names and values the config\'s parts reject exit 2 like cv\'s; data problems exit 1; clipped sampler settings warn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-train-cli-'));
  try {
    const rows = Array.from({ length: 30 }, (_, i) => `${(i % 3) + i / 100},${(i * 7) % 5},${i % 3}`);
    writeFileSync(join(dir, 'd.csv'), `a,b,label\n${rows.join('\n')}\n`);
    writeFileSync(join(dir, 'one.csv'), 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n');
    const base = { data: 'd.csv', head: { hidden: [4], output: 2 }, loss: { name: 'triplet-margin' }, sampler: { name: 'm-per-class', m: 2, batchSize: 6 }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 1 };
    const train = (over: Record<string, unknown>, ...args: string[]) => {
      const cfg = join(dir, 'cfg.json');
      writeFileSync(cfg, JSON.stringify({ ...base, ...over }));
      return runCli(['train', '--config', cfg, '--no-save', ...args]);
    };
    const usage = (over: Record<string, unknown>, re: RegExp, ...args: string[]) => {
      const r = train(over, ...args);
      assert.equal(r.code, 2, `${JSON.stringify(over)}: ${r.stderr}`);
      assert.match(r.stderr, re);
    };
    usage({ loss: { name: 'nope' } }, /^simlearn: loss: unknown name "nope"/);
    usage({ miner: { name: 'nope' } }, /^simlearn: miner: unknown name "nope"/);
    usage({ sampler: { name: 'nope' } }, /^simlearn: sampler: unknown name "nope"/);
    usage({ schedule: { name: 'step' } }, /schedule\.stepEpochs: the step schedule needs stepEpochs/);
    usage({}, /--seed must be an integer in 0\.\.4294967295/, '--seed', '4294967296');
    const data = train({ data: 'one.csv' });
    assert.equal(data.code, 1, data.stderr);
    assert.match(data.stderr, /^simlearn: error: .*1 class/);
    const clipped = train({ sampler: { name: 'm-per-class', m: 2, batchSize: 1000 } });
    assert.equal(clipped.code, 0, clipped.stderr);
    assert.match(clipped.stderr, /warning: sampler m-per-class: batchSize 1000 is larger than the epoch \(\d+ samples\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
