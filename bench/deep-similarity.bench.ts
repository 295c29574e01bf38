/**
 * Per-batch cost of the similarity parts (miners and losses, forward + gradient) on the batch of
 * the digits protocol of record: 128 rows of 32-d L2-normalised embeddings, 10 classes in groups
 * of 8 (shared/peers/deep.md). Three regimes, since the number of mined tuples drives the cost:
 * "init" (random embeddings, tens of thousands of semihard triplets), "mid" (noisy clusters) and
 * "late" (separated clusters, almost nothing to mine).
 *
 *   npm run bench -- deep-similarity
 *
 * The reference is pytorch-metric-learning's semihard triplet miner, which builds all n³
 * candidate triplets and then masks them: torch is not installed here, so deep.md's recorded
 * 12 ms per 128-row step is quoted, and a numpy re-implementation of that strategy (all
 * triplets as an n x n x n mask, then the survivors' indices) runs side by side when python3 +
 * numpy are present. Times are medians of wall time over repeated calls after warm-up; one BLAS
 * thread. Writes bench/results/deep-similarity.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend } from '../src/backend/index.js';
import { Matrix } from '../src/matrix.js';
import { Random } from '../src/random.js';
import { BatchEasyHardMiner, BatchHardMiner, MultiSimilarityMiner, PairMarginMiner, TripletMarginMiner } from '../src/deep/miners/index.js';
import { ContrastiveLoss, MultiSimilarityLoss, NTXentLoss, SupConLoss, TripletMarginLoss, CircleLoss } from '../src/deep/losses/index.js';
import type { Loss, MinedTuples, Miner } from '../src/deep/types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = 128;
const D = 32;
const labels = Int32Array.from({ length: N }, (_, i) => Math.floor(i / 8) % 10);

function batch(regime: 'init' | 'mid' | 'late'): Matrix<Float32Array> {
  const r = new Random(7);
  const centers = r.fillNormal(new Float32Array(10 * D));
  const noise = regime === 'init' ? Infinity : regime === 'mid' ? 1 : 0.3;
  const E = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    let q = 0;
    for (let k = 0; k < D; k++) {
      const c = Number.isFinite(noise) ? centers[labels[i] * D + k] : 0;
      const v = c + (Number.isFinite(noise) ? noise : 1) * r.normal();
      E[i * D + k] = v;
      q += v * v;
    }
    const inv = 1 / Math.sqrt(q);
    for (let k = 0; k < D; k++) E[i * D + k] *= inv;
  }
  return new Matrix(N, D, E);
}

function median(f: () => unknown, minMs = 300): number {
  for (let i = 0; i < 20; i++) f();
  const times: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || times.length < 20) {
    const s = performance.now();
    f();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

function count(t: MinedTuples): number {
  return t.kind === 'triplets' ? t.anchors.length : t.posA.length + t.negA.length;
}

function numpySemihard(E: Matrix<Float32Array>, margin: number): number | null {
  const script = `
import sys, time, numpy as np
n, d, margin = ${N}, ${D}, ${margin}
E = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float32).reshape(n, d)
labels = np.array([(i // 8) % 10 for i in range(n)])
def mine():
    sq = (E * E).sum(1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * E @ E.T, 0))
    same = labels[:, None] == labels[None, :]
    pos = same & ~np.eye(n, dtype=bool)
    neg = ~same
    valid = pos[:, :, None] & neg[:, None, :]          # all n^3 candidate triplets
    a, p, q = np.where(valid)
    ap, an = dist[a, p], dist[a, q]
    keep = (an - ap > 0) & (an - ap <= margin)
    return a[keep], p[keep], q[keep]
for _ in range(5): mine()
ts = []
for _ in range(30):
    s = time.perf_counter(); mine(); ts.append(time.perf_counter() - s)
print(sorted(ts)[len(ts) // 2] * 1000)
`;
  const r = spawnSync('python3', ['-c', script], { input: Buffer.from(E.data.buffer, E.data.byteOffset, E.data.byteLength), encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
  if (r.status !== 0) return null;
  const v = Number(r.stdout.trim());
  return Number.isFinite(v) ? v : null;
}

const be = getBackend();
be.setThreads(1);
const regimes = ['init', 'mid', 'late'] as const;
const miners: Array<[string, Miner]> = [
  ['triplet-margin semihard (0.2)', new TripletMarginMiner({ type: 'semihard', margin: 0.2 })],
  ['triplet-margin all (0.2)', new TripletMarginMiner({ type: 'all', margin: 0.2 })],
  ['batch-hard', new BatchHardMiner()],
  ['batch-easy-hard', new BatchEasyHardMiner()],
  ['multi-similarity (0.1)', new MultiSimilarityMiner({ epsilon: 0.1 })],
  ['pair-margin (0.2, 0.8)', new PairMarginMiner()],
];
const lines: string[] = [];
const fmt = (x: number): string => (x < 0.1 ? x.toFixed(3) : x.toFixed(2));
lines.push('| miner | ' + regimes.map((r) => `${r}: ms (tuples)`).join(' | ') + ' |', '|---|' + regimes.map(() => '---').join('|') + '|');
const batches = Object.fromEntries(regimes.map((r) => [r, batch(r)])) as Record<(typeof regimes)[number], Matrix<Float32Array>>;
for (const [name, m] of miners) {
  const cells = regimes.map((r) => `${fmt(median(() => m.mine(batches[r], labels)))} (${count(m.mine(batches[r], labels))})`);
  lines.push(`| ${name} | ${cells.join(' | ')} |`);
  console.error(lines[lines.length - 1]);
}
const np = regimes.map((r) => numpySemihard(batches[r], 0.2));
if (np.every((v) => v !== null)) lines.push(`| numpy, PML's strategy: all n³ triplets then mask (semihard 0.2) | ${np.map((v) => fmt(v as number)).join(' | ')} |`);
lines.push(`| pytorch-metric-learning semihard, recorded in deep.md (training step, torch CPU 1 thread) | ≈ 12 per step | | |`);

const losses: Array<[string, Loss, Miner | null]> = [
  ['triplet 0.2 on semihard triplets', new TripletMarginLoss({ margin: 0.2 }), new TripletMarginMiner({ type: 'semihard', margin: 0.2 })],
  ['contrastive (0, 1) on batch-hard', new ContrastiveLoss(), new BatchHardMiner()],
  ['multi-similarity (2, 50, 0.5) on MS pairs', new MultiSimilarityLoss(), new MultiSimilarityMiner({ epsilon: 0.1 })],
  ['NT-Xent (0.07), all pairs', new NTXentLoss(), null],
  ['SupCon (0.1), all pairs', new SupConLoss(), null],
  ['circle (0.4, 80), all pairs', new CircleLoss(), null],
  ['triplet 0.2, all triplets (no miner)', new TripletMarginLoss({ margin: 0.2 }), null],
];
const lossLines = ['| loss (forward + gradient) | ' + regimes.map((r) => `${r}: ms`).join(' | ') + ' |', '|---|' + regimes.map(() => '---').join('|') + '|'];
for (const [name, loss, miner] of losses) {
  const cells = regimes.map((r) => {
    const t = miner ? miner.mine(batches[r], labels) : undefined;
    return fmt(median(() => loss.compute(batches[r], labels, t)));
  });
  lossLines.push(`| ${name} | ${cells.join(' | ')} |`);
  console.error(lossLines[lossLines.length - 1]);
}

const md = [
  '## Similarity parts per batch: miners and losses (128 x 32, digits batch layout)',
  '',
  `Command: \`npm run bench -- deep-similarity\` · ${new Date().toISOString().slice(0, 10)} · backend ${be.name} (${be.blas}), 1 thread`,
  '',
  'Batch: 128 L2-normalised 32-d embeddings, 10 classes in groups of 8 (the digits protocol of shared/peers/deep.md). Regimes: init = random embeddings; mid = class centres + noise 1; late = centres + noise 0.3. Median wall time per call; the machine is shared, so times are provisional.',
  '',
  ...lines,
  '',
  ...lossLines,
  '',
  'Notes: the triplet-margin miner never materialises the candidate triplets (per anchor, negatives are scanned once per positive against the admissible window, survivors written into reused buffers); its cost is O(n · positives · negatives) comparisons plus the output. Loss times include the distance matrix and its backward (GEMM on the backend).',
  '',
].join('\n');
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'deep-similarity.md'), md);
console.log(md);
