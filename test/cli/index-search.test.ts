import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, DATA } from '../helpers.js';
import { readDataset } from '../../src/io/index.js';
import { ExactIndex } from '../../src/neighbors/exact-index.js';

test('index build + search --json: exact index answers like the API; every kind builds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cli-index-'));
  try {
    const out = join(dir, 'iris.idx');
    const b = runCli(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', 'exact', '--metric', 'euclidean', '--out', out, '--json']);
    assert.equal(b.code, 0, b.stderr);
    const info = JSON.parse(b.stdout);
    assert.equal(info.size, 150);
    assert.equal(info.dim, 4); // the label column is not a feature
    const s = runCli(['search', '--index', out, '--queries', join(DATA, 'iris.csv'), '--k', '3', '--json']);
    assert.equal(s.code, 0, s.stderr);
    const r = JSON.parse(s.stdout);
    assert.equal(r.ids.length, 150);
    assert.equal(r.ids[0].length, 3);
    assert.ok(typeof r.queriesPerSecond === 'number' && r.queriesPerSecond > 0);
    const ds = readDataset(join(DATA, 'iris.csv'));
    const api = new ExactIndex({ metric: 'euclidean' });
    api.add(ds.X);
    const ref = api.search(ds.X, 3);
    assert.deepEqual(r.ids, ref.ids);
    for (const kind of ['simhash', 'hnsw']) {
      const p = join(dir, `${kind}.idx`);
      const bk = runCli(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', kind, '--out', p, '--set', kind === 'hnsw' ? 'connectivity=8' : 'seed=1', '--json']);
      assert.equal(bk.code, 0, bk.stderr);
      const sk = runCli(['search', '--index', p, '--queries', join(DATA, 'iris.csv'), '--k', '1', '--json']);
      assert.equal(sk.code, 0, sk.stderr);
      const rk = JSON.parse(sk.stdout);
      // every point finds itself (distance 0) first, up to ties with duplicate rows of iris
      const self = rk.ids.filter((ids: number[], q: number) => ids.length && rk.distances[q][0] < 1e-6).length;
      assert.ok(self >= 145, `${kind}: ${self} queries found a zero-distance match`);
      if (kind === 'hnsw') {
        const se = runCli(['search', '--index', p, '--queries', join(DATA, 'iris.csv'), '--k', '1', '--ef', '200', '--json']);
        assert.equal(se.code, 0, se.stderr);
        assert.equal(JSON.parse(se.stdout).ids.length, 150);
        const bad = runCli(['search', '--index', p, '--queries', join(DATA, 'iris.csv'), '--ef', '0']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--ef must be a positive integer/);
      } else {
        const wrong = runCli(['search', '--index', p, '--queries', join(DATA, 'iris.csv'), '--ef', '50']);
        assert.equal(wrong.code, 2);
        assert.match(wrong.stderr, /--ef applies to an hnsw index/);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('minhash through the CLI: --sets files of JSON token arrays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cli-minhash-'));
  try {
    const sets = join(dir, 'sets.jsonl');
    writeFileSync(sets, ['["a","b","c","d"]', '["x","y","z"]', '', '["a","b","c","e"]'].join('\n'));
    const qs = join(dir, 'q.jsonl');
    writeFileSync(qs, '["a","b","c","d","f"]\n');
    const out = join(dir, 'mh.idx');
    const b = runCli(['index', 'build', '--sets', sets, '--index', 'minhash', '--out', out, '--set', 'threshold=0.3', '--json']);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout).size, 3);
    const s = runCli(['search', '--index', out, '--queries', qs, '--k', '2', '--json']);
    assert.equal(s.code, 0, s.stderr);
    const r = JSON.parse(s.stdout);
    assert.equal(r.ids[0][0], 0);
    assert.ok(Math.abs(r.distances[0][0] - (1 - 4 / 5)) < 1e-12);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '["a"]\nnot json\n');
    const e = runCli(['index', 'build', '--sets', bad, '--index', 'minhash', '--out', join(dir, 'x.idx')]);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /line 2 is not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2 with a message naming the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cli-usage-'));
  try {
    const u1 = runCli(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', 'kdtree', '--out', join(dir, 'a')]);
    assert.equal(u1.code, 2);
    assert.match(u1.stderr, /--index must be one of exact, simhash, e2lsh, hnsw, minhash/);
    const u2 = runCli(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', 'exact', '--out', join(dir, 'a'), '--set', 'tables=3']);
    assert.equal(u2.code, 2);
    assert.match(u2.stderr, /--set tables: not a setting of the exact index/);
    const u4 = runCli(['evaluate', '--data', join(DATA, 'iris.csv'), '--k-values', '1,x']);
    assert.equal(u4.code, 2);
    assert.match(u4.stderr, /--k-values must be comma-separated positive integers/);
    const e1 = runCli(['search', '--index', join(DATA, 'iris.csv'), '--queries', join(DATA, 'iris.csv')]);
    assert.equal(e1.code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('index build: a hashing index seed the generator would wrap is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-index-seed-'));
  try {
    for (const seed of ['-1', '4294967296', '1.5']) {
      const r = runCli(['index', 'build', '--data', join(DATA, 'iris.csv'), '--index', 'simhash', '--out', join(dir, 's.idx'), '--set', `seed=${seed}`]);
      assert.equal(r.code, 2, `${seed}: ${r.stderr}`);
      assert.match(r.stderr, /--set seed must be an integer in 0\.\.4294967295/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
