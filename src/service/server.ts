/**
 * The similarity service: a learned similarity behind an HTTP JSON API (Fastify).
 *
 * Items are embedded once at start-up; queries are embedded on arrival and answered by exact
 * nearest-neighbour search in the embedding space, where Euclidean distance is the learned
 * distance. Every score is −distance (higher = more alike), the convention of
 * MahalanobisLearner.pairScore, so thresholds calibrated elsewhere apply unchanged.
 *
 *   GET  /            a small page to pick an item and see its neighbours
 *   GET  /health      {status, model, items, dim, embeddingDim, backend, threshold}
 *   GET  /items       ?offset&limit&q → {total, items: [{id, label?}]} (limit is capped at 1000)
 *   POST /similar     {id | vector, k} → {results: [{id, label?, score, distance}]}
 *   POST /pair-score  {a, b} (ids or vectors) → {score, distance}
 *   POST /verify      {a, b} → {same, score, threshold}
 *   POST /embed       {vectors} → {embeddings}
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { Matrix } from '../matrix.js';
import { getBackend } from '../backend/index.js';
import { ExactIndex } from '../neighbors/exact-index.js';
import type { SimilarityModel } from './similarity-model.js';
import type { ItemId, ItemSet } from './items.js';
import { calibrateThreshold } from './calibrate.js';
import { requestSchemas, describeIssues } from './schemas.js';
import { renderServicePage } from './page/page.js';

export interface ServiceOptions {
  model: SimilarityModel;
  items: ItemSet;
  /** Overrides the model's threshold and the calibration from labelled items. */
  threshold?: number;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Largest k for /similar (default 100). */
  maxK?: number;
  /** Most vectors per /embed request (default 1024). */
  maxBatch?: number;
  logger?: boolean;
}

export interface ServiceInfo {
  items: number;
  dim: number;
  embeddingDim: number;
  threshold: number | null;
  thresholdSource: 'option' | 'model' | 'calibrated' | 'none';
}

class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error' };

/** Largest finite float32: the exact index stores embeddings and squared distances in float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The largest |value|, for messages about vectors too large to compare. */
function largestMagnitude(vectors: ArrayLike<number>[]): number {
  let m = 0;
  for (const v of vectors) for (let j = 0; j < v.length; j++) m = Math.max(m, Math.abs(v[j]));
  return m;
}

/** 1e200 rather than 1e+200, and 5.1 rather than 5.1000000000000005. */
function formatMagnitude(x: number): string {
  return x >= 1e6 ? x.toExponential(2).replace(/\.?0*e\+?/, 'e') : String(Number(x.toPrecision(3)));
}

function parseBody<T>(schema: ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new HttpError(400, `invalid request body: ${describeIssues(r.error.issues)}`);
  return r.data;
}

