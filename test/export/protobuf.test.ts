import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter } from '../../src/export/protobuf.js';

// Expected bytes are worked by hand from the protobuf encoding rules (tag = field << 3 | wire type).
test('varints: 150 in field 1 is 08 96 01 (the protobuf guide example)', () => {
  assert.deepEqual([...new ProtoWriter().int(1, 150).finish()], [0x08, 0x96, 0x01]);
});

test('negative int64 takes ten bytes of two\'s complement', () => {
  const b = new ProtoWriter().int(1, -1).finish();
  assert.deepEqual([...b], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
});

test('length-delimited string and nested message', () => {
  assert.deepEqual([...new ProtoWriter().string(2, 'testing').finish()], [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
  const inner = new ProtoWriter().int(1, 150);
  assert.deepEqual([...new ProtoWriter().message(3, inner).finish()], [0x1a, 0x03, 0x08, 0x96, 0x01]);
});

test('packed ints and floats, and a fixed32 float', () => {
  assert.deepEqual([...new ProtoWriter().packedInts(4, [3, 270, 86942]).finish()], [0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  // 1.0f = 0x3f800000, little-endian
  assert.deepEqual([...new ProtoWriter().float(2, 1).finish()], [0x15, 0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual([...new ProtoWriter().packedFloats(7, [1, -2]).finish()], [0x3a, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
});

test('field numbers above 15 use a two-byte tag', () => {
  // field 20, wire type 0: (20 << 3) = 160 = 0xa0 0x01
  assert.deepEqual([...new ProtoWriter().int(20, 2).finish()], [0xa0, 0x01, 0x02]);
});

test('a non-integer is rejected with the field named', () => {
  assert.throws(() => new ProtoWriter().int(3, 1.5), /field 3 needs an integer/);
});
