/**
 * The item set a similarity service answers about: vectors with ids and optional labels.
 * Any dataset file simlearn reads (CSV, TSV, JSON Lines {id, vector, label}, .npy) works;
 * a CSV may also carry an id column (named by `id`, default a column called "id"), which the
 * plain dataset reader would take for a feature.
 */
import { extname } from 'node:path';
import { Matrix } from '../matrix.js';
import { readDataset, splitCsvRecord } from '../io/index.js';
import { readLinesSync } from '../io/lines.js';

export type ItemId = string | number;

export interface ItemSet {
  ids: ItemId[];
  labels: (string | number)[] | null;
  X: Matrix<Float64Array>;
}

function numericOrStrings(values: string[]): (string | number)[] {
  return values.every((v) => v.trim() !== '' && Number.isFinite(Number(v))) ? values.map(Number) : values;
}

/** A comma-separated file with a header naming an id column. */
function csvWithIds(path: string, idName: string, labelName: string | undefined): ItemSet {
  let header: string[] | null = null;
  let idCol = -1;
  let labelCol = -1;
  let featureCols: number[] = [];
  const values: number[] = [];
  const ids: string[] = [];
  const labels: string[] = [];
  for (const { line, lineNo } of readLinesSync(path, 'items')) {
    if (line.trim() === '') continue;
    const fields = splitCsvRecord(line, ',');
    if (fields === null) throw new RangeError(`${path}: line ${lineNo} has an unclosed quoted field`);
    if (header === null) {
      header = fields.map((f) => f.trim());
      idCol = header.indexOf(idName);
      labelCol = labelName !== undefined ? header.indexOf(labelName) : header.indexOf('label');
      if (labelName !== undefined && labelCol < 0) throw new RangeError(`${path}: no label column "${labelName}" (columns: ${header.join(', ')})`);
      featureCols = header.map((_, j) => j).filter((j) => j !== idCol && j !== labelCol);
      if (featureCols.length === 0) throw new RangeError(`${path}: no feature columns besides "${idName}"${labelCol >= 0 ? ` and "${header[labelCol]}"` : ''}`);
      continue;
    }
    if (fields.length !== header.length) throw new RangeError(`${path}: line ${lineNo} has ${fields.length} fields but the header has ${header.length}`);
    for (const j of featureCols) {
      const cell = fields[j].trim();
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) throw new RangeError(`${path}: line ${lineNo}, column "${header[j]}": "${cell}" is not a finite number`);
      values.push(v);
    }
    ids.push(fields[idCol].trim());
    if (labelCol >= 0) labels.push(fields[labelCol].trim());
  }
  if (header === null || ids.length === 0) throw new RangeError(`${path}: needs a header line and at least one item`);
  return { ids: numericOrStrings(ids), labels: labelCol >= 0 ? numericOrStrings(labels) : null, X: new Matrix(ids.length, featureCols.length, Float64Array.from(values)) };
}

function csvHeader(path: string): string[] {
  for (const { line } of readLinesSync(path, 'items')) {
    if (line.trim() !== '') return (splitCsvRecord(line, ',') ?? []).map((f) => f.trim());
  }
  return [];
}

/** Reads an item file; ids default to the row number. */
export function loadItems(path: string, options: { label?: string; id?: string } = {}): ItemSet {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    const idName = options.id ?? 'id';
    const header = csvHeader(path);
    if (header.includes(idName)) return checkUnique(csvWithIds(path, idName, options.label), path);
    if (options.id !== undefined) throw new RangeError(`${path}: no id column "${options.id}" (columns: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''})`);
  }
  // A CSV without a "label" column is an unlabelled item set, not "labels in the last column".
  const hasLabelColumn = ext !== '.csv' || options.label !== undefined || csvHeader(path).includes('label');
  const ds = readDataset(path, { label: hasLabelColumn ? options.label : null });
  const ids: ItemId[] = ds.ids ? numericOrStrings(ds.ids) : Array.from({ length: ds.X.rows }, (_, i) => i);
  return checkUnique({ ids, labels: ds.y, X: ds.X }, path);
}

function checkUnique(items: ItemSet, path: string): ItemSet {
  const seen = new Set<string>();
  for (const id of items.ids) {
    const key = String(id);
    if (seen.has(key)) throw new RangeError(`${path}: item id ${JSON.stringify(id)} appears more than once; ids must be unique`);
    seen.add(key);
  }
  return items;
}
