/** Frozen encoders and the on-disk embedding cache. */
export { OnnxEncoder, type OnnxEncoderOptions } from './onnx-encoder.js';
export { EmbeddingCache, cacheKey, encodeCached, CACHE_KIND, type HashedEncoder } from './cache.js';
