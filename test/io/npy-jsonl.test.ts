import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from '../../src/io/npy.js';
import { readJsonl, readJsonlSync, writeJsonl } from '../../src/io/jsonl.js';
import { readDataset, readDatasetAsync, readLabelsFile } from '../../src/io/index.js';
import { Matrix } from '../../src/matrix.js';
import { DATA } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'simlearn-npy-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The exact bytes np.save writes for a header dict (v1.0: 10-byte prefix, 64-byte aligned). */
function numpyBytes(dict: string, data: Uint8Array): Uint8Array {
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, total);
  return out;
}

test('npy: round trip of every writable dtype, 1-D and 2-D', () => {
  const cases = [
    { data: new Float64Array([1.5, -0, Math.PI, 1e-300, -1e300, 7]), shape: [2, 3] },
    { data: new Float32Array([0.25, -2, 3e38]), shape: [3] },
    { data: new Int32Array([-2147483648, 2147483647, 0, 5]), shape: [4, 1] },
    { data: new Uint8Array([0, 255, 7]), shape: [1, 3] },
    { data: new Float64Array(0), shape: [0, 4] },
  ];
  for (const c of cases) {
    const back = decodeNpy(encodeNpy(c.data, c.shape));
    assert.deepEqual(back.shape, c.shape);
    assert.equal(back.data.constructor, c.data.constructor);
    assert.deepEqual(Array.from(back.data), Array.from(c.data));
  }
  const p = join(dir, 'a.npy');
  writeNpy(p, new Float32Array([1, 2, 3, 4]), [2, 2]);
  assert.deepEqual(Array.from(readNpy(p).data), [1, 2, 3, 4]);
  assert.equal(readFileSync(p).length % 16, 0);
});

test('npy: reads bytes laid out exactly as numpy writes them (including <i8 and |u1)', () => {
  const f8 = new Float64Array([0, 1, 2, 3, 4, 5]);
  const a = decodeNpy(numpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(f8.buffer)));
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5]);
  // np.save writes the same header our encoder does, byte for byte.
  const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" + ' '.repeat(20);
  assert.deepEqual(encodeNpy(f8, [2, 3]), numpyBytes(dict, new Uint8Array(f8.buffer)));
  const i8 = decodeNpy(numpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(new BigInt64Array([-5n, 0n, 2147483647n]).buffer)));
  assert.ok(i8.data instanceof Int32Array);
  assert.deepEqual(Array.from(i8.data), [-5, 0, 2147483647]);
  const big = decodeNpy(numpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(new BigInt64Array([4294967296n]).buffer)));
  assert.ok(big.data instanceof Float64Array);
  assert.equal(big.data[0], 4294967296);
  assert.throws(() => decodeNpy(numpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(new BigInt64Array([2n ** 60n]).buffer))), /beyond 2\^53/);
  const u1 = decodeNpy(numpyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([3, 255])));
  assert.deepEqual(Array.from(u1.data), [3, 255]);
});

