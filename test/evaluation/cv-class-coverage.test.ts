import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvSync } from '../../src/io/csv.js';
import { crossValidate } from '../../src/evaluation/cross-validate.js';
import '../../src/metric/registry.js';
import { runCli, DATA } from '../helpers.js';

const iris = readCsvSync(join(DATA, 'iris.csv'));
const y = iris.y as number[];
// iris is sorted by class (50 rows each): fold = class puts all of class 0 in fold 0's test part
const byClass = y.map((c) => c);

test('crossValidate warns when a fold tests a class its training part lacks, naming the fold and the class', () => {
  const r = crossValidate(iris.X, y, { algorithm: 'euclidean', folds: byClass });
  assert.equal(r.accuracy!.perFold[0], 0);
  for (const f of [0, 1, 2]) {
    const w = r.warnings.filter((m) => m.startsWith(`fold ${f}:`));
    assert.equal(w.length, 1, r.warnings.join('\n'));
    assert.match(w[0], new RegExp(`class ${f} \\(50 test rows\\) of the test part is absent from its training part`));
  }
  // two classes out in one fold: both named
  const two = crossValidate(iris.X, y, { algorithm: 'euclidean', folds: y.map((c) => (c === 2 ? 1 : 0)) });
  assert.ok(two.warnings.some((m) => /^fold 0: classes 0 \(50 test rows\), 1 \(50 test rows\)/.test(m)), two.warnings.join('\n'));
  // stratified folds: no warning
  assert.deepEqual(crossValidate(iris.X, y, { algorithm: 'euclidean', nFolds: 5 }).warnings, []);
  // regression scores no classes
  assert.deepEqual(crossValidate(iris.X, y, { algorithm: 'euclidean', folds: byClass, task: 'regression' }).warnings, []);
});

test('simlearn cv prints the warning and includes it in --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cv-classout-'));
  try {
    const folds = join(dir, 'folds.csv');
    writeFileSync(folds, 'row,fold\n' + byClass.map((c, i) => `${i},${c}`).join('\n') + '\n');
    const j = runCli(['cv', '--data', join(DATA, 'iris.csv'), '--algo', 'euclidean', '--folds', folds, '--json']);
    assert.equal(j.code, 0, j.stderr);
    assert.ok(JSON.parse(j.stdout).warnings.some((w: string) => /^fold 0: class 0 .*absent from its training part/.test(w)));
    const h = runCli(['cv', '--data', join(DATA, 'iris.csv'), '--algo', 'euclidean', '--folds', folds]);
    assert.match(h.stderr, /warning: fold 1: class 1 \(50 test rows\) of the test part is absent/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crossValidate: a fit failing on a class\'s size in one fold reports the smallest class over every training part', () => {
  // Class 2 cut to 4 rows; with these folds its training parts hold 3, 3, 4 and 2 rows, and
  // fold 0 (3 rows) is where LMNN with k = 3 fails first: the advice must cover fold 3's 2.
  const keep = y.map((c, i) => c !== 2 || i < 104);
  const rows = keep.flatMap((k, i) => (k ? [i] : []));
  const X = iris.X.takeRows(rows);
  const yy = rows.map((i) => y[i]);
  const folds = rows.map((i, r) => (y[i] === 2 ? [0, 1, 3, 3][i - 100] : r % 4));
  assert.throws(() => crossValidate(X, yy, { algorithm: 'lmnn', folds }), /^RangeError: fold 0: lmnn: class 2 has 3 samples.*\(across the 4 training parts the smallest class has 2 rows, in fold 3's\)$/s);
});
