/** Option parsing shared by `simlearn cv` and `simlearn fit`. */
import { UsageError, asOptionError, checkLabelFlag, mentionsOption, parseSets, readWithLabelFlag } from './command.js';
import { getAlgorithm, createLearner, type AlgorithmSpec } from '../metric/algorithms.js';
import { readDataset } from '../io/index.js';
import type { Dataset } from '../io/dataset.js';
import { checkSeed } from '../random.js';
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
    // Learners take the seed only when they draw, and some never do: check it for all of them.
    if (params.seed !== undefined) checkSeed(params.seed);
  } catch (e) {
    const named = asSetError(e, params);
    throw named instanceof UsageError ? named : new UsageError(`--set: ${(e as Error).message}`);
  }
  return { spec, params };
}

export function labelOption(label: string | undefined): string | number | undefined {
  if (label === undefined) return undefined;
  return /^-?\d+$/.test(label) ? Number(label) : label;
}

/** A labels file belongs to .npy data; other formats carry their labels, which it would not replace. */
export function checkLabelsFile(path: string, labelsFile: string | undefined, flag = '--labels'): void {
  if (labelsFile === undefined || /\.npy$/i.test(path)) return;
  const own = /\.(jsonl|ndjson)$/i.test(path) ? 'its records\' "label" field' : 'a column (choose it with --label COLUMN)';
  throw new UsageError(`${flag} ${labelsFile}: a labels file goes with .npy data only; ${path} carries its labels in ${own}`);
}

/** Reads a labelled dataset; a missing label column is a usage error. */
export function readLabelled(path: string, label: string | undefined, labelsFile?: string): Dataset & { y: (number | string)[] } {
  checkLabelsFile(path, labelsFile);
  checkLabelFlag(label, { files: [path], labelsFlag: '--labels' });
  const ds = readWithLabelFlag(label, () => readDataset(path, { label: labelOption(label), ...(labelsFile ? { labels: labelsFile } : {}) }));
  if (!ds.y) throw new UsageError(/\.npy$/i.test(path) ? `${path}: .npy holds features only; give the labels with --labels FILE (.npy or one label per line)` : `${path}: no label column found; name it with --label COLUMN`);
  return ds as Dataset & { y: (number | string)[] };
}

/**
 * Learners check option values when they fit, so a bad `--set` value surfaces as a fit error.
 * When that error names a key the user set, it is a usage error (exit 2), named as the flag.
 */
export function asSetError(err: unknown, params: Record<string, unknown>): unknown {
  return asOptionError(err, setFlags(params));
}

/**
 * A fit error whose advice names a learner option the user left at its default ("lower k to
 * 2", "use kGenuine <= 1") gains how to set it from the CLI: `--set k=…`. For k it also says
 * that --k is the k-NN scorer's, a different k. Options the user did set are named by
 * asSetError instead; other errors pass through unchanged.
 */
export function withSetHint(err: unknown, options: readonly string[], params: Record<string, unknown>): unknown {
  if (!(err instanceof Error) || err instanceof UsageError) return err;
  const named = options.filter((o) => !(o in params) && mentionsOption(err.message, o));
  if (named.length === 0) return err;
  const how = named.map((o) => `--set ${o}=VALUE`).join(', ');
  err.message += ` (from the CLI: ${how}${named.includes('k') ? '; --k is the k-NN scorer\'s k, not the learner\'s' : ''})`;
  return err;
}

/** How each `--set` key was written, for asOptionError. */
export function setFlags(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(params).map((key) => [key, `--set ${key}=${JSON.stringify(params[key])}`]));
}
