/**
 * `simlearn index build`: builds a search index from a dataset (or from token sets for
 * MinHash) and saves it as one model file that `simlearn search` loads.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UsageError, checkLabelFlag, collect, parseSets, printJson, readWithLabelFlag, type CliCommand } from './command.js';
import { checkFeatureCount, readDataset } from '../io/index.js';
import type { Dataset } from '../io/dataset.js';
import { loadModelObject } from '../io/model-registry.js';
import { saveModel } from '../io/model-file.js';
import { exactIds } from '../service/items.js';
import { ExactIndex } from '../neighbors/exact-index.js';
import { HnswIndex } from '../neighbors/hnsw-index.js';
import { SimHashIndex } from '../neighbors/lsh/simhash-index.js';
import { E2LshIndex } from '../neighbors/lsh/e2lsh-index.js';
import { MinHashIndex } from '../neighbors/lsh/minhash-index.js';
import { INDEX_METRICS, checkHnswSettings } from '../neighbors/index-common.js';
import type { IndexMetric, IndexTransform } from '../neighbors/index-types.js';
import { indexInputWidth } from '../neighbors/transform-io.js';
import { DeepHead, HEAD_KIND } from '../deep/head.js';
import { Pipeline } from '../metric/registry.js';
import type { Token } from '../neighbors/lsh/minhash.js';
import { checkSeed } from '../random.js';
import '../neighbors/registry.js';
import '../metric/registry.js';

export const INDEX_KINDS = ['exact', 'simhash', 'e2lsh', 'hnsw', 'minhash'] as const;
type IndexKind = (typeof INDEX_KINDS)[number];

/** Settings each kind accepts through --set key=value. */
const SETTINGS: Record<IndexKind, string[]> = {
  exact: ['memoryBudget'],
  simhash: ['hashLength', 'tables', 'probes', 'targetRecall', 'calibrationK', 'maxTables', 'seed'],
  e2lsh: ['hashLength', 'tables', 'probes', 'targetRecall', 'calibrationK', 'maxTables', 'seed', 'bucketWidth'],
  hnsw: ['connectivity', 'expansionAdd', 'expansionSearch', 'threads'],
  minhash: ['numPerm', 'bandRows', 'threshold', 'targetRecall', 'seed'],
};

export function labelOption(label: string | undefined): string | number | null | undefined {
  if (label === undefined) return undefined;
  if (label === 'none') return null;
  return /^-?\d+$/.test(label) ? Number(label) : label;
}

/**
 * Reads vectors for indexing or searching. Only a column literally named "label" (or the one
 * given with --label) is treated as labels; otherwise every CSV column is a feature.
 */
export function readVectors(path: string, label: string | undefined): Dataset {
  checkLabelFlag(label, { files: [path], none: true, dropsLabels: true });
  const lab = labelOption(label);
  const ds = readWithLabelFlag(label, () => readDataset(path, { label: lab }));
  if (lab === undefined && ds.labelName !== null && ds.labelName.toLowerCase() !== 'label' && /\.(csv|tsv|txt)$/i.test(path)) {
    return readDataset(path, { label: null });
  }
  return ds;
}

