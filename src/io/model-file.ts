/**
 * The simlearn model file: one self-describing binary file per fitted object.
 *
 * Layout (all integers little-endian; see docs/model-format.md):
 *   [0, 8)    magic "SIMLEARN"
 *   [8, 12)   format version, uint32
 *   [12, 16)  header length H in bytes, uint32
 *   [16, 24)  total file length in bytes, uint64 (so truncation is reported exactly)
 *   [24, 24+H) UTF-8 JSON header {kind, version, meta, arrays, created, simlearnVersion}
 *   zero padding to a multiple of 8, then each array's raw bytes at its 8-aligned `offset`
 *   last 4 bytes: CRC-32 of every byte before them
 *
 * Arrays are raw little-endian blobs so a 500 MB index loads without parsing, and
 * floats round-trip bit for bit (JSON would lose -0, NaN payloads and cost 3x the space).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { crc32 } from './crc32.js';
import { VERSION } from '../version.js';

export type ArrayData = Float64Array | Float32Array | Int32Array | Uint8Array;
export type ArrayDType = 'float64' | 'float32' | 'int32' | 'uint8';

export interface ModelArray {
  shape: number[];
  data: ArrayData;
}

export interface ModelPayload {
  /** What the file holds, e.g. 'metric/lmnn', 'index/hnsw', 'preprocessing/standard-scaler'. */
  kind: string;
  /** Version of this kind's own layout (defaults to 1), so loaders can migrate old files. */
  version?: number;
  /** JSON-serialisable settings and small values (non-finite numbers survive the round trip). */
  meta: Record<string, unknown>;
  arrays: Record<string, ModelArray>;
  /** When the file was written (ISO 8601); set by encodeModel unless given, filled in by decodeModel. */
  created?: string;
  /** Filled in by decodeModel: the simlearn version that wrote the file. */
  simlearnVersion?: string;
}

