import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel, decodeModel, saveModel, loadModel, ModelFormatError, type ModelPayload } from '../../src/io/model-file.js';
import { registerModelLoader, modelFromPayload, loadModelObject } from '../../src/io/model-registry.js';
import { crc32 } from '../../src/io/crc32.js';

function sample(): ModelPayload {
  return {
    kind: 'test/sample',
    version: 3,
    meta: { name: 'ünïcode ✓', k: 5, nested: { list: [1, 2, 3], flag: true }, best: Infinity, missing: NaN, low: -Infinity },
    arrays: {
      f64: { shape: [2, 3], data: new Float64Array([1.5, -0, Math.PI, 1e-300, -1e300, Number.MIN_VALUE]) },
      f32: { shape: [3], data: new Float32Array([0.1, -2.5, 3e38]) },
      i32: { shape: [2, 2], data: new Int32Array([-2147483648, 2147483647, 0, -1]) },
      u8: { shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) },
      empty: { shape: [0, 4], data: new Float64Array(0) },
    },
  };
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('encode/decode round trip preserves every dtype bit for bit, meta and non-finite numbers', () => {
  const p = sample();
  const bytes = encodeModel(p);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'SIMLEARN');
  const q = decodeModel(bytes);
  assert.equal(q.kind, 'test/sample');
  assert.equal(q.version, 3);
  assert.deepEqual(q.meta, p.meta);
  assert.ok(typeof q.created === 'string' && !Number.isNaN(Date.parse(q.created)));
  for (const [name, a] of Object.entries(p.arrays)) {
    const b = q.arrays[name];
    assert.deepEqual(b.shape, a.shape, name);
    assert.equal(b.data.constructor, a.data.constructor, name);
    assert.deepEqual(Array.from(b.data), Array.from(a.data), name);
  }
  assert.ok(Object.is(q.arrays.f64.data[1], -0), 'negative zero survives');
});

test('a given created timestamp makes encoding reproducible byte for byte', () => {
  const p = { ...sample(), created: '2026-01-01T00:00:00.000Z' };
  assert.deepEqual(encodeModel(p), encodeModel(p));
  assert.equal(decodeModel(encodeModel(p)).created, '2026-01-01T00:00:00.000Z');
});

test('arrays start at 8-byte aligned offsets', () => {
  const bytes = encodeModel(sample());
  const view = new DataView(bytes.buffer);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + headerLength)));
  assert.equal(header.arrays.length, 5);
  for (const e of header.arrays) assert.equal(e.offset % 8, 0, e.name);
  assert.equal(header.simlearnVersion.length > 0, true);
});

test('decoding from an unaligned buffer position still works (copies)', () => {
  const bytes = encodeModel(sample());
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const q = decodeModel(shifted.subarray(3));
  assert.deepEqual(Array.from(q.arrays.f64.data), Array.from(sample().arrays.f64.data));
  // Node Buffers (whose slice() is a view into a shared pool) are copied correctly too.
  const buf = Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3);
  const r = decodeModel(buf);
  assert.deepEqual(Array.from(r.arrays.f32.data), Array.from(sample().arrays.f32.data));
  assert.deepEqual(Array.from(r.arrays.i32.data), Array.from(sample().arrays.i32.data));
});

test('truncation at several offsets is reported with expected and actual sizes', () => {
  const bytes = encodeModel(sample());
  for (const cut of [4, 20, 30, 100, bytes.length - 5, bytes.length - 1]) {
    assert.throws(() => decodeModel(bytes.subarray(0, cut), 'm.simlearn'), (err: Error) => {
      assert.ok(err instanceof ModelFormatError);
      assert.match(err.message, /^m\.simlearn: truncated/);
      if (cut >= 28) assert.match(err.message, new RegExp(`expected ${bytes.length} bytes, got ${cut}`));
      return true;
    }, `cut at ${cut}`);
  }
});

test('a flipped byte anywhere after the prefix gives a checksum mismatch', () => {
  const bytes = encodeModel(sample());
  for (const at of [30, 60, bytes.length - 20, bytes.length - 2]) {
    const bad = bytes.slice();
    bad[at] ^= 0x10;
    assert.throws(() => decodeModel(bad), /checksum mismatch/, `flip at ${at}`);
  }
});

test('foreign and empty files are refused as not simlearn files', () => {
  assert.throws(() => decodeModel(new TextEncoder().encode('a,b,c\n1,2,3\n')), /not a simlearn model file/);
  assert.throws(() => decodeModel(new Uint8Array(0)), /not a simlearn model file: it is empty/);
  const npy = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  assert.throws(() => decodeModel(npy), ModelFormatError);
});

test('a newer format version is refused with an upgrade hint', () => {
  const bytes = encodeModel(sample());
  new DataView(bytes.buffer).setUint32(8, 99, true);
  assert.throws(() => decodeModel(bytes), /format version 99.*upgrade simlearn/);
});

