import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadItems } from '../../src/service/items.js';
import { calibrateThreshold } from '../../src/service/calibrate.js';
import { Matrix } from '../../src/matrix.js';
import { DATA } from '../helpers.js';
import { LabelColumnError, writeNpy } from '../../src/io/index.js';

function withFiles(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-items-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('CSV with id and label columns: both leave the features', () => {
  withFiles({ 'a.csv': 'id,f1,label,f2\nq1,1,cat,2\n"q,2",3,dog,4\n' }, (dir) => {
    const it = loadItems(join(dir, 'a.csv'));
    assert.deepEqual(it.ids, ['q1', 'q,2']);
    assert.deepEqual(it.labels, ['cat', 'dog']);
    assert.deepEqual(it.X.toArrays(), [[1, 2], [3, 4]]);
  });
});

test('CSV without id: ids are row numbers; without a label column: unlabelled (not "last column is the label")', () => {
  withFiles({ 'b.csv': 'f1,f2\n1,2\n3,4\n5,6\n' }, (dir) => {
    const it = loadItems(join(dir, 'b.csv'));
    assert.deepEqual(it.ids, [0, 1, 2]);
    assert.equal(it.labels, null);
    assert.equal(it.X.cols, 2);
  });
  const digits = loadItems(join(DATA, 'digits.csv'));
  assert.equal(digits.X.rows, 1797);
  assert.equal(digits.X.cols, 64);
  assert.equal(digits.labels?.[0], 0);
});

test('JSON Lines items keep their ids (numeric-looking ids become numbers) and labels', () => {
  withFiles({ 'c.jsonl': '{"id": 10, "vector": [1, 2], "label": "a"}\n{"id": 11, "vector": [3, 4], "label": "b"}\n', 'd.jsonl': '{"id": "x", "vector": [1]}\n{"id": "y", "vector": [2]}\n' }, (dir) => {
    const c = loadItems(join(dir, 'c.jsonl'));
    assert.deepEqual(c.ids, [10, 11]);
    assert.deepEqual(c.labels, ['a', 'b']);
    const d = loadItems(join(dir, 'd.jsonl'));
    assert.deepEqual(d.ids, ['x', 'y']);
    assert.equal(d.labels, null);
  });
});

test('bad item files fail with the file and the problem named', () => {
  withFiles({
    'dup.csv': 'id,f\na,1\na,2\n',
    'nan.csv': 'id,f\na,1\nb,x\n',
    'ragged.csv': 'id,f,g\na,1,2\nb,3\n',
    'dup.jsonl': '{"id": 1, "vector": [1]}\n{"id": "1", "vector": [2]}\n',
  }, (dir) => {
    assert.throws(() => loadItems(join(dir, 'dup.csv')), /id "a" appears more than once/);
    assert.throws(() => loadItems(join(dir, 'nan.csv')), /line 3, column "f": "x" is not a finite number/);
    assert.throws(() => loadItems(join(dir, 'ragged.csv')), /line 3 has 2 fields but the header has 3/);
    assert.throws(() => loadItems(join(dir, 'dup.jsonl')), /ids must be unique/);
    assert.throws(() => loadItems(join(dir, 'dup.csv'), { id: 'key' }), /no id column "key"/);
    assert.throws(() => loadItems(join(dir, 'missing.csv')), /no such file/);
  });
});

test('id names the JSON Lines field holding the ids (every record needs it); .npy has no ids to name', () => {
  withFiles({
    'sku.jsonl': '{"sku": "a-1", "id": 5, "vector": [1, 2], "label": "x"}\n{"sku": "007", "id": 6, "vector": [3, 4], "label": "y"}\n',
    'gap.jsonl': '{"sku": "a-1", "vector": [1, 2]}\n{"vector": [3, 4]}\n',
    'dup.jsonl': '{"sku": "a", "vector": [1]}\n{"sku": "a", "vector": [2]}\n',
  }, (dir) => {
    const it = loadItems(join(dir, 'sku.jsonl'), { id: 'sku' });
    assert.deepEqual(it.ids, ['a-1', '007']); // kept as written, as CSV ids are
    assert.deepEqual(it.labels, ['x', 'y']);
    assert.deepEqual(it.X.toArrays(), [[1, 2], [3, 4]]);
    assert.deepEqual(loadItems(join(dir, 'sku.jsonl')).ids, [5, 6]); // default: the field "id"
    assert.throws(() => loadItems(join(dir, 'gap.jsonl'), { id: 'sku' }), /gap\.jsonl: line 2: the id field "sku" is missing/);
    assert.throws(() => loadItems(join(dir, 'dup.jsonl'), { id: 'sku' }), /item id "a" appears more than once/);
    const npy = join(dir, 'x.npy');
    writeNpy(npy, Float64Array.from([1, 2, 3, 4]), [2, 2]);
    assert.throws(() => loadItems(npy, { id: 'sku' }), /x\.npy: no id column "sku": \.npy holds features only/);
    assert.deepEqual(loadItems(npy).ids, [0, 1]);
  });
});

test('a label column the file lacks is a LabelColumnError naming it and the first columns', () => {
  withFiles({ 'wide.csv': `id,${Array.from({ length: 20 }, (_, j) => `f${j}`).join(',')}\nq,${Array(20).fill(1).join(',')}\n` }, (dir) => {
    assert.throws(() => loadItems(join(dir, 'wide.csv'), { label: 'nope' }), (e: Error) => e instanceof LabelColumnError
      && /no column named "nope" for the labels \(columns: id, f0, f1, .*f10, … \(21 in all\)\)/.test(e.message));
  });
});

test('calibrateThreshold: separable classes give balanced accuracy 1 and a threshold between the two distance ranges', () => {
  // Class 0 near the origin, class 1 near (10, 10): within-class distances ≤ √2, between ≥ 10·√2 − √2.
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 20; i++) {
    rows.push([(i % 2) * 1, Math.floor(i / 10) * 1]);
    labels.push(0);
    rows.push([10 + (i % 2), 10 + Math.floor(i / 10)]);
    labels.push(1);
  }
  const c = calibrateThreshold(Matrix.from64(rows), labels, { pairsPerKind: 500 });
  assert.ok(c);
  assert.equal(c.balancedAccuracy, 1);
  assert.ok(c.threshold < -Math.SQRT2 && c.threshold > -9 * Math.SQRT2, String(c.threshold));
  assert.equal(c.pairs, 1000);
  assert.equal(calibrateThreshold(Matrix.from64([[0], [1]]), ['a', 'a']), null); // one class
  assert.equal(calibrateThreshold(Matrix.from64([[0], [1]]), ['a', 'b']), null); // no same-label pair
});
