/**
 * `simlearn search`: loads an index file and answers k-nearest-neighbour queries.
 * With --json, one object: {ids: [[...] per query], distances: [[...]], queriesPerSecond, k,
 * kRequested, nQueries, index, seconds}. `k` is the effective k, min(--k, the index's item
 * count); `kRequested` is --k as given. A --k beyond the item count also prints one warning
 * line on stderr. Ids are those of the indexed file (JSONL ids exactly as given, kept by
 * `index build`), else row numbers. A result row is shorter than k when an approximate index
 * (hnsw, LSH) found fewer candidates.
 *
 * Queries of the wrong width are refused before the index sees them, naming --queries, the
 * file, both widths and the fix (checkInputWidth), whether the index applies a model or not.
 */
import type { Command } from 'commander';
import { UsageError, printJson, type CliCommand } from './command.js';
import { indexFromPayload } from '../neighbors/registry.js';
import { loadModel, type ModelPayload } from '../io/model-file.js';
import { MinHashIndex } from '../neighbors/lsh/minhash-index.js';
import { HnswIndex } from '../neighbors/hnsw-index.js';
import { checkHnswSettings } from '../neighbors/index-common.js';
import { ITEM_IDS_META, checkInputWidth, readSets, readVectors } from './index.js';
import type { SearchResult } from '../neighbors/index-types.js';
import '../metric/registry.js';

interface SearchOpts {
  index: string;
  queries?: string;
  sets?: string;
  k: string;
  label?: string;
  ef?: string;
  json?: boolean;
}

export const searchCommand: CliCommand = {
  name: 'search',
  register(program: Command) {
    program
      .command('search')
      .description('find the k nearest indexed items of each query')
      .requiredOption('--index <file>', 'index file written by `simlearn index build`')
      .option('--queries <file>', 'query vectors (CSV, JSONL, .npy); for a minhash index, one JSON array of tokens per line')
      .option('--sets <file>', 'query token sets for a minhash index (one JSON array of tokens per line), as in index build')
      .option('--k <k>', 'neighbours per query', '10')
      .option('--label <column>', 'CSV label column to drop (or "none")')
      .option('--ef <ef>', 'hnsw index: search beam width (expansionSearch); larger = higher recall, slower')
      .option('--json', 'print one JSON object {ids, distances, queriesPerSecond, ...} on stdout')
      .action((opts: SearchOpts) => {
        const k = Number(opts.k);
        if (!Number.isInteger(k) || k < 1) throw new UsageError(`--k must be a positive integer, got "${opts.k}"`);
        if (opts.queries && opts.sets) throw new UsageError('give either --queries FILE or --sets FILE, not both');
        const queries = opts.queries ?? opts.sets;
        if (!queries) throw new UsageError('--queries FILE is required (or --sets FILE for a minhash index)');
        const payload = loadModel(opts.index);
        let index = indexFromPayload(payload);
        const names = itemNames(payload, opts.index);
        if (opts.ef !== undefined) {
          const ef = Number(opts.ef);
          if (!Number.isInteger(ef) || ef < 1) throw new UsageError(`--ef must be a positive integer, got "${opts.ef}"`);
          try {
            checkHnswSettings({ expansionSearch: ef }, '--ef');
          } catch (e) {
            throw new UsageError((e as Error).message);
          }
          if (!(index instanceof HnswIndex)) throw new UsageError(`--ef applies to an hnsw index; ${opts.index} is a "${index.kind}" index`);
          index = index.withExpansionSearch(ef);
        }
        let result: SearchResult;
        let nq: number;
        const t0 = performance.now();
        const ks = effectiveK(k, index);
        if (index instanceof MinHashIndex) {
          if (opts.label !== undefined) throw new UsageError(`--label ${opts.label}: --label names a CSV label column of vector queries, and ${opts.index} is a minhash index, queried by token sets; leave out --label`);
          const sets = readSets(queries);
          nq = sets.length;
          warnK(ks, index);
          const t1 = performance.now();
          result = index.search(sets, k);
          return report(opts, index.kind, ks, nq, named(result, names, opts.index), performance.now() - t1, t0);
        }
        if (opts.sets) throw new UsageError(`--sets is for a minhash index; ${opts.index} is a "${index.kind}" index; pass vectors with --queries FILE`);
        const ds = readVectors(queries, opts.label);
        checkInputWidth(index, ds, '--queries', queries);
        nq = ds.X.rows;
        warnK(ks, index);
        const t1 = performance.now();
        result = index.search(ds.X, k);
        report(opts, index.kind, ks, nq, named(result, names, opts.index), performance.now() - t1, t0);
      });
  },
};

interface Ks { k: number; kRequested: number }

/** k as the index can meet it: every index clamps k to its item count. */
function effectiveK(k: number, index: { readonly size: number }): Ks {
  return { k: Math.min(k, index.size), kRequested: k };
}

/**
 * One warning line when --k exceeds the item count, rather than echoing k as if it were met.
 * An exact index returns every item; approximate ones (hnsw, LSH) can return fewer.
 */
function warnK(ks: Ks, index: { readonly size: number; readonly kind: string }): void {
  const n = index.size;
  if (ks.k >= ks.kRequested || n === 0) return; // an empty index fails in search, with its own message
  process.stderr.write(`warning: --k ${ks.kRequested} is more than the index's ${n} item${n === 1 ? '' : 's'}; each query returns ${index.kind === 'exact' ? 'all' : 'at most'} ${n}\n`);
}

/** The ids `index build` kept beside an index whose rows' own ids it could not store. */
function itemNames(p: ModelPayload, path: string): (string | number)[] | null {
  const names = p.meta[ITEM_IDS_META];
  if (names === undefined) return null;
  if (!Array.isArray(names) || !names.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw new Error(`${path}: the index's "${ITEM_IDS_META}" is not a list of ids; rebuild the index with simlearn index build`);
  }
  return names;
}

type NamedResult = { ids: (string | number)[][]; distances: number[][] };

function named(r: SearchResult, names: (string | number)[] | null, path: string): NamedResult {
  if (!names) return r;
  const ids = r.ids.map((row) => row.map((i) => {
    // Rows are the stored ids; an id past the table means the file was edited after build.
    if (!(Number.isInteger(i) && i >= 0 && i < names.length)) throw new Error(`${path}: the index returned item ${i}, which its id table (${names.length} ids) does not cover; rebuild the index`);
    return names[i];
  }));
  return { ids, distances: r.distances };
}

function report(opts: SearchOpts, kind: string, ks: Ks, nq: number, r: NamedResult, searchMs: number, t0: number): void {
  const qps = searchMs > 0 ? (nq / searchMs) * 1000 : null;
  if (opts.json) {
    printJson({ index: kind, k: ks.k, kRequested: ks.kRequested, nQueries: nq, ids: r.ids, distances: r.distances, queriesPerSecond: qps, seconds: (performance.now() - t0) / 1000 });
    return;
  }
  const lines: string[] = [];
  r.ids.forEach((ids, q) => lines.push(`${q}: ${ids.map((id, j) => `${id} (${r.distances[q][j].toPrecision(4)})`).join(', ')}`));
  process.stdout.write(lines.join('\n') + '\n');
  process.stderr.write(`${nq} queries, ${qps === null ? '-' : qps.toFixed(0)} queries/s (${kind} index)\n`);
}
