/**
 * Dataset and model IO. `readDataset` picks the reader from the file extension so every
 * CLI command accepts the same inputs: .csv/.tsv/.txt (features + label column), .jsonl
 * ({id, vector, label?} per line) and .npy (features; labels from an optional second file).
 */
import { extname } from 'node:path';
import { existsSync } from 'node:fs';
import { Matrix } from '../matrix.js';
import { readCsv, readCsvSync, type LabelOption } from './csv.js';
import { readJsonl, readJsonlSync } from './jsonl.js';
import { readNpy } from './npy.js';
import { readLinesSync } from './lines.js';
import type { Dataset, LabelValue } from './dataset.js';

export interface ReadDatasetOptions {
  /** CSV only: the label column (name, index, 'last', or null for none); see ReadCsvOptions. */
  label?: LabelOption;
  /** CSV only: field separator (default: detected). */
  delimiter?: string;
  /** .npy only: a labels file, either .npy (1-D) or text with one label per line. */
  labels?: string;
  /** JSON Lines only: the field holding the ids (default "id", optional); see ReadJsonlOptions. */
  id?: string;
}

function npyDataset(path: string, opts: ReadDatasetOptions): Dataset {
  const a = readNpy(path);
  const [n, d] = a.shape.length === 1 ? [a.shape[0], 1] : a.shape;
  const X = new Matrix(n, d, Float64Array.from(a.data));
  for (let i = 0; i < X.data.length; i++) {
    if (!Number.isFinite(X.data[i])) throw new RangeError(`${path}: value at row ${Math.floor(i / d)}, column ${i % d} is ${X.data[i]}; remove or impute non-finite values`);
  }
  let y: LabelValue[] | null = null;
  if (opts.labels) {
    y = readLabelsFile(opts.labels);
    if (y.length !== n) throw new RangeError(`${opts.labels}: ${y.length} labels for ${n} rows in ${path}; the labels file must have one label per row`);
  }
  return { X, y, featureNames: Array.from({ length: d }, (_, j) => `x${j}`), labelName: y ? 'label' : null };
}

/** Labels from a 1-D .npy or a text file with one label per line (an optional "label" header). */
export function readLabelsFile(path: string): LabelValue[] {
  if (extname(path).toLowerCase() === '.npy') {
    const a = readNpy(path);
    if (a.shape.length !== 1 && !(a.shape.length === 2 && a.shape[1] === 1)) throw new RangeError(`${path}: labels must be a 1-D array, got shape (${a.shape.join(', ')})`);
    return Array.from(a.data);
  }
  const raw: string[] = [];
  for (const { line, lineNo } of readLinesSync(path, 'readLabels')) {
    const t = line.trim();
    if (t === '') continue;
    if (raw.length === 0 && lineNo === 1 && t.toLowerCase() === 'label') continue;
    raw.push(t);
  }
  if (raw.length === 0) throw new RangeError(`${path}: the labels file is empty`);
  const nums = raw.map(Number);
  return nums.every((v) => Number.isFinite(v)) ? nums : raw;
}

function kindOf(path: string): 'csv' | 'tsv' | 'jsonl' | 'npy' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.tsv') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.npy') return 'npy';
  throw new RangeError(`readDataset: cannot tell the format of ${path} from its extension "${ext}"; use .csv, .tsv, .jsonl or .npy`);
}

function checkExists(path: string): void {
  if (!existsSync(path)) throw new Error(`readDataset: cannot read ${path}: no such file`);
}

/** Reads a dataset synchronously, choosing the reader by extension. */
export function readDataset(path: string, opts: ReadDatasetOptions = {}): Dataset {
  checkExists(path);
  switch (kindOf(path)) {
    case 'csv': return readCsvSync(path, { label: opts.label, delimiter: opts.delimiter });
    case 'tsv': return readCsvSync(path, { label: opts.label, delimiter: opts.delimiter ?? '\t' });
    case 'jsonl': return readJsonlSync(path, { id: opts.id });
    case 'npy': return npyDataset(path, opts);
  }
}

/** Async counterpart of readDataset (streams text formats through a read stream). */
export async function readDatasetAsync(path: string, opts: ReadDatasetOptions = {}): Promise<Dataset> {
  checkExists(path);
  switch (kindOf(path)) {
    case 'csv': return readCsv(path, { label: opts.label, delimiter: opts.delimiter });
    case 'tsv': return readCsv(path, { label: opts.label, delimiter: opts.delimiter ?? '\t' });
    case 'jsonl': return readJsonl(path, { id: opts.id });
    case 'npy': return npyDataset(path, opts);
  }
}

export type { Dataset, LabelValue } from './dataset.js';
export { checkFeatureCount, dataFileFormat, type FeatureCountCheck } from './dataset.js';
export { readCsv, readCsvSync, writeCsv, readFolds, splitCsvRecord, LabelColumnError, columnList, type ReadCsvOptions, type WriteCsvOptions, type LabelOption } from './csv.js';
export { readJsonl, readJsonlSync, writeJsonl, type JsonlRecord, type ReadJsonlOptions, type WriteJsonlOptions } from './jsonl.js';
export { readNpy, writeNpy, encodeNpy, decodeNpy, type NpyArray, type NpyData } from './npy.js';
export { encodeModel, decodeModel, saveModel, loadModel, ModelFormatError, MODEL_FORMAT_VERSION, type ModelPayload, type ModelArray, type ArrayData } from './model-file.js';
export { writeFileAtomic, ensureParentDir, type FileContent } from './atomic-write.js';
export { registerModelLoader, modelFromPayload, loadModelObject, registeredModelKinds, type ModelLoader } from './model-registry.js';
