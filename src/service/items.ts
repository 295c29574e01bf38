/**
 * The item set a similarity service answers about: vectors with ids and optional labels.
 * Any dataset file simlearn reads (CSV, TSV, JSON Lines {id, vector, label}, .npy) works;
 * a delimited text file (.csv, .tsv, .txt) may also carry an id column (named by `id`,
 * default a column called "id"), which the plain dataset reader would take for a feature, and
 * `id` names the field of JSON Lines records that holds the ids (default "id").
 *
 * Ids come back exactly as written: they are numbers only when every id is a number in its
 * canonical form (String(Number(s)) === s), so "007" stays "007" and a 19-digit id is not
 * rounded to a neighbouring float64.
 */
import { extname } from 'node:path';
import { Matrix } from '../matrix.js';
import { readDataset, splitCsvRecord } from '../io/index.js';
import { LabelColumnError, columnList, detectDelimiter, parseNumber } from '../io/csv.js';
import { readLinesSync } from '../io/lines.js';

export type ItemId = string | number;

export interface ItemSet {
  ids: ItemId[];
  labels: (string | number)[] | null;
  X: Matrix<Float64Array>;
}

function numericOrStrings(values: string[]): (string | number)[] {
  const nums = values.map(parseNumber);
  return nums.every((v) => !Number.isNaN(v)) ? nums : values;
}

/**
 * Numbers would be friendlier in JSON, but only if no id changes on the way: "007" → 7 breaks
 * lookups by the id the user knows, and 1234567890123456701 → …800 merges distinct items.
 */
export function exactIds(values: string[]): ItemId[] {
  return values.every((v) => String(Number(v)) === v) ? values.map(Number) : values;
}

const TEXT_EXTENSIONS = ['.csv', '.tsv', '.txt'];
/** The separator of a delimited text file, as the dataset reader chooses it (.tsv is tab). */
function delimiterOf(firstLine: string, ext: string): string {
  return ext === '.tsv' ? '\t' : detectDelimiter(firstLine);
}

/** A delimited text file with a header naming an id column. */
function csvWithIds(path: string, delim: string, idName: string, labelName: string | undefined): ItemSet {
  let header: string[] | null = null;
  let idCol = -1;
  let labelCol = -1;
  let featureCols: number[] = [];
  const values: number[] = [];
  const ids: string[] = [];
  const labels: string[] = [];
  for (const { line, lineNo } of readLinesSync(path, 'items')) {
    if (line.trim() === '') continue;
    const fields = splitCsvRecord(line, delim);
    if (fields === null) throw new RangeError(`${path}: line ${lineNo} has an unclosed quoted field`);
    if (header === null) {
      header = fields.map((f) => f.trim());
      idCol = header.indexOf(idName);
      labelCol = labelName !== undefined ? header.indexOf(labelName) : header.indexOf('label');
      if (labelName !== undefined && labelCol < 0) throw new LabelColumnError(`${path}: no column named "${labelName}" for the labels (columns: ${columnList(header)}); pass the right name`, path, labelName, header);
      featureCols = header.map((_, j) => j).filter((j) => j !== idCol && j !== labelCol);
      if (featureCols.length === 0) throw new RangeError(`${path}: no feature columns besides "${idName}"${labelCol >= 0 ? ` and "${header[labelCol]}"` : ''}`);
      continue;
    }
    if (fields.length !== header.length) throw new RangeError(`${path}: line ${lineNo} has ${fields.length} fields but the header has ${header.length}`);
    for (const j of featureCols) {
      const cell = fields[j].trim();
      const v = parseNumber(cell);
      if (Number.isNaN(v)) throw new RangeError(`${path}: line ${lineNo}, column "${header[j]}": "${cell}" is not a finite number`);
      values.push(v);
    }
    const id = fields[idCol].trim();
    // An empty id cannot be asked for (requests need a non-empty id), so the item would be unreachable.
    if (id === '') throw new RangeError(`${path}: line ${lineNo}, column "${idName}": the id is empty; give every item an id`);
    ids.push(id);
    if (labelCol >= 0) labels.push(fields[labelCol].trim());
  }
  if (header === null || ids.length === 0) throw new RangeError(`${path}: needs a header line and at least one item`);
  return { ids: exactIds(ids), labels: labelCol >= 0 ? numericOrStrings(labels) : null, X: new Matrix(ids.length, featureCols.length, Float64Array.from(values)) };
}

/** The first record's fields and the file's separator. */
function csvHeader(path: string, ext: string): { header: string[]; delim: string } {
  for (const { line } of readLinesSync(path, 'items')) {
    if (line.trim() === '') continue;
    const delim = delimiterOf(line, ext);
    return { header: (splitCsvRecord(line, delim) ?? []).map((f) => f.trim()), delim };
  }
  return { header: [], delim: ext === '.tsv' ? '\t' : ',' };
}

/**
 * Reads an item file; ids default to the row number. `id` names the id column of a delimited
 * text file or the id field of JSON Lines records (each record must have it); .npy has no ids.
 */
export function loadItems(path: string, options: { label?: string; id?: string } = {}): ItemSet {
  const ext = extname(path).toLowerCase();
  let hasLabelColumn = true;
  if (TEXT_EXTENSIONS.includes(ext)) {
    const idName = options.id ?? 'id';
    const { header, delim } = csvHeader(path, ext);
    if (header.includes(idName)) return checkUnique(csvWithIds(path, delim, idName, options.label), path);
    if (options.id !== undefined) throw new RangeError(`${path}: no id column "${options.id}" (columns: ${columnList(header)})`);
    // A text file without a "label" column is an unlabelled item set, not "labels in the last column".
    hasLabelColumn = options.label !== undefined || header.includes('label');
  }
  // .npy holds features only: an id column it cannot have would otherwise be ignored.
  if (ext === '.npy' && options.id !== undefined) throw new RangeError(`${path}: no id column "${options.id}": .npy holds features only, so its items are numbered by row; give ids as a CSV file with an id column or as JSON Lines with an id field`);
  // JSON Lines: the ids come from the field named by options.id (required in every record), else "id".
  const ds = readDataset(path, { label: hasLabelColumn ? options.label : null, id: options.id });
  const ids: ItemId[] = ds.ids ? exactIds(ds.ids) : Array.from({ length: ds.X.rows }, (_, i) => i);
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
