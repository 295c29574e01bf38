/**
 * CSV datasets: numeric feature columns plus an optional label column.
 *
 * Files are read line by line (sync: chunked reads; async: node:readline), so size is bounded
 * by the Float64 matrix, not by string limits. Quoted fields (RFC 4180, including doubled
 * quotes and newlines inside quotes) are accepted. Every error names the file, the 1-based
 * line number, the column and the offending cell.
 *
 * Whether the first line is a header is decided by looksLikeHeader (below): names are a header;
 * a line with a number or a missing-value token (NA, NaN, …) is data, so a bad first cell is
 * reported rather than the row dropped; pandas' integer column names (0,1,…,n−1) are a header
 * when n ≥ 4 or the line below has non-integers. `header: true/false` overrides the guess.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { readLines, readLinesSync, type NumberedLine } from './lines.js';
import type { Dataset, LabelValue } from './dataset.js';
import { writeFileAtomic } from './atomic-write.js';

export type LabelOption = string | number | 'last' | null;

export interface ReadCsvOptions {
  /**
   * Which column holds the labels: a column name, a 0-based column index (negative counts
   * from the end), 'last', or null for none. Default: the column named "label" if there is
   * one, else the last column.
   */
  label?: LabelOption;
  /** Field separator; default: detected from the first line among , ; | and tab. */
  delimiter?: string;
  /**
   * Whether the first line names the columns. Default: detected from the first line (and the
   * second, where noted); see {@link looksLikeHeader}. Pass true or false when the rule guesses
   * wrong, e.g. false for data whose first row is exactly 0, 1, 2, 3.
   */
  header?: boolean;
}

/**
 * A label option (name or index) that picks no column of the file. The file lacks what was
 * asked for, so it is a data error (a RangeError); callers that know where the option came from
 * (the CLI's --label, a config's data.label) prefix that to the message.
 */
export class LabelColumnError extends RangeError {
  constructor(message: string, readonly path: string, readonly label: string | number, readonly columns: string[]) {
    super(message);
    this.name = 'LabelColumnError';
  }
}

