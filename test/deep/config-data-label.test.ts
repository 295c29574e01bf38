/**
 * A train config's `data.label` names a column of a CSV/TSV file, as --label does. With .npy data
 * (features only) or JSON Lines (labels in the field "label") it would be ignored without a word,
 * so it is a config error naming data.label and how that format gives labels (the wording of
 * checkLabelFlag for --label). A label column a CSV lacks is named under data.label too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseTrainConfig, dataLabelProblem } from '../../src/deep/config.js';
import { writeNpy } from '../../src/io/index.js';
import { runInProcess } from '../contracts/fixtures.js';

const base = { loss: { name: 'triplet-margin' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 1 };
const NPY = /data\.label: "species" names a column of a CSV\/TSV file, but x\.npy is \.npy, which holds features only; give labelled data as a CSV file with a label column \(named by data\.label\) or as JSON Lines with a "label" field/;
const JSONL = /data\.label: "species" names a column of a CSV\/TSV file, but x\.jsonl is JSON Lines, whose records carry their labels in the field "label" only: name that field "label" in every record and leave out data\.label/;

test('data.label naming a column of .npy or JSON Lines data is a ConfigError naming data.label and the fix', () => {
  const bad = (data: unknown, re: RegExp, extra: Record<string, unknown> = {}) =>
    assert.throws(() => parseTrainConfig({ ...base, data, ...extra }, 'cfg.json'), (e: Error) => e instanceof ConfigError && re.test(e.message), `${JSON.stringify(data)} → ${re}`);
  bad({ path: 'x.npy', label: 'species' }, NPY);
  bad({ path: 'x.jsonl', label: 'species' }, JSONL);
  bad({ path: 'x.ndjson', label: 'species' }, /but x\.ndjson is JSON Lines/);
  bad({ path: 'X.NPY', label: 2 }, /data\.label: 2 names a column of a CSV\/TSV file, but X\.NPY is \.npy/);
  bad({ path: 'x.npy', label: 'label' }, /holds features only/); // .npy has no "label" field either
  // The validation file is read with data.label too: its format counts.
  bad({ path: 'x.jsonl', label: 'label' }, /data\.label: "label" names a column of a CSV\/TSV file, but v\.npy is \.npy/, { validation: 'v.npy' });

  // Accepted: a text file among the files read with it, "label" for JSON Lines, null, no label.
  for (const [data, validation] of [
    [{ path: 'x.csv', label: 'species' }, undefined],
    [{ path: 'x.tsv', label: 0 }, undefined],
    [{ path: 'x.jsonl', label: 'label' }, undefined],
    [{ path: 'x.jsonl', label: 'species' }, 'v.csv'],
    [{ path: 'x.parquet', label: 'y' }, undefined], // left to the reader, which refuses it
  ] as const) {
    assert.doesNotThrow(() => parseTrainConfig({ ...base, data, ...(validation ? { validation } : {}) }), JSON.stringify(data));
  }
  // .npy without a data.label raises no data.label problem, but it holds no labels at all, so
  // training on it is refused under `data` (the key to change), naming the formats with labels.
  for (const data of [{ path: 'x.npy', label: null }, { path: 'x.npy' }, 'x.npy'] as const) {
    assert.equal(dataLabelProblem(data), null, JSON.stringify(data));
    bad(data, /  data(\.path)?: x\.npy is \.npy, which holds features only, so it gives no class labels .*CSV\/TSV file with a label column .*JSON Lines with a "label" field/);
    assert.throws(() => parseTrainConfig({ ...base, data }), (e: Error) => !/data\.label:/.test(e.message), 'not a data.label problem');
  }
  assert.equal(dataLabelProblem({ path: 'a.csv', label: 'y' }), null);
});

test('simlearn train: such a config exits 2 before reading any data; a CSV column it lacks is named under data.label (exit 1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-config-label-'));
  try {
    writeNpy(join(dir, 'x.npy'), Float64Array.from({ length: 12 }, (_, i) => i), [6, 2]);
    writeFileSync(join(dir, 'x.jsonl'), Array.from({ length: 6 }, (_, i) => JSON.stringify({ vector: [i, i % 2], label: i % 2 })).join('\n') + '\n');
    const rows = Array.from({ length: 30 }, (_, i) => `${(i % 3) + i / 100},${(i * 7) % 5},${i % 3}`);
    writeFileSync(join(dir, 'd.csv'), `a,b,kind\n${rows.join('\n')}\n`);
    const cfg = (data: unknown) => {
      const path = join(dir, 'cfg.json');
      writeFileSync(path, JSON.stringify({ ...base, head: { hidden: [4], output: 2 }, sampler: { name: 'm-per-class', m: 2, batchSize: 6 }, data }));
      return path;
    };
    for (const [data, re] of [[{ path: 'x.npy', label: 'species' }, NPY], [{ path: 'x.jsonl', label: 'species' }, JSONL]] as const) {
      const r = await runInProcess(['train', '--config', cfg(data), '--no-save', '--json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /cfg\.json: invalid training configuration:\n/);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
    }
    // A column the CSV lacks: the data's problem (exit 1), named under the config's data.label.
    const path = cfg({ path: 'd.csv', label: 'species' });
    const r = await runInProcess(['train', '--config', path, '--no-save']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^simlearn: error: data\.label "species" in \S+cfg\.json: \S+d\.csv: no column named "species" for the labels \(columns: a, b, kind\)/);
    // --label overrides it for the data trained on, and is named instead.
    const f = await runInProcess(['train', '--config', path, '--no-save', '--label', 'nope']);
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, /^simlearn: error: --label nope: \S+d\.csv: no column named "nope"/);
    // The config's own data.label is the default label of --data; JSON Lines cannot use it: a warning, and the "label" field.
    const ok = await runInProcess(['train', '--config', cfg({ path: 'd.csv', label: 'kind' }), '--data', join(dir, 'x.jsonl'), '--no-save', '--json', '--no-progress']);
    assert.match(ok.stderr, /warning: ignoring the config's data\.label "kind" for --data \S+x\.jsonl: it is JSON Lines, whose records carry their labels in the field "label"/);
    const good = await runInProcess(['train', '--config', cfg({ path: 'd.csv', label: 'kind' }), '--no-save', '--json', '--no-progress']);
    assert.equal(good.code, 0, good.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
