/**
 * readJsonl({ id }): the ids come from a named field, as `--id` names a CSV id column. The
 * default field "id" stays optional (records without one are numbered); a named field is
 * required in every record, and a record without it is an error naming the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset, readDatasetAsync, readJsonl, readJsonlSync } from '../../src/io/index.js';

function withFile(text: string, fn: (path: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-jsonl-id-'));
  const path = join(dir, 'items.jsonl');
  writeFileSync(path, text);
  return Promise.resolve().then(() => fn(path)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const lines = (recs: unknown[]) => recs.map((r) => JSON.stringify(r)).join('\n') + '\n';

test('jsonl: options.id takes each record\'s id from that field (sync, async and readDataset agree)', async () => {
  const text = lines([
    { sku: 'a-1', id: 100, vector: [1, 2], label: 'x' },
    { sku: 'b-2', id: 101, vector: [3, 4], label: 'y' },
    { sku: 7, id: 102, vector: [5, 6], label: 'x' },
  ]);
  await withFile(text, async (path) => {
    assert.deepEqual(readJsonlSync(path, { id: 'sku' }).ids, ['a-1', 'b-2', '7']);
    assert.deepEqual((await readJsonl(path, { id: 'sku' })).ids, ['a-1', 'b-2', '7']);
    assert.deepEqual(readDataset(path, { id: 'sku' }).ids, ['a-1', 'b-2', '7']);
    assert.deepEqual((await readDatasetAsync(path, { id: 'sku' })).ids, ['a-1', 'b-2', '7']);
    // The default is still the field "id"; the features and labels are the same either way.
    assert.deepEqual(readJsonlSync(path).ids, ['100', '101', '102']);
    const ds = readJsonlSync(path, { id: 'sku' });
    assert.deepEqual(ds.y, ['x', 'y', 'x']);
    assert.deepEqual(Array.from(ds.X.data), [1, 2, 3, 4, 5, 6]);
  });
});

test('jsonl: a record without the named id field is an error naming the line and the record\'s fields', async () => {
  const text = lines([{ sku: 'a', vector: [1], label: 'x' }, { sku: 'b', vector: [2], label: 'y' }, { vector: [3], label: 'z', other: 1 }]);
  await withFile(text, async (path) => {
    const re = /items\.jsonl: line 3: the id field "sku" is missing \(the record's fields: "vector", "label", "other"\); give every record an id in "sku"/;
    assert.throws(() => readJsonlSync(path, { id: 'sku' }), re);
    await assert.rejects(readJsonl(path, { id: 'sku' }), re);
    // Without options.id the default "id" field stays optional: records are numbered.
    assert.deepEqual(readJsonlSync(path).ids, ['0', '1', '2']);
  });
  await withFile(lines([{ sku: 'a', vector: [1] }, { sku: '', vector: [2] }]), (path) => {
    assert.throws(() => readJsonlSync(path, { id: 'sku' }), /line 2: the id field "sku" is empty; give every record an id/);
  });
  await withFile(lines([{ sku: ['a'], vector: [1] }]), (path) => {
    assert.throws(() => readJsonlSync(path, { id: 'sku' }), /line 1: "sku" must be a string or a number/);
  });
  // An inherited property is not a field of the record.
  await withFile(lines([{ vector: [1] }]), (path) => {
    assert.throws(() => readJsonlSync(path, { id: 'constructor' }), /line 1: the id field "constructor" is missing/);
  });
  await withFile(lines([{ vector: [1] }]), (path) => {
    assert.throws(() => readJsonlSync(path, { id: 'vector' }), /cannot be "vector"/);
  });
});
