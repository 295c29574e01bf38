import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactIndex } from '../../src/neighbors/exact-index.js';
import { SimHashIndex } from '../../src/neighbors/lsh/simhash-index.js';
import { E2LshIndex } from '../../src/neighbors/lsh/e2lsh-index.js';
import { MinHashIndex } from '../../src/neighbors/lsh/minhash-index.js';
import { checkHnswSettings, HNSW_LIMITS } from '../../src/neighbors/index-common.js';
import { runCli, DATA } from '../helpers.js';

test('index settings are checked when the index is made, with their limits', () => {
  for (const v of ['abc', -1, 0, NaN, Infinity]) {
    assert.throws(() => new ExactIndex({ memoryBudget: v as number }), /ExactIndex: memoryBudget must be a positive number of bytes/, String(v));
  }
  assert.equal(new ExactIndex({ memoryBudget: 1000 }).memoryBudget, 1000);
  assert.throws(() => new SimHashIndex({ tables: 1e9 }), /SimHashIndex: tables must be an integer in 1\.\.1024, got 1000000000/);
  assert.throws(() => new E2LshIndex({ maxTables: 5000 }), /maxTables must be an integer in 1\.\.1024/);
  assert.throws(() => new E2LshIndex({ probes: 1e6 }), /probes must be an integer in 0\.\.1024/);
  assert.throws(() => new E2LshIndex({ hashLength: 1000 }), /hashLength must be an integer in 1\.\.64/);
  assert.throws(() => new E2LshIndex({ seed: 'abc' as unknown as number }), /seed must be a finite number/);
  const t0 = performance.now();
  assert.throws(() => new MinHashIndex({ numPerm: 1e9 }), /numPerm must be an integer in 1\.\.4096, got 1000000000/);
  assert.ok(performance.now() - t0 < 1000, 'refused at once, not after scanning 1e9 band sizes');
  assert.equal(new MinHashIndex({ numPerm: 4096 }).numPerm, 4096);
});

test('checkHnswSettings: the limits usearch itself does not check (for index build and search --ef)', () => {
  assert.throws(() => checkHnswSettings({ connectivity: 1e9 }, '--set'), /--set: HNSW connectivity must be an integer in 2\.\.1024, got 1000000000/);
  assert.throws(() => checkHnswSettings({ expansionSearch: 5e9 }, '--ef'), /--ef: HNSW expansionSearch must be an integer in 1\.\.1000000/);
  assert.throws(() => checkHnswSettings({ expansionAdd: 'x' }, '--set'), /expansionAdd must be an integer/);
  assert.throws(() => checkHnswSettings({ threads: 1e6 }, '--set'), /threads must be an integer in 0\.\.1024/);
  checkHnswSettings({ connectivity: 16, expansionAdd: 128, expansionSearch: HNSW_LIMITS.expansionSearch[1], threads: 0 }, '--set');
});

test('simlearn index build: a bad setting is a usage error before anything is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-index-settings-'));
  try {
    const data = join(DATA, 'iris.csv');
    const sets = join(dir, 'sets.jsonl');
    writeFileSync(sets, '["a","b"]\n["b","c"]\n');
    const cases: [string[], RegExp][] = [
      [['--data', data, '--index', 'exact', '--set', 'memoryBudget=abc'], /memoryBudget must be a positive number of bytes/],
      [['--data', data, '--index', 'exact', '--set', 'memoryBudget=-1'], /memoryBudget/],
      [['--data', data, '--index', 'exact', '--set', 'memoryBudget=0'], /memoryBudget/],
      [['--data', data, '--index', 'hnsw', '--set', 'expansionSearch=1e12'], /expansionSearch must be an integer in 1\.\.1000000/],
      [['--data', data, '--index', 'hnsw', '--set', 'connectivity=1e9'], /connectivity must be an integer in 2\.\.1024/],
      [['--data', data, '--index', 'simhash', '--set', 'tables=1e9'], /tables must be an integer in 1\.\.1024/],
      [['--sets', sets, '--index', 'minhash', '--set', 'numPerm=1e9'], /numPerm must be an integer in 1\.\.4096/],
    ];
    for (const [args, msg] of cases) {
      const out = join(dir, 'x.idx');
      const r = runCli(['index', 'build', ...args, '--out', out]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.match(r.stderr, /--set/);
      assert.ok(!existsSync(out), 'no index file written');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simlearn index build: data out of float32 range names the file and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-index-range-'));
  try {
    const csv = join(dir, 's20.csv');
    writeFileSync(csv, 'a,b,label\n' + [[5.1, 3.5, 0], [4.9, 3.0, 0], [6.3, 3.3, 1], [5.8, 2.7, 1]].map(([a, b, l]) => `${a * 1e20},${b * 1e20},${l}`).join('\n') + '\n');
    const out = join(dir, 'x.idx');
    const r = runCli(['index', 'build', '--data', csv, '--index', 'exact', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--data .*s20\.csv: .*values up to 6\.30e\+20 overflow float32 squared distances.*standardise the features \(z-score\) or rescale/);
    assert.ok(!existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
