import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, DATA } from '../helpers.js';

test('cv --json reproduces the protocol on iris with the shipped folds', () => {
  const r = runCli(['cv', '--data', join(DATA, 'iris.csv'), '--algo', 'euclidean', '--folds', join(DATA, 'iris.folds.csv'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.algorithm, 'euclidean');
  assert.equal(out.k, 3);
  assert.equal(out.nFolds, 5);
  // metric-learn's protocol figure for Euclidean 3-NN on these folds: 0.9533 ± 0.0340.
  assert.ok(Math.abs(out.accuracy.mean - 0.9533) < 1e-4, String(out.accuracy.mean));
  assert.ok(Math.abs(out.accuracy.std - 0.0340) < 1e-4);
  assert.equal(out.accuracy.perFold.length, 5);
  assert.equal(out.fitSeconds.perFold.length, 5);
  assert.ok(Array.isArray(out.warnings));
});

test('cv with --set, --cv and --seed; the params echo the effective hyperparameters', () => {
  const r = runCli(['cv', '--data', join(DATA, 'wine.csv'), '--algo', 'lmnn', '--set', 'k=2', '--set', 'maxIter=30', '--cv', '3', '--seed', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.params.k, 2);
  assert.equal(out.params.maxIter, 30);
  assert.equal(out.nFolds, 3);
  assert.ok(out.accuracy.mean > 0.9);
  assert.ok(out.warnings.some((w: string) => /maxIter/.test(w)));
});

test('cv regression task reports mse', () => {
  const r = runCli(['cv', '--data', join(DATA, 'iris.csv'), '--algo', 'euclidean', '--task', 'regression', '--cv', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.mse.mean >= 0 && out.mse.mean < 0.2);
  assert.equal(out.accuracy, undefined);
});

test('cv usage errors exit 2 with a message, runtime errors exit 1', () => {
  const bad = (args: string[], code: number, re: RegExp) => {
    const r = runCli(['cv', '--data', join(DATA, 'iris.csv'), ...args]);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, re);
  };
  bad(['--algo', 'nope'], 2, /unknown algorithm "nope"; available: .*lmnn/);
  bad(['--algo', 'nca', '--set', 'bogus=1'], 2, /unknown option "bogus"/);
  bad(['--algo', 'nca', '--folds', join(DATA, 'iris.folds.csv'), '--cv', '5'], 2, /either --folds/);
  bad(['--algo', 'nca', '--k', '0'], 2, /--k/);
  bad(['--algo', 'nca', '--folds', join(DATA, 'wine.folds.csv')], 1, /another dataset/);
  // An option value the data cannot support is the option's fault, as --k is: a usage error.
  bad(['--algo', 'lmnn', '--set', 'k=60', '--folds', join(DATA, 'iris.folds.csv')], 2, /^simlearn: --set k=60: .*lower k/);
  bad(['--algo', 'nca', '--cv', '151'], 2, /^simlearn: --cv 151: .*cannot make 151 folds from 150 rows; use nFolds \(simlearn cv --cv\) of at most 150/);
});

test('cv and fit: seeds, --set numbers, ITML bounds and a labels file beside a CSV are usage errors naming the option', () => {
  const iris = join(DATA, 'iris.csv');
  const bad = (args: string[], re: RegExp) => {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  };
  // 2^32 gave the folds of seed 0; −1 and 1.5 were taken as 2^32 − 1 and 1.
  bad(['cv', '--data', iris, '--algo', 'euclidean', '--cv', '3', '--seed', '4294967296'], /--seed must be an integer in 0\.\.4294967295/);
  bad(['cv', '--data', iris, '--algo', 'lmnn', '--cv', '3', '--set', 'seed=-1'], /--set seed=-1: seed must be an integer in 0\.\.4294967295/);
  bad(['fit', '--data', iris, '--algo', 'lfda', '--set', 'seed=1.5', '--out', join(tmpdir(), 'simlearn-never-written.simlearn')], /--set seed=1\.5: seed must be an integer/);
  bad(['cv', '--data', iris, '--algo', 'lmnn', '--cv', '3', '--set', 'k=0x10'], /--set k=0x10: write numbers in decimal/);
  bad(['cv', '--data', iris, '--algo', 'lmnn', '--cv', '3', '--set', 'k=1e12'], /--set k=1000000000000: .*lower k/);
  bad(['cv', '--data', iris, '--algo', 'itml', '--cv', '3', '--set', 'bounds=[5,1]'], /--set bounds=\[5,1\]: .*itml: bounds must satisfy 0 < u < l.*did you mean \[1, 5\]/);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cv-'));
  try {
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, '0\n'.repeat(150));
    bad(['cv', '--data', iris, '--algo', 'euclidean', '--cv', '3', '--labels', labels], /--labels .*: a labels file goes with \.npy data only; .*iris\.csv carries its labels in a column/);
    bad(['fit', '--data', iris, '--algo', 'euclidean', '--labels', labels, '--out', join(dir, 'm.simlearn')], /--labels .*goes with \.npy data only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fit then transform through a saved pipeline matches the library', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cv-'));
  const model = join(dir, 'm.simlearn');
  const r = runCli(['fit', '--data', join(DATA, 'iris.csv'), '--algo', 'nca', '--set', 'nComponents=2', '--out', model, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.nComponents, 2);
  const out = join(dir, 'z.csv');
  const t = runCli(['transform', '--model', model, '--data', join(DATA, 'iris.csv'), '--out', out]);
  assert.equal(t.code, 0, t.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 151);
  assert.deepEqual(lines[0].split(','), ['c0', 'c1', 'label']);
  // Same-class points end up closer on average than other-class points.
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  let same = 0, ns = 0, diff = 0, nd = 0;
  for (let i = 0; i < rows.length; i += 7) for (let j = i + 1; j < rows.length; j += 7) {
    const d = Math.hypot(rows[i][0] - rows[j][0], rows[i][1] - rows[j][1]);
    if (rows[i][2] === rows[j][2]) { same += d; ns++; } else { diff += d; nd++; }
  }
  assert.ok(same / ns < 0.5 * (diff / nd));
  writeFileSync(join(dir, 'junk.simlearn'), 'not a model');
  const bad = runCli(['transform', '--model', join(dir, 'junk.simlearn'), '--data', join(DATA, 'iris.csv'), '--out', out]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /junk\.simlearn/);
});

test('cv --task regression with a learner of class labels is a usage error naming mlkr; the same warning from several folds reads once', async () => {
  const r = runCli(['cv', '--data', join(DATA, 'iris.csv'), '--algo', 'lmnn', '--task', 'regression']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--task regression: lmnn learns from class labels .*use --algo mlkr/);
  assert.equal(runCli(['cv', '--data', join(DATA, 'iris.csv'), '--algo', 'covariance', '--task', 'regression', '--json']).code, 0);
  const { mergeFoldWarnings } = await import('../../src/cli/cv.js');
  assert.deepEqual(mergeFoldWarnings(['fold 0: A', 'fold 1: B', 'fold 2: A', 'other', 'fold 4: A']), ['folds 0, 2, 4: A', 'fold 1: B', 'other']);
});

test('cv: a fit error advising a learner option left at its default says how to set it (--set), and that --k is the scorer\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cv-hint-'));
  try {
    const lines = readFileSync(join(DATA, 'iris.csv'), 'utf8').trim().split('\n');
    const labelAt = lines[0].split(',').indexOf('label');
    let kept = 0;
    const rows = lines.slice(1).filter((l) => l.split(',')[labelAt] !== '2' || ++kept <= 3);
    const p = join(dir, 'rare.csv');
    writeFileSync(p, [lines[0], ...rows].join('\n') + '\n');
    const r = runCli(['cv', '--data', p, '--algo', 'lmnn']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /lower k to 1 .*\(from the CLI: --set k=VALUE; --k is the k-NN scorer's k, not the learner's\)/);
    // Set by the user: the error is a usage error under the flag, without the hint.
    const s = runCli(['cv', '--data', p, '--algo', 'lmnn', '--set', 'k=2']);
    assert.equal(s.code, 2, s.stderr);
    assert.match(s.stderr, /--set k=2: fold \d: lmnn: class 2 has 2 samples/);
    assert.doesNotMatch(s.stderr, /from the CLI/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
