/**
 * transform / export / report on inputs of the wrong shape and outputs that cannot be written:
 * a label column is never taken for a feature, width errors name the file and the flag, and an
 * output file is written whole or not at all (an earlier file survives a failed write).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset } from '../../src/io/index.js';
import { NCA } from '../../src/metric/nca.js';
import { Pipeline } from '../../src/metric/registry.js';
import { StandardScaler } from '../../src/preprocessing/standard-scaler.js';
import { DeepHead } from '../../src/deep/head.js';
import { runInProcess } from '../contracts/fixtures.js';
import { DATA, ROOT } from '../helpers.js';

let dir: string;
let model: string;
let head: string;
const iris = readDataset(join(DATA, 'iris.csv'));
const irisLines = readFileSync(join(DATA, 'iris.csv'), 'utf8').trim().split('\n');

/** iris.csv with its columns rearranged by `pick` (which gets the cells of one line). */
function irisVariant(name: string, pick: (cells: string[], lineIndex: number) => string[], withHeader = true): string {
  const p = join(dir, name);
  const lines = irisLines.map((l, i) => pick(l.split(','), i).join(','));
  writeFileSync(p, (withHeader ? lines : lines.slice(1)).join('\n') + '\n');
  return p;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'simlearn-transform-out-'));
  const scaler = new StandardScaler().fit(iris.X);
  const nca = new NCA({ seed: 0, maxIter: 5, nComponents: 2 }).fit(scaler.transform(iris.X), iris.y as number[]);
  model = join(dir, 'iris.simlearn');
  new Pipeline([scaler, nca]).save(model);
  head = join(dir, 'head.simlearn');
  new DeepHead({ inputDim: 4, hidden: [6], outputDim: 3, seed: 1 }).save(head);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('transform never reads a column named "label" as a feature (metric model and deep head)', async () => {
  const ir3 = irisVariant('ir3.csv', (c) => [c[0], c[1], c[2], c[4]]);
  for (const m of [model, head]) {
    const out = join(dir, 'ir3-out.csv');
    const r = await runInProcess(['transform', '--model', m, '--data', ir3, '--out', out]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /--data .*ir3\.csv has 3 feature columns but the model takes 4/);
    assert.equal(existsSync(out), false);
  }
  // A label column chosen with --label is not reinterpreted either.
  const kind = irisVariant('kind.csv', (c, i) => [c[0], c[1], c[2], i === 0 ? 'kind' : c[4]]);
  const k = await runInProcess(['transform', '--model', model, '--data', kind, '--label', 'kind', '--out', join(dir, 'k.csv')]);
  assert.equal(k.code, 1);
  assert.match(k.stderr, /has 3 feature columns but the model takes 4/);
});

test('transform still reads unlabelled data whole when its last column was the label only by default', async () => {
  const named = irisVariant('nolab.csv', (c, i) => (i === 0 ? ['a', 'b', 'c', 'd'] : c.slice(0, 4)));
  const bare = irisVariant('nolab-nohdr.csv', (c) => c.slice(0, 4), false);
  for (const data of [named, bare]) {
    const out = join(dir, 'nolab-out.csv');
    const r = await runInProcess(['transform', '--model', model, '--data', data, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { model, out, rows: 150, cols: 2 });
    assert.match(r.stderr, /all 4 columns are read as features/);
    assert.equal(readFileSync(out, 'utf8').split('\n')[0], 'c0,c1');
  }
});

test('width mismatches name the file and the flag in transform, export and report', async () => {
  const ir5 = irisVariant('ir5.csv', (c, i) => [...c.slice(0, 4), i === 0 ? 'e' : '0.5', c[4]]);
  const t = await runInProcess(['transform', '--model', model, '--data', ir5, '--out', join(dir, 't5.csv')]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /--data .*ir5\.csv has 5 feature columns but the model takes 4/);
  const e = await runInProcess(['export', '--model', model, '--data', ir5, '--to', join(dir, 'e5.jsonl')]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /--data .*ir5\.csv has 5 feature columns but the model takes 4/);
  const r = await runInProcess(['report', '--model', model, '--data', ir5, '--out', join(dir, 'r5.html')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--data .*ir5\.csv has 5 feature columns but --model .*iris\.simlearn takes 4/);
  assert.equal(existsSync(join(dir, 'r5.html')), false);
});

test('transform --model with an index file names the kind it holds', async () => {
  const idx = join(dir, 'ex.idx');
  const b = await runInProcess(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', 'exact', '--out', idx]);
  assert.equal(b.code, 0, b.stderr);
  const r = await runInProcess(['transform', '--model', idx, '--data', join(DATA, 'iris.csv'), '--out', join(dir, 'x.csv')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /holds a model of kind "index\/exact", which has no transform/);
  assert.doesNotMatch(r.stderr, /\(kind cannot/);
});

test('export to a path under a file says the parent is not a directory', async () => {
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, 'x');
  for (const to of [join(blocker, 'x.onnx'), join(blocker, 'sub', 'x.jsonl')]) {
    const args = to.endsWith('.onnx') ? ['export', '--model', model, '--to', to] : ['export', '--model', model, '--data', join(DATA, 'iris.csv'), '--to', to];
    const r = await runInProcess(args);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot write .*a-file.*: .*a-file is not a directory/, to);
    assert.doesNotMatch(r.stderr, /EEXIST/);
  }
  const rep = await runInProcess(['report', '--model', model, '--data', join(DATA, 'iris.csv'), '--out', join(blocker, 'r.html')]);
  assert.equal(rep.code, 1);
  assert.match(rep.stderr, /a-file is not a directory/);
});

/** Runs the CLI in a real process whose file-size limit is 1 KiB (ulimit -f counts KiB in bash). */
function runWithFileSizeLimit(args: string[]): { code: number; stderr: string } {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `ulimit -f 1 && exec '${process.execPath}' --import tsx '${join(ROOT, 'src', 'cli', 'main.ts')}' ${quoted}`], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

const hasBash = spawnSync('bash', ['-c', 'ulimit -f 1'], { encoding: 'utf8' }).status === 0;

test('an output that hits the file-size limit leaves the earlier file intact and names the path', { skip: !hasBash && 'needs bash for ulimit' }, () => {
  const cases: { out: string; args: string[] }[] = [
    { out: join(dir, 'prev.csv'), args: ['transform', '--model', model, '--data', join(DATA, 'iris.csv')] },
    { out: join(dir, 'prev.jsonl'), args: ['export', '--model', model, '--data', join(DATA, 'iris.csv')] },
    { out: join(dir, 'prev.html'), args: ['report', '--model', model, '--data', join(DATA, 'iris.csv')] },
  ];
  for (const { out, args } of cases) {
    writeFileSync(out, 'the earlier, good file\n');
    const flag = args[0] === 'export' ? '--to' : '--out';
    const r = runWithFileSizeLimit([...args, flag, out]);
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`cannot write ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the file is larger than this process may write`), args[0]);
    assert.match(r.stderr, /was left as it was/);
    assert.equal(readFileSync(out, 'utf8'), 'the earlier, good file\n', `${args[0]} kept the earlier file`);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left behind');
});
