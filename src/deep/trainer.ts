/**
 * The training loop of a similarity head: batches from a sampler, forward through the head,
 * a miner picks tuples, the loss gives dL/dEmbeddings, the tape carries it back through the
 * head, the optimiser steps. Validation every N epochs with retrieval metrics (MAP@R,
 * precision@1, R-precision from src/evaluation/retrieval.ts), early stopping on a monitored
 * metric, and the best weights restored at the end. Besides class labels, the training data
 * may carry fixed tuples (labelled pairs, restricted to each batch) or a positive per row (the
 * asymmetric (query, positive) form: positives become the loss's reference set and receive
 * their gradient through the same head).
 *
 * Deterministic for a seed: every random draw (dropout masks) comes from one Random, batches
 * come from the seeded sampler, and all arithmetic runs in a fixed order.
 */
import { SingleBar } from 'cli-progress';
import { Matrix } from '../matrix.js';
import { toRandom } from '../random.js';
import { retrievalMetrics } from '../evaluation/retrieval.js';
import { Tape } from './autodiff/tensor.js';
import { embed } from './layers/embed.js';
import type { Module } from './layers/module.js';
import { getState, setState, type NamedArray } from './layers/state.js';
import { clipGradNorm } from './optim/clip.js';
import type { Optimizer } from './optim/optimizer.js';
import { makeSchedule, type LrSchedule, type ScheduleSpec } from './optim/schedule.js';
import type { BatchSampler, Loss, MinedTuples, Miner, Parameter } from './types.js';
import { tuplesForBatch } from './inputs.js';

export const MONITORED = ['mapAtR', 'precisionAt1', 'rPrecision'] as const;
export type MonitoredMetric = (typeof MONITORED)[number];

export interface ValidationMetrics {
  precisionAt1: number;
  rPrecision: number;
  mapAtR: number;
}

export interface EpochLog {
  epoch: number;
  /** Mean loss over the epoch's batches. */
  loss: number;
  /** Training time of the epoch (validation excluded), wall clock. */
  seconds: number;
  /** CPU time of the process over the same span (steadier than wall time on a shared machine). */
  cpuSeconds: number;
  lr: number;
  /** Wall seconds of the epoch by phase: batch assembly, forward, mining, loss, backward (+ clipping), optimiser step. */
  phases: PhaseTimes;
  /**
   * Loss terms (pairs, triplets, rows) that contributed a non-zero loss, summed over the epoch's
   * batches; 0 means the loss was zero throughout and the epoch trained nothing. Undefined when
   * the loss does not report it.
   */
  activeTerms?: number;
  metrics?: ValidationMetrics;
}

export interface PhaseTimes {
  batch: number;
  forward: number;
  mine: number;
  loss: number;
  backward: number;
  step: number;
}

export interface TrainResult {
  history: EpochLog[];
  /** The validation that scored best on the monitored metric (null without validation). */
  best: { epoch: number; metrics: ValidationMetrics } | null;
  /** Metrics of the weights the model holds after fit (the best ones when restored). */
  final: ValidationMetrics | null;
  epochsRun: number;
  stoppedEarly: boolean;
  /** Mean training seconds per epoch (wall clock). */
  epochSeconds: number;
  /** Mean CPU seconds per epoch. */
  epochCpuSeconds: number;
}

export interface EarlyStopping {
  /** Validations without improvement before stopping. */
  patience: number;
  /** Smallest improvement that counts (default 0). */
  minDelta?: number;
}

export interface TrainerOptions {
  epochs: number;
  /** Seed of dropout masks (the sampler carries its own seed). */
  seed?: number;
  /** Validate every N epochs (default 1) and after the last epoch. */
  validateEvery?: number;
  monitor?: MonitoredMetric;
  earlyStopping?: EarlyStopping;
  /** Restore the best validated weights at the end (default true). */
  restoreBest?: boolean;
  clipGradNorm?: number;
  /** Learning-rate schedule; warm-up and step sizes are counted in optimiser steps. */
  schedule?: ScheduleSpec | LrSchedule;
  /** Progress bar on stderr: true, false, or 'auto' (default: only when stderr is a TTY). */
  progress?: boolean | 'auto';
  /** One line per epoch on stderr. */
  verbose?: boolean;
  onEpoch?: (log: EpochLog) => void;
  /** Called when a validation sets a new best (e.g. to write a checkpoint file); the model holds those weights. */
  onBest?: (epoch: number, metrics: ValidationMetrics) => void;
}

export interface TrainerParts {
  model: Module;
  loss: Loss;
  miner?: Miner | null;
  sampler: BatchSampler;
  /** An optimiser, or a factory given the model's and the loss's parameters together. */
  optimizer: Optimizer | ((params: Parameter[]) => Optimizer);
}

