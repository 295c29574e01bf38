/**
 * Registers the index loaders with the model registry, and `loadIndex` for callers that
 * want an index back from a file without knowing its kind.
 */
import { loadModel, type ModelPayload } from '../io/model-file.js';
import { registerModelLoader } from '../io/model-registry.js';
import { ExactIndex } from './exact-index.js';
import { HnswIndex } from './hnsw-index.js';
import { SimHashIndex } from './lsh/simhash-index.js';
import { E2LshIndex } from './lsh/e2lsh-index.js';
import { MinHashIndex } from './lsh/minhash-index.js';
// an index may embed a fitted learner as its transform: make its loader available too
import '../metric/registry.js';

registerModelLoader('index/exact', (p) => ExactIndex.fromPayload(p));
registerModelLoader('index/simhash', (p) => SimHashIndex.fromPayload(p));
registerModelLoader('index/e2lsh', (p) => E2LshIndex.fromPayload(p));
registerModelLoader('index/hnsw', (p) => HnswIndex.fromPayload(p));
registerModelLoader('index/minhash', (p) => MinHashIndex.fromPayload(p));

export type AnyIndex = ExactIndex | SimHashIndex | E2LshIndex | HnswIndex | MinHashIndex;

export function indexFromPayload(p: ModelPayload): AnyIndex {
  switch (p.kind) {
    case 'index/exact': return ExactIndex.fromPayload(p);
    case 'index/simhash': return SimHashIndex.fromPayload(p);
    case 'index/e2lsh': return E2LshIndex.fromPayload(p);
    case 'index/hnsw': return HnswIndex.fromPayload(p);
    case 'index/minhash': return MinHashIndex.fromPayload(p);
    default: throw new Error(`not an index file: its kind is "${p.kind}" (expected index/exact, index/simhash, index/e2lsh, index/hnsw or index/minhash)`);
  }
}

/** Loads any simlearn index file. */
export function loadIndex(path: string): AnyIndex {
  return indexFromPayload(loadModel(path));
}
