import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, readCsvSync, writeCsv, readFolds, splitCsvRecord } from '../../src/io/csv.js';
import { Matrix } from '../../src/matrix.js';
import { DATA } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'simlearn-csv-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function file(text: string, ext = '.csv'): string {
  const p = join(dir, `f${counter++}${ext}`);
  writeFileSync(p, text);
  return p;
}

test('reads the shipped datasets with the label column and numeric labels', async () => {
  const iris = readCsvSync(join(DATA, 'iris.csv'));
  assert.equal(iris.X.rows, 150);
  assert.equal(iris.X.cols, 4);
  assert.equal(iris.labelName, 'label');
  assert.deepEqual(iris.featureNames, ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
  assert.deepEqual(iris.X.row(0), new Float64Array([5.1, 3.5, 1.4, 0.2]));
  assert.equal(typeof iris.y![0], 'number');
  assert.equal(new Set(iris.y).size, 3);
  const asyncIris = await readCsv(join(DATA, 'iris.csv'));
  assert.deepEqual(asyncIris.X.data, iris.X.data);
  assert.deepEqual(asyncIris.y, iris.y);
  const digits = readCsvSync(join(DATA, 'digits.csv'));
  assert.deepEqual([digits.X.rows, digits.X.cols], [1797, 64]);
});

test('label selection: named column anywhere, index, negative index, last, none', () => {
  const p = file('a,label,b\n1,x,2\n3,y,4\n');
  const d = readCsvSync(p);
  assert.deepEqual(d.featureNames, ['a', 'b']);
  assert.deepEqual(d.y, ['x', 'y']);
  assert.deepEqual(Array.from(d.X.data), [1, 2, 3, 4]);
  const byIndex = readCsvSync(file('a,b,c\n1,2,3\n4,5,6\n'), { label: 0 });
  assert.deepEqual(byIndex.y, [1, 4]);
  assert.deepEqual(byIndex.featureNames, ['b', 'c']);
  assert.deepEqual(readCsvSync(file('a,b,c\n1,2,3\n'), { label: -2 }).y, [2]);
  assert.deepEqual(readCsvSync(file('a,b,c\n1,2,3\n'), { label: 'last' }).y, [3]);
  assert.deepEqual(readCsvSync(file('a,b,c\n1,2,3\n'), { label: 'b' }).featureNames, ['a', 'c']);
  assert.deepEqual(readCsvSync(file('a,b,c\n1,2,3\n'), { label: '1' }).y, [2], 'numeric strings from the CLI are indices');
  const none = readCsvSync(file('a,b\n1,2\n'), { label: null });
  assert.equal(none.y, null);
  assert.equal(none.labelName, null);
  assert.equal(none.X.cols, 2);
});

test('delimiters are detected (; tab |) or given; quotes, CRLF, BOM, blank lines', () => {
  for (const [sep, name] of [[';', 'semicolon'], ['\t', 'tab'], ['|', 'pipe']]) {
    const d = readCsvSync(file(`x${sep}y${sep}label\n1.5${sep}2${sep}a\n3${sep}-4e-2${sep}b\n`));
    assert.deepEqual(Array.from(d.X.data), [1.5, 2, 3, -0.04], name);
    assert.deepEqual(d.y, ['a', 'b'], name);
  }
  const q = readCsvSync(file('\ufeff"x","y","label"\r\n1,2,"cat, big"\r\n\r\n3,4,"say ""hi"""\r\n\r\n'));
  assert.deepEqual(q.featureNames, ['x', 'y']);
  assert.deepEqual(q.y, ['cat, big', 'say "hi"']);
  const multi = readCsvSync(file('x,label\n1,"two\nlines"\n2,b\n'));
  assert.deepEqual(multi.y, ['two\nlines', 'b']);
  assert.deepEqual(splitCsvRecord('a,"b,c",d', ','), ['a', 'b,c', 'd']);
  assert.equal(splitCsvRecord('a,"open', ','), null);
  // An explicit delimiter wins over detection; a decimal comma is then reported, not misread.
  assert.deepEqual(Array.from(readCsvSync(file('a;b,c\n1;2\n'), { delimiter: ';', label: null }).X.data), [1, 2]);
  assert.throws(() => readCsvSync(file('a;b\n1,5;2\n'), { delimiter: ';', label: null }), /column "a": the cell "1,5" is not a finite number/);
});

test('a header-less numeric file gets generated names; label defaults to the last column', () => {
  const d = readCsvSync(file('1,2,0\n3,4,1\n'));
  assert.deepEqual(d.featureNames, ['x0', 'x1']);
  assert.equal(d.labelName, 'x2');
  assert.deepEqual(d.y, [0, 1]);
  assert.equal(d.X.rows, 2);
  // String labels in a header-less file: the first line is data, not a header.
  const s = readCsvSync(file('1,2,cat\n3,4,dog\n'));
  assert.deepEqual(s.y, ['cat', 'dog']);
  assert.equal(s.X.rows, 2);
  assert.deepEqual(readCsvSync(file('f1,f2,label\n1,2,cat\n')).featureNames, ['f1', 'f2']);
  assert.equal(readCsvSync(file('1,2,cat\n3,4,dog\n'), { header: true }).X.rows, 1);
  assert.throws(() => readCsvSync(file('a,b\n1,2\n'), { header: false, label: null }), /line 1, column "x0": the cell "a" is not a finite number/);
});

test('errors name the file, line, column and cell', async () => {
  const bad = file('a,b,label\n1,2,x\n3,oops,y\n');
  assert.throws(() => readCsvSync(bad), (e: Error) => {
    assert.match(e.message, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 3, column "b": the cell "oops" is not a finite number`));
    return true;
  });
  await assert.rejects(readCsv(bad), /line 3, column "b"/);
  assert.throws(() => readCsvSync(file('a,b,label\n1,,x\n')), /line 2, column "b": the cell is empty/);
  assert.throws(() => readCsvSync(file('a,b,label\n1,2,x\n1,2\n')), /line 3 has 2 fields but the header has 3 \(ragged row/);
  assert.throws(() => readCsvSync(file('')), /the file is empty/);
  assert.throws(() => readCsvSync(file('a,b,label\n')), /header but no data rows/);
  assert.throws(() => readCsvSync(file('a,b\n1,2\n'), { label: 'target' }), /no column named "target" for the labels \(columns: a, b\)/);
  assert.throws(() => readCsvSync(file('a,b\n1,2\n'), { label: 5 }), /label column index 5 is outside the 2 columns/);
  assert.throws(() => readCsvSync(file('a,label\n1,\n')), /line 2, column "label": the label is empty/);
  assert.throws(() => readCsvSync(file('label\n1\n')), /only column is the label column/);
  assert.throws(() => readCsvSync(file('a,b\n1,0x10\n'), { label: null }), /"0x10" is not a finite number/);
  assert.throws(() => readCsvSync(file('a,b\n1,Infinity\n'), { label: null }), /"Infinity" is not a finite number/);
  assert.throws(() => readCsvSync(file('x,label\n1,"never closed\n')), /line 2 opens a quoted field that is never closed/);
  assert.throws(() => readCsvSync(join(dir, 'missing.csv')), /cannot read .*missing\.csv: no such file/);
  await assert.rejects(readCsv(join(dir, 'missing.csv')), /no such file/);
  // A trailing delimiter on every row is tolerated.
  assert.deepEqual(readCsvSync(file('a,b,label\n1,2,x,\n')).y, ['x']);
});

test('writeCsv round-trips float64 values exactly and quotes labels when needed', () => {
  const X = new Matrix(3, 2, new Float64Array([0.1 + 0.2, -1e-300, Math.PI, 123456789.123, -0, 5e20]));
  const p = join(dir, 'w.csv');
  writeCsv(p, X, { y: ['a,b', 'plain', 'q"x'], featureNames: ['f1', 'f 2'] });
  const back = readCsvSync(p);
  assert.deepEqual(Array.from(back.X.data), Array.from(X.data).map((v) => (Object.is(v, -0) ? 0 : v)));
  assert.deepEqual(back.y, ['a,b', 'plain', 'q"x']);
  assert.deepEqual(back.featureNames, ['f1', 'f 2']);
  assert.throws(() => writeCsv(p, X, { y: [1] }), /y has 1 labels but X has 3 rows/);
});

test('readFolds validates that every row appears exactly once', () => {
  const f = readFolds(join(DATA, 'wine.folds.csv'), 178);
  assert.equal(f.length, 178);
  assert.deepEqual(Array.from(readFolds(file('row,fold\n1,0\n0,1\n2,1\n'))), [1, 0, 1]);
  assert.throws(() => readFolds(file('row,fold\n0,0\n0,1\n')), /line 3: row 0 appears twice/);
  assert.throws(() => readFolds(file('row,fold\n0,0\n2,1\n')), /row 1 is missing/);
  assert.throws(() => readFolds(file('row,fold\n0,0\n1,1\n'), 3), /lists 2 rows but the dataset has 3/);
  assert.throws(() => readFolds(file('row,fold\n0,a\n')), /line 2, column "fold": "a" is not a fold number/);
  assert.throws(() => readFolds(file('id,group\n0,0\n')), /needs columns "row" and "fold"/);
});

test('a larger generated file streams through both readers identically', async () => {
  const rows: string[] = ['a,b,c,label'];
  for (let i = 0; i < 20000; i++) rows.push(`${i},${i * 0.5},${-i},${i % 7}`);
  const p = file(rows.join('\n'));
  const s = readCsvSync(p);
  const a = await readCsv(p);
  assert.equal(s.X.rows, 20000);
  assert.deepEqual(a.X.data, s.X.data);
  assert.equal(s.X.get(19999, 1), 9999.5);
  assert.equal(s.y![19999], 19999 % 7);
});

test('csv: a quoted label keeps the spaces inside its quotes, an unquoted one is trimmed; quoted numbers read as before', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-quoted-'));
  try {
    const p = join(dir, 'ws.csv');
    writeFileSync(p, 'f1,f2,label\n1," 2.5 ","a"\n2,3," a"\n3, "4" ,"a"\n4,5," a"\n5,6, b \n');
    const d = readCsvSync(p);
    assert.deepEqual(d.y, ['a', ' a', 'a', ' a', 'b']);
    assert.deepEqual(Array.from(d.X.data), [1, 2.5, 2, 3, 3, 4, 4, 5, 5, 6]);
    const flags: boolean[] = [];
    assert.deepEqual(splitCsvRecord('1, "x, y" ,"a""b",z"', ',', flags), ['1', 'x, y', 'a"b', 'z"']);
    assert.deepEqual(flags, [false, true, true, false]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
