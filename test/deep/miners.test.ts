/** Miners against brute-force enumeration, edge cases, and the factory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { BatchEasyHardMiner, BatchHardMiner, MultiSimilarityMiner, PairMarginMiner, TripletMarginMiner, minerByName, MINER_NAMES } from '../../src/deep/miners/index.js';
import { distanceByName } from '../../src/deep/distances/index.js';
import type { Loss, MinedTuples, Miner, Reference } from '../../src/deep/types.js';
import { ContrastiveLoss, MultiSimilarityLoss, TripletMarginLoss } from '../../src/deep/losses/index.js';
import { clusteredData, labelsOf, randomEmbeddings, rows32, trainLinear } from './similarity-helpers.js';

function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = new Random(seed);
  return Int32Array.from({ length: n }, () => r.int(classes));
}

/** u = distance, or −similarity (smaller is closer), computed naively. */
function uMatrix(distance: string, E: Matrix<Float32Array>, R: Matrix<Float32Array>): number[][] {
  const dist = distanceByName(distance);
  const M = dist.pairwise(E.data, E.rows, R.data, R.rows, E.cols);
  const out: number[][] = [];
  for (let i = 0; i < E.rows; i++) out.push(Array.from(M.subarray(i * R.rows, (i + 1) * R.rows), (v) => (dist.largerIsCloser ? -v : v)));
  return out;
}

function tripletSet(t: MinedTuples): string[] {
  assert.equal(t.kind, 'triplets');
  if (t.kind !== 'triplets') return [];
  return Array.from(t.anchors, (a, i) => `${a},${t.positives[i]},${t.negatives[i]}`).sort();
}

function pairSet(t: MinedTuples): { pos: string[]; neg: string[] } {
  assert.equal(t.kind, 'pairs');
  if (t.kind !== 'pairs') return { pos: [], neg: [] };
  return { pos: Array.from(t.posA, (a, i) => `${a},${t.posB[i]}`).sort(), neg: Array.from(t.negA, (a, i) => `${a},${t.negB[i]}`).sort() };
}

function bruteTripletMargin(u: number[][], L: Int32Array, RL: Int32Array, self: (i: number) => number, type: string, margin: number): string[] {
  const out: string[] = [];
  for (let a = 0; a < u.length; a++) for (let p = 0; p < RL.length; p++) {
    if (p === self(a) || RL[p] !== L[a]) continue;
    for (let n = 0; n < RL.length; n++) {
      if (RL[n] === L[a]) continue;
      // Same float expression as the miner's window test: u_an against u_ap + offset.
      const an = u[a][n], ap = u[a][p];
      const ok = type === 'easy' ? an > ap + margin : type === 'semihard' ? an > ap && an <= ap + margin : type === 'hard' ? an <= ap + Math.min(0, margin) : an <= ap + margin;
      if (ok) out.push(`${a},${p},${n}`);
    }
  }
  return out.sort();
}

test('triplet-margin miner equals brute-force enumeration for every type and distance', () => {
  for (let trial = 0; trial < 4; trial++) {
    const n = 14 + trial * 3;
    const E = randomEmbeddings(n, 4, 100 + trial);
    const L = randomLabels(n, 3, 200 + trial);
    for (const distance of ['euclidean', 'cosine', 'dot']) {
      const u = uMatrix(distance, E, E);
      for (const type of ['all', 'hard', 'semihard', 'easy'] as const) {
        const margin = distance === 'euclidean' ? 0.5 : 0.2;
        const got = tripletSet(new TripletMarginMiner({ type, margin, distance }).mine(E, L));
        assert.deepEqual(got, bruteTripletMargin(u, L, L, (i) => i, type, margin), `${distance}/${type} trial ${trial}`);
      }
    }
  }
});

