import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { readCsvSync } from '../../src/io/csv.js';
import { retrievalMetrics } from '../../src/evaluation/retrieval.js';
import { runCli, DATA } from '../helpers.js';

// every 5th iris row: 30 rows, 10 per class, so 29 references per query and R = 9
const full = readCsvSync(join(DATA, 'iris.csv'));
const rows = Array.from({ length: 30 }, (_, i) => i * 5);
const X = full.X.takeRows(rows) as Matrix<Float64Array>;
const y = rows.map((i) => (full.y as number[])[i]);

test('retrievalMetrics: cutoffs beyond the references keep their keys, evaluated at the references available', () => {
  const r = retrievalMetrics(X, y, { kValues: [1, 40, 1e9], k: 50 });
  const at29 = retrievalMetrics(X, y, { kValues: [1, 29], k: 29 });
  for (const m of ['precisionAt', 'recallAt', 'cmcAt', 'ndcgAt'] as const) {
    assert.deepEqual(Object.keys(r[m]), ['1', '40', '1000000000'], m);
    assert.equal(r[m]['40'], at29[m]['29'], m);
    assert.equal(r[m]['1000000000'], at29[m]['29'], m);
    assert.equal(r[m]['1'], at29[m]['1'], m);
  }
  assert.equal(r.k, 50);
  assert.equal(r.mapAtK, at29.mapAtK);
  assert.equal(r.recallAt['40'], 1);
  assert.equal(r.depth, 29);
  assert.equal(r.maxRelevant, 9);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /cutoffs 40, 50, 1000000000 exceed the 29 available references; evaluated at 29/);
  // within range: no warning, depth = the largest R
  const ok = retrievalMetrics(X, y, { kValues: [1, 5], k: 5 });
  assert.deepEqual(ok.warnings, []);
  assert.equal(ok.depth, 9);
});

test('simlearn evaluate: the requested keys in --json; the text names the largest class correctly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-eval-cutoffs-'));
  try {
    const csv = join(dir, 'ir.csv');
    writeFileSync(csv, 'a,b,c,d,label\n' + rows.map((_, i) => `${Array.from(X.row(i)).join(',')},${y[i]}`).join('\n') + '\n');
    const j = runCli(['evaluate', '--data', csv, '--k-values', '1,40,1e9', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.deepEqual(Object.keys(out.cmcAt), ['1', '40', '1000000000']);
    assert.equal(out.maxRelevant, 9);
    assert.match(j.stderr, /cutoffs 40, 1000000000 exceed the 29 available references/);
    const h = runCli(['evaluate', '--data', csv, '--k-values', '1,40']);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /@40\s+precision/);
    assert.match(h.stdout, /neighbours retrieved per query: 29 \(the deepest cutoff; the largest class has 9 relevant references per query\)/);
    const d = runCli(['evaluate', '--data', csv, '--k-values', '1,5', '--k', '5']);
    assert.match(d.stdout, /neighbours retrieved per query: 9 \(the largest R; the largest class has 9 relevant references per query\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
