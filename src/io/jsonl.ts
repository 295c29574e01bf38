/**
 * JSON Lines datasets: one record per line, `{"id": "a1", "vector": [0.1, 0.2], "label": "cat"}`.
 * `id` and `label` are optional (ids default to the 0-based record number); either every
 * record has a label or none does. `options.id` names another field that holds the ids (as
 * `--id` names a CSV id column); a field named so must be in every record. Read streaming;
 * every error names the line.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { readLines, readLinesSync, type NumberedLine } from './lines.js';
import type { Dataset, LabelValue } from './dataset.js';
import { writeFileAtomic } from './atomic-write.js';

export interface JsonlRecord {
  id?: string | number;
  vector: number[];
  label?: LabelValue;
}

export interface ReadJsonlOptions {
  /**
   * The field holding each record's id. Default: "id", optional (a record without one is
   * numbered by its position). A field named here is required: a record without it, or with an
   * empty one, is an error naming the line.
   */
  id?: string;
}

/** A record's fields, for messages: the first few, then how many more. */
function fieldList(r: Record<string, unknown>): string {
  const keys = Object.keys(r);
  return keys.length ? keys.slice(0, 8).map((k) => JSON.stringify(k)).join(', ') + (keys.length > 8 ? `, … (${keys.length} in all)` : '') : 'none';
}

class JsonlBuilder {
  private values = new Float64Array(1024);
  private d = -1;
  private n = 0;
  private ids: string[] = [];
  private labels: LabelValue[] = [];
  private labelled: boolean | null = null;

  private readonly idField: string;
  private readonly idRequired: boolean;

  constructor(private readonly path: string, options: ReadJsonlOptions = {}) {
    if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) throw new TypeError(`readJsonl: id must be a non-empty field name, got ${JSON.stringify(options.id)}`);
    if (options.id === 'vector') throw new RangeError(`readJsonl: the id field cannot be "vector", which holds each record's features`);
    this.idField = options.id ?? 'id';
    this.idRequired = options.id !== undefined;
  }

  push({ line, lineNo }: NumberedLine): void {
    if (line.trim() === '') return;
    const where = `${this.path}: line ${lineNo}`;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      throw new RangeError(`${where}: not valid JSON (${(err as Error).message})`);
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new RangeError(`${where}: expected an object like {"id": ..., "vector": [...], "label": ...}`);
    const r = rec as Record<string, unknown>;
    const v = r.vector;
    if (!Array.isArray(v)) throw new RangeError(`${where}: "vector" is missing or not an array of numbers`);
    if (this.d < 0) {
      if (v.length === 0) throw new RangeError(`${where}: "vector" is empty`);
      this.d = v.length;
    } else if (v.length !== this.d) {
      throw new RangeError(`${where}: "vector" has ${v.length} values but earlier records have ${this.d}`);
    }
    if (this.values.length < (this.n + 1) * this.d) {
      const grown = new Float64Array(Math.max(this.values.length * 2, (this.n + 1) * this.d));
      grown.set(this.values.subarray(0, this.n * this.d));
      this.values = grown;
    }
    const base = this.n * this.d;
    for (let j = 0; j < this.d; j++) {
      const x = v[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${where}: vector[${j}] is ${JSON.stringify(x)}, not a finite number`);
      this.values[base + j] = x;
    }
    const id = Object.hasOwn(r, this.idField) ? r[this.idField] : undefined; // not an inherited "constructor"
    if (this.idRequired) {
      // Named by the caller (CLI: --id), as a CSV id column is: every record needs one.
      if (id === undefined || id === null) throw new RangeError(`${where}: the id field "${this.idField}" is missing (the record's fields: ${fieldList(r)}); give every record an id in "${this.idField}"`);
      if (id === '') throw new RangeError(`${where}: the id field "${this.idField}" is empty; give every record an id`);
    }
    if (id === undefined || id === null) this.ids.push(String(this.n));
    else if (typeof id === 'string' || typeof id === 'number') this.ids.push(String(id));
    else throw new RangeError(`${where}: "${this.idField}" must be a string or a number`);
    const hasLabel = r.label !== undefined && r.label !== null;
    if (this.labelled === null) this.labelled = hasLabel;
    else if (this.labelled !== hasLabel) throw new RangeError(`${where}: ${hasLabel ? 'has a "label" but earlier records do not' : 'has no "label" but earlier records do'}; label every record or none`);
    if (hasLabel) {
      if (typeof r.label !== 'number' && typeof r.label !== 'string') throw new RangeError(`${where}: "label" must be a number or a string`);
      if (typeof r.label === 'number' && !Number.isFinite(r.label)) throw new RangeError(`${where}: "label" is not finite`);
      this.labels.push(r.label);
    }
    this.n++;
  }

  finish(): Dataset {
    if (this.n === 0) throw new RangeError(`${this.path}: the file has no records`);
    const X = new Matrix(this.n, this.d, this.values.slice(0, this.n * this.d));
    let y: LabelValue[] | null = null;
    if (this.labelled) {
      // Mixed numbers and strings become strings, as in CSV.
      y = this.labels.every((l) => typeof l === 'number') ? this.labels : this.labels.map(String);
    }
    return { X, y, featureNames: Array.from({ length: this.d }, (_, j) => `x${j}`), labelName: this.labelled ? 'label' : null, ids: this.ids };
  }
}

export function readJsonlSync(path: string, options: ReadJsonlOptions = {}): Dataset {
  const b = new JsonlBuilder(path, options);
  for (const l of readLinesSync(path, 'readJsonl')) b.push(l);
  return b.finish();
}

export async function readJsonl(path: string, options: ReadJsonlOptions = {}): Promise<Dataset> {
  const b = new JsonlBuilder(path, options);
  for await (const l of readLines(path, 'readJsonl')) b.push(l);
  return b.finish();
}

export interface WriteJsonlOptions {
  y?: ArrayLike<LabelValue> | null;
  ids?: ArrayLike<string | number>;
}

function* jsonlPieces(X: Matrix<FloatArray>, y: ArrayLike<LabelValue> | null | undefined, ids: ArrayLike<string | number> | undefined): Generator<string> {
  const { rows: n, cols: d } = X;
  let piece = '';
  for (let i = 0; i < n; i++) {
    const vector = Array.from(X.data.subarray(i * d, (i + 1) * d));
    const bad = vector.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`writeJsonl: X[${i}, ${bad}] is ${vector[bad]}, which JSON cannot hold; remove or impute it`);
    const rec: JsonlRecord = { id: ids ? ids[i] : i, vector };
    if (y) rec.label = y[i];
    piece += JSON.stringify(rec) + '\n';
    if (piece.length >= 1 << 16) {
      yield piece;
      piece = '';
    }
  }
  if (piece !== '') yield piece;
}

/**
 * Writes one `{id, vector, label?}` record per row of X. The file is replaced atomically: on
 * any error (a non-finite value, a full disk) the earlier file, if any, is left as it was.
 */
export function writeJsonl(path: string, X: Matrix<FloatArray>, options: WriteJsonlOptions = {}): void {
  const n = X.rows;
  const { y, ids } = options;
  if (y && y.length !== n) throw new RangeError(`writeJsonl: y has ${y.length} labels but X has ${n} rows`);
  if (ids && ids.length !== n) throw new RangeError(`writeJsonl: ids has ${ids.length} entries but X has ${n} rows`);
  writeFileAtomic(path, jsonlPieces(X, y, ids), 'writeJsonl');
}