test('semihard edge cases: ties, margin boundary, no negatives, single-member classes', () => {
  // 1-d points with exact distances. Anchor 0 at 0, positive 1 at 1 (d_ap = 1).
  // Negatives: 2 at −1 (d 1 = d_ap: tm = 0, not semihard, hard), 3 at 1.5 (tm = 0.5 = margin: semihard, inclusive),
  // 4 at 3 (tm = 2 > margin: easy), 5 at 1.25 (tm 0.25: semihard).
  const E = rows32([[0], [1], [-1], [1.5], [3], [1.25]]);
  const L = labelsOf(0, 0, 1, 1, 1, 1);
  const semi = tripletSet(new TripletMarginMiner({ type: 'semihard', margin: 0.5 }).mine(E, L)).filter((s) => s.startsWith('0,1,'));
  assert.deepEqual(semi, ['0,1,3', '0,1,5']);
  const hard = tripletSet(new TripletMarginMiner({ type: 'hard', margin: 0.5 }).mine(E, L)).filter((s) => s.startsWith('0,1,'));
  assert.deepEqual(hard, ['0,1,2']);
  const easy = tripletSet(new TripletMarginMiner({ type: 'easy', margin: 0.5 }).mine(E, L)).filter((s) => s.startsWith('0,1,'));
  assert.deepEqual(easy, ['0,1,4']);
  // One class only: no negatives, no triplets. Singletons: no positives.
  assert.equal(tripletSet(new TripletMarginMiner({ type: 'all' }).mine(E, labelsOf(0, 0, 0, 0, 0, 0))).length, 0);
  assert.equal(tripletSet(new TripletMarginMiner({ type: 'all', margin: 100 }).mine(E, labelsOf(0, 1, 2, 3, 4, 5))).length, 0);
  // Negative margin with 'hard' keeps tm ≤ margin.
  const hm = tripletSet(new TripletMarginMiner({ type: 'hard', margin: -0.5 }).mine(rows32([[0], [1], [0.4]]), labelsOf(0, 0, 1)));
  // Anchor 0: d_ap 1, d_an 0.4, tm = −0.6 ≤ −0.5 kept; anchor 1: d_an 0.6, tm = −0.4 > −0.5 dropped.
  assert.deepEqual(hm, ['0,1,2']);
});

test('batch-hard and batch-easy-hard equal brute-force choices', () => {
  for (let trial = 0; trial < 4; trial++) {
    const n = 12 + trial;
    const E = randomEmbeddings(n, 3, 300 + trial);
    const L = randomLabels(n, 3, 400 + trial);
    for (const distance of ['euclidean', 'cosine']) {
      const u = uMatrix(distance, E, E);
      for (const [pos, neg] of [['hard', 'hard'], ['easy', 'hard'], ['easy', 'semihard'], ['hard', 'easy']] as const) {
        const want: string[] = [];
        for (let a = 0; a < n; a++) {
          const ps = [...Array(n).keys()].filter((j) => j !== a && L[j] === L[a]);
          const ns = [...Array(n).keys()].filter((j) => L[j] !== L[a]);
          if (!ps.length) continue;
          const p = ps.reduce((b, j) => ((pos === 'hard' ? u[a][j] > u[a][b] : u[a][j] < u[a][b]) ? j : b));
          const cand = neg === 'semihard' ? ns.filter((j) => u[a][j] > u[a][p]) : ns;
          if (!cand.length) continue;
          const q = cand.reduce((b, j) => ((neg === 'easy' ? u[a][j] > u[a][b] : u[a][j] < u[a][b]) ? j : b));
          want.push(`${a},${p},${q}`);
        }
        const miner = pos === 'hard' && neg === 'hard' ? new BatchHardMiner({ distance }) : new BatchEasyHardMiner({ positives: pos, negatives: neg, distance });
        assert.deepEqual(tripletSet(miner.mine(E, L)), want.sort(), `${pos}/${neg}/${distance}`);
      }
    }
  }
});

test('multi-similarity and pair-margin miners equal brute force', () => {
  for (let trial = 0; trial < 4; trial++) {
    const n = 15;
    const E = randomEmbeddings(n, 3, 500 + trial);
    const L = randomLabels(n, 3, 600 + trial);
    for (const distance of ['cosine', 'euclidean']) {
      const u = uMatrix(distance, E, E);
      const eps = distance === 'cosine' ? 0.1 : 0.3;
      const pos: string[] = [];
      const neg: string[] = [];
      for (let a = 0; a < n; a++) {
        const ps = [...Array(n).keys()].filter((j) => j !== a && L[j] === L[a]);
        const ns = [...Array(n).keys()].filter((j) => L[j] !== L[a]);
        const maxP = Math.max(...ps.map((j) => u[a][j]));
        const minN = Math.min(...ns.map((j) => u[a][j]));
        for (const j of ps) if (u[a][j] + eps > minN) pos.push(`${a},${j}`);
        for (const j of ns) if (u[a][j] - eps < maxP) neg.push(`${a},${j}`);
      }
      assert.deepEqual(pairSet(new MultiSimilarityMiner({ epsilon: eps, distance }).mine(E, L)), { pos: pos.sort(), neg: neg.sort() }, `ms ${distance}`);
      const [pm, nm] = distance === 'cosine' ? [0.5, 0.1] : [1.0, 1.8];
      const flip = distance === 'cosine' ? -1 : 1;
      const pp: string[] = [];
      const nn: string[] = [];
      for (let a = 0; a < n; a++) for (let j = 0; j < n; j++) {
        if (j === a) continue;
        if (L[j] === L[a]) { if (u[a][j] > flip * pm) pp.push(`${a},${j}`); }
        else if (u[a][j] < flip * nm) nn.push(`${a},${j}`);
      }
      assert.deepEqual(pairSet(new PairMarginMiner({ posMargin: pm, negMargin: nm, distance }).mine(E, L)), { pos: pp.sort(), neg: nn.sort() }, `pair-margin ${distance}`);
    }
  }
});

