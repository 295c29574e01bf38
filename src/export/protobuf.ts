/**
 * A minimal Protocol Buffers encoder: just the wire types ONNX needs (varint, 32-bit and
 * length-delimited). Encoding is write-only and small enough to audit, so simlearn does not
 * need a protobuf runtime or generated code to produce .onnx files.
 *
 * Wire format reference: https://protobuf.dev/programming-guides/encoding/
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();

/** Builds one message; nested messages are built with their own writer and embedded with `message`. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(BigInt(field) << 3n | BigInt(wire));
  }

  private rawVarint(v: bigint): void {
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes), as protobuf does.
    let x = v < 0n ? (1n << 64n) + v : v;
    const out: number[] = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }

  /** int32/int64/enum/bool field. */
  int(field: number, value: number | bigint): this {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`protobuf: field ${field} needs an integer, got ${value}`);
    this.tag(field, WIRE_VARINT);
    this.rawVarint(BigInt(value));
    return this;
  }

  /** 32-bit float field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** A packed repeated int64 field (one length-delimited run of varints). */
  packedInts(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.rawVarint(BigInt(values[i]));
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