/** A short name of the model an index applies, for messages: "deep/head", "metric/lmnn", ... */
export function transformName(t: IndexTransform): string {
  if (t instanceof DeepHead) return HEAD_KIND;
  if (t instanceof Pipeline) return typeof t.meta.algorithm === 'string' ? `metric/${t.meta.algorithm} pipeline` : 'pipeline';
  const algo = (t as { algorithm?: unknown }).algorithm;
  if (typeof algo === 'string') return `metric/${algo}`;
  const kind = (t as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : 'model';
}

/**
 * Refuses vectors whose width differs from what an index (or the model it applies) takes,
 * before the index sees them, with the message `simlearn transform` gives for the same
 * mistake: the flag and file, both widths, how the file was read, and the fix. Without this
 * the error comes from deep inside ("DeepHead.transform: X has 4 features, ...").
 *
 * `index` is the loaded index (search) or the one being built (then only its transform says
 * a width); `flag` is "--queries" or "--data"; `modelFile` names the --model file at build.
 */
export function checkInputWidth(index: { readonly dim: number; readonly transform?: IndexTransform }, ds: Dataset, flag: string, path: string, modelFile?: string): void {
  const expected = indexInputWidth(index);
  const cols = ds.X.cols;
  if (expected === undefined || cols === expected) return;
  const t = index.transform;
  const model = !t ? 'the index' : modelFile ? `--model ${modelFile} (${transformName(t)})` : `the index's model (${transformName(t)}, applied to every query)`;
  const read = ds.y === null ? `${cols} feature${cols === 1 ? '' : 's'}, no label column` : `${cols} feature${cols === 1 ? '' : 's'} besides the label column "${ds.labelName ?? 'label'}"`;
  const fix: string[] = [modelFile
    ? `pass data with the ${expected} feature columns the model was ${t instanceof DeepHead ? 'trained' : 'fitted'} on`
    : `pass queries with the ${expected} feature columns of the data the index was built from`];
  // Queries already mapped by the model: the index applies the model to queries itself.
  if (t && !modelFile && index.dim > 0 && cols === index.dim) fix[0] += ` (not vectors already mapped by the model: the index maps raw queries itself, into its ${index.dim} dimensions)`;
  const csv = /\.(csv|tsv|txt)$/i.test(path);
  if (ds.y !== null && csv) fix[0] += ', or choose the label column with --label (--label none if there is none)';
  // A label column not named "label" is read as a feature: one column too many.
  else if (csv && cols === expected + 1) fix[0] += ', or, if one column holds labels, name it with --label COLUMN';
  const encoder = t instanceof DeepHead ? (t.info.encoder as { path?: unknown } | null | undefined)?.path : undefined;
  if (typeof encoder === 'string') fix.push(`the head was trained on the outputs of the encoder ${encoder}, so encode the ${flag === '--queries' ? 'queries' : 'data'} with it first`);
  checkFeatureCount(cols, expected, { source: `${flag} ${path}`, model, detail: read, fix: fix.join('; ') });
}

/** The index-file meta field holding the ids a JSONL file gave its rows, when the index cannot. */
export const ITEM_IDS_META = 'itemIds';

/**
 * The ids of a JSONL file's rows. An index holds non-negative integer ids only, so those are
 * `keys` for the index itself; any other ids (strings, "007", 19-digit ids) become `names`,
 * stored beside the index by row number for search to print exactly as given. Names are
 * numbers only when every id survives String(Number(id)) unchanged.
 */
export function itemIds(ds: Dataset, path: string): { keys?: number[]; names?: (string | number)[] } {
  if (!ds.ids) return {};
  const first = new Map<string, number>();
  ds.ids.forEach((id, i) => {
    const j = first.get(id);
    // Search reports neighbours by id, so a repeated id would name two different items.
    if (j !== undefined) throw new RangeError(`${path}: id ${JSON.stringify(id)} appears more than once (records ${j + 1} and ${i + 1}); give every record a unique id`);
    first.set(id, i);
  });
  const names = exactIds(ds.ids);
  if (names.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) return { keys: names as number[] };
  return { names };
}

/** One JSON array of tokens per non-empty line. */
export function readSets(path: string): Token[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  const out: Token[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new RangeError(`${path}: line ${i + 1} is not valid JSON; each line must be a JSON array of tokens such as ["a", "b"]`);
    }
    if (!Array.isArray(v) || !v.every((t) => typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t)))) throw new RangeError(`${path}: line ${i + 1} must be a JSON array of strings or numbers`);
    out.push(v as Token[]);
  });
  if (out.length === 0) throw new RangeError(`${path}: no sets found (one JSON array of tokens per line)`);
  return out;
}

function loadTransform(path: string | undefined): IndexTransform | undefined {
  if (!path) return undefined;
  const m = loadModelObject(path) as IndexTransform;
  if (typeof m?.transform !== 'function') throw new UsageError(`--model ${path}: the model has no transform() to apply`);
  return m;
}

interface BuildOpts {
  data?: string;
  sets?: string;
  index: string;
  out: string;
  metric?: string;
  label?: string;
  model?: string;
  set?: string[];
  json?: boolean;
}