test('miners with a reference set index it and skip each row\'s own copy', () => {
  const E = randomEmbeddings(5, 3, 700);
  const L = labelsOf(0, 1, 0, 1, 2);
  const R = randomEmbeddings(8, 3, 701);
  R.data.set(E.data, 3 * 3); // reference rows 3..7 are copies of the batch
  const RL = labelsOf(0, 1, 2, 0, 1, 0, 1, 2);
  const reference: Reference = { embeddings: R, labels: RL, selfIndex: Int32Array.from([3, 4, 5, 6, 7]) };
  const u = uMatrix('euclidean', E, R);
  const got = tripletSet(new TripletMarginMiner({ type: 'all', margin: 0.8 }).mine(E, L, reference));
  assert.deepEqual(got, bruteTripletMargin(u, L, RL, (i) => 3 + i, 'all', 0.8));
  for (const s of got) {
    const [a, p] = s.split(',').map(Number);
    assert.notEqual(p, 3 + a, 'a row is never its own positive');
  }
  const bh = new BatchHardMiner().mine(E, L, reference);
  assert.ok(bh.kind === 'triplets' && bh.anchors.length === 5 && bh.positives.every((p, i) => p !== 3 + bh.anchors[i]));
});

test('minerByName: every name builds, unknown names and options are refused', () => {
  for (const name of MINER_NAMES) assert.equal(minerByName(name).name, name);
  const m = minerByName('triplet-margin', { type: 'semihard', margin: 0.2 }) as TripletMarginMiner;
  assert.equal(m.type, 'semihard');
  assert.throws(() => minerByName('semihard'), /unknown name "semihard"/);
  assert.throws(() => minerByName('triplet-margin', { typ: 'hard' }), /unknown option "typ"; it takes margin, type, distance, maxTriplets/);
  assert.equal((minerByName('triplet-margin', { maxTriplets: null }) as TripletMarginMiner).maxTriplets, Infinity);
  assert.equal((minerByName('triplet-margin', { maxTriplets: 1000 }) as TripletMarginMiner).maxTriplets, 1000);
  assert.throws(() => minerByName('triplet-margin', { type: 'medium' }), /type must be 'all', 'hard', 'semihard' or 'easy'/);
  assert.throws(() => new BatchHardMiner().mine(rows32([[NaN]]), labelsOf(0)), /row 0 is NaN/);
});

test('every miner, paired with a loss, trains a small head: lower loss, higher MAP@R', () => {
  const data = clusteredData(15, 4, 1);
  const cases: Array<[string, Miner, Loss, number]> = [
    ['batch-hard + triplet', new BatchHardMiner(), new TripletMarginLoss({ margin: 0.2 }), 0.5],
    ['batch-easy-hard + triplet', new BatchEasyHardMiner(), new TripletMarginLoss({ margin: 0.2 }), 0.5],
    ['semihard + triplet', new TripletMarginMiner({ type: 'semihard', margin: 0.2 }), new TripletMarginLoss({ margin: 0.2 }), 0.5],
    ['hard triplets + triplet', new TripletMarginMiner({ type: 'hard', margin: 0.2 }), new TripletMarginLoss({ margin: 0.2 }), 0.5],
    ['multi-similarity miner + loss', new MultiSimilarityMiner({ epsilon: 0.1 }), new MultiSimilarityLoss({ beta: 10 }), 0.3],
    ['pair-margin + contrastive', new PairMarginMiner({ posMargin: 0.2, negMargin: 0.8 }), new ContrastiveLoss({ posMargin: 0.2, negMargin: 0.8 }), 0.5],
  ];
  for (const [what, miner, loss, lr] of cases) {
    const r = trainLinear(loss, miner, data, { lr });
    assert.ok(r.lossAfter < r.lossBefore * 0.9, `${what}: loss ${r.lossBefore.toFixed(4)} → ${r.lossAfter.toFixed(4)}`);
    assert.ok(r.mapAfter > r.mapBefore + 0.15 && r.mapAfter > 0.7, `${what}: MAP@R ${r.mapBefore.toFixed(3)} → ${r.mapAfter.toFixed(3)}`);
  }
});
