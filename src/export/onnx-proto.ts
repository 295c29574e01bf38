/**
 * ONNX messages (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto) encoded with
 * the small protobuf writer. Field numbers follow onnx/onnx.proto (IR version 8); only the
 * fields a feed-forward inference graph needs are written.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export const ONNX_DOUBLE = 11;

export type OnnxElemType = 'float32' | 'float64';

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | Float64Array | BigInt64Array;
}

export type OnnxAttribute = { int: number } | { float: number } | { ints: number[] } | { floats: number[] } | { string: string };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElemType;
  /** A number is a fixed size; a string is a symbolic (dynamic) dimension such as "batch". */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  doc?: string;
}

export interface OnnxModelSpec {
  graph: OnnxGraph;
  /** Default-domain opset version. */
  opset: number;
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  doc?: string;
  /** Free-form key/value metadata (ModelProto.metadata_props). */
  metadata?: Record<string, string>;
}

function elemTypeCode(t: OnnxElemType): number {
  return t === 'float64' ? ONNX_DOUBLE : ONNX_FLOAT;
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.data.length) throw new RangeError(`ONNX tensor ${t.name}: dims [${t.dims}] need ${size} values, got ${t.data.length}`);
  const w = new ProtoWriter();
  w.packedInts(1, t.dims);
  const isF64 = t.data instanceof Float64Array;
  const isI64 = t.data instanceof BigInt64Array;
  w.int(2, isI64 ? ONNX_INT64 : isF64 ? ONNX_DOUBLE : ONNX_FLOAT);
  w.string(8, t.name);
  // raw_data is little-endian by the ONNX spec; DataView makes that independent of the host.
  const width = isF64 || isI64 ? 8 : 4;
  const raw = new Uint8Array(t.data.length * width);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < t.data.length; i++) {
    if (isI64) dv.setBigInt64(i * 8, (t.data as BigInt64Array)[i], true);
    else if (isF64) dv.setFloat64(i * 8, t.data[i] as number, true);
    else dv.setFloat32(i * 4, t.data[i] as number, true);
  }
  w.bytes(9, raw);
  return w;
}

function attributeProto(name: string, a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name);
  // AttributeProto.type (field 20): FLOAT=1, INT=2, STRING=3, FLOATS=6, INTS=7.
  if ('float' in a) w.float(2, a.float).int(20, 1);
  else if ('int' in a) w.int(3, a.int).int(20, 2);
  else if ('string' in a) w.string(4, a.string).int(20, 3);
  else if ('floats' in a) w.packedFloats(7, a.floats).int(20, 6);
  else w.packedInts(8, a.ints).int(20, 7);
  return w;
}

function nodeProto(n: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op.toLowerCase()}_${index}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attributeProto(k, v));
  return w;
}

function valueInfoProto(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, elemTypeCode(v.elemType)).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function graphProto(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  g.nodes.forEach((n, i) => w.message(1, nodeProto(n, i)));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensorProto(t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, valueInfoProto(v));
  for (const v of g.outputs) w.message(12, valueInfoProto(v));
  return w;
}

/** Serialises a model to the bytes of a .onnx file. */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  if (!(spec.opset >= 7 && spec.opset <= 21)) throw new RangeError(`ONNX opset ${spec.opset} is outside the supported range 7..21`);
  const w = new ProtoWriter();
  // IR 8 pairs with opsets up to 17 (ONNX 1.12+); onnxruntime reads it back to 1.12.
  w.int(1, spec.irVersion ?? 8);
  w.string(2, spec.producerName ?? 'simlearn');
  if (spec.producerVersion) w.string(3, spec.producerVersion);
  if (spec.doc) w.string(6, spec.doc);
  w.message(7, graphProto(spec.graph));
  w.message(8, new ProtoWriter().string(1, '').int(2, spec.opset));
  for (const [k, v] of Object.entries(spec.metadata ?? {})) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
