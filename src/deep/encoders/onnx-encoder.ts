/**
 * A frozen encoder: an ONNX model run through onnxruntime-node on the CPU. Quaterion's idea
 * (frozen encoder + trainable head): the encoder's outputs never change during training, so
 * they are computed once (and cached, see cache.ts) and only the small head is trained.
 *
 * onnxruntime-node is imported lazily so that everything else in simlearn loads without it.
 * Its CPU library ships inside the npm package; install with ONNXRUNTIME_NODE_INSTALL=skip
 * (or the .npmrc equivalent), or its install script tries to download a GPU add-on.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Matrix, type FloatArray } from '../../matrix.js';

export interface OnnxEncoderOptions {
  /** Graph input to feed (default: the model's only input). */
  inputName?: string;
  /** Graph output to read (default: the model's first output). */
  outputName?: string;
  /** Rows per inference call (default 256). */
  batchSize?: number;
}

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

let ortModule: Promise<Ort> | null = null;
function loadOrt(): Promise<Ort> {
  if (!ortModule) {
    ortModule = import('onnxruntime-node').catch((e: unknown) => {
      ortModule = null;
      throw new Error(`the ONNX encoder needs onnxruntime-node, which did not load: ${(e as Error).message}. Install it with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`);
    });
  }
  return ortModule;
}

export class OnnxEncoder {
  private constructor(
    readonly path: string,
    /** SHA-256 of the model file: part of every cache key, so a changed encoder never reuses stale embeddings. */
    readonly fileHash: string,
    private readonly ort: Ort,
    private readonly session: Session,
    readonly inputName: string,
    readonly outputName: string,
    readonly batchSize: number,
  ) {}

  static async load(path: string, options: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`ONNX encoder: cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const batchSize = options.batchSize ?? 256;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`ONNX encoder: batchSize must be a positive integer, got ${batchSize}`);
    const ort = await loadOrt();
    let session: Session;
    try {
      session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    } catch (e) {
      throw new Error(`ONNX encoder: ${path} is not a model onnxruntime can load: ${(e as Error).message}`);
    }
    const inputName = options.inputName ?? (session.inputNames.length === 1 ? session.inputNames[0] : undefined);
    if (!inputName) throw new Error(`ONNX encoder: ${path} has inputs ${session.inputNames.join(', ')}; name the one to feed with inputName`);
    if (!session.inputNames.includes(inputName)) throw new Error(`ONNX encoder: ${path} has no input "${inputName}" (it has ${session.inputNames.join(', ')})`);
    const outputName = options.outputName ?? session.outputNames[0];
    if (!session.outputNames.includes(outputName)) throw new Error(`ONNX encoder: ${path} has no output "${outputName}" (it has ${session.outputNames.join(', ')})`);
    const fileHash = createHash('sha256').update(bytes).digest('hex');
    return new OnnxEncoder(path, fileHash, ort, session, inputName, outputName, batchSize);
  }

  /** The encoder's output for every row of X (n x d input, float32 on the way in). */
  async encode(X: Matrix<FloatArray>): Promise<Matrix<Float32Array>> {
    const n = X.rows, d = X.cols;
    const x32 = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
    let out: Float32Array | null = null;
    let width = 0;
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(n, start + this.batchSize);
      const feeds = { [this.inputName]: new this.ort.Tensor('float32', x32.slice(start * d, end * d), [end - start, d]) };
      let result;
      try {
        result = await this.session.run(feeds, [this.outputName]);
      } catch (e) {
        throw new Error(`ONNX encoder ${this.path}: inference failed on rows ${start}..${end - 1} (input ${end - start} x ${d}): ${(e as Error).message}`);
      }
      const t = result[this.outputName];
      if (t.type !== 'float32') throw new Error(`ONNX encoder ${this.path}: output "${this.outputName}" is ${t.type}, expected float32`);
      const dims = t.dims;
      if (dims.length !== 2 || dims[0] !== end - start) throw new Error(`ONNX encoder ${this.path}: output "${this.outputName}" has shape [${dims.join(', ')}], expected [${end - start}, width]`);
      if (!out) {
        width = Number(dims[1]);
        out = new Float32Array(n * width);
      }
      out.set(t.data as Float32Array, start * width);
    }
    return new Matrix(n, width, out ?? new Float32Array(0));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