/** Column names for a message: all of a few, else the first 12 and how many there are. */
export function columnList(names: string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, … (${names.length} in all)`;
}

const CANDIDATES = [',', ';', '\t', '|'];

export function detectDelimiter(line: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of CANDIDATES) {
    let count = 0;
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === d) count++;
    }
    if (count > bestCount) { best = d; bestCount = count; }
  }
  return best;
}

/**
 * Splits one record; returns null when a quoted field is still open at the end of the text.
 * quotedOut, when given, is filled with one flag per field: true where the field was quoted with
 * nothing but blanks around its quotes. Such a field is returned as its quoted text exactly,
 * so the spaces inside the quotes are the cell's own (labels " a" and "a" stay distinct).
 */
export function splitCsvRecord(text: string, delim: string, quotedOut?: boolean[]): string[] | null {
  if (quotedOut) quotedOut.length = 0;
  if (text.indexOf('"') < 0) {
    const plain = text.split(delim);
    if (quotedOut) for (let i = 0; i < plain.length; i++) quotedOut.push(false);
    return plain;
  }
  const out: string[] = [];
  let field = '';
  // The text inside the quotes, once a quoted field has closed (null: not quoted).
  let inner: string | null = null;
  let i = 0;
  let quoted = false;
  const push = () => {
    const clean = inner !== null && field.slice(inner.length).trim() === '';
    out.push(clean ? inner! : field);
    quotedOut?.push(clean);
    field = '';
    inner = null;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
        inner = field;
        i++;
        continue;
      }
      field += c;
      i++;
    } else if (c === '"' && field.trim() === '') {
      field = '';
      inner = null;
      quoted = true;
      i++;
    } else if (text.startsWith(delim, i)) {
      push();
      i += delim.length;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) return null;
  push();
  return out;
}

/**
 * Number() is fast but too lenient for data: '' and '  ' become 0 and '0x10' becomes 16.
 * Infinity/NaN are caught by isFinite; the rest by two cheap checks. NaN means "not a number".
 */
export function parseNumber(cell: string): number {
  const v = +cell;
  if (!Number.isFinite(v)) return NaN;
  if (v === 0 && cell.trim() === '') return NaN;
  let i = 0;
  while (cell.charCodeAt(i) === 32) i++;
  if (cell.charCodeAt(i) === 48) {
    const next = cell.charCodeAt(i + 1) | 32; // lower-case
    if (next === 120 || next === 98 || next === 111) return NaN; // 0x.., 0b.., 0o..
  }
  return v;
}

/** Spellings of a missing value: a first line with one is data with a gap, never a header. */
const MISSING_TOKEN = /^\s*(?:[+-]?(?:nan|inf(?:inity)?)|n\/?a|null|none|\?)\s*$/i;

/** The start of a number: a cell like "1.4x" is a typo in a feature, not a label. */
const LOOKS_NUMERIC = /^\s*[+-]?\.?\d/;

type CellKind = 'number' | 'empty' | 'missing' | 'name';

function cellKind(cell: string): CellKind {
  if (cell.trim() === '') return 'empty';
  if (!Number.isNaN(parseNumber(cell))) return 'number';
  return MISSING_TOKEN.test(cell) ? 'missing' : 'name';
}

/** 0 or 1 when `values` are exactly start, start+1, …; otherwise null. */
function sequenceStart(values: number[]): 0 | 1 | null {
  const start = values[0];
  if (start !== 0 && start !== 1) return null;
  return values.every((v, i) => v === start + i) ? start : null;
}

/**
 * Whether the first record of a file names its columns. Header cells are names (text that is
 * neither a number nor a missing-value token such as NA, NaN, null or ?), at most one empty
 * cell (an unnamed index column), and integers only as pandas-style column names:
 *
 * - every non-empty cell a name (`sepal_length,…,label`): a header;
 * - any missing-value token (`5.1,NA,1.4,0`): data, so the bad cell is reported instead of a
 *   row vanishing;
 * - numbers outside such a sequence: a header when names outnumber them and some name has a
 *   number below it (`age,income,2020,label` over numbers); else data (`5.1,3.5,1.4x,0`, a typo);
 * - numbers that are exactly 0,1,…,m−1 or 1,2,…,m in column order, beside names: a header when
 *   some name has a number below it in the second record (`1,2,3,4,label` over numeric labels);
 *   else, for a sequence from 0, when m ≥ 4 or the second record has a non-integer under the
 *   sequence (`0,1,2,3,species` over `5.1,…,setosa`); else data (`1,2,cat` over `3,4,dog`);
 * - only numbers: data, except exactly 0,1,…,n−1 (pandas' default names) under the same
 *   "m ≥ 4 or a non-integer below" condition. So `0,1,2,3` over `5.1,3.5,1.4,0.2` is a header,
 *   and a file whose first data row really is 0,1,2,3 needs `header: false`; `1,2,3,4` is data.
 *
 * `second` is null for a one-record file.
 */
export function looksLikeHeader(first: string[], second: string[] | null): boolean {
  const kinds = first.map(cellKind);
  if (kinds.includes('missing') || kinds.filter((k) => k === 'empty').length > 1) return false;
  const numberCols = first.map((_, j) => j).filter((j) => kinds[j] === 'number');
  const hasName = kinds.includes('name');
  if (numberCols.length === 0) return hasName;
  const start = sequenceStart(numberCols.map((j) => parseNumber(first[j])));
  const below = (j: number): number => (second !== null && j < second.length ? parseNumber(second[j]) : NaN);
  if (start === null) {
    // Numeric names beside mostly text ones (`age,income,2020,label`) still make a header when
    // a name has a number below it; a mostly numeric line (`5.1,3.5,1.4x,0`) is data with a typo.
    const names = kinds.filter((k) => k === 'name').length;
    return names > numberCols.length && first.some((_, j) => kinds[j] === 'name' && !Number.isNaN(below(j)));
  }
  if (hasName && first.some((_, j) => kinds[j] === 'name' && !Number.isNaN(below(j)))) return true;
  if (start !== 0) return false;
  return numberCols.length >= 4 || numberCols.some((j) => !Number.isNaN(below(j)) && !Number.isInteger(below(j)));
}

function quoteCell(s: string): string {
  return s.length > 40 ? JSON.stringify(s.slice(0, 40) + '…') : JSON.stringify(s);
}

/** Accumulates records into a growing Float64 buffer; shared by the sync and async readers. */
class CsvBuilder {
  private delim: string | null;
  private names: string[] | null = null;
  private labelCol = -1;
  private featureCols: number[] = [];
  private values = new Float64Array(1024);
  private count = 0;
  private rows = 0;
  private labels: string[] = [];
  private pending = '';
  /** Which fields of the current record were quoted (splitCsvRecord's flags). */
  private readonly quoted: boolean[] = [];
  private pendingLine = 0;
  private firstRecord: { fields: string[]; lineNo: number } | null = null;

  constructor(private readonly path: string, private readonly opts: ReadCsvOptions) {
    this.delim = opts.delimiter ?? null;
    if (this.delim !== null && (typeof this.delim !== 'string' || this.delim.length === 0 || this.delim === '"')) {
      throw new RangeError(`readCsv: delimiter must be a non-empty string other than '"', got ${JSON.stringify(opts.delimiter)}`);
    }
  }

  push({ line, lineNo }: NumberedLine): void {
    let text = line;
    let startLine = lineNo;
    if (this.pending) {
      text = this.pending + '\n' + line;
      startLine = this.pendingLine;
    } else if (line.trim() === '') {
      return; // blank lines (commonly a trailing one) carry no record
    }
    if (this.delim === null) this.delim = detectDelimiter(text);
    const fields = splitCsvRecord(text, this.delim, this.quoted);
    if (fields === null) {
      this.pending = text;
      this.pendingLine = startLine;
      return;
    }
    this.pending = '';
    if (this.names !== null) {
      this.addRecord(fields, startLine);
      return;
    }
    if (this.opts.header !== undefined) {
      this.start(fields, startLine, this.opts.header);
      return;
    }
    if (this.firstRecord === null) {
      // Some first lines are a header or data depending on the line below: decide then.
      this.firstRecord = { fields, lineNo: startLine };
      return;
    }
    const first = this.firstRecord;
    this.firstRecord = null;
    this.start(first.fields, first.lineNo, looksLikeHeader(first.fields, fields));
    this.addRecord(fields, startLine);
  }

  private start(fields: string[], lineNo: number, hasHeader: boolean): void {
    const names = hasHeader ? fields.map((f, j) => f.trim() || `column_${j}`) : fields.map((_, j) => `x${j}`);
    this.names = names;
    this.labelCol = this.resolveLabel(names, hasHeader);
    this.featureCols = names.map((_, j) => j).filter((j) => j !== this.labelCol);
    if (this.featureCols.length === 0) {
      throw new RangeError(`${this.path}: the only column is the label column "${names[this.labelCol]}"; a dataset needs at least one feature column`);
    }
    if (!hasHeader) this.addRecord(fields, lineNo);
  }

  private resolveLabel(names: string[], hasHeader: boolean): number {
    const n = names.length;
    const opt = this.opts.label;
    if (opt === null) return -1;
    if (opt === undefined) {
      const named = hasHeader ? names.indexOf('label') : -1;
      return named >= 0 ? named : n - 1;
    }
    if (opt === 'last') return n - 1;
    if (typeof opt === 'number') {
      if (!Number.isInteger(opt) || opt >= n || opt < -n) {
        throw new LabelColumnError(`${this.path}: label column index ${opt} is outside the ${n} columns (${columnList(names)}); use 0..${n - 1}, or negative from the end`, this.path, opt, names);
      }
      return opt < 0 ? n + opt : opt;
    }
    if (typeof opt === 'string') {
      const j = names.indexOf(opt);
      if (j >= 0) return j;
      if (/^-?\d+$/.test(opt)) return this.resolveLabelIndex(Number(opt), names);
      throw new LabelColumnError(`${this.path}: no column named "${opt}" for the labels (columns: ${columnList(names)}); pass the right name, a column index, 'last', or none`, this.path, opt, names);
    }
    throw new TypeError(`readCsv: label must be a column name, an index, 'last' or null, got ${JSON.stringify(opt)}`);
  }

  private resolveLabelIndex(i: number, names: string[]): number {
    const n = names.length;
    if (i >= n || i < -n) throw new LabelColumnError(`${this.path}: label column index ${i} is outside the ${n} columns (${columnList(names)}); use 0..${n - 1}, or negative from the end`, this.path, i, names);
    return i < 0 ? n + i : i;
  }

  private addRecord(fields: string[], lineNo: number): void {
    const names = this.names as string[];
    if (fields.length !== names.length) {
      // A lone trailing delimiter is a common export artefact; accept it.
      if (!(fields.length === names.length + 1 && fields[fields.length - 1].trim() === '')) {
        throw new RangeError(`${this.path}: line ${lineNo} has ${fields.length} fields but the header has ${names.length} (ragged row; check for a missing or extra "${this.delim === '\t' ? '\\t' : this.delim}")`);
      }
    }
    const d = this.featureCols.length;
    if (this.count + d > this.values.length) {
      const grown = new Float64Array(Math.max(this.values.length * 2, this.count + d));
      grown.set(this.values.subarray(0, this.count));
      this.values = grown;
    }
    for (let t = 0; t < d; t++) {
      const j = this.featureCols[t];
      const v = parseNumber(fields[j]);
      if (Number.isNaN(v)) {
        // Text in the first row of a feature column is most often an unselected label column
        // (a missing-value token or a later bad cell is not).
        const hint = this.opts.label === undefined && this.rows === 0 && cellKind(fields[j]) === 'name' && !LOOKS_NUMERIC.test(fields[j]) ? `; if column "${names[j]}" holds the labels, select it (CLI: --label ${/^[\w.-]+$/.test(names[j]) ? names[j] : JSON.stringify(names[j])})` : '';
        const what = fields[j].trim() === '' ? 'is empty (missing values must be imputed before loading)' : `${quoteCell(fields[j])} is not a finite number${hint}`;
        throw new RangeError(`${this.path}: line ${lineNo}, column "${names[j]}": the cell ${what}`);
      }
      this.values[this.count++] = v;
    }
    if (this.labelCol >= 0) {
      // A quoted label keeps its spaces; an unquoted one loses those around it ("a, b, label").
      const raw = this.quoted[this.labelCol] ? fields[this.labelCol] : fields[this.labelCol].trim();
      if (raw === '') throw new RangeError(`${this.path}: line ${lineNo}, column "${names[this.labelCol]}": the label is empty; every row needs a label (or read with label: null)`);
      this.labels.push(raw);
    }
    this.rows++;
  }

  finish(): Dataset {
    if (this.pending) throw new RangeError(`${this.path}: line ${this.pendingLine} opens a quoted field that is never closed`);
    if (this.firstRecord) {
      // A single record: a header means the error below is "no data rows".
      const f = this.firstRecord;
      this.firstRecord = null;
      this.start(f.fields, f.lineNo, looksLikeHeader(f.fields, null));
    }
    if (this.names === null) throw new RangeError(`${this.path}: the file is empty; expected a header line and data rows`);
    if (this.rows === 0) throw new RangeError(`${this.path}: the file has a header but no data rows`);
    const d = this.featureCols.length;
    const X = new Matrix(this.rows, d, this.values.slice(0, this.rows * d));
    let y: LabelValue[] | null = null;
    if (this.labelCol >= 0) {
      const nums = this.labels.map(parseNumber);
      y = nums.every((v) => !Number.isNaN(v)) ? nums : this.labels.slice();
    }
    return {
      X,
      y,
      featureNames: this.featureCols.map((j) => (this.names as string[])[j]),
      labelName: this.labelCol >= 0 ? this.names[this.labelCol] : null,
    };
  }
}

/** Reads a CSV dataset synchronously (streamed in chunks; fine for large files). */
export function readCsvSync(path: string, options: ReadCsvOptions = {}): Dataset {
  const b = new CsvBuilder(path, options);
  for (const l of readLinesSync(path, 'readCsv')) b.push(l);
  return b.finish();
}

/** Reads a CSV dataset through a read stream. */
export async function readCsv(path: string, options: ReadCsvOptions = {}): Promise<Dataset> {
  const b = new CsvBuilder(path, options);
  for await (const l of readLines(path, 'readCsv')) b.push(l);
  return b.finish();
}

export interface WriteCsvOptions {
  y?: ArrayLike<LabelValue> | null;
  featureNames?: string[];
  labelName?: string;
  delimiter?: string;
}

function csvField(s: string, delim: string): string {
  return s.includes(delim) || s.includes('"') || s.includes('\n') || s.includes('\r') ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Text pieces of about this many characters: big outputs never become one giant string. */
const CHUNK_CHARS = 1 << 16;

function* csvPieces(X: Matrix<FloatArray>, header: string, y: ArrayLike<LabelValue> | null, delim: string): Generator<string> {
  const { rows: n, cols: d } = X;
  let piece = header + '\n';
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let j = 0; j < d; j++) row.push(String(X.data[i * d + j]));
    if (y) row.push(csvField(String(y[i]), delim));
    piece += row.join(delim) + '\n';
    if (piece.length >= CHUNK_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece !== '') yield piece;
}

/**
 * Writes X (and labels as the last column) with a header line. Numbers use JavaScript's
 * shortest round-trip form, so reading the file back gives the same float64 values.
 * The file is replaced atomically: on any error the earlier file (if any) is left as it was.
 */
export function writeCsv(path: string, X: Matrix<FloatArray>, options: WriteCsvOptions = {}): void {
  const delim = options.delimiter ?? ',';
  const { rows: n, cols: d } = X;
  const names = options.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  if (names.length !== d) throw new RangeError(`writeCsv: featureNames has ${names.length} names but X has ${d} columns`);
  const y = options.y ?? null;
  if (y && y.length !== n) throw new RangeError(`writeCsv: y has ${y.length} labels but X has ${n} rows`);
  const header = names.map((s) => csvField(s, delim));
  if (y) header.push(csvField(options.labelName ?? 'label', delim));
  writeFileAtomic(path, csvPieces(X, header.join(delim), y, delim), 'writeCsv');
}

interface FoldColumns {
  row: number;
  fold: number;
  /** Whether the first line named the columns (else it is data). */
  header: boolean;
}

function foldCells(line: string, delim: string, path: string, lineNo: number): string[] {
  const cells = splitCsvRecord(line, delim);
  if (cells === null) throw new RangeError(`${path}: line ${lineNo} opens a quoted field that is never closed`);
  return cells.map((c) => c.trim());
}

/** A first line with a cell starting with a letter is a header; it must name "row" and "fold". */
function foldColumns(cells: string[], path: string): FoldColumns {
  if (!cells.some((c) => /^[A-Za-z_]/.test(c))) return { row: 0, fold: 1, header: false };
  const lower = cells.map((c) => c.toLowerCase());
  const row = lower.indexOf('row');
  const fold = lower.indexOf('fold');
  if (row < 0 || fold < 0) throw new RangeError(`${path}: a folds file needs columns "row" and "fold", got: ${cells.join(', ')}`);
  return { row, fold, header: true };
}

/** A non-negative integer cell, with the data reader's strictness (no '', hex or Infinity). */
function foldInteger(cells: string[], col: number, name: string, what: string, path: string, lineNo: number): number {
  const where = `${path}: line ${lineNo}, column "${name}"`;
  if (col >= cells.length) throw new RangeError(`${where}: the line has ${cells.length} field${cells.length === 1 ? '' : 's'}; every line needs a row and a fold`);
  const cell = cells[col];
  if (cell === '') throw new RangeError(`${where}: the cell is empty; every line needs ${what} (a non-negative integer)`);
  const v = parseNumber(cell);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${where}: ${quoteCell(cell)} is not ${what} (a non-negative integer)`);
  // Folds are stored as Int32; a larger number would silently wrap to another fold.
  if (v > 0x7fffffff) throw new RangeError(`${where}: ${quoteCell(cell)} is too large for ${what} (at most 2147483647)`);
  return v;
}

