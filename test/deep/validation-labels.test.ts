import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinLabels } from '../../src/deep/pipeline.js';
import { readCsvSync } from '../../src/io/csv.js';
import { runCli, DATA } from '../helpers.js';

test('joinLabels: numbers and numeric text are one class; other text stays its own class; one type is left alone', () => {
  const warnings: string[] = [];
  const out = joinLabels([0, 1, 2], ['0', '1.0', ' 2', 'x', '0x1'], (m) => warnings.push(m));
  assert.deepEqual(out, [0, 1, 2, 0, 1, 2, 'x', '0x1']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /training labels are numbers but the validation labels are text; matched them by value .* "x", "0x1" stay classes of their own/);
  const none: string[] = [];
  assert.deepEqual(joinLabels(['01', 'a'], ['1', 'a'], (m) => none.push(m)), ['01', 'a', '1', 'a']);
  assert.deepEqual(joinLabels([1, 2], [2, 3], (m) => none.push(m)), [1, 2, 2, 3]);
  assert.deepEqual(none, []);
});

test('simlearn train: validation labels read as text (one "x") do not become new classes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-train-vallabels-'));
  try {
    const iris = readCsvSync(join(DATA, 'iris.csv'));
    const line = (i: number, label: string | number): string => `${Array.from(iris.X.row(i)).join(',')},${label}`;
    const y = iris.y as number[];
    // every 5th row validates, the rest trains; the validation file has one label "x"
    const trainRows = y.map((_, i) => i).filter((i) => i % 5 !== 0);
    const valRows = y.map((_, i) => i).filter((i) => i % 5 === 0);
    const header = 'a,b,c,d,label\n';
    writeFileSync(join(dir, 'train.csv'), header + trainRows.map((i) => line(i, y[i])).join('\n') + '\n');
    writeFileSync(join(dir, 'val.csv'), header + valRows.map((i, t) => line(i, t === 0 ? 'x' : y[i])).join('\n') + '\n');
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({
      data: 'train.csv', validation: 'val.csv', head: { hidden: [8], output: 4 }, loss: { name: 'contrastive' },
      sampler: { name: 'm-per-class', m: 4, batchSize: 24 }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 1,
    }));
    const r = runCli(['train', '--config', join(dir, 'cfg.json'), '--no-save']);
    assert.equal(r.code, 0, r.stderr);
    // 0, 1, 2 and "x": not 0, 1, 2, "0", "1", "2", "x"
    assert.match(r.stdout, /on 120 rows, validated on 30 \(4 classes\)/);
    assert.match(r.stderr, /warning: .*train\.csv and val\.csv: the training labels are numbers but the validation labels are text; matched them by value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
