/** The in-memory form every dataset reader returns. */
import type { Matrix } from '../matrix.js';

/** Numeric labels stay numbers; any non-numeric label makes the whole column strings. */
export type LabelValue = number | string;

export interface Dataset {
  /** n x d features. */
  X: Matrix<Float64Array>;
  /** n labels, or null when the file has none. */
  y: LabelValue[] | null;
  featureNames: string[];
  labelName: string | null;
  /** Row identifiers, when the format carries them (JSONL `id`). */
  ids?: string[];
}

/**
 * A dataset file's format by its extension, for checks made before reading: 'text' for the
 * delimited files with named columns (.csv, .tsv, .txt), 'jsonl' (.jsonl, .ndjson: labels in the
 * field "label"), 'npy' (features only), 'other' for anything the readers will refuse.
 */
export function dataFileFormat(path: string): 'text' | 'jsonl' | 'npy' | 'other' {
  const ext = /\.[^./\\]*$/.exec(path)?.[0].toLowerCase() ?? '';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'text';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.npy') return 'npy';
  return 'other';
}

export interface FeatureCountCheck {
  /** Names the input, e.g. "--data iris.csv". */
  source: string;
  /** Names the model, e.g. "--model lmnn.simlearn"; default "the model". */
  model?: string;
  /** How the columns were read, e.g. 'besides the label column "y"'; shown in parentheses. */
  detail?: string;
  /** What to do about a mismatch. */
  fix?: string;
}

/**
 * Refuses data whose width differs from what a model takes, before the model sees it, so the
 * error names the file (and the flag it came from) instead of a transformer deep inside.
 * `expected` undefined means the model does not say, and nothing is checked.
 */
export function checkFeatureCount(cols: number, expected: number | undefined, c: FeatureCountCheck): void {
  if (expected === undefined || cols === expected) return;
  const fix = c.fix ?? `pass data with the ${expected} feature columns the model was fitted on`;
  const detail = c.detail ? ` (${c.detail})` : '';
  throw new RangeError(`${c.source} has ${cols} feature column${cols === 1 ? '' : 's'} but ${c.model ?? 'the model'} takes ${expected}${detail}; ${fix}`);
}