export interface LabeledData {
  X: Matrix<Float32Array>;
  y: Int32Array;
  /**
   * Fixed tuples over the rows of X (labelled pairs from fromLabeledPairs): each batch gets the
   * tuples whose rows it holds, instead of mined ones. Training data only; excludes a miner.
   */
  tuples?: MinedTuples;
  /**
   * (query, positive) pairs in the asymmetric InfoNCE form (fromQueryPositivePairs): row i of
   * `positives` is the positive of row i of X, and y holds the pair ids. Each batch's queries are
   * the loss's batch and their positives, embedded by the same head, its reference set; every
   * other positive in the batch is a negative. Training data only.
   */
  positives?: Matrix<Float32Array>;
}

export class Trainer {
  readonly model: Module;
  readonly loss: Loss;
  readonly miner: Miner | null;
  readonly sampler: BatchSampler;
  readonly optimizer: Optimizer;
  readonly options: TrainerOptions;

  constructor(parts: TrainerParts, options: TrainerOptions) {
    this.model = parts.model;
    this.loss = parts.loss;
    this.miner = parts.miner ?? null;
    this.sampler = parts.sampler;
    const params = [...parts.model.parameters(), ...parts.loss.parameters()];
    this.optimizer = typeof parts.optimizer === 'function' ? parts.optimizer(params) : parts.optimizer;
    const owned = new Set(this.optimizer.params);
    for (const p of parts.loss.parameters()) {
      if (!owned.has(p)) throw new Error(`Trainer: the loss's parameter "${p.name}" is not in the optimiser; pass a factory (params) => optimiser so it is trained too`);
    }
    if (!(Number.isInteger(options.epochs) && options.epochs >= 1)) throw new RangeError(`Trainer: epochs must be a positive integer, got ${options.epochs}`);
    const every = options.validateEvery ?? 1;
    if (!(Number.isInteger(every) && every >= 1)) throw new RangeError(`Trainer: validateEvery must be a positive integer, got ${every}`);
    if (options.monitor && !MONITORED.includes(options.monitor)) throw new RangeError(`Trainer: monitor must be one of ${MONITORED.join(', ')}, got "${options.monitor}"`);
    if (options.earlyStopping && !(Number.isInteger(options.earlyStopping.patience) && options.earlyStopping.patience >= 1)) {
      throw new RangeError(`Trainer: earlyStopping.patience must be a positive integer, got ${options.earlyStopping.patience}`);
    }
    const minDelta = options.earlyStopping?.minDelta;
    if (minDelta !== undefined && !(Number.isFinite(minDelta) && minDelta >= 0)) throw new RangeError(`Trainer: earlyStopping.minDelta must be a finite number ≥ 0, got ${minDelta}`);
    if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) throw new RangeError(`Trainer: clipGradNorm must be positive, got ${options.clipGradNorm}`);
    this.options = options;
  }

  /** Trains on (X, y); validates on `validation` when given (test-vs-test, each query excluded). */
  fit(train: LabeledData, validation?: LabeledData): TrainResult {
    const { X, y } = checkData(train, 'train');
    if (validation) {
      checkData(validation, 'validation');
      // Found out here rather than after the first epoch has trained.
      if (!hasRepeatedLabel(validation.y)) throw new RangeError(`Trainer: validation: no label occurs twice among its ${validation.y.length} item(s), so no query has a relevant reference and retrieval metrics are undefined; give a validation set with at least 2 items of some class`);
    }
    const fixed = train.tuples ?? null;
    if (fixed && this.miner) throw new Error('Trainer: the training data carries its own tuples (labelled pairs), so a miner must not be used: it would invent negative pairs the data does not state');
    const positives = train.positives ?? null;
    if (positives) {
      if (!(positives instanceof Matrix) || !(positives.data instanceof Float32Array)) throw new TypeError('Trainer: train.positives must be a float32 Matrix');
      if (positives.rows !== X.rows || positives.cols !== X.cols) throw new RangeError(`Trainer: train.positives is ${positives.rows} x ${positives.cols} but the queries are ${X.rows} x ${X.cols}; row i of each forms pair i`);
      if (fixed) throw new Error('Trainer: give either tuples or positives, not both');
      checkData({ X: positives, y }, 'train.positives');
    }
    const o = this.options;
    const every = o.validateEvery ?? 1;
    const monitor = o.monitor ?? 'mapAtR';
    const restoreBest = o.restoreBest ?? true;
    const rng = toRandom(o.seed);
    const tape = new Tape();
    const ctx = { training: true, rng };
    const d = X.cols;
    const opt = this.optimizer;
    const params = opt.params;

    const firstEpoch = this.sampler.epoch(0);
    const stepsPerEpoch = firstEpoch.length;
    if (stepsPerEpoch === 0) throw new Error('Trainer: the sampler produced no batches; the training set is too small for the batch settings');
    const schedule = typeof o.schedule === 'function' ? o.schedule : o.schedule ? makeSchedule(o.schedule, stepsPerEpoch * o.epochs) : null;

    const showBar = o.progress === true || ((o.progress ?? 'auto') === 'auto' && process.stderr.isTTY === true);
    const bar = showBar ? new SingleBar({ stream: process.stderr, format: 'train [{bar}] epoch {value}/{total} | loss {loss} | {metric}', hideCursor: true, clearOnComplete: false }) : null;
    bar?.start(o.epochs, 0, { loss: '-', metric: '' });

    const history: EpochLog[] = [];
    let best: { epoch: number; metrics: ValidationMetrics; state: Record<string, NamedArray> } | null = null;
    let sinceBest = 0;
    let stoppedEarly = false;
    let step = 0;
    let trainSeconds = 0;
    let trainCpu = 0;
    let batchX = new Float32Array(0);
    let batchP = new Float32Array(0);
    let batchY = new Int32Array(0);

    try {
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        // The sampler's work counts as training time, as a data loader's does in the reference.
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const batches = epoch === 0 ? firstEpoch : this.sampler.epoch(epoch);
        let lossSum = 0;
        let nBatches = 0;
        let active: number | undefined = 0;
        const ph: PhaseTimes = { batch: 0, forward: 0, mine: 0, loss: 0, backward: 0, step: 0 };
        let tA = performance.now();
        ph.batch += tA - t0;
        for (let bi = 0; bi < batches.length; bi++) {
          const idx = batches[bi];
          const b = idx.length;
          if (b < 2) continue; // no pair can be formed
          checkBatchRows(idx, X.rows, bi, epoch);
          if (batchY.length < b) {
            batchX = new Float32Array(b * d);
            batchY = new Int32Array(b);
            if (positives) batchP = new Float32Array(b * d);
          }
          const xb = b * d === batchX.length ? batchX : batchX.subarray(0, b * d);
          const yb = b === batchY.length ? batchY : batchY.subarray(0, b);
          gatherRows(X.data, d, idx, xb);
          for (let r = 0; r < b; r++) yb[r] = y[idx[r]];
          const pb = positives ? (b * d === batchP.length ? batchP : batchP.subarray(0, b * d)) : null;
          if (positives && pb) gatherRows(positives.data, d, idx, pb);
          tape.reset();
          opt.zeroGrad();
          const tB = performance.now();
          const emb = this.model.forward(tape.constant(xb, b, d), ctx);
          const E = new Matrix(b, emb.cols, emb.data);
          const embP = pb ? this.model.forward(tape.constant(pb, b, d), ctx) : null;
          const ref = embP ? { embeddings: new Matrix(b, embP.cols, embP.data), labels: yb } : undefined;
          const tC = performance.now();
          const tuples = fixed ? tuplesForBatch(fixed, idx, X.rows) : this.miner ? this.miner.mine(E, yb, ref) : undefined;
          const tD = performance.now();
          const res = this.loss.compute(E, yb, tuples, ref);
          const tE = performance.now();
          if (!Number.isFinite(res.loss)) throw new Error(`Trainer: the loss became ${res.loss} at epoch ${epoch + 1}; lower the learning rate or check the data`);
          lossSum += res.loss;
          nBatches++;
          active = active === undefined || res.activeTerms === undefined ? undefined : active + res.activeTerms;
          if (embP) {
            if (!res.referenceGrad) throw new Error(`Trainer: the ${this.loss.name} loss gave no gradient for the positives (reference set); use a loss that takes a reference, such as ntxent or supcon`);
            tape.backwardAll([[emb, res.grad], [embP, res.referenceGrad]]);
          } else tape.backward(emb, res.grad);
          if (o.clipGradNorm !== undefined) clipGradNorm(params, o.clipGradNorm);
          const tF = performance.now();
          if (schedule) opt.lr = opt.baseLr * schedule(step);
          opt.step();
          step++;
          const tG = performance.now();
          ph.batch += tB - tA;
          ph.forward += tC - tB;
          ph.mine += tD - tC;
          ph.loss += tE - tD;
          ph.backward += tF - tE;
          ph.step += tG - tF;
          tA = tG;
        }
        if (nBatches === 0) throw new RangeError(`Trainer: every batch of epoch ${epoch + 1} had fewer than 2 rows, so no pair could be formed and nothing was trained; raise the batch size (batchSize, m, or P x K)`);
        for (const k of Object.keys(ph) as (keyof PhaseTimes)[]) ph[k] /= 1000;
        tape.reset();
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(c0);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        trainSeconds += seconds;
        trainCpu += cpuSeconds;
        const log: EpochLog = { epoch: epoch + 1, loss: nBatches ? lossSum / nBatches : NaN, seconds, cpuSeconds, lr: opt.lr, phases: ph, activeTerms: active };
        const last = epoch === o.epochs - 1;
        if (validation && ((epoch + 1) % every === 0 || last)) {
          log.metrics = evaluateRetrieval(this.model, validation);
          const score = log.metrics[monitor];
          if (!best || score > best.metrics[monitor] + (o.earlyStopping?.minDelta ?? 0)) {
            best = { epoch: epoch + 1, metrics: log.metrics, state: getState(this.model) };
            sinceBest = 0;
            o.onBest?.(epoch + 1, log.metrics);
          } else sinceBest++;
        }
        history.push(log);
        o.onEpoch?.(log);
        if (o.verbose) process.stderr.write(`epoch ${log.epoch}/${o.epochs}  loss ${log.loss.toFixed(4)}  ${log.seconds.toFixed(3)} s${log.metrics ? `  ${formatMetrics(log.metrics)}` : ''}\n`);
        bar?.update(epoch + 1, { loss: log.loss.toFixed(4), metric: best ? `best MAP@R ${best.metrics.mapAtR.toFixed(4)} (epoch ${best.epoch})` : '' });
        if (o.earlyStopping && sinceBest >= o.earlyStopping.patience) {
          stoppedEarly = epoch < o.epochs - 1;
          break;
        }
      }
    } finally {
      if (bar) {
        bar.stop();
        process.stderr.write('\n');
      }
    }

    let final: ValidationMetrics | null = null;
    if (best && restoreBest) {
      setState(this.model, best.state, 'best checkpoint');
      final = best.metrics;
    } else if (validation) {
      const lastLog = history[history.length - 1];
      final = lastLog.metrics ?? evaluateRetrieval(this.model, validation);
    }
    return {
      history,
      best: best ? { epoch: best.epoch, metrics: best.metrics } : null,
      final,
      epochsRun: history.length,
      stoppedEarly,
      epochSeconds: trainSeconds / Math.max(1, history.length),
      epochCpuSeconds: trainCpu / Math.max(1, history.length),
    };
  }
}