function build(opts: BuildOpts): void {
  const kind = opts.index as IndexKind;
  if (!INDEX_KINDS.includes(kind)) throw new UsageError(`--index must be one of ${INDEX_KINDS.join(', ')}, got "${opts.index}"`);
  const params = parseSets(opts.set);
  for (const key of Object.keys(params)) {
    if (!SETTINGS[kind].includes(key)) throw new UsageError(`--set ${key}: not a setting of the ${kind} index (settings: ${SETTINGS[kind].join(', ') || 'none'})`);
  }
  if (opts.metric !== undefined && !INDEX_METRICS.includes(opts.metric as IndexMetric)) throw new UsageError(`--metric must be one of ${INDEX_METRICS.join(', ')}, got "${opts.metric}"`);
  const t0 = performance.now();
  let size: number;
  let dim: number | null = null;
  let extra: Record<string, unknown> = {};
  // Settings are checked before any data is read, and before anything is saved: a bad one
  // must fail here, not later when `simlearn search` loads the index.
  const settings = <T>(make: () => T): T => {
    try {
      if (kind === 'hnsw') checkHnswSettings(params, '--set');
      // The hashing indexes take any finite seed, which their generator reduces to 32 bits.
      if (params.seed !== undefined) checkSeed(params.seed, '--set seed');
      return make();
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message.startsWith('--set') ? e.message : `--set: ${e.message}`);
      throw e;
    }
  };
  if (kind === 'minhash') {
    if (!opts.sets) throw new UsageError('--index minhash needs --sets FILE (one JSON array of tokens per line)');
    if (opts.data) throw new UsageError('--index minhash reads --sets, not --data');
    if (opts.label !== undefined) throw new UsageError(`--label ${opts.label}: --label names a CSV label column of --data, and --index minhash reads token sets (--sets) only; leave out --label`);
    const idx = settings(() => new MinHashIndex(params));
    idx.add(readSets(opts.sets));
    idx.save(opts.out);
    size = idx.size;
    extra = { numPerm: idx.numPerm, bands: idx.bands, bandRows: idx.bandRows };
  } else {
    if (!opts.data) throw new UsageError(`--index ${kind} needs --data FILE`);
    if (opts.sets) throw new UsageError('--sets is only for --index minhash');
    const metric = opts.metric as IndexMetric | undefined;
    if (kind === 'simhash' && metric && metric !== 'cosine') throw new UsageError('--index simhash searches by cosine distance; drop --metric or use --metric cosine');
    if (kind === 'e2lsh' && metric && metric !== 'euclidean' && metric !== 'sqeuclidean') throw new UsageError('--index e2lsh supports --metric euclidean or sqeuclidean');
    const transform = loadTransform(opts.model);
    const idx: ExactIndex | HnswIndex | SimHashIndex | E2LshIndex = settings(() => {
      if (kind === 'exact') return new ExactIndex({ metric, transform, ...params });
      if (kind === 'hnsw') return new HnswIndex({ metric, transform, ...params });
      if (kind === 'simhash') return new SimHashIndex({ transform, ...params });
      return new E2LshIndex({ metric: metric as 'euclidean' | undefined, transform, ...params });
    });
    const ds = readVectors(opts.data, opts.label);
    if (transform) checkInputWidth(idx, ds, '--data', opts.data, opts.model);
    const ids = itemIds(ds, opts.data);
    try {
      idx.add(ds.X, ids.keys);
    } catch (e) {
      // name the file: the index's own message only knows row and column numbers
      if (e instanceof RangeError && !e.message.startsWith(opts.data)) e.message = `--data ${opts.data}: ${e.message}`;
      throw e;
    }
    if (ids.names) {
      const p = idx.toPayload();
      saveModel(opts.out, { ...p, meta: { ...p.meta, [ITEM_IDS_META]: ids.names } });
    } else idx.save(opts.out);
    size = idx.size;
    dim = idx.dim;
    if (idx instanceof SimHashIndex || idx instanceof E2LshIndex) extra = { hashLength: idx.K, tables: idx.L, probes: idx.probes, ...(idx instanceof E2LshIndex ? { bucketWidth: idx.w } : {}), predictedRecall: idx.plan?.predictedRecall ?? null };
    extra.metric = idx.metric;
  }
  const seconds = (performance.now() - t0) / 1000;
  const info = { index: kind, out: opts.out, size, dim, seconds, ...extra };
  if (opts.json) printJson(info);
  else process.stdout.write(`built ${kind} index of ${size} items${dim ? ` x ${dim}` : ''} in ${seconds.toFixed(2)} s -> ${opts.out}\n`);
}

export const indexCommand: CliCommand = {
  name: 'index',
  register(program: Command) {
    const cmd = program.command('index').description('build search indexes (see `simlearn index build --help`)');
    cmd
      .command('build')
      .description('build an exact, LSH (simhash, e2lsh, minhash) or HNSW index and save it')
      .option('--data <file>', 'vectors: CSV, JSONL or .npy (CSV: a column named "label" is ignored)')
      .option('--sets <file>', 'minhash only: one JSON array of tokens per line')
      .requiredOption('--index <kind>', `index kind: ${INDEX_KINDS.join(', ')}`)
      .requiredOption('--out <file>', 'index file to write')
      .option('--metric <metric>', `exact/hnsw: ${INDEX_METRICS.join(', ')} (default sqeuclidean); simhash is cosine, e2lsh euclidean`)
      .option('--label <column>', 'CSV label column to drop (or "none")')
      .option('--model <file>', 'a saved learner whose transform is applied to every vector first (stored in the index)')
      .option('--set <key=value>', 'index setting, repeatable (e.g. targetRecall=0.95, tables=20, expansionSearch=128)', collect)
      .option('--json', 'print one JSON object on stdout')
      .action((opts: BuildOpts) => build(opts));
    cmd.exitOverride();
  },
};
