/**
 * Export of embedded vectors into a LanceDB table (embedded, on local disk or object storage),
 * with an IVF-PQ index built there: the path for collections that outgrow one process's exact
 * search. Rows are {id, label?, vector} with `vector` a fixed-size float32 list.
 *
 * Index sizing. IVF-PQ trains k-means partitions and 8-bit product-quantisation codebooks
 * (256 centroids per sub-vector), so it needs enough rows: at least 256 in total, and about
 * 256 per partition for stable centroids. We use
 *   numPartitions = clamp(floor(n / 256), 1, round(√n))
 * (LanceDB's own default is √n, which leaves too few rows per partition below ~65k rows), and
 * numSubVectors = dim/8 (8 values per sub-vector: one of the SIMD-friendly sizes LanceDB prefers,
 * and finer codes than its default of 16), else dim/4, dim/2 or dim, whichever divides first. Below 256 rows no index is built and a message says so: a flat
 * scan of so few rows is exact and already fast.
 */
import type { Connection, Table } from '@lancedb/lancedb';
import type { Matrix, FloatArray } from '../matrix.js';

/**
 * Loaded on first use: the native module is large, and its Rust logger reads LANCEDB_LOG once at
 * load time; without a level it prints a WARN for every newly created dataset.
 */
async function lancedb(): Promise<typeof import('@lancedb/lancedb')> {
  process.env.LANCEDB_LOG ??= 'error';
  return import('@lancedb/lancedb');
}

export const LANCEDB_MIN_INDEX_ROWS = 256;

export interface LanceTarget {
  /** Database URI: a directory, or an object-store URI such as s3://bucket/path. */
  uri: string;
  table: string;
}

/** Parses `lancedb://DIR/TABLE` (DIR may be relative or absolute, or an object-store URI after the prefix). */
export function parseLanceTarget(target: string): LanceTarget {
  const prefix = 'lancedb://';
  if (!target.startsWith(prefix)) throw new RangeError(`"${target}" is not a LanceDB target; write lancedb://DIR/TABLE (e.g. lancedb://./vectors/items)`);
  const rest = target.slice(prefix.length);
  const slash = rest.lastIndexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw new RangeError(`"${target}" needs both a database directory and a table name: lancedb://DIR/TABLE`);
  const table = rest.slice(slash + 1);
  if (!/^[A-Za-z0-9_.-]+$/.test(table)) throw new RangeError(`LanceDB table name "${table}" may only contain letters, digits, "_", "-" and "."`);
  return { uri: rest.slice(0, slash), table };
}

export interface IvfPqPlan {
  numPartitions: number;
  numSubVectors: number;
}

/** The IVF-PQ parameters for n rows of dimension dim, or null when there are too few rows. */
export function planIvfPq(n: number, dim: number): IvfPqPlan | null {
  if (n < LANCEDB_MIN_INDEX_ROWS) return null;
  const numPartitions = Math.max(1, Math.min(Math.floor(n / 256), Math.round(Math.sqrt(n))));
  let numSubVectors = dim;
  for (const len of [8, 4, 2]) {
    if (dim % len === 0 && dim / len >= 1) {
      numSubVectors = dim / len;
      break;
    }
  }
  return { numPartitions, numSubVectors };
}

export interface LanceExportInput extends LanceTarget {
  /** The embedded vectors (n x dim); stored as float32. */
  vectors: Matrix<FloatArray>;
  ids: ArrayLike<string | number>;
  labels?: ArrayLike<string | number> | null;
  /** Replace an existing table of that name (default false: an existing table is an error). */
  overwrite?: boolean;
  /** 'auto' (default) builds IVF-PQ when there are enough rows; 'none' never does. */
  index?: 'auto' | 'none';
  /** Extra columns stored per row (e.g. the model kind). */
  extra?: Record<string, string>;
}

export interface LanceExportResult extends LanceTarget {
  rows: number;
  dim: number;
  index: (IvfPqPlan & { type: 'IVF_PQ'; distance: 'l2' }) | null;
  message: string;
}

