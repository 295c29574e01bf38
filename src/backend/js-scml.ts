/**
 * SCML's two hot loops (Shi, Bellet & Sha, "Sparse compositional metric learning", AAAI 2014),
 * the reference for the native kernels (native/src/scml.cc: every sum over the same terms in
 * the same order, so both backends give the same bits):
 * - scmlRdaIterations: chunks of the regularised dual averaging (Xiao, "Dual averaging methods
 *   for regularized stochastic learning and online optimization", JMLR 2010) in its AdaGrad
 *   form on mini-batches of triplets; src/metric/scml.ts explains the update;
 * - tripletHingeSum: the hinge part of SCML's objective over all triplets.
 *
 * The triplet draws are Random.int on the xoshiro128** words the caller hands in, so that the
 * caller's generator continues the same stream afterwards whichever backend drew.
 */
import type { ScmlRdaProblem, ScmlRdaState } from './backend.js';
import { Random } from '../random.js';

const RDA = 'scmlRdaIterations';

function checkCount(fn: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > 0x7fffffff) throw new RangeError(`${fn}: ${name} must be an integer from ${min} to 2^31 − 1, got ${v}`);
}

function checkRows(fn: string, name: string, idx: Int32Array, N: number, what: string): void {
  if (!(idx instanceof Int32Array)) throw new TypeError(`${fn}: ${name} must be an Int32Array`);
  for (let t = 0; t < idx.length; t++) {
    const v = idx[t];
    if (v < 0 || v >= N) throw new RangeError(`${fn}: ${name}[${t}] = ${v} is not ${what} (0 .. ${N - 1})`);
  }
}

function checkVector(fn: string, name: string, a: Float64Array, K: number): void {
  if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: ${name} must be a Float64Array`);
  if (a.length !== K) throw new RangeError(`${fn}: ${name} has ${a.length} entries, expected K = ${K}`);
}

/** Every check of scmlRdaIterations (the native kernel makes the same ones itself). */
function checkScmlRdaArgs(p: ScmlRdaProblem, st: ScmlRdaState, from: number, to: number): void {
  checkCount(RDA, 'n', p.n, 1);
  checkCount(RDA, 'K', p.K, 1);
  checkCount(RDA, 'batch', p.batch, 1);
  if (!(p.beta >= 0) || !Number.isFinite(p.beta)) throw new RangeError(`${RDA}: beta must be a finite number ≥ 0, got ${p.beta}`);
  for (const [name, v] of [['gamma', p.gamma], ['delta', p.delta]] as const) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${RDA}: ${name} must be a finite positive number, got ${v}`);
  }
  checkCount(RDA, 'from', from, 0);
  checkCount(RDA, 'to', to, 0);
  if (to < from) throw new RangeError(`${RDA}: to (${to}) must be at least from (${from})`);
  if (!(p.XB instanceof Float64Array)) throw new TypeError(`${RDA}: XB must be a Float64Array`);
  if (p.XB.length < p.n * p.K) throw new RangeError(`${RDA}: XB must hold an ${p.n} x ${p.K} matrix (${p.n * p.K} values), got ${p.XB.length}`);
  if (!(p.T instanceof Int32Array)) throw new TypeError(`${RDA}: T must be an Int32Array`);
  if (p.T.length === 0 || p.T.length % 3 !== 0) throw new RangeError(`${RDA}: T must hold triplets (a positive multiple of 3 indices), got ${p.T.length} indices`);
  checkRows(RDA, 'T', p.T, p.n, 'a row');
  for (const name of ['w', 'sum', 'ada2', 'coef', 'g'] as const) checkVector(RDA, name, st[name], p.K);
  if (!(st.act instanceof Int32Array)) throw new TypeError(`${RDA}: act must be an Int32Array`);
  if (st.act.length !== p.K) throw new RangeError(`${RDA}: act has ${st.act.length} entries, expected K = ${p.K}`);
  if (!Number.isInteger(st.nAct) || st.nAct < 0 || st.nAct > p.K) throw new RangeError(`${RDA}: nAct must be an integer from 0 to K = ${p.K}, got ${st.nAct}`);
  checkRows(RDA, 'act', st.act.subarray(0, st.nAct), p.K, 'a basis');
  if (typeof st.dirty !== 'boolean') throw new TypeError(`${RDA}: dirty must be a boolean`);
  if (!(st.rng instanceof Uint32Array)) throw new TypeError(`${RDA}: rng must be a Uint32Array`);
  if (st.rng.length !== 4) throw new RangeError(`${RDA}: rng must hold the 4 xoshiro128** state words, got ${st.rng.length}`);
  if ((st.rng[0] | st.rng[1] | st.rng[2] | st.rng[3]) === 0) throw new RangeError(`${RDA}: rng must not be all zero (xoshiro128** would stay at zero)`);
}

/**
 * Adds to g the δ_t of the mini-batch's triplets that violate the margin under w (whose
 * nonzero entries are act[0..nAct)); true when there was one.
 */
function batchSubgradient(rng: Random, T: Int32Array, nT: number, XB: Float64Array, K: number, w: Float64Array, act: Int32Array, nAct: number, batch: number, g: Float64Array): boolean {
  let any = false;
  for (let b = 0; b < batch; b++) {
    const t = rng.int(nT);
    const a = T[3 * t] * K, p = T[3 * t + 1] * K, q = T[3 * t + 2] * K;
    let slack = 1;
    for (let r = 0; r < nAct; r++) {
      const i = act[r];
      const u = XB[a + i] - XB[p + i], v = XB[a + i] - XB[q + i];
      slack += (u * u - v * v) * w[i];
    }
    if (slack > 0) {
      any = true;
      for (let i = 0; i < K; i++) {
        const u = XB[a + i] - XB[p + i], v = XB[a + i] - XB[q + i];
        g[i] += u * u - v * v;
      }
    }
  }
  return any;
}

