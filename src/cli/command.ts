/**
 * The shape of one CLI command. Each command lives in its own file and is listed in
 * commands.ts; conventions every command follows:
 * - `--json` prints one machine-readable object on stdout; human text and progress go to stderr;
 * - exit code 0 = ok, 1 = runtime error, 2 = usage error (throw UsageError for those).
 */
import type { Command } from 'commander';
import { parseNumber } from '../io/csv.js';

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
    // A whole word: not part of k-NN, a longer name or a file path (/data/k.csv).
    const word = new RegExp(`(^|[^\\w./\\\\-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w/\\\\-]|\\.\\w)`);
    if (word.test(err.message)) return new UsageError(`${written}: ${err.message}`);
  }
  return err;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
