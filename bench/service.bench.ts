/**
 * Load test of the similarity service over loopback: `simlearn serve` runs as its own process
 * (as users run it) with a scaler + LFDA pipeline over the 1797 digits; autocannon drives a fixed
 * duration and connection count per endpoint, then everything stops by itself.
 *
 *   npm run bench -- service
 *
 * Recorded per endpoint: requests/s (mean), latency p50 / p99 (ms), errors (connection errors,
 * timeouts and non-2xx answers; must be 0). No peer: Python similarity services (FastAPI over
 * numpy) are not installed here, so this is an absolute figure for capacity planning.
 * Writes bench/results/service.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { readDataset } from '../src/io/index.js';
import { LFDA } from '../src/metric/lfda.js';
import { Pipeline } from '../src/metric/registry.js';
import { StandardScaler } from '../src/preprocessing/standard-scaler.js';
import { getBackend } from '../src/backend/index.js';
import { Random } from '../src/random.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.SERVICE_BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;

interface Row {
  endpoint: string;
  body: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

async function startServer(model: string, items: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'serve', '--model', model, '--items', items, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => { stderr += b; });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`serve did not start within 60 s: ${stderr}`)); }, 60_000);
    child.stdout.on('data', (b) => {
      out += b;
      const m = out.match(/^(http:\/\/127\.0\.0\.1:\d+)\n/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}: ${stderr}`)); });
  });
  const stop = () => new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
  return { url, stop };
}

async function load(url: string, endpoint: string, label: string, bodies: string[]): Promise<Row> {
  let next = 0;
  const result = await autocannon({
    url: url + endpoint,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
  } as autocannon.Options);
  return {
    endpoint,
    body: label,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-service-bench-'));
  const digitsPath = join(ROOT, 'data', 'digits.csv');
  const digits = readDataset(digitsPath);
  const scaler = new StandardScaler().fit(digits.X);
  const lfda = new LFDA({ k: 7 }).fit(scaler.transform(digits.X), digits.y as number[]);
  const modelPath = join(dir, 'digits-lfda.simlearn');
  new Pipeline([scaler, lfda]).save(modelPath);

  const rng = new Random(0);
  const n = digits.X.rows;
  const ids = Array.from({ length: 256 }, () => JSON.stringify({ id: rng.int(n), k: 10 }));
  const vectors = Array.from({ length: 256 }, () => JSON.stringify({ vector: Array.from(digits.X.row(rng.int(n))), k: 10 }));
  const pairs = Array.from({ length: 256 }, () => JSON.stringify({ a: rng.int(n), b: rng.int(n) }));
  const batches = Array.from({ length: 16 }, () => JSON.stringify({ vectors: Array.from({ length: 32 }, () => Array.from(digits.X.row(rng.int(n)))) }));

  const server = await startServer(modelPath, digitsPath);
  const rows: Row[] = [];
  try {
    // Warm-up (JIT, first allocations), not recorded.
    await autocannon({ url: server.url + '/similar', method: 'POST', headers: { 'content-type': 'application/json' }, body: ids[0], connections: 2, duration: 1 });
    rows.push(await load(server.url, '/similar', '{id, k: 10}', ids));
    rows.push(await load(server.url, '/similar', '{vector (64-d), k: 10}', vectors));
    rows.push(await load(server.url, '/pair-score', '{a: id, b: id}', pairs));
    rows.push(await load(server.url, '/embed', '{vectors: 32 x 64}', batches));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const table = [
    '| endpoint | request | requests/s | p50 (ms) | p99 (ms) | errors | requests |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| \`POST ${r.endpoint}\` | \`${r.body}\` | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.requests} |`),
  ];
  for (const line of table) console.log(line);
  const md = [
    '## Similarity service (`simlearn serve`)',
    '',
    `${new Date().toISOString().slice(0, 10)} · \`npm run bench -- service\` · server backend: ${getBackend().name} · Node ${process.version}`,
    '',
    `\`simlearn serve\` in its own process on 127.0.0.1 with a z-score + LFDA pipeline over the 1797 digits (64 → 64 dims, exact search);`,
    `autocannon from this process, ${CONNECTIONS} connections, ${DURATION} s per endpoint after a 1 s warm-up, bodies cycling over seeded random items.`,
    'Both share the 2-core machine, so these are lower bounds for a dedicated server. Errors count connection errors, timeouts and non-2xx answers.',
    '',
    ...table,
    '',
  ].join('\n');
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'service.md'), md);
  const bad = rows.filter((r) => r.errors > 0);
  if (bad.length) {
    console.error(`errors under load: ${bad.map((r) => `${r.endpoint} ${r.errors}`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
