/**
 * Data sets the developers did not tune on, written to a temp folder: the contracts are
 * checked by the owners on data of their own, so these vary what iris/wine/digits keep fixed
 * (label column name and position, string labels, delimiters, line endings, class counts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/random.js';

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `simlearn-contract-${tag}-`));
}

export interface Blobs {
  X: number[][];
  y: number[];
}

/** `perClass[c]` points around a random centre per class, `spread` apart. */
export function blobs(perClass: number[], dim: number, seed: number, spread = 3): Blobs {
  const r = new Random(seed);
  const X: number[][] = [];
  const y: number[] = [];
  perClass.forEach((count, c) => {
    const centre = Array.from({ length: dim }, () => spread * r.normal());
    for (let i = 0; i < count; i++) {
      X.push(centre.map((m) => Number((m + r.normal()).toFixed(4))));
      y.push(c);
    }
  });
  return { X, y };
}

export interface CsvLayout {
  labelName?: string;
  /** Where the label column goes (default: last). */
  labelFirst?: boolean;
  labels?: (c: number) => string;
  delimiter?: string;
  eol?: string;
  trailingNewline?: boolean;
  quoteHeader?: boolean;
}

export function writeBlobsCsv(path: string, b: Blobs, o: CsvLayout = {}): string {
  const d = o.delimiter ?? ',';
  const eol = o.eol ?? '\n';
  const q = (s: string) => (o.quoteHeader ? `"${s}"` : s);
  const labelName = o.labelName ?? 'label';
  const features = b.X[0].map((_, j) => q(`feature ${j}`));
  const header = o.labelFirst ? [q(labelName), ...features] : [...features, q(labelName)];
  const lines = [header.join(d)];
  b.X.forEach((row, i) => {
    const lab = o.labels ? o.labels(b.y[i]) : String(b.y[i]);
    const cells = row.map(String);
    lines.push((o.labelFirst ? [lab, ...cells] : [...cells, lab]).join(d));
  });
  writeFileSync(path, lines.join(eol) + (o.trailingNewline === false ? '' : eol));
  return path;
}

/** The indices of the k nearest rows of `refs` to `q` (squared L2, ties by index). */
export function bruteKnn(refs: number[][], q: number[], k: number, excludeIndex = -1): number[] {
  const d = refs.map((r, i) => ({ i, d: r.reduce((s, v, j) => s + (v - q[j]) ** 2, 0) })).filter((e) => e.i !== excludeIndex);
  d.sort((a, b) => a.d - b.d || a.i - b.i);
  return d.slice(0, k).map((e) => e.i);
}

/** stdout of a --json run: exactly one line holding one JSON object. */
export function parseOneJson(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`expected exactly one line on stdout, got ${lines.length}: ${stdout.slice(0, 300)}`);
  const v = JSON.parse(lines[0]) as unknown;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`stdout is not one JSON object: ${lines[0].slice(0, 200)}`);
  return v as Record<string, unknown>;
}

/**
 * Runs the CLI's main() inside the test process, capturing what it writes to stdout and
 * stderr. Same code path as the binary minus process start-up (about a second per run on
 * the shared CI machine), so the many error cases stay cheap; a few cases per file still go
 * through a real process (runCli) for the exit status itself.
 */
export async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  // Under `node --test` the runner reports each result to its parent as binary (v8-serialized)
  // chunks on this same stdout; the CLI writes text only. Binary chunks pass through untouched.
  const capture = (sink: (s: string) => void, real: typeof process.stdout.write) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (real as (c: Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    sink(chunk);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture((s) => { stdout += s; }, out);
  process.stderr.write = capture((s) => { stderr += s; }, err);
  let code: number;
  try {
    code = await main(['node', 'simlearn', ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code, stdout, stderr };
}
