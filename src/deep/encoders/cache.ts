/**
 * On-disk cache of encoder outputs, keyed by a SHA-256 of the encoder file and of the exact
 * input (shape and float32 bytes): the same input through the same encoder is encoded once,
 * and any change to either gives a new key. Entries are simlearn model files (kind
 * 'cache/embeddings'), written atomically and checksummed, so a torn or foreign file is
 * detected and recomputed instead of silently reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix, type FloatArray } from '../../matrix.js';
import { loadModel, saveModel } from '../../io/model-file.js';

export const CACHE_KIND = 'cache/embeddings';

export function cacheKey(encoderHash: string, X: Matrix<FloatArray>): string {
  const x32 = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
  return createHash('sha256')
    .update(`simlearn-embeddings\0${encoderHash}\0${X.rows}x${X.cols}\0`)
    .update(new Uint8Array(x32.buffer, x32.byteOffset, x32.byteLength))
    .digest('hex');
}

export class EmbeddingCache {
  constructor(readonly dir: string) {}

  pathOf(key: string): string {
    return join(this.dir, `${key}.simlearn`);
  }

  /** The cached matrix, or null when absent or unreadable (then it is recomputed and rewritten). */
  get(key: string, encoderHash: string): Matrix<Float32Array> | null {
    const p = this.pathOf(key);
    if (!existsSync(p)) return null;
    try {
      const m = loadModel(p);
      const e = m.arrays.embeddings;
      if (m.kind !== CACHE_KIND || m.meta.encoderHash !== encoderHash || !e || !(e.data instanceof Float32Array) || e.shape.length !== 2) return null;
      return new Matrix(e.shape[0], e.shape[1], e.data);
    } catch {
      return null;
    }
  }

  set(key: string, encoderHash: string, E: Matrix<Float32Array>): void {
    mkdirSync(this.dir, { recursive: true });
    saveModel(this.pathOf(key), { kind: CACHE_KIND, meta: { encoderHash, key }, arrays: { embeddings: { shape: [E.rows, E.cols], data: E.data } } });
  }
}

/** Anything that turns inputs into embeddings and has a stable identity hash. */
export interface HashedEncoder {
  readonly fileHash: string;
  encode(X: Matrix<FloatArray>): Promise<Matrix<Float32Array>>;
}

/** Encodes X, reading and filling the cache in `cacheDir`. */
export async function encodeCached(encoder: HashedEncoder, X: Matrix<FloatArray>, cacheDir: string): Promise<{ embeddings: Matrix<Float32Array>; hit: boolean; key: string }> {
  const cache = new EmbeddingCache(cacheDir);
  const key = cacheKey(encoder.fileHash, X);
  const hit = cache.get(key, encoder.fileHash);
  if (hit && hit.rows === X.rows) return { embeddings: hit, hit: true, key };
  const embeddings = await encoder.encode(X);
  cache.set(key, encoder.fileHash, embeddings);
  return { embeddings, hit: false, key };
}
