/** readFolds reads cells as strictly as the data reader and accepts quoted headers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFolds } from '../../src/io/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'simlearn-folds-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function file(text: string): string {
  const p = join(dir, `f${counter++}.csv`);
  writeFileSync(p, text);
  return p;
}

test('an empty fold or row cell is an error naming the line and column, not fold 0', () => {
  assert.throws(() => readFolds(file('row,fold\n0,0\n1,\n2,1\n')), /line 3, column "fold": the cell is empty/);
  assert.throws(() => readFolds(file('row,fold\n0,0\n ,1\n')), /line 3, column "row": the cell is empty/);
  assert.throws(() => readFolds(file('row,fold\n0,0\n1\n')), /line 3, column "fold": the line has 1 field/);
});

test('hex, binary, octal and non-finite cells are refused as in data files', () => {
  assert.throws(() => readFolds(file('row,fold\n0,0\n1,0x1\n')), /line 3, column "fold": "0x1" is not a fold number/);
  assert.throws(() => readFolds(file('row,fold\n0,0b1\n')), /line 2, column "fold": "0b1" is not a fold number/);
  assert.throws(() => readFolds(file('row,fold\n0x0,0\n')), /line 2, column "row": "0x0" is not a row index/);
  assert.throws(() => readFolds(file('0,0\n1,0x1\n')), /line 2, column "fold": "0x1"/);
  assert.throws(() => readFolds(file('row,fold\n0,Infinity\n')), /"Infinity" is not a fold number/);
  assert.deepEqual(Array.from(readFolds(file('row,fold\n0,1.0\n1,0\n'))), [1, 0], 'an integer written as a float is fine');
  assert.throws(() => readFolds(file('row,fold\n0,1099511627776\n1,0\n')), /line 2, column "fold": "1099511627776" is too large for a fold number/, 'not wrapped to fold 0');
});

test('quoted headers and cells are unquoted', () => {
  assert.deepEqual(Array.from(readFolds(file('"row","fold"\n0,0\n1,1\n2,0\n'))), [0, 1, 0]);
  assert.deepEqual(Array.from(readFolds(file('"fold";"row"\n"1";"0"\n"0";"1"\n'))), [1, 0]);
  assert.deepEqual(Array.from(readFolds(file('0,1\n1,0\n'))), [1, 0], 'no header');
  assert.throws(() => readFolds(file('"id","group"\n0,0\n')), /needs columns "row" and "fold", got: id, group$/);
});