/** The RDA/AdaGrad step after a nonzero mini-batch subgradient; returns the new active count. */
function rdaStep(g: Float64Array, invBatch: number, sum: Float64Array, ada2: Float64Array, coef: Float64Array, w: Float64Array, act: Int32Array, kb: number, gamma: number, delta: number): number {
  let nAct = 0;
  const K = w.length;
  for (let i = 0; i < K; i++) {
    const gi = g[i] * invBatch;
    if (gi !== 0) {
      sum[i] += gi;
      ada2[i] += gi * gi;
      coef[i] = 1 / (gamma * (delta + Math.sqrt(ada2[i])));
    }
    const z = sum[i] + kb;
    if (z < 0) {
      w[i] = -z * coef[i];
      act[nAct++] = i;
    } else w[i] = 0;
  }
  return nAct;
}

/** The step after a zero subgradient: only t moved, so only the active weights change. */
function refreshActive(sum: Float64Array, coef: Float64Array, w: Float64Array, act: Int32Array, nAct: number, kb: number): void {
  for (let r = 0; r < nAct; r++) {
    const i = act[r];
    const z = sum[i] + kb;
    w[i] = z < 0 ? -z * coef[i] : 0;
  }
}

// The loop proper, apart from the checks, so that the JIT optimises it with stable feedback.
function iterate(p: ScmlRdaProblem, st: ScmlRdaState, from: number, to: number, rng: Random): void {
  const { T, XB, K, batch, beta, gamma, delta } = p;
  const nT = T.length / 3;
  const invBatch = 1 / batch;
  const { w, sum, ada2, coef, g, act } = st;
  let nAct = st.nAct, dirty = st.dirty;
  for (let it = from; it < to; it++) {
    if (dirty) g.fill(0);
    const any = batchSubgradient(rng, T, nT, XB, K, w, act, nAct, batch, g);
    dirty = any;
    const kb = (it + 1) * beta;
    if (any) nAct = rdaStep(g, invBatch, sum, ada2, coef, w, act, kb, gamma, delta);
    else refreshActive(sum, coef, w, act, nAct, kb);
  }
  st.nAct = nAct;
  st.dirty = dirty;
}

export function scmlRdaIterations(p: ScmlRdaProblem, st: ScmlRdaState, from: number, to: number): void {
  checkScmlRdaArgs(p, st, from, to);
  const rng = new Random();
  rng.setState(st.rng);
  iterate(p, st, from, to, rng);
  st.rng.set(rng.state());
}

const HINGE = 'tripletHingeSum';

/** Every check of tripletHingeSum (the native kernel makes the same ones itself). */
function checkTripletHingeArgs(X: Float64Array, XM: Float64Array, n: number, d: number, pairA: Int32Array, pairB: Int32Array, ids: Int32Array): void {
  checkCount(HINGE, 'n', n, 1);
  checkCount(HINGE, 'd', d, 1);
  for (const [name, a] of [['X', X], ['XM', XM]] as const) {
    if (!(a instanceof Float64Array)) throw new TypeError(`${HINGE}: ${name} must be a Float64Array`);
    if (a.length < n * d) throw new RangeError(`${HINGE}: ${name} must hold an ${n} x ${d} matrix (${n * d} values), got ${a.length}`);
  }
  checkRows(HINGE, 'pairA', pairA, n, 'a row');
  checkRows(HINGE, 'pairB', pairB, n, 'a row');
  if (pairB.length !== pairA.length) throw new RangeError(`${HINGE}: pairB has ${pairB.length} entries, expected ${pairA.length} (as pairA)`);
  if (!(ids instanceof Int32Array)) throw new TypeError(`${HINGE}: ids must be an Int32Array`);
  if (ids.length % 2 !== 0) throw new RangeError(`${HINGE}: ids must hold 2 pair ids per triplet, got ${ids.length} entries`);
  checkRows(HINGE, 'ids', ids, pairA.length, 'a pair');
}

export function tripletHingeSum(X: Float64Array, XM: Float64Array, n: number, d: number, pairA: Int32Array, pairB: Int32Array, ids: Int32Array): number {
  checkTripletHingeArgs(X, XM, n, d, pairA, pairB, ids);
  // Each distinct pair's distance once, as x_aᵀMx_a + x_bᵀMx_b − 2 x_aᵀM x_b: the self terms
  // are shared by every pair of a row, so a pair costs one d-long product.
  const self = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += XM[i * d + c] * X[i * d + c];
    self[i] = s;
  }
  const np = pairA.length;
  const dist = new Float64Array(np);
  for (let k = 0; k < np; k++) {
    const i = pairA[k], j = pairB[k];
    let s = 0;
    const oi = i * d, oj = j * d;
    for (let c = 0; c < d; c++) s += XM[oi + c] * X[oj + c];
    dist[k] = self[i] + self[j] - 2 * s;
  }
  const nT = ids.length / 2;
  let loss = 0;
  for (let t = 0; t < nT; t++) {
    const v = 1 + dist[ids[2 * t]] - dist[ids[2 * t + 1]];
    if (v > 0) loss += v;
  }
  return loss;
}
