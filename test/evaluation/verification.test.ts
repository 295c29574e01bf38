import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rocCurve, rocAuc, equalErrorRate, fnmrAtFmr, thresholdForFmr, bestThreshold } from '../../src/evaluation/verification.js';
import { Random } from '../../src/random.js';

// Hand-worked example: genuine scores .9 .8 .6, impostor scores .7 .5 .4.
const S = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
const Y = [1, 1, -1, 1, -1, -1];
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('rocCurve: one point per distinct score, starting at (0,0) with threshold +Infinity', () => {
  const r = rocCurve(S, Y);
  assert.deepEqual(Array.from(r.thresholds), [Infinity, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]);
  const t = [0, 1, 2, 2, 3, 3, 3].map((v) => v / 3);
  const f = [0, 0, 0, 1, 1, 2, 3].map((v) => v / 3);
  for (let i = 0; i < t.length; i++) {
    close(r.tpr[i], t[i]);
    close(r.fpr[i], f[i]);
  }
});

test('rocAuc: 8 of 9 genuine/impostor comparisons won gives 8/9; accepts booleans and 0/1', () => {
  close(rocAuc(S, Y), 8 / 9);
  close(rocAuc(S, Y.map((v) => v === 1)), 8 / 9);
  close(rocAuc(S, Y.map((v) => (v === 1 ? 1 : 0))), 8 / 9);
});

test('rocAuc: ties count one half (genuine {.5,.8} vs impostor {.5,.2} = 3.5/4)', () => {
  close(rocAuc([0.5, 0.5, 0.2, 0.8], [1, 0, 0, 1]), 0.875);
  // All scores equal: chance level, whatever the labels.
  close(rocAuc([1, 1, 1, 1, 1], [1, 0, 0, 1, 0]), 0.5);
});

test('rocAuc equals the trapezoidal area under rocCurve, with ties (random check)', () => {
  const r = new Random(3);
  const n = 300;
  const s: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = r.next() < 0.4;
    y.push(g ? 1 : -1);
    s.push(Math.round((r.normal() + (g ? 0.8 : 0)) * 4) / 4); // coarse grid: many ties
  }
  const c = rocCurve(s, y);
  let area = 0;
  for (let k = 1; k < c.fpr.length; k++) area += ((c.fpr[k] - c.fpr[k - 1]) * (c.tpr[k] + c.tpr[k - 1])) / 2;
  close(rocAuc(s, y), area, 1e-12);
  // Brute force P(g > i) + P(g = i)/2.
  let wins = 0, pairs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y[i] === 1 && y[j] === -1) {
    pairs++;
    wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
  }
  close(rocAuc(s, y), wins / pairs, 1e-12);
});

test('equalErrorRate: FMR = FNMR = 1/3 at threshold between .7 and .6', () => {
  const e = equalErrorRate(S, Y);
  close(e.eer, 1 / 3);
  close(e.threshold, 0.65);
});

test('equalErrorRate interpolates between ROC points', () => {
  // genuine {3, 1}, impostor {2, 0}: points (fpr,fnr) (0,1) (0,.5) (.5,.5) (.5,0) ...; crossing at .5
  close(equalErrorRate([3, 2, 1, 0], [1, 0, 1, 0]).eer, 0.5);
  // genuine {2}, impostor {1, 3}: (0,1) -> (.5,1) -> (.5,0): crossing on the vertical segment at .5
  close(equalErrorRate([3, 2, 1], [0, 1, 0]).eer, 0.5);
  // perfectly separated: EER 0
  close(equalErrorRate([5, 4, 1, 0], [1, 1, 0, 0]).eer, 0);
});

test('fnmrAtFmr / thresholdForFmr: conservative operating points', () => {
  const [a, b, c] = fnmrAtFmr(S, Y, [0, 0.5, 1]);
  close(a.fnmr, 1 / 3);
  close(a.fmr, 0);
  close(a.threshold, 0.75);
  close(b.fnmr, 0);
  close(b.fmr, 1 / 3);
  close(b.threshold, 0.55);
  close(c.fmr, 1);
  close(c.threshold, 0.4 - 1);
  close(thresholdForFmr(S, Y, 0.2), 0.75);
  // The threshold really gives that FMR when applied with "accept if s >= t".
  const t = thresholdForFmr(S, Y, 0.4);
  const fm = S.filter((s, i) => Y[i] === -1 && s >= t).length / 3;
  assert.ok(fm <= 0.4);
});

test('bestThreshold: accuracy, f_beta, max_tpr, max_tnr on the hand example', () => {
  const acc = bestThreshold(S, Y, { strategy: 'accuracy' });
  close(acc.value, 5 / 6);
  close(acc.threshold, 0.75);
  const f1 = bestThreshold(S, Y, { strategy: 'f_beta', beta: 1 });
  close(f1.value, 6 / 7);
  close(f1.threshold, 0.55);
  // beta small weights precision: the precision-1 cut (2 TP, 0 FP) wins.
  const f01 = bestThreshold(S, Y, { strategy: 'f_beta', beta: 0.1 });
  close(f01.threshold, 0.75);
  const mt = bestThreshold(S, Y, { strategy: 'max_tpr', minRate: 0.9 });
  close(mt.value, 2 / 3);
  close(mt.threshold, 0.75);
  const mn = bestThreshold(S, Y, { strategy: 'max_tnr', minRate: 1 });
  close(mn.value, 2 / 3);
  close(mn.threshold, 0.55);
});

test('bestThreshold: balanced_accuracy does not follow the larger class', () => {
  // One genuine pair (0.5) among four impostors (0.9, 0.4, 0.3, 0.2): rejecting everything
  // already gives accuracy 4/5, which the tie rule keeps; balanced accuracy accepts down to 0.5
  // for (TPR 1 + TNR 3/4) / 2.
  const s = [0.9, 0.5, 0.4, 0.3, 0.2];
  const y = [0, 1, 0, 0, 0];
  const acc = bestThreshold(s, y, { strategy: 'accuracy' });
  close(acc.value, 4 / 5);
  close(acc.threshold, 1.9);
  const bal = bestThreshold(s, y, { strategy: 'balanced_accuracy' });
  close(bal.value, 7 / 8);
  close(bal.threshold, 0.45);
  close(bal.value, 0.5 * (bal.tpr + bal.tnr));
});

test('bad input: clear errors', () => {
  assert.throws(() => rocAuc([1, 2], [1, 1]), /both genuine and impostor/);
  assert.throws(() => rocAuc([1, 2], [1]), /one label per score/);
  assert.throws(() => rocAuc([1, NaN], [1, 0]), /scores\[1\] is NaN/);
  assert.throws(() => rocAuc([1, 2], [1, 2]), /labels\[1\] is 2/);
  assert.throws(() => bestThreshold(S, Y, { strategy: 'nope' as never }), /strategy must be/);
  assert.throws(() => bestThreshold(S, Y, { strategy: 'max_tpr', minRate: 2 }), /minRate/);
  assert.throws(() => fnmrAtFmr(S, Y, [1.5]), /target FMR/);
});
