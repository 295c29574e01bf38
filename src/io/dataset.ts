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