/** Retrieval metrics of the model's embeddings: test against test, each query excluded, Euclidean. */
export function evaluateRetrieval(model: Module, data: LabeledData): ValidationMetrics {
  const E = embed(model, data.X);
  const r = retrievalMetrics(E, data.y);
  return { precisionAt1: r.precisionAt1, rPrecision: r.rPrecision, mapAtR: r.mapAtR };
}

export function formatMetrics(m: ValidationMetrics): string {
  return `MAP@R ${m.mapAtR.toFixed(4)}  P@1 ${m.precisionAt1.toFixed(4)}  R-precision ${m.rPrecision.toFixed(4)}`;
}

/**
 * Rows copied as block moves (TypedArray.set) from 32 features on: 3 times a per-element loop
 * at 64 features, 19 times at 784; below that a view per row costs more than the copy.
 */
function gatherRows(src: Float32Array, d: number, idx: Int32Array, out: Float32Array): void {
  if (d >= 32) {
    for (let r = 0; r < idx.length; r++) {
      const from = idx[r] * d;
      out.set(src.subarray(from, from + d), r * d);
    }
    return;
  }
  for (let r = 0; r < idx.length; r++) {
    const from = idx[r] * d, to = r * d;
    for (let j = 0; j < d; j++) out[to + j] = src[from + j];
  }
}