/**
 * Reads a `row,fold` file (as data/*.folds.csv) into fold-of-row, checking that every row
 * 0..n-1 appears exactly once. `nRows`, when given, must match the dataset it belongs to.
 * The header line is optional; cells may be quoted.
 */
export function readFolds(path: string, nRows?: number): Int32Array {
  const seen = new Map<number, number>();
  let cols: FoldColumns | null = null;
  let delim = ',';
  for (const { line, lineNo } of readLinesSync(path, 'readFolds')) {
    if (line.trim() === '') continue;
    if (cols === null) {
      delim = detectDelimiter(line);
      cols = foldColumns(foldCells(line, delim, path, lineNo), path);
      if (cols.header) continue;
    }
    const cells = foldCells(line, delim, path, lineNo);
    const r = foldInteger(cells, cols.row, 'row', 'a row index', path, lineNo);
    const f = foldInteger(cells, cols.fold, 'fold', 'a fold number', path, lineNo);
    if (seen.has(r)) throw new RangeError(`${path}: line ${lineNo}: row ${r} appears twice; each row must be in exactly one fold`);
    seen.set(r, f);
  }
  if (cols === null || seen.size === 0) throw new RangeError(`${path}: the folds file has no rows`);
  const n = nRows ?? seen.size;
  if (nRows !== undefined && seen.size !== nRows) {
    throw new RangeError(`${path}: the folds file lists ${seen.size} rows but the dataset has ${nRows}; it belongs to another dataset`);
  }
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const f = seen.get(r);
    if (f === undefined) throw new RangeError(`${path}: row ${r} is missing; every row 0..${n - 1} must appear once`);
    out[r] = f;
  }
  return out;
}
