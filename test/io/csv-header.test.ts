/**
 * Header detection: a first line is never silently dropped (a data row with a bad cell) nor
 * silently added (pandas' integer column names); the rule is documented on looksLikeHeader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, readCsvSync, looksLikeHeader } from '../../src/io/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'simlearn-csv-header-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function file(text: string): string {
  const p = join(dir, `h${counter++}.csv`);
  writeFileSync(p, text);
  return p;
}

const ROWS = ['5.1,3.5,1.4,0.2', '4.9,3.0,1.4,0.2', '6.3,3.3,6.0,2.5'];

test('a header-less first row with a missing-value token or a typo is data: the cell is reported, not the row dropped', async () => {
  for (const [first, column, cell] of [['5.1,NA,1.4,0.2,0', 'x1', 'NA'], ['5.1,3.5,1.4x,0.2,0', 'x2', '1.4x'], ['nan,3.5,1.4,0.2,0', 'x0', 'nan'], ['5.1,?,1.4,0.2,0', 'x1', '?']]) {
    const p = file([first, '5.4,3.9,1.7,0.4,0', '5.4,3.7,1.5,0.2,1'].join('\n') + '\n');
    const expected = new RegExp(`line 1, column "${column}": the cell "${cell.replace(/[?.]/g, '\\$&')}" is not a finite number`);
    assert.throws(() => readCsvSync(p), expected, first);
    await assert.rejects(readCsv(p), expected, first);
  }
  // The same on a one-line file.
  assert.throws(() => readCsvSync(file('5.1,NA,1.4,0.2,0\n')), /line 1, column "x1": the cell "NA"/);
  // A typo that starts like a number is not offered as a label column.
  assert.doesNotMatch(String(captureError(() => readCsvSync(file('5.1,3.5,1.4x,0.2,0\n5.4,3.9,1.7,0.4,0\n')))), /--label/);
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

test('text headers keep working: iris-like names, quoted names, one unnamed index column', () => {
  const iris = readCsvSync(file(`sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n${ROWS.map((r, i) => `${r},${i}`).join('\n')}\n`));
  assert.equal(iris.X.rows, 3);
  assert.equal(iris.labelName, 'label');
  const quoted = readCsvSync(file(`"a","b","c","d","species"\n${ROWS.map((r) => `${r},setosa`).join('\n')}\n`));
  assert.deepEqual(quoted.featureNames, ['a', 'b', 'c', 'd']);
  assert.equal(quoted.X.rows, 3);
  const indexed = readCsvSync(file(`,a,b,c,d,label\n${ROWS.map((r, i) => `${i},${r},0`).join('\n')}\n`));
  assert.equal(indexed.X.rows, 3);
  assert.deepEqual(indexed.featureNames, ['column_0', 'a', 'b', 'c', 'd']);
});

test('pandas-style integer column names are a header, with or without a label column', () => {
  const plain = readCsvSync(file(`0,1,2,3\n${ROWS.join('\n')}\n`), { label: null });
  assert.equal(plain.X.rows, 3, '0,1,2,3 over real numbers names the columns');
  assert.deepEqual(plain.featureNames, ['0', '1', '2', '3']);
  const named = readCsvSync(file(`0,1,2,3,label\n${ROWS.map((r) => `${r},1`).join('\n')}\n`));
  assert.deepEqual([named.X.rows, named.labelName], [3, 'label']);
  const labelFirst = readCsvSync(file(`label,0,1,2,3\n${ROWS.map((r) => `1,${r}`).join('\n')}\n`));
  assert.deepEqual([labelFirst.X.rows, labelFirst.labelName], [3, 'label']);
  const strings = readCsvSync(file(`0,1,2,3,species\n${ROWS.map((r) => `${r},setosa`).join('\n')}\n`));
  assert.deepEqual([strings.X.rows, strings.labelName], [3, 'species']);
  const oneBased = readCsvSync(file(`1,2,3,4,label\n${ROWS.map((r) => `${r},0`).join('\n')}\n`));
  assert.deepEqual([oneBased.X.rows, oneBased.labelName], [3, 'label']);
  const allInts = readCsvSync(file(`0,1,2,3,4\n${ROWS.map((r) => `${r},0`).join('\n')}\n`));
  assert.deepEqual([allInts.X.rows, allInts.labelName], [3, '4']);
  const indexCol = readCsvSync(file(`,0,1,2,3\n${ROWS.map((r, i) => `${i},${r}`).join('\n')}\n`), { label: null });
  assert.equal(indexCol.X.rows, 3);
});

test('ambiguous integer first rows: the documented decisions', () => {
  // Exactly 0..n-1 over integer data, n >= 4: still names (pandas); header: false reads it as data.
  const ints = `0,1,2,3\n4,5,6,7\n8,9,10,11\n`;
  assert.equal(readCsvSync(file(ints), { label: null }).X.rows, 2);
  assert.equal(readCsvSync(file(ints), { label: null, header: false }).X.rows, 3);
  // Short sequences over integers are data: too likely to be a real row.
  assert.equal(readCsvSync(file('0,1\n1,0\n2,1\n')).X.rows, 3);
  assert.equal(readCsvSync(file('0,1,cat\n2,3,dog\n')).X.rows, 2);
  assert.equal(readCsvSync(file('1,2,cat\n3,4,dog\n')).X.rows, 2);
  // ...but names over non-integers.
  assert.equal(readCsvSync(file('0,1\n0.5,1\n2.5,0\n')).X.rows, 2);
  // A 1-based all-numeric first line is data (only 0-based is pandas' default).
  assert.equal(readCsvSync(file(`1,2,3,4,5\n${ROWS.map((r) => `${r},0`).join('\n')}\n`)).X.rows, 4);
  // Other numbers are data as before.
  assert.equal(readCsvSync(file('1,2,0\n3,4,1\n')).X.rows, 2);
});

test('looksLikeHeader: the rule itself', () => {
  assert.equal(looksLikeHeader(['a', 'b', 'label'], ['1', '2', '0']), true);
  assert.equal(looksLikeHeader(['a', 'b', 'label'], null), true);
  assert.equal(looksLikeHeader(['5.1', 'NA', '0'], ['5.1', '3', '0']), false);
  assert.equal(looksLikeHeader(['NA', 'NA', 'setosa'], ['5.1', '3', 'setosa']), false);
  assert.equal(looksLikeHeader(['', '', 'setosa'], ['5.1', '3', 'setosa']), false, 'two empty cells: a row of gaps, not names');
  assert.equal(looksLikeHeader(['0', '1', '2', '3'], null), true);
  assert.equal(looksLikeHeader(['0', '1', '2'], null), false);
  assert.equal(looksLikeHeader(['0', '2', '1', '3'], ['0.5', '1', '1', '1']), false, 'not in column order');
});

test('numeric column names beside mostly text ones still make a header when a name has a number below it', () => {
  const d = readCsvSync(file(['age,income,2020,label', '30,5000,1.5,0', '41,7200,0.5,1'].join('\n') + '\n'));
  assert.equal(d.X.rows, 2);
  assert.deepEqual(d.featureNames, ['age', 'income', '2020']);
  assert.equal(looksLikeHeader(['age', 'income', '2020', 'label'], ['30', '5000', '1.5', '0']), true);
  // Mostly numbers with one text cell is a data row with a typo, not a header.
  assert.equal(looksLikeHeader(['5.1', '3.5', '1.4x', '0'], ['4.9', '3.0', '1.4', '0']), false);
});
