import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, DATA } from '../helpers.js';
import { readDataset } from '../../src/io/index.js';
import { retrievalMetrics } from '../../src/evaluation/retrieval.js';

test('evaluate --json: the contract keys, equal to the API on the same data', () => {
  const r = runCli(['evaluate', '--data', join(DATA, 'wine.csv'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const key of ['precisionAt1', 'rPrecision', 'mapAtR', 'mapAtK', 'cmcAt', 'ndcgAt', 'k']) assert.ok(key in out, `missing ${key}`);
  assert.deepEqual(Object.keys(out.cmcAt), ['1', '5', '10']);
  assert.equal(out.k, 10);
  const ds = readDataset(join(DATA, 'wine.csv'));
  const api = retrievalMetrics(ds.X, ds.y as number[]);
  assert.equal(out.mapAtR, api.mapAtR);
  assert.equal(out.precisionAt1, api.precisionAt1);
  assert.equal(out.cmcAt['5'], api.cmcAt['5']);
});

test('evaluate with --queries (JSONL) against references, custom cutoffs, human output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-cli-eval-'));
  try {
    const refs = join(dir, 'refs.jsonl');
    writeFileSync(refs, [[0, 'a'], [1, 'a'], [10, 'b'], [11, 'b']].map(([v, l]) => JSON.stringify({ vector: [v], label: l })).join('\n'));
    const qs = join(dir, 'q.jsonl');
    writeFileSync(qs, [[0.2, 'a'], [10.4, 'a']].map(([v, l]) => JSON.stringify({ vector: [v], label: l })).join('\n'));
    const r = runCli(['evaluate', '--data', refs, '--queries', qs, '--k-values', '1,2', '--k', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    // query 0.2 (a): neighbours 0 (a), 1 (a) → P@1 1, MAP@R 1; query 10.4 (a): 10 (b), 11 (b), ... → 0
    assert.equal(out.precisionAt1, 0.5);
    assert.equal(out.mapAtR, 0.5);
    assert.equal(out.sameSet, false);
    const h = runCli(['evaluate', '--data', refs, '--queries', qs, '--k-values', '1,2', '--k', '2']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /MAP@R\s+0\.5000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that closes the pipe early (simlearn ... | head) ends the command quietly, not with an EPIPE stack trace', async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'evaluate', '--help'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the first write
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/, stderr);
  assert.equal(code, 0);
});

test('evaluate: a labels file beside CSV data is a usage error naming the option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-evaluate-cli-'));
  try {
    const labels = join(dir, 'labels.txt');
    writeFileSync(labels, '1\n'.repeat(178));
    const wine = join(DATA, 'wine.csv');
    for (const [args, re] of [
      [['--labels', labels], /^simlearn: --labels .*labels\.txt: a labels file goes with \.npy data only; .*wine\.csv carries its labels in a column/],
      [['--queries', wine, '--query-labels', labels], /^simlearn: --query-labels .*goes with \.npy data only/],
    ] as const) {
      const r = runCli(['evaluate', '--data', wine, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
