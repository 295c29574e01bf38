/** A tiny ONNX model written by the test suite itself: y = x W + b (MatMul + Add, float32). */
import { writeFileSync } from 'node:fs';
import { encodeOnnxModel } from '../../src/export/onnx-proto.js';

export function writeLinearOnnx(path: string, W: Float32Array, din: number, dout: number, b: Float32Array): void {
  const bytes = encodeOnnxModel({
    opset: 13,
    graph: {
      name: 'tiny-encoder',
      nodes: [
        { op: 'MatMul', inputs: ['x', 'W'], outputs: ['h'] },
        { op: 'Add', inputs: ['h', 'b'], outputs: ['y'] },
      ],
      initializers: [{ name: 'W', dims: [din, dout], data: W }, { name: 'b', dims: [dout], data: b }],
      inputs: [{ name: 'x', elemType: 'float32', shape: ['batch', din] }],
      outputs: [{ name: 'y', elemType: 'float32', shape: ['batch', dout] }],
    },
  });
  writeFileSync(path, bytes);
}