test('npy: format version 2.0 (4-byte header length) is read', () => {
  const dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
  const total = Math.ceil((12 + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - 12 - 1, ' ') + '\n';
  const out = new Uint8Array(total + 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0], 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[12 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(new Int32Array([-7, 9]).buffer), total);
  assert.deepEqual(Array.from(decodeNpy(out).data), [-7, 9]);
  out[6] = 4;
  assert.throws(() => decodeNpy(out), /unsupported .npy format version 4\.0/);
});

test('npy: files written by python3 numpy, when numpy is installed here', () => {
  // Hand-built bytes above cover the format; this cross-checks against numpy itself.
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  const p = join(dir, 'py.npy');
  const ours = join(dir, 'ours.npy');
  writeNpy(ours, new Float64Array([1.25, -2, 3, 4]), [2, 2]);
  if (probe.status === 0) {
    const code = `import numpy as np; np.save(${JSON.stringify(p)}, np.arange(12, dtype='<f4').reshape(3, 4) / 4); b = np.load(${JSON.stringify(ours)}); assert b.shape == (2, 2) and b.dtype == np.float64 and b[0, 0] == 1.25 and b[1, 0] == 3`;
    const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  } else {
    writeFileSync(p, numpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" + ' '.repeat(20), new Uint8Array(Float32Array.from({ length: 12 }, (_, i) => i / 4).buffer)));
  }
  const a = readNpy(p);
  assert.deepEqual(a.shape, [3, 4]);
  assert.ok(a.data instanceof Float32Array);
  assert.deepEqual(Array.from(a.data), Array.from({ length: 12 }, (_, i) => i / 4));
});

test('npy: clear errors for fortran order, 3-D, big-endian, truncation and foreign files', () => {
  const body = new Uint8Array(48);
  assert.throws(() => decodeNpy(numpyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", body)), /Fortran .*np\.ascontiguousarray/);
  assert.throws(() => decodeNpy(numpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }", body)), /3 dimensions.*only 1-D and 2-D/);
  assert.throws(() => decodeNpy(numpyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", body)), /unsupported .npy dtype '>f8' \(big-endian/);
  assert.throws(() => decodeNpy(numpyBytes("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", body)), /unsupported .npy dtype '<c16'/);
  assert.throws(() => decodeNpy(numpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }", body), 'x.npy'), /x\.npy: truncated .npy file: shape \(100\) of '<f8' needs 928 bytes, the file has 176/);
  assert.throws(() => decodeNpy(new TextEncoder().encode('a,b\n1,2\n')), /not a .npy file/);
  assert.throws(() => readNpy(join(dir, 'nope.npy')), /cannot read .*nope\.npy: no such file/);
  assert.throws(() => encodeNpy(new Float64Array(3), [2, 2]), /holds 4 values but data has 3/);
});

test('jsonl: round trip with ids and labels; sync and async readers agree', async () => {
  const X = new Matrix(3, 2, new Float64Array([0.5, 1, -2, 3e-7, 4, 5]));
  const p = join(dir, 'd.jsonl');
  writeJsonl(p, X, { y: ['cat', 'dog', 'cat'], ids: ['a', 'b', 'c'] });
  const d = readJsonlSync(p);
  assert.deepEqual(Array.from(d.X.data), Array.from(X.data));
  assert.deepEqual(d.y, ['cat', 'dog', 'cat']);
  assert.deepEqual(d.ids, ['a', 'b', 'c']);
  const a = await readJsonl(p);
  assert.deepEqual(a.X.data, d.X.data);
  const q = join(dir, 'n.jsonl');
  writeFileSync(q, '{"vector":[1,2],"label":3}\n\n{"id":7,"vector":[3,4],"label":4}\n');
  const e = readJsonlSync(q);
  assert.deepEqual(e.y, [3, 4]);
  assert.deepEqual(e.ids, ['0', '7']);
  assert.throws(() => writeJsonl(p, new Matrix(1, 1, new Float64Array([NaN]))), /is NaN, which JSON cannot hold/);
});

test('jsonl: errors name the line', () => {
  const cases: [string, RegExp][] = [
    ['{"vector":[1,2]}\n{"vector":[1,2,3]}\n', /line 2: "vector" has 3 values but earlier records have 2/],
    ['{"vector":[1,2]}\nnot json\n', /line 2: not valid JSON/],
    ['{"vector":[1,"x"]}\n', /line 1: vector\[1\] is "x", not a finite number/],
    ['{"vector":[1],"label":1}\n{"vector":[2]}\n', /line 2: has no "label" but earlier records do/],
    ['{"id":1}\n', /line 1: "vector" is missing/],
    ['[1,2]\n', /line 1: expected an object/],
    ['\n\n', /has no records/],
  ];
  cases.forEach(([text, re], i) => {
    const p = join(dir, `bad${i}.jsonl`);
    writeFileSync(p, text);
    assert.throws(() => readJsonlSync(p), re);
  });
});

test('readDataset picks the reader by extension; npy with a labels file', async () => {
  const iris = readDataset(join(DATA, 'iris.csv'));
  assert.deepEqual([iris.X.rows, iris.X.cols, iris.labelName], [150, 4, 'label']);
  const viaAsync = await readDatasetAsync(join(DATA, 'iris.csv'));
  assert.deepEqual(viaAsync.X.data, iris.X.data);
  const tsv = join(dir, 't.tsv');
  writeFileSync(tsv, 'a\tb\tlabel\n1\t2\tx\n');
  assert.deepEqual(readDataset(tsv).y, ['x']);
  const xp = join(dir, 'X.npy');
  const yp = join(dir, 'y.npy');
  const yt = join(dir, 'y.txt');
  writeNpy(xp, iris.X.toFloat32().data, [150, 4]);
  writeNpy(yp, Int32Array.from(iris.y as number[]));
  writeFileSync(yt, 'label\n' + (iris.y as number[]).join('\n') + '\n');
  const n = readDataset(xp, { labels: yp });
  assert.deepEqual(Array.from(n.X.data), Array.from(iris.X.toFloat32().data));
  assert.deepEqual(n.y, iris.y);
  assert.deepEqual(readDataset(xp, { labels: yt }).y, iris.y);
  assert.equal(readDataset(xp).y, null);
  assert.deepEqual(readLabelsFile(yt).slice(0, 2), [0, 0]);
  writeNpy(yp, new Int32Array(3));
  assert.throws(() => readDataset(xp, { labels: yp }), /3 labels for 150 rows/);
  const jl = join(dir, 'x.jsonl');
  writeJsonl(jl, iris.X, { y: iris.y });
  assert.deepEqual(readDataset(jl).y, iris.y);
  assert.throws(() => readDataset(join(dir, 'x.parquet')), /cannot read .*no such file/);
  writeFileSync(join(dir, 'x.parquet'), 'x');
  assert.throws(() => readDataset(join(dir, 'x.parquet')), /cannot tell the format .*"\.parquet"; use .csv, .tsv, .jsonl or .npy/);
});
