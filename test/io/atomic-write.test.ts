/** Output files are replaced whole or not at all, and write errors name the path and the fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, ensureParentDir } from '../../src/io/atomic-write.js';
import { writeCsv, readCsvSync } from '../../src/io/csv.js';
import { writeJsonl } from '../../src/io/jsonl.js';
import { writeNpy, readNpy } from '../../src/io/npy.js';
import { Matrix } from '../../src/matrix.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-atomic-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('content that fails half way leaves the earlier file and no temporary file', () => withDir((dir) => {
  const path = join(dir, 'out.txt');
  writeFileSync(path, 'earlier\n');
  function* pieces(): Generator<string> {
    yield 'x'.repeat(100_000);
    throw new RangeError('bad value in row 7');
  }
  assert.throws(() => writeFileAtomic(path, pieces(), 'test'), /^RangeError: bad value in row 7$/);
  assert.equal(readFileSync(path, 'utf8'), 'earlier\n');
  assert.deepEqual(readdirSync(dir), ['out.txt']);
  // writeJsonl validates as it streams: a NaN in a late row behaves the same.
  const X = new Matrix(3, 1, new Float64Array([1, 2, NaN]));
  writeFileSync(join(dir, 'e.jsonl'), 'earlier\n');
  assert.throws(() => writeJsonl(join(dir, 'e.jsonl'), X), /X\[2, 0\] is NaN/);
  assert.equal(readFileSync(join(dir, 'e.jsonl'), 'utf8'), 'earlier\n');
  assert.deepEqual(readdirSync(dir).sort(), ['e.jsonl', 'out.txt']);
}));

test('writers name the output path and the fix when the file system refuses', () => withDir((dir) => {
  const X = new Matrix(2, 2, new Float64Array([1, 2, 3, 4]));
  const sub = join(dir, 'a-directory');
  mkdirSync(sub);
  assert.throws(() => writeCsv(sub, X), /^Error: writeCsv: cannot write .*a-directory: .*a-directory is a directory; give a file name/);
  assert.throws(() => writeNpy(join(dir, 'missing', 'x.npy'), X.data, [2, 2]), /writeNpy: cannot write .*x\.npy: no directory .*missing \(does the directory exist\?\); create it or write elsewhere \(no file was written\)/);
  writeFileSync(join(dir, 'a-file'), 'x');
  assert.throws(() => writeJsonl(join(dir, 'a-file', 'x.jsonl'), X), /writeJsonl: cannot write .*x\.jsonl: a parent of .* is not a directory/);
  assert.throws(() => ensureParentDir(join(dir, 'a-file', 'deeper', 'x.onnx'), 'export'), /^Error: export: cannot write .*x\.onnx: .*a-file is not a directory; choose an output path inside a directory$/);
  assert.deepEqual(readdirSync(dir).sort(), ['a-directory', 'a-file']);
}));

test('writers still produce the same files; large CSVs are written in pieces', () => withDir((dir) => {
  const n = 20_000;
  const X = new Matrix(n, 3, Float64Array.from({ length: 3 * n }, (_, i) => i / 7));
  const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'a,b' : 'c'));
  const csv = join(dir, 'big.csv');
  writeCsv(csv, X, { y });
  const back = readCsvSync(csv);
  assert.deepEqual(back.X.data, X.data);
  assert.deepEqual(back.y, y);
  writeNpy(join(dir, 'x.npy'), X.data, [n, 3]);
  assert.deepEqual(readNpy(join(dir, 'x.npy')).data, X.data);
  writeJsonl(join(dir, 'x.jsonl'), new Matrix(0, 2, new Float64Array(0)));
  assert.equal(readFileSync(join(dir, 'x.jsonl'), 'utf8'), '');
}));
