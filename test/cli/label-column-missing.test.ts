/**
 * --label naming a column the CSV does not have: the file lacks what was asked for, so it stays
 * a data error (exit 1, as test/contracts/cv.test.ts requires), and every command's message
 * names the flag as written, the missing column and the file's first columns (with the count
 * when there are many).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Euclidean } from '../../src/metric/euclidean.js';
import { Matrix } from '../../src/matrix.js';
import { runInProcess } from '../contracts/fixtures.js';
import { runCli } from '../helpers.js';

let dir: string;
let wide: string;
let withId: string;
let model: string;
let idx: string;
const D = 20;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'simlearn-label-column-'));
  const names = Array.from({ length: D }, (_, j) => `f${j}`);
  const rows = Array.from({ length: 30 }, (_, i) => [...names.map((_, j) => ((i * 7 + j * 3) % 11) / 10 + (i % 3)), i % 3].join(','));
  wide = join(dir, 'wide.csv');
  writeFileSync(wide, [[...names, 'label'].join(','), ...rows].join('\n') + '\n');
  withId = join(dir, 'with-id.csv');
  writeFileSync(withId, [['id', ...names, 'label'].join(','), ...rows.map((r, i) => `item${i},${r}`)].join('\n') + '\n');
  model = join(dir, 'euclid.simlearn');
  const X = new Matrix(3, D, Float64Array.from({ length: 3 * D }, (_, i) => i % 7));
  new Euclidean().fit(X, [0, 1, 2]).save(model);
  idx = join(dir, 'wide.idx');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const MISSING = /--label nope: \S+\.csv: no column named "nope" for the labels \(columns: (id, )?f0, f1, f2, .*, f1[01], … \(2[12] in all\)\)/;

test('--label naming a missing CSV column: exit 1 and the flag, the column and the first columns named, in every command', async () => {
  const config = join(dir, 'cfg.json');
  writeFileSync(config, JSON.stringify({ data: wide, loss: { name: 'triplet-margin' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 1 }));
  assert.equal((await runInProcess(['index', 'build', '--data', wide, '--index', 'exact', '--out', idx])).code, 0);
  const cases: [string, string[]][] = [
    ['fit', ['fit', '--data', wide, '--label', 'nope', '--algo', 'euclidean', '--out', join(dir, 'm.simlearn')]],
    ['cv', ['cv', '--data', wide, '--label', 'nope', '--algo', 'euclidean', '--cv', '3']],
    ['evaluate', ['evaluate', '--data', wide, '--label', 'nope']],
    ['evaluate queries', ['evaluate', '--data', wide, '--queries', wide, '--label', 'nope']],
    ['index build', ['index', 'build', '--data', wide, '--index', 'exact', '--label', 'nope', '--out', join(dir, 'x.idx')]],
    ['search', ['search', '--index', idx, '--queries', wide, '--label', 'nope', '--k', '1']],
    ['transform', ['transform', '--model', model, '--data', wide, '--label', 'nope', '--out', join(dir, 't.csv')]],
    ['train', ['train', '--config', config, '--label', 'nope', '--no-save']],
    ['serve', ['serve', '--model', model, '--items', wide, '--label', 'nope', '--port', '0']],
    ['serve id column', ['serve', '--model', model, '--items', withId, '--label', 'nope', '--port', '0']],
    ['export', ['export', '--model', model, '--data', wide, '--label', 'nope', '--to', join(dir, 'e.jsonl')]],
    ['export id column', ['export', '--model', model, '--data', withId, '--label', 'nope', '--to', join(dir, 'e.jsonl')]],
    ['report', ['report', '--data', wide, '--label', 'nope', '--model', model, '--out', join(dir, 'r.html')]],
    ['demo', ['demo', '--data', wide, '--label', 'nope', '--learners', 'euclidean', '--no-report', '--out', join(dir, 'demo')]],
  ];
  for (const [name, args] of cases) {
    const r = await runInProcess(args);
    assert.equal(r.code, 1, `${name}: exit ${r.code}, ${r.stderr.slice(0, 300)}`);
    assert.match(r.stderr, /^simlearn: error: /, name);
    assert.match(r.stderr, MISSING, name);
    assert.equal(r.stdout, '', name);
  }
  // A column index outside the file: the same, with the columns it has.
  const i = await runInProcess(['fit', '--data', wide, '--label', '40', '--algo', 'euclidean', '--out', join(dir, 'm.simlearn')]);
  assert.equal(i.code, 1);
  assert.match(i.stderr, /--label 40: \S+wide\.csv: label column index 40 is outside the 21 columns \(f0, f1, .*… \(21 in all\)\); use 0\.\.20, or negative from the end/);
  // The exit status of a real process.
  const p = runCli(['cv', '--data', wide, '--label', 'nope', '--algo', 'euclidean']);
  assert.equal(p.code, 1);
  assert.match(p.stderr, MISSING);
});
