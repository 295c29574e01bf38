/**
 * Maps a model file's `kind` to the function that rebuilds the object, so `simlearn`
 * can load any saved model without the caller knowing its class. Each area registers
 * its loaders from a module of its own (e.g. src/metric/registry.ts) that the CLI imports.
 */
import { loadModel, type ModelPayload } from './model-file.js';

export type ModelLoader = (p: ModelPayload) => unknown;

const loaders = new Map<string, ModelLoader>();

/**
 * Registers the loader for every kind equal to `kindPrefix` or below it in the
 * '/'-separated hierarchy ('metric' covers 'metric/lmnn'). Registering a prefix again
 * replaces the earlier loader (a module evaluated twice must not fail).
 */
export function registerModelLoader(kindPrefix: string, load: ModelLoader): void {
  if (typeof kindPrefix !== 'string' || kindPrefix.replace(/\/+$/, '') === '') throw new TypeError('registerModelLoader: kindPrefix must be a non-empty string such as "metric/lmnn"');
  if (typeof load !== 'function') throw new TypeError(`registerModelLoader(${kindPrefix}): load must be a function`);
  loaders.set(kindPrefix.replace(/\/+$/, ''), load);
}

/** The registered kind prefixes, sorted (for error messages and `simlearn info`). */
export function registeredModelKinds(): string[] {
  return [...loaders.keys()].sort();
}

function matches(kind: string, prefix: string): boolean {
  return kind === prefix || kind.startsWith(prefix + '/');
}

/** Rebuilds the object a payload describes, using the loader with the longest matching prefix. */
export function modelFromPayload(p: ModelPayload): unknown {
  checkPayloadShape(p);
  let best: string | null = null;
  for (const prefix of loaders.keys()) {
    if (matches(p.kind, prefix) && (best === null || prefix.length > best.length)) best = prefix;
  }
  if (best === null) {
    const known = registeredModelKinds();
    throw new Error(`no loader is registered for model kind "${p.kind}" (registered: ${known.length ? known.join(', ') : 'none'}); import the module that registers it (e.g. simlearn's registry for that area) before loading`);
  }
  return (loaders.get(best) as ModelLoader)(p);
}

/**
 * The three fields every loader reads. A hand-made or crafted payload (meta: null, no arrays)
 * would otherwise fail inside a loader with a TypeError that names neither.
 */
function checkPayloadShape(p: ModelPayload): void {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(p)) throw new TypeError(`modelFromPayload: the payload must be an object with kind, meta and arrays, got ${p === null ? 'null' : typeof p}`);
  if (typeof p.kind !== 'string' || p.kind === '') throw new TypeError(`modelFromPayload: the payload's kind must be a non-empty string, got ${JSON.stringify(p.kind)}`);
  if (!isObject(p.meta)) throw new TypeError(`modelFromPayload: ${p.kind}: meta must be an object, got ${p.meta === null ? 'null' : typeof p.meta}; the payload was not written by simlearn, or was edited`);
  if (!isObject(p.arrays)) throw new TypeError(`modelFromPayload: ${p.kind}: arrays must be an object of named arrays, got ${p.arrays === null ? 'null' : typeof p.arrays}`);
}

/** Loads a model file and rebuilds its object. */
export function loadModelObject(path: string): unknown {
  return modelFromPayload(loadModel(path));
}
