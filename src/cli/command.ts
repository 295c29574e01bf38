/**
 * The shape of one CLI command. Each command lives in its own file and is listed in
 * commands.ts; conventions every command follows:
 * - `--json` prints one machine-readable object on stdout; human text and progress go to stderr;
 * - exit code 0 = ok, 1 = runtime error, 2 = usage error (throw UsageError for those).
 */
import type { Command } from 'commander';

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
  const n = Number(v);
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
    let v: unknown = raw;
    if (raw === 'true' || raw === 'false') v = raw === 'true';
    else if (raw !== '' && Number.isFinite(Number(raw))) v = Number(raw);
    else if (raw.startsWith('[') || raw.startsWith('{')) {
      try { v = JSON.parse(raw); } catch { throw new UsageError(`--set ${key}: "${raw}" is not valid JSON`); }
    }
    out[key] = v;
  }
  return out;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
