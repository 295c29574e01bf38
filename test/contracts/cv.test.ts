/**
 * Contract of `simlearn cv` on data shaped unlike the bundled sets: label column first and
 * named differently, string labels, semicolons + CRLF + quoted header, a regression target.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers.js';
import { writeNpy } from '../../src/io/npy.js';
import { tempDir, blobs, writeBlobsCsv, parseOneJson, runInProcess } from './fixtures.js';

const dir = tempDir('cv');
after(() => rmSync(dir, { recursive: true, force: true }));
const NAMES = ['setosa', 'versi color', 'virginica'];
const species = writeBlobsCsv(join(dir, 'species.csv'), blobs([30, 30, 30], 4, 11), { labelName: 'species', labelFirst: true, labels: (c) => NAMES[c] });
const semi = writeBlobsCsv(join(dir, 'semi.csv'), blobs([20, 20], 3, 12), { delimiter: ';', eol: '\r\n', trailingNewline: false, quoteHeader: true });

function std(v: number[]): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

function checkSummary(s: unknown, nFolds: number): { mean: number; std: number; perFold: number[] } {
  const o = s as { mean: number; std: number; perFold: number[] };
  assert.equal(typeof o.mean, 'number');
  assert.equal(o.perFold.length, nFolds);
  assert.ok(Math.abs(o.mean - o.perFold.reduce((a, b) => a + b, 0) / nFolds) < 1e-12);
  // Population std over the folds, as the contract says.
  assert.ok(Math.abs(o.std - std(o.perFold)) < 1e-12, `std ${o.std} vs ${std(o.perFold)}`);
  return o;
}

test('cv --json: one object with the contract keys, --label names a first column of strings', () => {
  for (const algo of ['euclidean', 'lfda']) {
    const r = runCli(['cv', '--data', species, '--label', 'species', '--algo', algo, '--cv', '5', '--seed', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = parseOneJson(r.stdout);
    for (const key of ['algorithm', 'params', 'k', 'nFolds', 'accuracy', 'fitSeconds', 'warnings']) assert.ok(key in out, `missing ${key}`);
    assert.equal(out.algorithm, algo);
    assert.equal(out.k, 3);
    assert.equal(out.nFolds, 5);
    assert.equal(typeof out.params, 'object');
    assert.ok(Array.isArray(out.warnings));
    const acc = checkSummary(out.accuracy, 5);
    assert.ok(acc.mean > 0.9 && acc.mean <= 1, `${algo}: accuracy ${acc.mean} on well separated blobs`);
    const fit = out.fitSeconds as { median: number; perFold: number[] };
    assert.equal(fit.perFold.length, 5);
    assert.ok(fit.perFold.every((t) => t >= 0) && fit.median >= 0);
    assert.equal(out.mse, undefined);
  }
});

test('cv --algo mlkr with defaults on text class labels scores k-NN accuracy (class codes as targets)', async () => {
  const r = await runInProcess(['cv', '--data', species, '--label', 'species', '--algo', 'mlkr', '--cv', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = parseOneJson(r.stdout);
  assert.ok((out.accuracy as { mean: number }).mean > 0.8);
  assert.equal(out.mse, undefined);
  assert.match(r.stderr, /--task/);
});

test('cv: the effective hyperparameters are echoed, including --set values', async () => {
  const r = await runInProcess(['cv', '--data', semi, '--algo', 'nca', '--set', 'maxIter=7', '--cv', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = parseOneJson(r.stdout);
  const params = out.params as Record<string, unknown>;
  assert.equal(params.maxIter, 7);
  assert.ok('tol' in params && 'init' in params, 'defaults the user did not set are listed too');
  assert.equal(out.nFolds, 2);
});

test('cv: a folds file (row,fold) sets the folds and their number', () => {
  const folds = join(dir, 'semi.folds.csv');
  writeFileSync(folds, 'row,fold\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 4}`).join('\n') + '\n');
  const r = runCli(['cv', '--data', semi, '--algo', 'euclidean', '--folds', folds, '--k', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = parseOneJson(r.stdout);
  assert.equal(out.nFolds, 4);
  assert.equal(out.k, 1);
  checkSummary(out.accuracy, 4);
});

test('cv regression: mse summary for mlkr and euclidean with --task regression', async () => {
  const b = blobs([40], 3, 13);
  const path = join(dir, 'reg.csv');
  // An id column first, the target named "price" in the middle.
  const lines = ['id,a,price,b,c', ...b.X.map((x, i) => `${i + 1000},${x[0]},${(2 * x[0] - x[1]).toFixed(4)},${x[1]},${x[2]}`)];
  writeFileSync(path, lines.join('\n') + '\n');
  for (const algo of ['mlkr', 'euclidean']) {
    const r = await runInProcess(['cv', '--data', path, '--label', 'price', '--algo', algo, '--task', 'regression', '--cv', '4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = parseOneJson(r.stdout);
    const mse = checkSummary(out.mse, 4);
    assert.ok(mse.mean >= 0 && Number.isFinite(mse.mean));
    assert.equal(out.accuracy, undefined);
  }
});

test('cv usage errors exit 2 and name the argument', async () => {
  const cases: [string[], RegExp][] = [
    [['--algo', 'nosuch'], /--algo.*unknown algorithm.*lmnn/],
    [['--algo', 'nca', '--set', 'bogus=1'], /--set.*bogus.*maxIter/],
    [['--algo', 'euclidean', '--set', 'k=3'], /--set.*"k"/],
    [['--algo', 'lmnn', '--set', 'k=abc'], /--set k.*k must be/],
    [['--algo', 'nca', '--k', '0'], /--k/],
    [['--algo', 'nca', '--cv', '1'], /--cv/],
    [['--algo', 'nca', '--task', 'ranking'], /--task/],
    [['--algo', 'nca', '--cv', '3', '--folds', 'x.csv'], /--folds.*--cv/],
  ];
  for (const [args, re] of cases) {
    const r = await runInProcess(['cv', '--data', species, '--label', 'species', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('cv bad data: clear messages naming the file, line, column or argument; never a score', async () => {
  const nan = join(dir, 'nan.csv');
  writeFileSync(nan, 'a,b,label\n1,2,0\n2,NaN,1\n3,4,0\n1,1,1\n');
  const ragged = join(dir, 'ragged.csv');
  writeFileSync(ragged, 'a,b,label\n1,2,0\n1,2\n3,4,1\n');
  const single = writeBlobsCsv(join(dir, 'single.csv'), blobs([12], 2, 14));
  const shortFolds = join(dir, 'short.folds.csv');
  writeFileSync(shortFolds, 'row,fold\n' + Array.from({ length: 38 }, (_, i) => `${i},${i % 2}`).join('\n') + '\n');
  const cases: [string[], number, RegExp][] = [
    [['--data', nan, '--algo', 'nca'], 1, /nan\.csv: line 3, column "b"/],
    [['--data', species, '--algo', 'nca'], 1, /line 2, column "species".*--label species/],
    [['--data', ragged, '--algo', 'nca'], 1, /ragged\.csv: line 3 has 2 fields/],
    [['--data', join(dir, 'missing.csv'), '--algo', 'nca'], 1, /missing\.csv/],
    [['--data', single, '--algo', 'euclidean'], 2, /--label.*single class/],
    [['--data', semi, '--algo', 'euclidean', '--folds', shortFolds], 1, /38 rows but the dataset has 40/],
    [['--data', semi, '--algo', 'euclidean', '--k', '40'], 2, /--k 40: .*smaller than the training part/],
    [['--data', semi, '--algo', 'nca', '--label', 'nope'], 1, /no column named "nope".*feature 0/],
  ];
  for (const [args, code, re] of cases) {
    const r = await runInProcess(['cv', ...args, '--json']);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '', 'no JSON on stdout after an error');
  }
});

test('cv reads .npy features with --labels and JSON Lines {vector, label}', async () => {
  const b = blobs([15, 15], 3, 15);
  const npy = join(dir, 'x.npy');
  writeNpy(npy, Float64Array.from(b.X.flat()), [30, 3]);
  writeFileSync(join(dir, 'y.txt'), b.y.map((c) => `class ${c}`).join('\n') + '\n');
  writeFileSync(join(dir, 'x.jsonl'), b.X.map((v, i) => JSON.stringify({ vector: v, label: `class ${b.y[i]}` })).join('\n') + '\n');
  const scores: number[][] = [];
  for (const args of [['--data', npy, '--labels', join(dir, 'y.txt')], ['--data', join(dir, 'x.jsonl')]]) {
    const r = await runInProcess(['cv', ...args, '--algo', 'euclidean', '--cv', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    scores.push((parseOneJson(r.stdout).accuracy as { perFold: number[] }).perFold);
  }
  assert.deepEqual(scores[0], scores[1], 'same data, same folds, same scores whatever the format');
  const noLabels = await runInProcess(['cv', '--data', npy, '--algo', 'euclidean']);
  assert.equal(noLabels.code, 2);
  assert.match(noLabels.stderr, /--labels FILE/);
});
