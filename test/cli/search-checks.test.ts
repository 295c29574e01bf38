import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, DATA } from '../helpers.js';
import { runInProcess } from '../contracts/fixtures.js';
import { DeepHead } from '../../src/deep/head.js';

function csv(path: string, rows: number, cols: number, seed = 1): void {
  const lines = [Array.from({ length: cols }, (_, j) => `f${j}`).join(',')];
  for (let i = 0; i < rows; i++) lines.push(Array.from({ length: cols }, (_, j) => (Math.sin(seed * 7 + i * 3.1 + j * 1.7) * 10).toFixed(4)).join(','));
  writeFileSync(path, lines.join('\n') + '\n');
}

const WARNING = (k: number, n: number, all: boolean) => `warning: --k ${k} is more than the index's ${n} items; each query returns ${all ? 'all' : 'at most'} ${n}\n`;

test('search --k beyond the item count: one warning line, and --json reports the effective k and kRequested, for every index kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-search-k-'));
  try {
    const data = join(dir, 'items.csv');
    const queries = join(dir, 'q.csv');
    csv(data, 30, 4, 1);
    csv(queries, 3, 4, 2);
    const sets = join(dir, 'sets.jsonl');
    writeFileSync(sets, Array.from({ length: 30 }, (_, i) => JSON.stringify([`a${i % 3}`, `b${i % 5}`, `c${i}`])).join('\n') + '\n');
    const qsets = join(dir, 'qsets.jsonl');
    writeFileSync(qsets, '["a1","b1","c1"]\n["a2","b3","x"]\n');
    for (const kind of ['exact', 'hnsw', 'simhash', 'e2lsh', 'minhash']) {
      const idx = join(dir, `${kind}.idx`);
      const input = kind === 'minhash' ? ['--sets', sets, '--set', 'threshold=0.1'] : ['--data', data];
      const b = await runInProcess(['index', 'build', ...input, '--index', kind, '--out', idx]);
      assert.equal(b.code, 0, `${kind}: ${b.stderr}`);
      const q = kind === 'minhash' ? qsets : queries;
      const s = await runInProcess(['search', '--index', idx, '--queries', q, '--k', '500', '--json']);
      assert.equal(s.code, 0, `${kind}: ${s.stderr}`);
      assert.equal(s.stderr, WARNING(500, 30, kind === 'exact'), kind);
      const r = JSON.parse(s.stdout);
      assert.equal(r.k, 30, `${kind}: k is the effective k`);
      assert.equal(r.kRequested, 500, kind);
      for (const row of r.ids) assert.ok(row.length <= 30, kind);
      if (kind === 'exact') assert.deepEqual(r.ids.map((row: unknown[]) => row.length), [30, 30, 30]);
      // existing fields stay
      for (const f of ['index', 'nQueries', 'ids', 'distances', 'queriesPerSecond', 'seconds']) assert.ok(f in r, `${kind}: ${f}`);
      // text output warns too; a k within the item count does not
      const t = await runInProcess(['search', '--index', idx, '--queries', q, '--k', '31']);
      assert.equal(t.code, 0, t.stderr);
      assert.ok(t.stderr.startsWith(WARNING(31, 30, kind === 'exact')), `${kind}: ${t.stderr}`);
      const ok = await runInProcess(['search', '--index', idx, '--queries', q, '--k', '30', '--json']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, '', kind);
      const rk = JSON.parse(ok.stdout);
      assert.equal(rk.k, 30);
      assert.equal(rk.kRequested, 30);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('search refuses queries of the wrong width naming --queries, the file, both widths and the fix: deep head, metric learner and plain indexes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-search-width-'));
  try {
    const data = join(dir, 'items.csv');
    csv(data, 40, 6, 1);
    const narrow = join(dir, 'narrow.csv');
    csv(narrow, 2, 3, 2);
    const head = join(dir, 'head.simlearn');
    new DeepHead({ inputDim: 6, hidden: [5], outputDim: 2, seed: 1 }).save(head);
    const labelled = join(dir, 'labelled.csv');
    writeFileSync(labelled, ['f0,f1,f2,f3,f4,f5,label', ...Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 5},${i % 3},${(i * 3) % 11},${i % 2},${(i * 7) % 13},${i % 2 ? 'a' : 'b'}`)].join('\n') + '\n');
    const learner = join(dir, 'lmnn.simlearn');
    const f = await runInProcess(['fit', '--data', labelled, '--algo', 'covariance', '--no-scale', '--out', learner]);
    assert.equal(f.code, 0, f.stderr);
    const pipeline = join(dir, 'pipe.simlearn');
    const fp = await runInProcess(['fit', '--data', labelled, '--algo', 'covariance', '--out', pipeline]);
    assert.equal(fp.code, 0, fp.stderr);
    const cases: [string, string[], string, RegExp][] = [
      ['deep head', ['--model', head], 'exact', /the index's model \(deep\/head, applied to every query\) takes 6/],
      ['metric learner', ['--model', learner], 'hnsw', /the index's model \(metric\/covariance, applied to every query\) takes 6/],
      ['fit pipeline', ['--model', pipeline], 'simhash', /the index's model \(metric\/covariance pipeline, applied to every query\) takes 6/],
      ['plain', [], 'exact', /but the index takes 6/],
      ['plain e2lsh', [], 'e2lsh', /but the index takes 6/],
    ];
    for (const [name, model, kind, re] of cases) {
      const idx = join(dir, `${name.replace(' ', '-')}.idx`);
      const b = await runInProcess(['index', 'build', '--data', data, '--index', kind, ...model, '--out', idx]);
      assert.equal(b.code, 0, `${name}: ${b.stderr}`);
      const s = await runInProcess(['search', '--index', idx, '--queries', narrow, '--k', '2']);
      assert.equal(s.code, 1, `${name}: ${s.stderr}`);
      assert.equal(s.stdout, '', name);
      assert.ok(s.stderr.includes(`--queries ${narrow} has 3 feature columns but `), `${name}: ${s.stderr}`);
      assert.match(s.stderr, re, name);
      assert.match(s.stderr, /\(3 features, no label column\); pass queries with the 6 feature columns of the data the index was built from\n$/, name);
      assert.doesNotMatch(s.stderr, /DeepHead\.transform|LinearTransform|StandardScaler|Index\.search/, name);
    }
    // Vectors already mapped by the model: the index maps queries itself.
    const mapped = join(dir, 'mapped.csv');
    csv(mapped, 2, 2, 3);
    const s = await runInProcess(['search', '--index', join(dir, 'deep-head.idx'), '--queries', mapped, '--k', '2']);
    assert.equal(s.code, 1);
    assert.match(s.stderr, /has 2 feature columns .* takes 6 .*not vectors already mapped by the model: the index maps raw queries itself, into its 2 dimensions/);
    // A label column the query file names "label" is read as such, and the fix says so.
    const q = join(dir, 'q-label.csv');
    writeFileSync(q, 'f0,f1,f2,label\n1,2,3,a\n');
    const sl = await runInProcess(['search', '--index', join(dir, 'plain.idx'), '--queries', q, '--k', '2']);
    assert.equal(sl.code, 1);
    assert.match(sl.stderr, /has 3 feature columns but the index takes 6 \(3 features besides the label column "label"\); .*, or choose the label column with --label/);
    // index build --model checks --data the same way.
    const bb = await runInProcess(['index', 'build', '--data', narrow, '--index', 'exact', '--model', head, '--out', join(dir, 'x.idx')]);
    assert.equal(bb.code, 1);
    assert.ok(bb.stderr.includes(`--data ${narrow} has 3 feature columns but --model ${head} (deep/head) takes 6 (3 features, no label column); pass data with the 6 feature columns the model was trained on`), bb.stderr);
    // the exit status through a real process
    const real = runCli(['search', '--index', join(dir, 'deep-head.idx'), '--queries', join(DATA, 'iris.csv'), '--k', '2']);
    assert.equal(real.code, 1);
    assert.match(real.stderr, /--queries .*iris\.csv has 4 feature columns but the index's model \(deep\/head, applied to every query\) takes 6/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
