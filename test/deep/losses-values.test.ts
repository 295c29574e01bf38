/** Loss values on tiny batches, worked out by hand in the comments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import {
  ArcFaceLoss, CircleLoss, ContrastiveLoss, CosFaceLoss, CrossBatchMemory, MarginLoss, MultiSimilarityLoss, NTXentLoss,
  ProxyAnchorLoss, ScoreRegressionLoss, SupConLoss, TripletMarginLoss, lossByName, LOSS_NAMES,
} from '../../src/deep/losses/index.js';
import { MeanReducer } from '../../src/deep/reducers/index.js';
import { labelsOf, rows32 } from './similarity-helpers.js';

const close = (a: number, b: number, what: string, tol = 1e-9): void => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

// Points on a line: x0 = 0, x1 = 1, x2 = 3, labels 0, 0, 1. Euclidean distances d01 = 1, d02 = 3, d12 = 2.
const line = rows32([[0], [1], [3]]);
const line3 = labelsOf(0, 0, 1);

test('contrastive: positives [d − 0]₊ and negatives [2.5 − d]₊, each averaged over non-zero terms', () => {
  // Positive pairs (0,1), (1,0): 1 and 1 → mean 1. Negative pairs (0,2), (2,0): 2.5 − 3 < 0 → 0;
  // (1,2), (2,1): 0.5 each → non-zero mean 0.5. Total 1.5.
  const r = new ContrastiveLoss({ posMargin: 0, negMargin: 2.5 }).compute(line, line3);
  close(r.loss, 1.5, 'contrastive');
  assert.equal(r.activeTerms, 4);
  // Squared hinges: positives 1, negatives 0.25 → 1.25.
  close(new ContrastiveLoss({ negMargin: 2.5, squared: true }).compute(line, line3).loss, 1.25, 'contrastive squared');
  // A mean reducer counts the zero terms too: 1 + (0.5 + 0.5)/4 = 1.25.
  close(new ContrastiveLoss({ negMargin: 2.5, reducer: 'mean' }).compute(line, line3).loss, 1.25, 'contrastive mean');
});

test('triplet margin: hand values for Euclidean, swap and cosine (margin flips direction)', () => {
  // x0 = 0, x1 = 1, x2 = 1.5; labels 0, 0, 1; margin 1. Triplets (a, p, n): (0,1,2): 1 − 1.5 + 1 = 0.5;
  // (1,0,2): 1 − 0.5 + 1 = 1.5. Non-zero mean 1.0.
  const E = rows32([[0], [1], [1.5]]);
  close(new TripletMarginLoss({ margin: 1 }).compute(E, line3).loss, 1.0, 'triplet');
  // Swap: for (0,1,2) d(p, n) = 0.5 < d(a, n) = 1.5, so 1 − 0.5 + 1 = 1.5; (1,0,2) keeps 0.5 (d(p,n) = 1.5): 1.5. Mean 1.5.
  close(new TripletMarginLoss({ margin: 1, swap: true }).compute(E, line3).loss, 1.5, 'triplet swap');
  // Smooth: softplus(0.5) and softplus(1.5), mean.
  const sp = (x: number): number => Math.log1p(Math.exp(x));
  close(new TripletMarginLoss({ margin: 1, smooth: true }).compute(E, line3).loss, (sp(0.5) + sp(1.5)) / 2, 'triplet smooth');
  // Cosine: e0 = (1,0), e1 = (0,1) same class, e2 = (1,1)/√2 other class: s01 = 0, s02 = s12 = 1/√2.
  // Each triplet pays s_an − s_ap + 0.1 = 0.7071 + 0.1.
  const C = rows32([[1, 0], [0, 1], [1, 1]]);
  close(new TripletMarginLoss({ margin: 0.1, distance: 'cosine' }).compute(C, line3).loss, Math.SQRT1_2 + 0.1, 'triplet cosine');
});

// Unit vectors: u0 = (1, 0), u1 = (0.6, 0.8), u2 = (0.8, 0.6); labels 0, 0, 1.
// Cosines: s01 = 0.6, s02 = 0.8, s12 = 0.96.
const U = rows32([[1, 0], [0.6, 0.8], [0.8, 0.6]]);

test('multi-similarity: per-anchor soft positive and negative terms, mean over the batch', () => {
  // α = β = 1, base 0.5. Anchor 0: log(1 + e^{−(0.6−0.5)}) + log(1 + e^{0.8−0.5});
  // anchor 1: log(1 + e^{−0.1}) + log(1 + e^{0.46}); anchor 2 (no positive): log(1 + e^{0.3} + e^{0.46}).
  const L = (x: number): number => Math.log(x);
  const want = (L(1 + Math.exp(-0.1)) + L(1 + Math.exp(0.3)) + L(1 + Math.exp(-0.1)) + L(1 + Math.exp(0.46)) + L(1 + Math.exp(0.3) + Math.exp(0.46))) / 3;
  close(new MultiSimilarityLoss({ alpha: 1, beta: 1, base: 0.5 }).compute(U, line3).loss, want, 'multi-similarity', 1e-6);
});

test('NT-Xent and SupCon: softmax over each anchor\'s pairs', () => {
  // τ = 1. Positive pairs (0,1) and (1,0): −log(e^{0.6}/(e^{0.6} + e^{0.8})), −log(e^{0.6}/(e^{0.6} + e^{0.96})).
  const a = Math.log(Math.exp(0.6) + Math.exp(0.8)) - 0.6;
  const b = Math.log(Math.exp(0.6) + Math.exp(0.96)) - 0.6;
  close(new NTXentLoss({ temperature: 1 }).compute(U, line3).loss, (a + b) / 2, 'ntxent', 1e-6);
  // SupCon: anchors 0 and 1 have one positive each, the same terms; anchor 2 has none (left out).
  close(new SupConLoss({ temperature: 1 }).compute(U, line3).loss, (a + b) / 2, 'supcon', 1e-6);
  // With τ = 0.5 each similarity is doubled.
  const a2 = Math.log(Math.exp(1.2) + Math.exp(1.6)) - 1.2;
  const b2 = Math.log(Math.exp(1.2) + Math.exp(1.92)) - 1.2;
  close(new NTXentLoss({ temperature: 0.5 }).compute(U, line3).loss, (a2 + b2) / 2, 'ntxent τ 0.5', 1e-6);
});

test('SupCon differs from NT-Xent with two positives per anchor', () => {
  // Four points, labels 0,0,0,1: SupCon averages log-probabilities over both positives inside one
  // softmax (denominator over all 3 others); NT-Xent takes one softmax per positive pair.
  const E = rows32([[1, 0], [0.6, 0.8], [0, 1], [-1, 0]]);
  const lab = labelsOf(0, 0, 0, 1);
  const S = [[1, 0.6, 0, -1], [0.6, 1, 0.8, -0.6], [0, 0.8, 1, 0], [-1, -0.6, 0, 1]];
  let supcon = 0;
  let ntx = 0;
  let nPairs = 0;
  for (let i = 0; i < 3; i++) {
    const others = [0, 1, 2, 3].filter((j) => j !== i);
    const lse = Math.log(others.reduce((s, j) => s + Math.exp(S[i][j]), 0));
    const pos = others.filter((j) => j < 3);
    supcon += pos.reduce((s, p) => s + (lse - S[i][p]), 0) / pos.length;
    for (const p of pos) {
      ntx += Math.log(Math.exp(S[i][p]) + Math.exp(S[i][3])) - S[i][p];
      nPairs++;
    }
  }
  close(new SupConLoss({ temperature: 1 }).compute(E, lab).loss, supcon / 3, 'supcon 4 points', 1e-6);
  close(new NTXentLoss({ temperature: 1 }).compute(E, lab).loss, ntx / nPairs, 'ntxent 4 points', 1e-6);
});

test('circle loss: hand value with m = 0.25, γ = 1', () => {
  // Anchor 0: s_p = 0.6: α_p = 1.25 − 0.6 = 0.65, logit −0.65 (0.6 − 0.75) = 0.0975;
  //           s_n = 0.8: α_n = 1.05, logit 1.05 (0.8 − 0.25) = 0.5775 → softplus(0.675).
  // Anchor 1: s_p = 0.6 → 0.0975; s_n = 0.96: α_n = 1.21, logit 1.21 · 0.71 = 0.8591 → softplus(0.9566).
  // Anchor 2 has no positive → 0, left out by the non-zero average.
  const sp = (x: number): number => Math.log1p(Math.exp(x));
  close(new CircleLoss({ m: 0.25, gamma: 1 }).compute(U, line3).loss, (sp(0.675) + sp(0.9566)) / 2, 'circle', 1e-6);
});

test('CosFace and ArcFace: cross-entropy with the margin on the target logit', () => {
  const x = rows32([[0.6, 0.8]]);
  const cos = new CosFaceLoss({ numClasses: 2, embeddingSize: 2, scale: 1, margin: 0.35 });
  cos.weight.value.set([1, 0, 0, 1]);
  // cos θ = (0.6, 0.8); target class 0 → logits (0.25, 0.8); CE = log(e^{0.25} + e^{0.8}) − 0.25.
  close(cos.compute(x, labelsOf(0)).loss, Math.log(Math.exp(0.25) + Math.exp(0.8)) - 0.25, 'cosface', 1e-6);
  const arc = new ArcFaceLoss({ numClasses: 2, embeddingSize: 2, scale: 2, margin: 0.5 });
  arc.weight.value.set([2, 0, 0, 3]); // weights are normalised: norms do not matter
  // θ_0 = acos 0.6; target logit 2 cos(θ_0 + 0.5), other logit 2 · 0.8.
  const t = 2 * Math.cos(Math.acos(0.6) + 0.5);
  close(arc.compute(x, labelsOf(0)).loss, Math.log(Math.exp(t) + Math.exp(1.6)) - t, 'arcface', 1e-6);
  assert.throws(() => arc.compute(x, labelsOf(2)), /label 2 at row 0 is outside 0\.\.1/);
  assert.throws(() => arc.compute(rows32([[1, 2, 3]]), labelsOf(0)), /3 columns but the loss was built for embeddingSize 2/);
  assert.equal(arc.parameters()[0], arc.weight);
});

test('proxy-anchor: hand value with two proxies', () => {
  // Proxies p0 = (1,0), p1 = (0,1); x0 = (1,0) label 0, x1 = (0.6,0.8) label 1; α = 1, δ = 0.1.
  // s00 = 1, s01 = 0, s10 = 0.6, s11 = 0.8.
  // Positive part: [log(1 + e^{−(1 − 0.1)}) + log(1 + e^{−(0.8 − 0.1)})] / 2 (both proxies present).
  // Negative part: [log(1 + e^{0.6 + 0.1}) + log(1 + e^{0 + 0.1})] / 2 (C = 2).
  const loss = new ProxyAnchorLoss({ numClasses: 2, embeddingSize: 2, alpha: 1, margin: 0.1 });
  loss.proxies.value.set([1, 0, 0, 1]);
  const want = (Math.log1p(Math.exp(-0.9)) + Math.log1p(Math.exp(-0.7))) / 2 + (Math.log1p(Math.exp(0.7)) + Math.log1p(Math.exp(0.1))) / 2;
  close(loss.compute(rows32([[1, 0], [0.6, 0.8]]), labelsOf(0, 1)).loss, want, 'proxy-anchor', 1e-6);
  assert.throws(() => new ProxyAnchorLoss({ numClasses: 2, embeddingSize: 2, reducer: 'mean' } as never), /takes no reducer/);
});

test('margin loss: [α + y(D − β)]₊ averaged over non-zero pairs', () => {
  // x = 0, 1, 2 with labels 0, 0, 1; α = 0.3, β = 1.2. Positive pairs d = 1: 0.3 − 0.2 = 0.1 (twice);
  // negatives (0,2) d = 2: 0.3 − 0.8 < 0; (1,2) d = 1: 0.3 + 0.2 = 0.5 (twice). Mean of 4 non-zero: 0.3.
  const E = rows32([[0], [1], [2]]);
  close(new MarginLoss({ margin: 0.3, beta: 1.2 }).compute(E, line3).loss, 0.3, 'margin');
  // ν = 0.1 with β learned adds 0.1 · mean β over active pairs = 0.12.
  const learned = new MarginLoss({ margin: 0.3, beta: 1.2, nu: 0.1, learnBeta: true });
  close(learned.compute(E, line3).loss, 0.42, 'margin with ν', 1e-6); // β is stored in float32
  // dL/dβ: positives −1/4 each (2), negatives +1/4 each (2), regulariser +0.1 → 0.1.
  close(learned.beta.grad[0], 0.1, 'dβ', 1e-6);
});

test('score regression: squared error of the cosine against the target score', () => {
  // Pair 0: (1,0)-(0.6,0.8) cos 0.6, target 1 → 0.16; pair 1: (0,1)-(1,0) cos 0, target 0.5 → 0.25. Mean 0.205.
  const E = rows32([[1, 0], [0, 1], [0.6, 0.8], [1, 0]]);
  const loss = new ScoreRegressionLoss({ scores: [1, 0.5] });
  close(loss.compute(E, labelsOf(0, 1, 0, 1)).loss, 0.205, 'score regression', 1e-6);
  assert.throws(() => loss.compute(E.sliceRows(0, 3), labelsOf(0, 1, 0)), /only one row of pair 1/);
});

test('cross-batch memory: the second batch is compared with the first one too', () => {
  const inner = new ContrastiveLoss({ negMargin: 2.5, reducer: new MeanReducer() });
  const xbm = new CrossBatchMemory({ loss: inner, memorySize: 3 });
  // Batch 1 = (x = 0, label 0): memory holds only itself, no pairs → 0.
  assert.equal(xbm.compute(rows32([[0]]), labelsOf(0)).loss, 0);
  // Batch 2 = (x = 1, label 0), (x = 3, label 1): memory [0, 1, 3] with labels [0, 0, 1].
  // Pairs from the batch rows: row 1 (x=1): pos with 0 (d 1), neg with 3 (d 2 → 0.5);
  // row 2 (x=3): neg with 0 (d 3 → 0), neg with 1 (d 2 → 0.5). pos mean 1, neg mean (0.5 + 0 + 0.5)/3.
  close(xbm.compute(rows32([[1], [3]]), labelsOf(0, 1)).loss, 1 + 1 / 3, 'xbm');
  assert.equal(xbm.size, 3);
  // FIFO: a third batch of one row overwrites the oldest (x = 0).
  xbm.compute(rows32([[10]]), labelsOf(1));
  assert.equal(xbm.size, 3);
  assert.throws(() => xbm.compute(rows32([[1], [2], [3], [4]]), labelsOf(0, 0, 1, 1)), /does not fit a memory of 3/);
  assert.throws(() => new CrossBatchMemory({ loss: new CosFaceLoss({ numClasses: 2, embeddingSize: 2 }) }), /takes no reference set/);
  assert.throws(() => xbm.compute(rows32([[1]]), labelsOf(0), { kind: 'pairs', posA: new Int32Array(0), posB: new Int32Array(0), negA: new Int32Array(0), negB: new Int32Array(0) }), /pass the miner as the memory's `miner` option/);
});

test('lossByName: every name builds, options are checked, typos are refused', () => {
  const needs: Record<string, Record<string, unknown>> = {
    arcface: { numClasses: 3, embeddingSize: 2 }, cosface: { numClasses: 3, embeddingSize: 2 }, 'proxy-anchor': { numClasses: 3, embeddingSize: 2 },
    'score-regression': { scores: [1] }, 'cross-batch-memory': { loss: 'contrastive', miner: { name: 'batch-hard' }, memorySize: 64 },
  };
  for (const name of LOSS_NAMES) assert.equal(lossByName(name, needs[name] ?? {}).name, name);
  assert.equal(lossByName('infonce').name, 'ntxent');
  assert.throws(() => lossByName('triplet-margin', { margn: 0.2 }), /unknown option "margn"; it takes margin, swap/);
  assert.throws(() => lossByName('tripletmargin'), /unknown name "tripletmargin"/);
  assert.throws(() => lossByName('contrastive', { distance: 'manhattan' }), /contrastive: distance: unknown name "manhattan"/);
  assert.throws(() => lossByName('contrastive', { reducer: 'median' }), /unknown name "median"/);
  assert.throws(() => lossByName('ntxent', { temperature: 0 }), /temperature must be a positive number/);
  const t = lossByName('triplet-margin', { margin: 0.3, reducer: { name: 'threshold', low: 0.1 } }) as TripletMarginLoss;
  assert.equal(t.margin, 0.3);
  assert.equal(t.reducer.name, 'threshold');
});

test('bad batches are refused with the argument named', () => {
  const loss = new TripletMarginLoss();
  assert.throws(() => loss.compute(line, labelsOf(0, 1)), /labels has 2 entries but the embeddings have 3 rows/);
  const bad = rows32([[0], [1], [2]]);
  bad.data[1] = NaN;
  assert.throws(() => loss.compute(bad, line3), /embeddings value at row 1, column 0 is NaN/);
  assert.throws(() => loss.compute(line, line3, { kind: 'triplets', anchors: Int32Array.from([0]), positives: Int32Array.from([1]), negatives: Int32Array.from([5]) }), /negatives\[0\] = 5 is outside 0\.\.2/);
  assert.throws(() => loss.compute(line, Int32Array.from([0, 0, 1]), undefined, { embeddings: new Matrix(1, 2, new Float32Array(2)), labels: labelsOf(0) }), /reference embeddings have 2 columns but the batch has 1/);
  // A single class: no triplets, loss 0 and zero gradient (not NaN).
  const r = loss.compute(line, labelsOf(0, 0, 0));
  assert.equal(r.loss, 0);
  assert.ok(r.grad.every((v) => v === 0));
});

test('NT-Xent stays finite with far-apart logits (Euclidean distance, small temperature)', () => {
  // Anchor 0 has two positives (x = 1 and x = 100) and no negative within reach: z = −d/τ spans
  // −10 to −1000, where a shared shift would underflow exp() to 0 and give log(0).
  const E = rows32([[0], [1], [100], [-1000]]);
  const r = new NTXentLoss({ temperature: 0.1, distance: 'euclidean' }).compute(E, labelsOf(0, 0, 0, 1));
  assert.ok(Number.isFinite(r.loss));
  assert.ok(r.grad.every((v) => Number.isFinite(v)));
  // Pairs with no negative at all give 0: one class only.
  assert.equal(new NTXentLoss({ temperature: 0.1, distance: 'euclidean' }).compute(E, labelsOf(0, 0, 0, 0)).loss, 0);
});

test('triplet loss: the fused all-triplets path equals the loss on explicitly enumerated triplets', async () => {
  const { allTriplets } = await import('../../src/deep/losses/tuples.js');
  const { randomEmbeddings } = await import('./similarity-helpers.js');
  const E = randomEmbeddings(12, 3, 77);
  const lab = labelsOf(0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 0);
  const tr = allTriplets(lab, lab, Int32Array.from({ length: 12 }, (_, i) => i));
  // A reducer without `bounds` takes the two-pass path (terms stored, then reduced).
  const plain = new MeanReducer();
  const noBounds = { name: 'custom-mean', reduce: (t: Float64Array) => plain.reduce(t) };
  for (const opts of [{ margin: 0.5 }, { margin: 0.3, smooth: true }, { margin: 0.2, distance: 'cosine' }, { margin: 0.5, reducer: noBounds }, { margin: 0.5, smooth: true, reducer: noBounds }, { margin: 0.4, reducer: { name: 'threshold', low: 0.1, high: 0.6 } }]) {
    const loss = new TripletMarginLoss(opts);
    const a = loss.compute(E, lab);
    const b = loss.compute(E, lab, { kind: 'triplets', ...tr });
    close(a.loss, b.loss, `fused ${JSON.stringify(opts)}`, 1e-12);
    assert.ok(a.loss > 0);
    for (let i = 0; i < a.grad.length; i++) close(a.grad[i], b.grad[i], `grad ${i}`, 1e-6);
    assert.equal(a.activeTerms, b.activeTerms);
  }
});

test('reused buffers: one loss / miner instance over successive batches equals fresh instances (contrastive, multi-similarity)', async () => {
  const { randomEmbeddings } = await import('./similarity-helpers.js');
  const { BatchHardMiner, MultiSimilarityMiner } = await import('../../src/deep/miners/index.js');
  const y = new Int32Array(24);
  for (let i = 0; i < y.length; i++) y[i] = i % 4;
  const pairs = [
    [() => new BatchHardMiner(), () => new ContrastiveLoss()],
    [() => new MultiSimilarityMiner({ epsilon: 0.5 }), () => new MultiSimilarityLoss()],
  ] as const;
  for (const [makeMiner, makeLoss] of pairs) {
    const miner = makeMiner();
    const loss = makeLoss();
    // Batches in one pooled buffer, rewritten in place as the trainer does; the middle one is smaller.
    const buf = new Float32Array(24 * 5);
    for (const [seed, n] of [[1, 24], [2, 12], [3, 24]] as const) {
      const E = new Matrix(n, 5, buf.subarray(0, n * 5));
      E.data.set(randomEmbeddings(n, 5, seed).data);
      const yb = y.subarray(0, n);
      const t = miner.mine(E, yb);
      const r = loss.compute(E, yb, t);
      const copy = new Matrix(n, 5, E.data.slice());
      const tf = makeMiner().mine(copy, yb);
      const rf = makeLoss().compute(copy, yb, tf);
      assert.deepEqual(t, tf, `${miner.name} tuples, seed ${seed}`);
      close(r.loss, rf.loss, `${loss.name} loss, seed ${seed}`, 1e-12);
      assert.ok(r.loss > 0, `${loss.name}: a random batch has a positive loss`);
      for (let i = 0; i < rf.grad.length; i++) close(r.grad[i], rf.grad[i], `${loss.name} grad ${i}, seed ${seed}`, 1e-7);
    }
  }
});
