/** Option parsing shared by `simlearn cv` and `simlearn fit`. */
import { UsageError, parseSets } from './command.js';
import { getAlgorithm, createLearner, type AlgorithmSpec } from '../metric/algorithms.js';
import { readDataset } from '../io/index.js';
import type { Dataset } from '../io/dataset.js';
import '../metric/index.js';

export { intOption } from './command.js';

/** The algorithm and its --set options, checked before any data is read. */
export function algorithmAndParams(algo: string, sets: string[] | undefined): { spec: AlgorithmSpec; params: Record<string, unknown> } {
  let spec: AlgorithmSpec;
  try {
    spec = getAlgorithm(algo);
  } catch (e) {
    throw new UsageError(`--algo: ${(e as Error).message}`);
  }
  const params = parseSets(sets);
  try {
    createLearner(spec.name, params);
  } catch (e) {
    throw new UsageError(`--set: ${(e as Error).message}`);
  }
  return { spec, params };
}

export function labelOption(label: string | undefined): string | number | undefined {
  if (label === undefined) return undefined;
  return /^-?\d+$/.test(label) ? Number(label) : label;
}

/** Reads a labelled dataset; a missing label column is a usage error. */
export function readLabelled(path: string, label: string | undefined, labelsFile?: string): Dataset & { y: (number | string)[] } {
  const ds = readDataset(path, { label: labelOption(label), ...(labelsFile ? { labels: labelsFile } : {}) });
  if (!ds.y) throw new UsageError(/\.npy$/i.test(path) ? `${path}: .npy holds features only; give the labels with --labels FILE (.npy or one label per line)` : `${path}: no label column found; name it with --label COLUMN`);
  return ds as Dataset & { y: (number | string)[] };
}

/**
 * Learners check option values when they fit, so a bad `--set` value surfaces as a fit error.
 * When that error is about a key the user set, it is a usage error (exit 2), named as the flag.
 */
export function asSetError(err: unknown, params: Record<string, unknown>): unknown {
  if (!(err instanceof Error)) return err;
  for (const key of Object.keys(params)) {
    const re = new RegExp(`(^|: )${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (must|should|has|is not|cannot)\\b`);
    if (re.test(err.message)) return new UsageError(`--set ${key}=${JSON.stringify(params[key])}: ${err.message}`);
  }
  return err;
}