function rowsOf(input: LanceExportInput): Record<string, unknown>[] {
  const { vectors: V, ids, labels } = input;
  const n = V.rows;
  if (ids.length !== n) throw new RangeError(`LanceDB export: ${ids.length} ids for ${n} vectors`);
  if (labels && labels.length !== n) throw new RangeError(`LanceDB export: ${labels.length} labels for ${n} vectors`);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = { id: ids[i] };
    if (labels) row.label = labels[i];
    for (const [k, v] of Object.entries(input.extra ?? {})) row[k] = v;
    row.vector = Array.from(V.row(i));
    rows.push(row);
  }
  return rows;
}

/** Writes the table and (when possible) its ANN index; returns what was done. */
export async function exportToLanceDb(input: LanceExportInput): Promise<LanceExportResult> {
  const n = input.vectors.rows;
  const dim = input.vectors.cols;
  if (n === 0 || dim === 0) throw new RangeError('LanceDB export: no vectors to write');
  for (let i = 0; i < input.vectors.data.length; i++) {
    if (!Number.isFinite(input.vectors.data[i])) throw new RangeError(`LanceDB export: vector ${Math.floor(i / dim)} has a non-finite value; check the model and the data`);
  }
  const { connect, Index } = await lancedb();
  const db: Connection = await connect(input.uri);
  let table: Table | null = null;
  try {
    const existing = await db.tableNames();
    if (existing.includes(input.table) && !input.overwrite) {
      throw new Error(`LanceDB table "${input.table}" already exists in ${input.uri}; pass --overwrite to replace it`);
    }
    table = await db.createTable(input.table, rowsOf(input), { mode: input.overwrite ? 'overwrite' : 'create' });
    const plan = input.index === 'none' ? null : planIvfPq(n, dim);
    let message: string;
    if (plan) {
      await table.createIndex('vector', { config: Index.ivfPq({ ...plan, distanceType: 'l2' }), replace: true });
      message = `wrote ${n} rows to ${input.uri}/${input.table} with an IVF-PQ index (${plan.numPartitions} partitions, ${plan.numSubVectors} sub-vectors, L2)`;
    } else if (input.index === 'none') {
      message = `wrote ${n} rows to ${input.uri}/${input.table} without an index (as asked)`;
    } else {
      message = `wrote ${n} rows to ${input.uri}/${input.table} without an ANN index: IVF-PQ needs at least ${LANCEDB_MIN_INDEX_ROWS} rows (a flat scan of ${n} rows is exact and fast)`;
    }
    return { uri: input.uri, table: input.table, rows: n, dim, index: plan ? { type: 'IVF_PQ', distance: 'l2', ...plan } : null, message };
  } finally {
    table?.close();
    db.close();
  }
}

export interface LanceSearchOptions {
  k: number;
  /** true: flat scan, bypassing the index (exact). */
  exact?: boolean;
  /** IVF partitions to probe (default: all, so only PQ approximation remains). */
  nprobes?: number;
  /** Re-rank refineFactor·k PQ candidates with full vectors (default 10). */
  refineFactor?: number;
}

/** Nearest rows of a table for one query vector (already embedded), nearest first. */
export async function searchLanceDb(target: LanceTarget, query: ArrayLike<number>, options: LanceSearchOptions): Promise<{ id: string | number; label?: string | number; distance: number }[]> {
  const { connect } = await lancedb();
  const db = await connect(target.uri);
  const table = await db.openTable(target.table);
  try {
    let q = table.vectorSearch(Array.from(query)).distanceType('l2').limit(options.k);
    if (options.exact) q = q.bypassVectorIndex();
    else {
      const idx = await table.listIndices();
      if (idx.length > 0) q = q.nprobes(options.nprobes ?? 1_000_000).refineFactor(options.refineFactor ?? 10);
    }
    const rows = (await q.toArray()) as { id: string | number; label?: string | number; _distance: number }[];
    // LanceDB's "l2" distance is the squared Euclidean distance.
    return rows.map((r) => ({ id: typeof r.id === 'bigint' ? Number(r.id) : r.id, ...(r.label !== undefined ? { label: r.label } : {}), distance: Math.sqrt(Math.max(0, r._distance)) }));
  } finally {
    table.close();
    db.close();
  }
}