/** Thrown for any file that is not a valid simlearn model; the message says which check failed. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

export const MODEL_MAGIC = 'SIMLEARN';
export const MODEL_FORMAT_VERSION = 1;
const PREFIX_BYTES = 24;
const CRC_BYTES = 4;
const ALIGN = 8;

interface ArrayEntry {
  name: string;
  dtype: ArrayDType;
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  kind: string;
  version: number;
  meta: Record<string, unknown>;
  arrays: ArrayEntry[];
  created: string;
  simlearnVersion: string;
}

const ITEM_SIZE: Record<ArrayDType, number> = { float64: 8, float32: 4, int32: 4, uint8: 1 };
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOfArray(a: ArrayData, where: string): ArrayDType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TypeError(`${where}: data must be a Float64Array, Float32Array, Int32Array or Uint8Array`);
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function describe(source: string | undefined): string {
  return source ? `${source}: ` : '';
}

// JSON has no NaN/Infinity; tag them so a loss history or a max-distance survives intact.
const NONFINITE_TAG = '$simlearn:nonfinite';

function metaReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { [NONFINITE_TAG]: String(value) };
  if (ArrayBuffer.isView(value)) {
    throw new TypeError(`encodeModel: meta${key ? `.${key}` : ''} is a typed array; put arrays in payload.arrays (they are stored in binary), not in meta`);
  }
  if (typeof value === 'bigint') throw new TypeError(`encodeModel: meta${key ? `.${key}` : ''} is a bigint, which JSON cannot hold; store it as a string`);
  return value;
}

function metaReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === NONFINITE_TAG) return Number((value as Record<string, string>)[NONFINITE_TAG]);
  }
  return value;
}

function checkShape(shape: unknown, length: number, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new RangeError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const count = shape.reduce((p: number, s: number) => p * s, 1);
  if (count !== length) {
    throw new RangeError(`${where}: shape [${shape.join(', ')}] holds ${count} values but the data has ${length}; fix the shape or the data`);
  }
  return shape.slice();
}

/** Serialises a payload into the bytes of one model file. */
export function encodeModel(p: ModelPayload): Uint8Array {
  if (!p || typeof p.kind !== 'string' || p.kind.length === 0) throw new TypeError('encodeModel: payload.kind must be a non-empty string such as "metric/lmnn"');
  const version = p.version ?? 1;
  if (!Number.isInteger(version) || version < 0) throw new RangeError(`encodeModel: payload.version must be a non-negative integer, got ${version}`);
  if (p.meta === null || typeof p.meta !== 'object' || Array.isArray(p.meta)) throw new TypeError('encodeModel: payload.meta must be a plain object');
  if (p.arrays === null || typeof p.arrays !== 'object') throw new TypeError('encodeModel: payload.arrays must be an object of {shape, data}');

  const names = Object.keys(p.arrays);
  const entries: ArrayEntry[] = names.map((name) => {
    const a = p.arrays[name];
    const where = `encodeModel: arrays.${name}`;
    if (!a || typeof a !== 'object') throw new TypeError(`${where} must be {shape, data}`);
    const dtype = dtypeOfArray(a.data, where);
    const shape = checkShape(a.shape, a.data.length, where);
    return { name, dtype, shape, offset: 0, byteLength: a.data.length * ITEM_SIZE[dtype] };
  });

  // Array offsets depend on the header length and the header holds the offsets, so iterate
  // until the JSON length stops changing (twice in practice: digits only ever grow).
  const header: Header = {
    kind: p.kind, version, meta: p.meta, arrays: entries,
    // A caller-supplied timestamp makes the bytes reproducible (same payload, same file).
    created: typeof p.created === 'string' ? p.created : new Date().toISOString(), simlearnVersion: VERSION,
  };
  let json = '';
  let headerBytes = new Uint8Array(0);
  for (let iter = 0; iter < 10; iter++) {
    let offset = align(PREFIX_BYTES + headerBytes.length);
    for (const e of entries) {
      e.offset = offset;
      offset = align(offset + e.byteLength);
    }
    json = JSON.stringify(header, metaReplacer);
    const next = new TextEncoder().encode(json);
    const stable = next.length === headerBytes.length;
    headerBytes = next;
    if (stable) break;
  }
  const dataStart = align(PREFIX_BYTES + headerBytes.length);
  if (entries.length > 0 && entries[0].offset !== dataStart) throw new Error('encodeModel: internal error, header layout did not converge');
  const last = entries.length > 0 ? entries[entries.length - 1] : null;
  const dataEnd = last ? last.offset + last.byteLength : dataStart;
  const total = dataEnd + CRC_BYTES;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MODEL_MAGIC.charCodeAt(i);
  view.setUint32(8, MODEL_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  view.setBigUint64(16, BigInt(total), true);
  out.set(headerBytes, PREFIX_BYTES);
  for (const e of entries) {
    const data = p.arrays[e.name].data;
    const src = new Uint8Array(data.buffer, data.byteOffset, e.byteLength);
    if (LITTLE_ENDIAN_HOST || ITEM_SIZE[e.dtype] === 1) out.set(src, e.offset);
    else writeLittleEndian(view, e, data);
  }
  view.setUint32(dataEnd, crc32(out, 0, dataEnd), true);
  return out;
}

function writeLittleEndian(view: DataView, e: ArrayEntry, data: ArrayData): void {
  const size = ITEM_SIZE[e.dtype];
  for (let i = 0; i < data.length; i++) {
    const at = e.offset + i * size;
    if (e.dtype === 'float64') view.setFloat64(at, data[i], true);
    else if (e.dtype === 'float32') view.setFloat32(at, data[i], true);
    else view.setInt32(at, data[i], true);
  }
}

function readArray(bytes: Uint8Array, e: ArrayEntry, copy: boolean): ArrayData {
  const size = ITEM_SIZE[e.dtype];
  const count = e.byteLength / size;
  const absolute = bytes.byteOffset + e.offset;
  if (LITTLE_ENDIAN_HOST) {
    // A view is free when the buffer position is aligned for the element type; else copy.
    if (!copy && absolute % size === 0) {
      switch (e.dtype) {
        case 'float64': return new Float64Array(bytes.buffer, absolute, count);
        case 'float32': return new Float32Array(bytes.buffer, absolute, count);
        case 'int32': return new Int32Array(bytes.buffer, absolute, count);
        case 'uint8': return new Uint8Array(bytes.buffer, absolute, count);
      }
    }
    // Uint8Array.prototype.slice copies even for a Buffer, whose own slice() is a view.
    const raw = Uint8Array.prototype.slice.call(bytes, e.offset, e.offset + e.byteLength);
    switch (e.dtype) {
      case 'float64': return new Float64Array(raw.buffer, 0, count);
      case 'float32': return new Float32Array(raw.buffer, 0, count);
      case 'int32': return new Int32Array(raw.buffer, 0, count);
      case 'uint8': return raw;
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = e.dtype === 'float64' ? new Float64Array(count) : e.dtype === 'float32' ? new Float32Array(count) : e.dtype === 'int32' ? new Int32Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = e.offset + i * size;
    out[i] = e.dtype === 'float64' ? view.getFloat64(at, true) : e.dtype === 'float32' ? view.getFloat32(at, true) : e.dtype === 'int32' ? view.getInt32(at, true) : view.getUint8(at);
  }
  return out;
}

function decode(bytes: Uint8Array, source: string | undefined, copy: boolean): ModelPayload {
  const who = describe(source);
  const fix = 'the file is damaged; re-save the model or restore it from a copy';
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${who}decodeModel expects a Uint8Array (e.g. from fs.readFileSync)`);
  const magicLen = Math.min(8, bytes.length);
  let magicOk = true;
  for (let i = 0; i < magicLen; i++) if (bytes[i] !== MODEL_MAGIC.charCodeAt(i)) magicOk = false;
  if (!magicOk || bytes.length === 0) {
    if (bytes.length === 0) throw new ModelFormatError(`${who}not a simlearn model file: it is empty (0 bytes)`);
    throw new ModelFormatError(`${who}not a simlearn model file: it does not start with "${MODEL_MAGIC}" (was it written by simlearn's saveModel?)`);
  }
  if (bytes.length < PREFIX_BYTES + CRC_BYTES) {
    throw new ModelFormatError(`${who}truncated simlearn model file: expected at least ${PREFIX_BYTES + CRC_BYTES} bytes, got ${bytes.length}; ${fix}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint32(8, true);
  if (formatVersion > MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(`${who}this model file uses format version ${formatVersion}, but this simlearn (${VERSION}) reads up to version ${MODEL_FORMAT_VERSION}; upgrade simlearn to load it`);
  }
  if (formatVersion === 0) throw new ModelFormatError(`${who}invalid format version 0; ${fix}`);
  const headerLength = view.getUint32(12, true);
  const declared = view.getBigUint64(16, true);
  if (declared !== BigInt(bytes.length)) {
    if (declared > BigInt(bytes.length)) {
      throw new ModelFormatError(`${who}truncated simlearn model file: expected ${declared} bytes, got ${bytes.length} (an interrupted copy or download?); ${fix}`);
    }
    throw new ModelFormatError(`${who}simlearn model file has ${bytes.length} bytes but its header says ${declared}: extra bytes at the end or a damaged header; ${fix}`);
  }
  const crcAt = bytes.length - CRC_BYTES;
  const stored = view.getUint32(crcAt, true);
  const actual = crc32(bytes, 0, crcAt);
  if (stored !== actual) {
    throw new ModelFormatError(`${who}checksum mismatch (stored CRC-32 ${hex(stored)}, computed ${hex(actual)}): the file is corrupted; re-save the model or restore it from a copy`);
  }
  if (PREFIX_BYTES + headerLength > crcAt) {
    throw new ModelFormatError(`${who}header length ${headerLength} runs past the end of the file; ${fix}`);
  }
  let header: Header;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength));
    header = JSON.parse(text, metaReviver) as Header;
  } catch (err) {
    throw new ModelFormatError(`${who}the model header is not valid UTF-8 JSON (${(err as Error).message}); ${fix}`);
  }
  if (header === null || typeof header !== 'object' || typeof header.kind !== 'string' || !Array.isArray(header.arrays) || header.meta === null || typeof header.meta !== 'object') {
    throw new ModelFormatError(`${who}the model header lacks "kind", "meta" or "arrays"; ${fix}`);
  }
  const dataStart = PREFIX_BYTES + headerLength;
  const arrays: Record<string, ModelArray> = {};
  for (const e of header.arrays) {
    const name = e && typeof e.name === 'string' ? e.name : '?';
    const where = `${who}array "${name}"`;
    if (!e || typeof e.name !== 'string' || !(e.dtype in ITEM_SIZE)) {
      throw new ModelFormatError(`${where}: unknown dtype ${JSON.stringify(e?.dtype)} (expected float64, float32, int32 or uint8); ${fix}`);
    }
    if (Object.prototype.hasOwnProperty.call(arrays, e.name)) throw new ModelFormatError(`${where} appears twice in the header; ${fix}`);
    const size = ITEM_SIZE[e.dtype];
    if (!Number.isInteger(e.offset) || !Number.isInteger(e.byteLength) || e.offset < dataStart || e.byteLength < 0 || e.offset + e.byteLength > crcAt) {
      throw new ModelFormatError(`${where}: bytes [${e.offset}, ${e.offset + e.byteLength}) are out of bounds of the data section [${dataStart}, ${crcAt}); ${fix}`);
    }
    if (e.byteLength % size !== 0) throw new ModelFormatError(`${where}: ${e.byteLength} bytes is not a whole number of ${e.dtype} values; ${fix}`);
    let shape: number[];
    try {
      shape = checkShape(e.shape, e.byteLength / size, where);
    } catch (err) {
      throw new ModelFormatError(`${(err as Error).message.replace(/; fix.*$/, '')} (shape/length mismatch); ${fix}`);
    }
    arrays[e.name] = { shape, data: readArray(bytes, e, copy) };
  }
  return {
    kind: header.kind,
    version: typeof header.version === 'number' ? header.version : 1,
    meta: header.meta,
    arrays,
    created: typeof header.created === 'string' ? header.created : undefined,
    simlearnVersion: typeof header.simlearnVersion === 'string' ? header.simlearnVersion : undefined,
  };
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/**
 * Parses and validates the bytes of a model file. Arrays are copies, so the caller may
 * reuse `bytes`. `source` (a path) prefixes every error message.
 */
export function decodeModel(bytes: Uint8Array, source?: string): ModelPayload {
  return decode(bytes, source, true);
}

/**
 * Writes a model file atomically: the bytes go to a temporary file in the same directory,
 * are flushed to disk, then renamed over `path`. A crash or error leaves either the old
 * file or the new one, never a mix, and no temporary file behind.
 */
export function saveModel(path: string, p: ModelPayload): void {
  writeFileAtomic(path, encodeModel(p), 'saveModel');
}

/** Reads and validates a model file written by saveModel. */
export function loadModel(path: string): ModelPayload {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'ENOENT' ? ': no such file' : e.code === 'EISDIR' ? ': it is a directory' : `: ${e.message}`;
    throw new Error(`loadModel: cannot read ${path}${hint}`, { cause: err });
  }
  // The buffer is ours alone, so arrays may view it without copying.
  return decode(bytes, path, false);
}
