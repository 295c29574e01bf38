/**
 * --label names a column of a CSV/TSV file. With a .npy file (features only) or JSON Lines
 * (labels in the field "label") every command that takes --label either honours it or refuses
 * it as a usage error (exit 2) saying how that format gives labels; it is never ignored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset, writeJsonl, writeNpy } from '../../src/io/index.js';
import { Euclidean } from '../../src/metric/euclidean.js';
import { UsageError, checkLabelFlag } from '../../src/cli/command.js';
import { runInProcess, parseOneJson } from '../contracts/fixtures.js';
import { DATA, ROOT, runCli } from '../helpers.js';

let dir: string;
let npy: string;
let jsonl: string;
let model: string;
const iris = readDataset(join(DATA, 'iris.csv'));

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'simlearn-label-flag-'));
  npy = join(dir, 'iris.npy');
  writeNpy(npy, iris.X.data, [iris.X.rows, iris.X.cols]);
  jsonl = join(dir, 'iris.jsonl');
  writeJsonl(jsonl, iris.X, { y: iris.y });
  model = join(dir, 'euclid.simlearn');
  new Euclidean().fit(iris.X, iris.y as number[]).save(model);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const NPY = /--label species: --label names a column of a CSV\/TSV file, but \S+iris\.npy is \.npy, which holds features only/;
const JSONL = /--label species: --label names a column of a CSV\/TSV file, but \S+iris\.jsonl is JSON Lines/;

test('every command that reads --label refuses one a .npy or JSON Lines file cannot honour (exit 2, the fix named)', async () => {
  const out = join(dir, 'out');
  const cases: [string, string[], RegExp][] = [
    ['fit npy', ['fit', '--data', npy, '--label', 'species', '--algo', 'euclidean', '--out', join(dir, 'm.simlearn')], /give its labels with --labels FILE/],
    ['fit jsonl', ['fit', '--data', jsonl, '--label', 'species', '--algo', 'euclidean', '--out', join(dir, 'm.simlearn')], /labels in the field "label" only: name that field "label" in every record and leave out --label/],
    ['cv npy', ['cv', '--data', npy, '--label', 'species', '--algo', 'euclidean', '--cv', '3'], /--labels FILE/],
    ['cv jsonl', ['cv', '--data', jsonl, '--label', 'species', '--algo', 'euclidean', '--cv', '3'], /field "label"/],
    ['evaluate npy', ['evaluate', '--data', npy, '--label', 'species'], /--labels FILE/],
    ['evaluate npy queries', ['evaluate', '--data', jsonl, '--queries', npy, '--label', 'label'], /--label label: .*iris\.npy is \.npy.*--query-labels FILE/],
    ['evaluate jsonl', ['evaluate', '--data', jsonl, '--label', 'species'], /field "label"/],
    ['index build npy', ['index', 'build', '--data', npy, '--index', 'exact', '--label', 'species', '--out', join(dir, 'x.idx')], /no label column to drop: leave out --label/],
    ['index build jsonl', ['index', 'build', '--data', jsonl, '--index', 'exact', '--label', 'species', '--out', join(dir, 'x.idx')], /never read as features.*leave out --label/],
    ['transform npy', ['transform', '--model', model, '--data', npy, '--label', 'species', '--out', join(dir, 't.csv')], /CSV file with a label column/],
    ['transform jsonl', ['transform', '--model', model, '--data', jsonl, '--label', 'species', '--out', join(dir, 't.csv')], /field "label"/],
    ['demo npy', ['demo', '--data', npy, '--label', 'species', '--learners', 'euclidean', '--no-report', '--out', out], /JSON Lines with a "label" field/],
    ['demo jsonl', ['demo', '--data', jsonl, '--label', 'species', '--learners', 'euclidean', '--no-report', '--out', out], /field "label"/],
    ['report npy', ['report', '--data', npy, '--label', 'species', '--model', model, '--out', join(dir, 'r.html')], /holds features only/],
    ['report jsonl', ['report', '--data', jsonl, '--test', jsonl, '--label', 'species', '--model', model, '--out', join(dir, 'r.html')], /field "label"/],
    ['serve npy', ['serve', '--model', model, '--items', npy, '--label', 'species', '--port', '0'], /holds features only/],
    ['serve jsonl', ['serve', '--model', model, '--items', jsonl, '--label', 'species', '--port', '0'], /field "label"/],
    ['export npy', ['export', '--model', model, '--to', join(dir, 'e.jsonl'), '--data', npy, '--label', 'species'], /holds features only/],
    ['export jsonl', ['export', '--model', model, '--to', join(dir, 'e.jsonl'), '--data', jsonl, '--label', 'species'], /field "label"/],
    ['train npy', ['train', '--config', join(ROOT, 'examples', 'train-digits-triplet.json'), '--data', npy, '--label', 'species', '--epochs', '1', '--no-save'], /holds features only/],
    ['train jsonl', ['train', '--config', join(ROOT, 'examples', 'train-digits-triplet.json'), '--data', jsonl, '--label', 'species', '--epochs', '1', '--no-save'], /field "label"/],
  ];
  for (const [name, args, fix] of cases) {
    const r = await runInProcess(args);
    assert.equal(r.code, 2, `${name}: exit ${r.code}, stderr ${r.stderr.slice(0, 300)}`);
    const format = args.find((a) => a.endsWith('.npy') && name.includes('npy')) ? NPY : JSONL;
    if (name !== 'evaluate npy queries') assert.match(r.stderr, format, name);
    assert.match(r.stderr, fix, name);
    assert.equal(r.stdout, '', name);
  }
  // search: the queries file
  const idx = join(dir, 'iris.idx');
  assert.equal((await runInProcess(['index', 'build', '--data', npy, '--index', 'exact', '--out', idx])).code, 0);
  for (const q of [npy, jsonl]) {
    const r = await runInProcess(['search', '--index', idx, '--queries', q, '--label', 'species', '--k', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, q === npy ? NPY : JSONL);
  }
  // The exit status of a real process.
  const p = runCli(['fit', '--data', npy, '--label', 'species', '--algo', 'euclidean', '--out', join(dir, 'm.simlearn')]);
  assert.equal(p.code, 2);
  assert.match(p.stderr, NPY);
});

test('--label the format can honour still works: "label" names the JSON Lines field, "none" drops labels, a CSV among the files', async () => {
  // fit on JSON Lines with --label label: the records' "label" field
  const m = join(dir, 'nca.simlearn');
  const f = await runInProcess(['fit', '--data', jsonl, '--label', 'label', '--algo', 'euclidean', '--out', m, '--json']);
  assert.equal(f.code, 0, f.stderr);
  // transform --label none on JSON Lines: no label column in the output
  const t = join(dir, 'none.csv');
  const r = await runInProcess(['transform', '--model', model, '--data', jsonl, '--label', 'none', '--out', t]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(t, 'utf8').split('\n')[0], 'c0,c1,c2,c3');
  const withLabels = join(dir, 'labels.csv');
  assert.equal((await runInProcess(['transform', '--model', model, '--data', jsonl, '--out', withLabels])).code, 0);
  assert.equal(readFileSync(withLabels, 'utf8').split('\n')[0], 'c0,c1,c2,c3,label');
  // index build --label none on .npy: nothing to drop, nothing refused
  const b = await runInProcess(['index', 'build', '--data', npy, '--index', 'exact', '--label', 'none', '--out', join(dir, 'n.idx'), '--json']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(parseOneJson(b.stdout).dim, 4);
  // evaluate: --label names the CSV column of --data; the .npy queries take --query-labels
  const csv = join(dir, 'iris-species.csv');
  writeFileSync(csv, readFileSync(join(DATA, 'iris.csv'), 'utf8').replace(/^(.*),label/, '$1,species'));
  const qLabels = join(dir, 'q-labels.txt');
  writeFileSync(qLabels, (iris.y as number[]).join('\n') + '\n');
  const e = await runInProcess(['evaluate', '--data', csv, '--label', 'species', '--queries', npy, '--query-labels', qLabels, '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(parseOneJson(e.stdout).precisionAt1, 1);
  // minhash reads token sets: --label has nothing to name there
  const sets = join(dir, 'sets.jsonl');
  writeFileSync(sets, '["a","b"]\n["c"]\n');
  const mh = await runInProcess(['index', 'build', '--sets', sets, '--index', 'minhash', '--label', 'species', '--out', join(dir, 'mh.idx')]);
  assert.equal(mh.code, 2);
  assert.match(mh.stderr, /--label species: .*minhash.*leave out --label/);
});

test('checkLabelFlag: unknown extensions are left to the reader; a CSV among the files is enough', () => {
  assert.doesNotThrow(() => checkLabelFlag('y', { files: ['a.csv', 'b.npy'] }));
  assert.doesNotThrow(() => checkLabelFlag('y', { files: ['a.parquet'] }));
  assert.doesNotThrow(() => checkLabelFlag(undefined, { files: ['a.npy'] }));
  assert.doesNotThrow(() => checkLabelFlag('none', { files: ['a.npy'], none: true }));
  assert.throws(() => checkLabelFlag('none', { files: ['a.npy'] }), UsageError);
  assert.throws(() => checkLabelFlag('0', { files: ['A.NPY'] }), UsageError);
  assert.throws(() => checkLabelFlag('y', { files: ['a.ndjson'] }), /JSON Lines/);
});
