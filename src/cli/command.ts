/**
 * The shape of one CLI command. Each command lives in its own file and is listed in
 * commands.ts; conventions every command follows:
 * - `--json` prints one machine-readable object on stdout; human text and progress go to stderr;
 * - exit code 0 = ok, 1 = runtime error, 2 = usage error (throw UsageError for those).
 */
import type { Command } from 'commander';
import { LabelColumnError, parseNumber } from '../io/csv.js';
import { dataFileFormat } from '../io/dataset.js';

export interface CliCommand {
  name: string;
  /** Adds the subcommand (with its options and action) to the program. */
  register(program: Command): void;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * An integer option in min..max (max optional); an absent option stays undefined so the
 * caller's default applies. Anything else is a UsageError naming the flag.
 */
export function intOption(v: string, name: string, min: number, max?: number): number;
export function intOption(v: string | undefined, name: string, min: number, max?: number): number | undefined;
export function intOption(v: string | undefined, name: string, min: number, max = Infinity): number | undefined {
  if (v === undefined) return undefined;
  const n = parseNumber(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer ${max === Infinity ? `≥ ${min}` : `in ${min}..${max}`}, got "${v}"`);
  return n;
}

/** Prints a value as the one JSON object of a `--json` run. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Parses repeated `--set key=value` options into an object of numbers, booleans or strings. */
export function parseSets(sets: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${s}"`);
    const key = s.slice(0, eq).trim();
    const raw = s.slice(eq + 1).trim();
    if (raw === '') throw new UsageError(`--set ${key}= has no value; write --set ${key}=VALUE`);
    let v: unknown = raw;
    if (raw === 'true' || raw === 'false') v = raw === 'true';
    else if (!Number.isNaN(parseNumber(raw))) v = parseNumber(raw);
    // Read as data cells are: 0x10 is a typo or another notation, not silently 16.
    else if (Number.isFinite(Number(raw))) throw new UsageError(`--set ${key}=${raw}: write numbers in decimal (hexadecimal, octal and binary are not read)`);
    else if (raw.startsWith('[') || raw.startsWith('{')) {
      try { v = JSON.parse(raw); } catch { throw new UsageError(`--set ${key}: "${raw}" is not valid JSON`); }
    }
    out[key] = v;
  }
  return out;
}

/**
 * An error that names an option the user gave is about that option's value (say, a k larger
 * than the data allows), so it is a usage error, reported under the option as written.
 * `given` maps the names messages use (learner options, `k`, `testSize`, ...) to how the user
 * wrote them (`--set k=5`, `-k 100`). Other errors (bad file contents) pass through unchanged.
 */
export function asOptionError(err: unknown, given: Record<string, string>): unknown {
  if (!(err instanceof Error) || err instanceof UsageError) return err;
  for (const [name, written] of Object.entries(given)) {
    if (mentionsOption(err.message, name)) return new UsageError(`${written}: ${err.message}`);
  }
  return err;
}

/** Whether a message names an option as a whole word: not part of k-NN, a longer name or a file path (/data/k.csv). */
export function mentionsOption(message: string, name: string): boolean {
  return new RegExp(`(^|[^\\w./\\\\-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w/\\\\-]|\\.\\w)`).test(message);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** How a command reads --label, for checkLabelFlag. */
export interface LabelFlagUse {
  /** The files --label applies to (absent ones are skipped); one CSV among them is a use. */
  files: (string | undefined)[];
  /** The command's flag that gives a .npy file its labels (e.g. --labels), if it has one. */
  labelsFlag?: string | ((file: string) => string);
  /** The command reads `--label none` as "no labels", which a file of any format satisfies. */
  none?: boolean;
  /** The command drops labels rather than reading them (index build, search): .npy then needs no fix. */
  dropsLabels?: boolean;
}

/**
 * `--label` names a column of a delimited text file (.csv, .tsv, .txt). JSON Lines records
 * carry their labels in the field "label" and .npy holds features only, so a --label those
 * formats cannot honour would otherwise be ignored without a word: it is a usage error
 * naming the format's own way to give labels. Accepted: any --label when one of the files is
 * a text file; `--label label` with JSON Lines (the field it names); `--label none` where the
 * command takes it. Unknown extensions pass, for the reader to refuse.
 */
export function checkLabelFlag(label: string | undefined, use: LabelFlagUse): void {
  if (label === undefined) return;
  const files = use.files.filter((f): f is string => f !== undefined);
  const format = dataFileFormat;
  if (files.length === 0 || files.some((f) => format(f) === 'text' || format(f) === 'other')) return;
  if (use.none && label === 'none') return;
  for (const f of files) {
    if (format(f) === 'jsonl') {
      if (label === 'label') continue;
      throw new UsageError(`--label ${label}: --label names a column of a CSV/TSV file, but ${f} is JSON Lines, ${use.dropsLabels
        ? 'whose fields besides "vector" are never read as features, so there is no label column to drop: leave out --label'
        : 'whose records carry their labels in the field "label" only: name that field "label" in every record and leave out --label'}`);
    }
    const labelsFlag = typeof use.labelsFlag === 'function' ? use.labelsFlag(f) : use.labelsFlag;
    const how = labelsFlag ? `give its labels with ${labelsFlag} FILE (.npy or one label per line) instead of --label`
      : use.dropsLabels ? 'there is no label column to drop: leave out --label'
      : 'give labelled data as a CSV file with a label column (named by --label) or as JSON Lines with a "label" field';
    throw new UsageError(`--label ${label}: --label names a column of a CSV/TSV file, but ${f} is .npy, which holds features only; ${how}`);
  }
}

/**
 * `--id` names the id column of a delimited text file or the field of JSON Lines records that
 * holds the ids (every record must have it). A .npy file holds features only, with no ids to
 * name, so an --id there would otherwise be ignored without a word: it is a usage error naming
 * the formats that carry ids. "vector" is the features of a JSON Lines record, never its id.
 * Unknown extensions pass, for the reader to refuse.
 */
export function checkIdFlag(id: string | undefined, file: string | undefined): void {
  if (id === undefined || file === undefined) return;
  const format = dataFileFormat(file);
  if (id.trim() === '') throw new UsageError('--id needs a column or field name, got ""');
  if (format === 'npy') {
    throw new UsageError(`--id ${id}: --id names a column of a CSV/TSV file or a field of JSON Lines records, but ${file} is .npy, which holds features only (its items are numbered by row); give ids as a CSV file with an id column (named by --id) or as JSON Lines with an id field`);
  }
  if (format === 'jsonl' && id === 'vector') {
    throw new UsageError(`--id vector: "vector" holds the features of the JSON Lines records in ${file}; name the field that holds the ids (default "id")`);
  }
}

/**
 * The reader's "no such label column" error names the file, the column and the file's columns;
 * this puts where the name came from in front (`--label nope`, a config's `data.label`), so the
 * message also says what to change. It stays a data error (exit 1, as the contracts require):
 * the flag is well formed, the file lacks the column. Other errors pass through unchanged.
 */
export function nameLabelSource(err: unknown, source: string): unknown {
  if (!(err instanceof LabelColumnError) || err.message.startsWith(source)) return err;
  const named = new LabelColumnError(`${source}: ${err.message}`, err.path, err.label, err.columns);
  named.stack = err.stack;
  return named;
}

/** Runs a read that takes --label; a label column the file lacks is reported under the flag. */
export function readWithLabelFlag<T>(label: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw label === undefined ? err : nameLabelSource(err, `--label ${label}`);
  }
}