function checkData(data: LabeledData, name: string): LabeledData {
  if (!(data.X instanceof Matrix) || !(data.X.data instanceof Float32Array)) throw new TypeError(`Trainer: ${name}.X must be a float32 Matrix (use matrix.toFloat32())`);
  if (!(data.y instanceof Int32Array)) throw new TypeError(`Trainer: ${name}.y must be an Int32Array of class codes`);
  if (data.y.length !== data.X.rows) throw new RangeError(`Trainer: ${name} has ${data.X.rows} rows but ${data.y.length} labels`);
  const a = data.X.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`Trainer: ${name}.X has ${a[i]} at row ${Math.floor(i / data.X.cols)}, column ${i % data.X.cols}; remove or impute non-finite values`);
  }
  return data;
}

/** Whether some label occurs at least twice (a query then has a relevant reference). */
export function hasRepeatedLabel(y: ArrayLike<number>): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    if (seen.has(y[i])) return true;
    seen.add(y[i]);
  }
  return false;
}

/**
 * A sampler built on other labels (or a custom one) can return rows the training set does not
 * have; gathered, they read past X and surface later as NaN embeddings blamed on divergence.
 */
function checkBatchRows(idx: ArrayLike<number>, n: number, batch: number, epoch: number): void {
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`Trainer: batch ${batch} of epoch ${epoch + 1} holds row ${i} but the training set has ${n} rows (0..${n - 1}); build the sampler on the training labels`);
  }
}