/** Rewrites the header JSON and fixes lengths and checksum, to reach the later checks. */
function withHeader(edit: (h: any) => any, rawText?: string): Uint8Array {
  const bytes = encodeModel(sample());
  const view = new DataView(bytes.buffer);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + headerLength)));
  header.meta = {}; // frees room for the edit
  const text = rawText ?? JSON.stringify(edit(header));
  // Keep the same byte length (space padding is valid JSON) so array offsets stay valid.
  const encoded = new TextEncoder().encode(text);
  if (encoded.length > headerLength) throw new Error('edited header grew');
  const out = bytes.slice();
  out.fill(0x20, 24, 24 + headerLength);
  out.set(encoded, 24);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

test('invalid header JSON, out-of-bounds arrays and shape mismatches have their own messages', () => {
  assert.throws(() => decodeModel(withHeader(() => null, '{"kind": "x", broken')), /header is not valid UTF-8 JSON/);
  assert.throws(() => decodeModel(withHeader((h) => { h.arrays[0].offset = 1e9; return h; })), /out of bounds/);
  assert.throws(() => decodeModel(withHeader((h) => { h.arrays[0].shape = [7, 7]; return h; })), /shape\/length mismatch/);
  assert.throws(() => decodeModel(withHeader((h) => { h.arrays[0].dtype = 'complex'; return h; })), /unknown dtype/);
  assert.throws(() => decodeModel(withHeader((h) => { delete h.kind; return h; })), /lacks "kind"/);
});

test('encodeModel rejects bad payloads clearly', () => {
  assert.throws(() => encodeModel({ kind: '', meta: {}, arrays: {} }), /kind must be a non-empty string/);
  assert.throws(() => encodeModel({ kind: 'x', meta: {}, arrays: { a: { shape: [2, 2], data: new Float64Array(3) } } }), /shape \[2, 2\] holds 4 values but the data has 3/);
  assert.throws(() => encodeModel({ kind: 'x', meta: { a: new Float64Array(2) }, arrays: {} }), /typed array; put arrays in payload.arrays/);
  assert.throws(() => encodeModel({ kind: 'x', meta: {}, arrays: { a: { shape: [2], data: [1, 2] as unknown as Float64Array } } }), /Float64Array, Float32Array, Int32Array or Uint8Array/);
});

test('saveModel/loadModel round trip and atomic replacement', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-model-'));
  try {
    const path = join(dir, 'm.simlearn');
    saveModel(path, sample());
    const q = loadModel(path);
    assert.deepEqual(Array.from(q.arrays.i32.data), [-2147483648, 2147483647, 0, -1]);
    const before = readFileSync(path);

    // A failed save (invalid payload) leaves the previous file untouched and no temp file.
    assert.throws(() => saveModel(path, { kind: 'x', meta: {}, arrays: { a: { shape: [5], data: new Float64Array(2) } } }));
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(dir), ['m.simlearn']);

    // A failure after the temp file was written (rename onto a directory) cleans up too.
    const sub = join(dir, 'occupied');
    mkdirSync(sub);
    writeFileSync(join(sub, 'keep'), 'x');
    assert.throws(() => saveModel(sub, sample()), /saveModel: cannot write .*occupied/);
    assert.deepEqual(readdirSync(dir).sort(), ['m.simlearn', 'occupied']);
    assert.deepEqual(readFileSync(path), before);

    // Saving into a missing directory names the problem.
    assert.throws(() => saveModel(join(dir, 'nope', 'm.simlearn'), sample()), /does the directory exist/);
    assert.throws(() => loadModel(join(dir, 'absent.simlearn')), /cannot read .*absent\.simlearn: no such file/);

    // A successful second save replaces the file.
    saveModel(path, { kind: 'test/other', meta: {}, arrays: {} });
    assert.equal(loadModel(path).kind, 'test/other');
    assert.deepEqual(readdirSync(dir).sort(), ['m.simlearn', 'occupied']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('registry dispatches on the longest matching kind prefix at segment boundaries', () => {
  registerModelLoader('regtest', (p) => `generic:${p.kind}`);
  registerModelLoader('regtest/special', (p) => `special:${p.kind}`);
  const mk = (kind: string): ModelPayload => ({ kind, meta: {}, arrays: {} });
  assert.equal(modelFromPayload(mk('regtest/a')), 'generic:regtest/a');
  assert.equal(modelFromPayload(mk('regtest/special')), 'special:regtest/special');
  assert.equal(modelFromPayload(mk('regtest/special/v2')), 'special:regtest/special/v2');
  assert.throws(() => modelFromPayload(mk('regtestx/a')), /no loader is registered for model kind "regtestx\/a"/);
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-model-'));
  try {
    const path = join(dir, 'r.simlearn');
    saveModel(path, mk('regtest/special'));
    assert.equal(loadModelObject(path), 'special:regtest/special');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('modelFromPayload: a payload without an object meta or arrays is refused by name, not with a TypeError from a loader', async () => {
  await import('../../src/metric/registry.js');
  const ok = { kind: 'metric/lmnn', version: 1, meta: {}, arrays: {} };
  assert.throws(() => modelFromPayload({ ...ok, meta: null } as never), /metric\/lmnn: meta must be an object, got null/);
  assert.throws(() => modelFromPayload({ ...ok, arrays: undefined } as never), /arrays must be an object of named arrays/);
  assert.throws(() => modelFromPayload({ ...ok, kind: 3 } as never), /kind must be a non-empty string, got 3/);
  assert.throws(() => modelFromPayload(null as never), /must be an object with kind, meta and arrays, got null/);
});
