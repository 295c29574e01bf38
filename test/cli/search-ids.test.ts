import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers.js';

// Row i sits at (i, 0) and its nearest other row at distance 1: searching the file itself
// with k = 1 must return each row's own id first.
function jsonl(ids: unknown[]): string {
  return ids.map((id, i) => JSON.stringify({ id, vector: [i * 10, 0] })).join('\n') + '\n';
}

function buildAndSearch(dir: string, name: string, ids: unknown[], kind = 'exact'): { build: ReturnType<typeof runCli>; ids?: unknown[][]; text?: string } {
  const data = join(dir, name);
  writeFileSync(data, jsonl(ids));
  const out = join(dir, `${name}.${kind}.idx`);
  const build = runCli(['index', 'build', '--data', data, '--index', kind, '--out', out]);
  if (build.code !== 0) return { build };
  const s = runCli(['search', '--index', out, '--queries', data, '--k', '1', '--json']);
  assert.equal(s.code, 0, s.stderr);
  const t = runCli(['search', '--index', out, '--queries', data, '--k', '1']);
  assert.equal(t.code, 0, t.stderr);
  return { build, ids: JSON.parse(s.stdout).ids, text: t.stdout };
}

test('search reports JSONL ids exactly as given, for exact and hnsw indexes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-search-ids-'));
  try {
    const strings = Array.from({ length: 6 }, (_, i) => `r${i}`);
    const padded = Array.from({ length: 6 }, (_, i) => String(i).padStart(4, '0'));
    const long = Array.from({ length: 6 }, (_, i) => String(1234567890123456700n + BigInt(i)));
    for (const kind of ['exact', 'hnsw']) {
      for (const [name, given] of [['strings.jsonl', strings], ['padded.jsonl', padded], ['long.jsonl', long]] as const) {
        const r = buildAndSearch(dir, name, [...given], kind);
        assert.equal(r.build.code, 0, r.build.stderr);
        assert.deepEqual(r.ids, given.map((id) => [id]), `${kind} ${name}`);
        assert.equal(r.text, given.map((id, q) => `${q}: ${id} (0.000)\n`).join(''), `${kind} ${name}`);
      }
    }
    // Non-negative integers are the index's own ids, as before; other numbers come back as numbers.
    assert.deepEqual(buildAndSearch(dir, 'int.jsonl', [100, 101, 102]).ids, [[100], [101], [102]]);
    assert.deepEqual(buildAndSearch(dir, 'float.jsonl', [0.5, 1.5, -2]).ids, [[0.5], [1.5], [-2]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('index build refuses duplicate JSONL ids, naming the id and the file, instead of switching to row numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-search-ids-'));
  try {
    for (const ids of [['a', 'b', 'a'], [5, 6, 5]]) {
      const r = buildAndSearch(dir, 'dup.jsonl', ids);
      assert.equal(r.build.code, 1, r.build.stdout);
      assert.match(r.build.stderr, new RegExp(`dup\\.jsonl: id "${ids[0]}" appears more than once \\(records 1 and 3\\); give every record a unique id`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
