import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadItems } from '../../src/service/items.js';
import { startService } from '../../src/service/server.js';
import { euclideanModel } from '../../src/service/similarity-model.js';

function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-item-ids-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Promise.resolve()
    .then(() => fn(dir))
    .finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** `id,f1,f2,label` with the given ids, one row each. */
function csv(ids: string[], delim = ','): string {
  return [['id', 'f1', 'f2', 'label'].join(delim), ...ids.map((id, i) => [id, i, i % 3, i % 2].join(delim))].join('\n') + '\n';
}

const padded = Array.from({ length: 12 }, (_, i) => String(i).padStart(3, '0'));
const long = Array.from({ length: 5 }, (_, i) => String(1234567890123456700n + BigInt(i)));

test('ids stay exactly as written: zero-padded and 19-digit ids are strings, canonical numbers are numbers', async () => {
  await withFiles({
    'pad.csv': csv(padded),
    'long.csv': csv(long),
    'num.csv': csv(['7', '-3', '0.5', '1e+21']),
    'pad.jsonl': padded.map((id, i) => JSON.stringify({ id, vector: [i, 0] })).join('\n') + '\n',
    'long.jsonl': long.map((id, i) => JSON.stringify({ id, vector: [i, 0] })).join('\n') + '\n',
  }, (dir) => {
    assert.deepEqual(loadItems(join(dir, 'pad.csv')).ids, padded);
    assert.deepEqual(loadItems(join(dir, 'long.csv')).ids, long); // used to fail: two ids rounded to …800
    assert.deepEqual(loadItems(join(dir, 'num.csv')).ids, [7, -3, 0.5, 1e21]);
    assert.deepEqual(loadItems(join(dir, 'pad.jsonl')).ids, padded);
    assert.deepEqual(loadItems(join(dir, 'long.jsonl')).ids, long);
  });
});

test('an empty id cell is refused with the line and the column', async () => {
  await withFiles({ 'e.csv': 'id,f\na,1\n,2\n' }, (dir) => {
    assert.throws(() => loadItems(join(dir, 'e.csv')), /line 3, column "id": the id is empty/);
  });
});

test('; | and tab separated text files: id and label columns leave the features, as the CSV reader splits them', async () => {
  await withFiles({
    'semi.csv': csv(padded, ';'),
    'tab.csv': csv(padded, '\t'),
    'pipe.txt': csv(padded, '|'),
    'items.tsv': csv(padded, '\t'),
    'semi_noid.csv': 'f1;f2;label\n1;2;a\n3;4;b\n',
  }, (dir) => {
    for (const name of ['semi.csv', 'tab.csv', 'pipe.txt', 'items.tsv']) {
      const it = loadItems(join(dir, name));
      assert.equal(it.X.cols, 2, name);
      assert.deepEqual(it.ids, padded, name);
      assert.deepEqual(it.labels, padded.map((_, i) => i % 2), name);
      assert.deepEqual(it.X.row(5), Float64Array.from([5, 2]), name);
    }
    // Without an id column the "label" header must still be seen, or the labels become a feature.
    const noId = loadItems(join(dir, 'semi_noid.csv'));
    assert.equal(noId.X.cols, 2);
    assert.deepEqual(noId.labels, ['a', 'b']);
  });
});

test('a hex cell is not a number here either (the CSV reader refuses it too)', async () => {
  await withFiles({ 'hex.csv': 'id,f1,f2\na,1,2\nb,0x5,3\n' }, (dir) => {
    assert.throws(() => loadItems(join(dir, 'hex.csv')), /line 3, column "f1": "0x5" is not a finite number/);
  });
});

async function similar(url: string, id: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url + '/similar', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, k: 1 }) });
  return { status: res.status, json: await res.json() };
}

test('the service answers with the ids as given and finds items by number or string without ambiguity', async () => {
  await withFiles({ 'pad.csv': csv(padded), 'num.csv': csv(padded.map(Number).map((v) => String(v + 100))) }, async (dir) => {
    const pad = await startService({ model: euclideanModel(2), items: loadItems(join(dir, 'pad.csv')), port: 0 });
    try {
      const listed = await (await fetch(pad.url + '/items?limit=3')).json();
      assert.deepEqual(listed.items.map((x: { id: unknown }) => x.id), ['000', '001', '002']);
      const r = await similar(pad.url, '007');
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.query.id, '007');
      assert.match(r.json.results[0].id, /^0\d\d$/);
      // 7 is not "007": the ids are strings, and 7 names none of them.
      const n = await similar(pad.url, 7);
      assert.equal(n.status, 404);
      assert.match(n.json.message, /unknown item id 7/);
    } finally {
      await pad.app.close();
    }
    const num = await startService({ model: euclideanModel(2), items: loadItems(join(dir, 'num.csv')), port: 0 });
    try {
      for (const id of [107, '107']) {
        const r = await similar(num.url, id);
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assert.equal(r.json.query.id, 107);
      }
      assert.equal((await similar(num.url, '0107')).status, 404);
    } finally {
      await num.app.close();
    }
  });
});
