/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0 on read; 1.0 or 2.0 on write), so
 * embeddings produced in Python move in and out without a CSV detour.
 * Spec: numpy.lib.format (NEP 1, "A Simple File Format for NumPy Arrays").
 *
 * Supported: C order, 1-D or 2-D, little-endian <f8 <f4 <i4 (read and write), plus |u1 and
 * <i8 on read (<i8 becomes Int32Array when every value fits, else Float64Array when every
 * value is exactly representable, else an error).
 */
import { readFileSync } from 'node:fs';
import { fileError } from './lines.js';
import { writeFileAtomic } from './atomic-write.js';

export type NpyData = Float64Array | Float32Array | Int32Array | Uint8Array;

export interface NpyArray {
  /** [n] or [rows, cols]. */
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function fail(source: string | undefined, msg: string): never {
  throw new RangeError(`${source ? source + ': ' : ''}${msg}`);
}

function parseHeader(text: string, source: string | undefined): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) fail(source, `the .npy header is malformed (expected 'descr', 'fortran_order' and 'shape'): ${text.trim().slice(0, 120)}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => Number(s.replace(/L$/, '')));
  if (dims.some((v) => !Number.isInteger(v) || v < 0)) fail(source, `the .npy shape (${shape[1]}) is not a tuple of non-negative integers`);
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims };
}

/** Parses the bytes of a .npy file. */
export function decodeNpy(bytes: Uint8Array, source?: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail(source, 'not a .npy file (it does not start with "\\x93NUMPY")');
  const major = bytes[6];
  const minor = bytes[7];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(source, 'truncated .npy file (no header length)');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    fail(source, `unsupported .npy format version ${major}.${minor} (this reader knows 1.0, 2.0 and 3.0)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail(source, `truncated .npy file: the header needs ${dataStart} bytes, the file has ${bytes.length}`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : String.fromCharCode(...headerBytes);
  const { descr, fortran, shape } = parseHeader(text, source);
  if (fortran) fail(source, `the array is stored in Fortran (column-major) order; save it with np.save(path, np.ascontiguousarray(a)) instead`);
  if (shape.length === 0 || shape.length > 2) fail(source, `the array has ${shape.length} dimensions (shape (${shape.join(', ')})); only 1-D and 2-D arrays are supported — reshape it to (n, d) first`);
  const count = shape.reduce((p, s) => p * s, 1);
  const sizes: Record<string, number> = { '<f8': 8, '<f4': 4, '<i4': 4, '|u1': 1, '<u1': 1, '|i1': 1, '<i8': 8 };
  const size = sizes[descr];
  if (size === undefined) {
    const hint = descr.startsWith('>') ? ' (big-endian; convert with a.astype(a.dtype.newbyteorder("<")))' : '';
    fail(source, `unsupported .npy dtype '${descr}'${hint}; use float64 (<f8), float32 (<f4) or int32 (<i4), e.g. a.astype(np.float32)`);
  }
  const need = dataStart + count * size;
  if (bytes.length < need) fail(source, `truncated .npy file: shape (${shape.join(', ')}) of '${descr}' needs ${need} bytes, the file has ${bytes.length}`);
  const raw = Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + count * size); // copy: aligned and independent of the input
  let data: NpyData;
  switch (descr) {
    case '<f8': data = new Float64Array(raw.buffer, 0, count); break;
    case '<f4': data = new Float32Array(raw.buffer, 0, count); break;
    case '<i4': data = new Int32Array(raw.buffer, 0, count); break;
    case '|i1': data = Int32Array.from(new Int8Array(raw.buffer, 0, count)); break;
    case '<i8': data = fromInt64(new BigInt64Array(raw.buffer, 0, count), source); break;
    default: data = raw; // u1
  }
  return { shape, data };
}

function fromInt64(a: BigInt64Array, source: string | undefined): Int32Array | Float64Array {
  let fits32 = true;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v > 2147483647n || v < -2147483648n) {
      fits32 = false;
      if (v > 9007199254740991n || v < -9007199254740991n) fail(source, `int64 value ${v} at position ${i} is beyond 2^53 and cannot be represented exactly`);
    }
  }
  const out = fits32 ? new Int32Array(a.length) : new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}

/** Reads a .npy file. */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fileError(err, path, 'readNpy');
  }
  return decodeNpy(bytes, path);
}

function descrOf(data: NpyData): string {
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint8Array) return '|u1';
  throw new TypeError('encodeNpy: data must be a Float64Array, Float32Array, Int32Array or Uint8Array');
}

/** Serialises a 1-D or 2-D C-order array as .npy bytes (version 1.0, or 2.0 for huge headers). */
export function encodeNpy(data: NpyData, shape: number[] = [data.length]): Uint8Array {
  const descr = descrOf(data);
  if (shape.length === 0 || shape.length > 2 || shape.some((s) => !Number.isInteger(s) || s < 0)) throw new RangeError(`encodeNpy: shape must be [n] or [rows, cols] of non-negative integers, got [${shape.join(', ')}]`);
  const count = shape.reduce((p, s) => p * s, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape[0]}, ${shape[1]})`;
  // numpy leaves room for the first axis to grow to 21 digits (so files can be appended to
  // in place); doing the same makes our bytes identical to np.save's.
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }` + ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary (as numpy does).
  let major = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 65535) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  dict = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Writes a .npy file atomically: on any error the earlier file, if any, is left as it was. */
export function writeNpy(path: string, data: NpyData, shape: number[] = [data.length]): void {
  writeFileAtomic(path, encodeNpy(data, shape), 'writeNpy');
}