export function buildService(options: ServiceOptions): { app: FastifyInstance; info: ServiceInfo } {
  const { model, items } = options;
  const n = items.X.rows;
  const dim = items.X.cols;
  if (n === 0) throw new RangeError('service: the item set is empty');
  if (model.nFeatures !== undefined && model.nFeatures !== dim) {
    throw new RangeError(`service: the items have ${dim} features but the model takes ${model.nFeatures}; use the item file the model was trained on (same columns)`);
  }
  const maxK = Math.max(1, Math.min(options.maxK ?? 100, n));
  const maxBatch = options.maxBatch ?? 1024;
  const schemas = requestSchemas({ maxK, maxBatch });

  const E = model.transform(items.X).toFloat64();
  if (E.rows !== n) throw new RangeError(`service: the model returned ${E.rows} embeddings for ${n} items`);
  const m = E.cols;
  let maxItemNorm = 0;
  for (let i = 0; i < n; i++) {
    const e = E.row(i);
    let s = 0;
    for (let j = 0; j < m; j++) s += e[j] * e[j];
    if (!Number.isFinite(s)) throw new RangeError(`service: the model maps item ${JSON.stringify(items.ids[i])} to an embedding too large for float64 (its values reach ${formatMagnitude(largestMagnitude([items.X.row(i)]))}); rescale the items`);
    maxItemNorm = Math.max(maxItemNorm, Math.sqrt(s));
  }
  // Past this, the float32 search kernels would rank by Infinity and NaN, i.e. arbitrarily.
  if ((2 * maxItemNorm) ** 2 > FLOAT32_MAX) {
    throw new RangeError(`service: the item embeddings reach a norm of ${formatMagnitude(maxItemNorm)}, so squared distances between items overflow the float32 search index (largest value ${formatMagnitude(FLOAT32_MAX)}); rescale the items`);
  }
  // The index finds candidates (float32 GEMM tiles); reported distances are recomputed in
  // float64 so /similar and /pair-score agree to the last digit. float32 alone can miss the
  // nearest items, so the candidates are certified, or replaced by an exact scan (nearest()).
  const index = new ExactIndex({ metric: 'sqeuclidean', dim: m });
  index.add(E);
  const sqDistance = (a: Float64Array, i: number): number => {
    let s = 0;
    for (let j = 0, o = i * m; j < m; j++) s += (a[j] - E.data[o + j]) ** 2;
    return s;
  };
  /**
   * The k items nearest to q in float64, ordered by (distance, row), without row `skip`.
   *
   * The float32 index computes ‖q‖² + ‖x‖² − 2 q·x; its error is at most about
   * (m + 2)·u·(‖q‖ + ‖x‖)² (u = 2⁻²⁴, the GEMM's rounding), plus 2u·(‖q‖ + ‖x‖)² from rounding
   * q and x to float32. Far from the items (say ‖q‖ = 1e8 beside items of norm 1) that exceeds
   * the gaps between items' distances, so the float32 top k can miss the true nearest and a
   * rerank of those k alone cannot bring it back; scaling by a power of two would not help,
   * since float32 rounding is relative. So the index is asked for more candidates than k, they
   * are ranked in float64, and the answer stands only when its k-th squared distance is below
   * every non-candidate's smallest possible one: the last candidate's float32 value minus
   * twice the error bound above. Otherwise every item is scanned in float64.
   */
  const nearest = (q: Float64Array, k: number, skip: number): { i: number; distance: number }[] => {
    const rank = (a: { i: number; d2: number }, b: { i: number; d2: number }) => a.d2 - b.d2 || a.i - b.i;
    const wanted = Math.min(k + (skip >= 0 ? 1 : 0), n);
    const wide = Math.min(n, wanted + Math.max(wanted, 16));
    const found = index.search(new Matrix(1, m, q), wide);
    const hits = found.ids[0].filter((i) => i !== skip).map((i) => ({ i, d2: sqDistance(q, i) })).sort(rank).slice(0, k);
    let certified = wide === n;
    if (!certified && hits.length === k) {
      let qq = 0;
      for (let j = 0; j < m; j++) qq += q[j] * q[j];
      const bound = 2 * (m + 4) * 2 ** -24 * (Math.sqrt(qq) + maxItemNorm) ** 2;
      const last = found.distances[0][found.distances[0].length - 1];
      certified = hits[k - 1].d2 < last - bound;
    }
    let best = hits;
    if (!certified) {
      best = [];
      for (let i = 0; i < n; i++) {
        if (i === skip) continue;
        const h = { i, d2: sqDistance(q, i) };
        if (best.length === k && rank(h, best[k - 1]) >= 0) continue;
        let pos = best.length < k ? best.length : k - 1;
        while (pos > 0 && rank(h, best[pos - 1]) < 0) pos--;
        best.splice(pos, 0, h);
        if (best.length > k) best.pop();
      }
    }
    return best.map(({ i }) => ({ i, distance: pairDistance(q, E.row(i)) }));
  };
  const byId = new Map<string, number>();
  items.ids.forEach((id, i) => byId.set(String(id), i));

  let threshold: number | null = null;
  let thresholdSource: ServiceInfo['thresholdSource'] = 'none';
  if (options.threshold !== undefined) {
    threshold = options.threshold;
    thresholdSource = 'option';
  } else if (model.threshold !== undefined) {
    threshold = model.threshold;
    thresholdSource = 'model';
  } else if (items.labels) {
    const c = calibrateThreshold(E, items.labels);
    if (c) {
      threshold = c.threshold;
      thresholdSource = 'calibrated';
    }
  }
  const info: ServiceInfo = { items: n, dim, embeddingDim: m, threshold, thresholdSource };

  const tooLarge = (field: string, v: ArrayLike<number>, what: string) =>
    new HttpError(400, `${field}: values this large (${formatMagnitude(largestMagnitude([v]))}) ${what}; rescale the vector`);
  const transformRow = (v: number[]): Float64Array | null => {
    try {
      const z = model.transform(Matrix.from64([v])).toFloat64().data;
      return z.every(Number.isFinite) ? z : null;
    } catch (err) {
      if (err instanceof RangeError) return null;
      throw err;
    }
  };
  /** `fields` names each vector in errors the way the request names it ("vector", "a", …). */
  const embed = (vectors: number[][], fields: string[]): Matrix<Float64Array> => {
    vectors.forEach((v, i) => {
      if (v.length !== dim) throw new HttpError(400, `${fields[i]} has ${v.length} values but the model takes ${dim} features`);
    });
    let Z: Matrix<Float64Array>;
    try {
      Z = model.transform(Matrix.from64(vectors)).toFloat64();
    } catch (err) {
      // The inputs are finite and of the right width, so a model step refusing them has met
      // values an earlier step overflowed; row by row finds the request's culprit.
      if (!(err instanceof RangeError)) throw err;
      const bad = vectors.findIndex((v) => transformRow(v) === null);
      throw tooLarge(fields[Math.max(0, bad)], vectors[Math.max(0, bad)], 'overflow float64 inside the model');
    }
    for (let i = 0; i < Z.rows; i++) {
      if (!Z.row(i).every(Number.isFinite)) throw tooLarge(fields[i], vectors[i], "overflow float64 in the model's embedding");
    }
    return Z;
  };
  const embedOne = (v: number[], field: string): Float64Array => embed([v], [field]).data;
  const lookup = (id: ItemId): number => {
    const i = byId.get(String(id));
    if (i === undefined) throw new HttpError(404, `unknown item id ${JSON.stringify(id)}`);
    return i;
  };
  const embeddingOf = (ref: ItemId | number[], field: string): Float64Array => (Array.isArray(ref) ? embedOne(ref, field) : E.row(lookup(ref)));
  const itemView = (i: number) => (items.labels ? { id: items.ids[i], label: items.labels[i] } : { id: items.ids[i] });
  const pairDistance = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let j = 0; j < m; j++) s += (a[j] - b[j]) ** 2;
    return Math.sqrt(s);
  };
  /** The distance between the pair's a and b, refused when float64 cannot hold it. */
  const pairOf = (body: { a: ItemId | number[]; b: ItemId | number[] }): number => {
    const ea = embeddingOf(body.a, 'a');
    const eb = embeddingOf(body.b, 'b');
    const distance = pairDistance(ea, eb);
    if (!Number.isFinite(distance)) {
      const given = [body.a, body.b].filter((r): r is number[] => Array.isArray(r));
      throw new HttpError(400, `the distance between a and b overflows: values this large (${formatMagnitude(largestMagnitude(given.length ? given : [ea, eb]))}) cannot be compared in float64; rescale the vectors`);
    }
    return distance;
  };

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 1024 * 1024 });
  // JSON only: a text/plain body would otherwise reach the handlers as a string.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req: FastifyRequest, reply: FastifyReply) => {
    let status = err instanceof HttpError ? err.statusCode : err.statusCode ?? 500;
    let message = err.message;
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      status = 400;
      message = `malformed JSON body: ${err.message}`;
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `request body exceeds the ${options.bodyLimit ?? 1024 * 1024}-byte limit; send fewer vectors per request`;
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'send the body as JSON with "Content-Type: application/json"';
    if (status >= 500) app.log.error(err);
    reply.code(status).send({ statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message: status >= 500 ? `internal error: ${message}` : message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${req.url}; see GET /health, POST /similar, /pair-score, /verify, /embed` });
  });

  const page = renderServicePage();
  app.get('/', (_req, reply) => {
    reply.type('text/html; charset=utf-8').send(page);
  });

  app.get('/favicon.ico', (_req, reply) => {
    reply.code(204).send();
  });

  app.get('/health', () => ({
    status: 'ok',
    model: model.kind,
    items: n,
    dim,
    embeddingDim: m,
    backend: getBackend().name,
    threshold,
    thresholdSource,
    labels: items.labels !== null,
    maxK,
  }));

  app.get('/items', (req) => {
    const query = req.query as Record<string, string | string[] | undefined>;
    const param = (name: string): string | undefined => {
      const v = query[name];
      if (Array.isArray(v)) throw new HttpError(400, `query parameter "${name}" is given ${v.length} times; give it once`);
      return v;
    };
    const count = (name: string, fallback: number, min: number): number => {
      const v = param(name);
      if (v === undefined) return fallback;
      const x = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!(x >= min)) throw new HttpError(400, `query parameter "${name}" must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
      return x;
    };
    const offset = count('offset', 0, 0);
    const limit = Math.min(1000, count('limit', 100, 1));
    const filter = (param('q') ?? '').trim().toLowerCase();
    const idx: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!filter || String(items.ids[i]).toLowerCase().includes(filter) || (items.labels && String(items.labels[i]).toLowerCase() === filter)) idx.push(i);
    }
    return { total: idx.length, offset, items: idx.slice(offset, offset + limit).map(itemView) };
  });

  app.post('/similar', (req) => {
    const body = parseBody(schemas.similar, req.body);
    const self = body.id !== undefined ? lookup(body.id) : -1;
    const q = self >= 0 ? E.row(self) : embedOne(body.vector as number[], 'vector');
    if (self < 0) {
      let s = 0;
      for (let j = 0; j < m; j++) s += q[j] * q[j];
      // The index ranks in float32; a squared distance past its range ranks arbitrarily.
      if (!((Math.sqrt(s) + maxItemNorm) ** 2 <= FLOAT32_MAX)) throw tooLarge('vector', body.vector as number[], `cannot be searched: squared distances to the items exceed the float32 range (${formatMagnitude(FLOAT32_MAX)}) of the search index`);
    }
    const hits = nearest(q, Math.min(body.k, n - (self >= 0 ? 1 : 0)), self);
    // Ties of the rounded distance keep the lower row first, as before.
    hits.sort((a, b) => a.distance - b.distance || a.i - b.i);
    const results = hits.map(({ i, distance }) => ({ ...itemView(i), score: -distance, distance }));
    return { query: self >= 0 ? itemView(self) : null, results };
  });

  app.post('/pair-score', (req) => {
    const body = parseBody(schemas.pair, req.body);
    const distance = pairOf(body);
    return { score: -distance, distance };
  });

  app.post('/verify', (req) => {
    const body = parseBody(schemas.pair, req.body);
    if (threshold === null) throw new HttpError(409, 'no verification threshold: the model carries none and the items have no labels to calibrate one; start the service with --threshold');
    const distance = pairOf(body);
    return { same: -distance >= threshold, score: -distance, distance, threshold };
  });

  app.post('/embed', (req) => {
    const body = parseBody(schemas.embed, req.body);
    const Z = embed(body.vectors, body.vectors.map((_, i) => (body.vectors.length > 1 ? `vector ${i}` : 'vector')));
    return { dim: Z.cols, embeddings: Z.toArrays() };
  });

  return { app, info };
}

/** Builds the service and listens; resolves to the bound address (port 0 picks a free one). */
export async function startService(options: ServiceOptions & { host?: string; port?: number }): Promise<{ app: FastifyInstance; info: ServiceInfo; url: string }> {
  const { app, info } = buildService(options);
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return { app, info, url: address };
}
