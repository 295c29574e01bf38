/**
 * A whole training run from a validated config: read the data, (optionally) encode it with a
 * frozen ONNX encoder through the embedding cache, split, z-score with the training part's
 * statistics, build the head and the parts, train, and return the head as a model.
 */
import { Matrix, type FloatArray } from '../matrix.js';
import { readDatasetAsync, readFolds } from '../io/index.js';
import type { LabelValue } from '../io/dataset.js';
import { getBackend } from '../backend/index.js';
import { ConfigError, resolvePath, type TrainConfig } from './config.js';
import { buildLoss, buildMiner, buildOptimizer, buildSampler } from './build.js';
import { OnnxEncoder } from './encoders/onnx-encoder.js';
import { encodeCached } from './encoders/cache.js';
import { applyStandardization, DeepHead, fitStandardization } from './head.js';
import { MLP } from './layers/mlp.js';
import { foldSplit } from './split.js';
import { trainTestSplit } from '../preprocessing/split.js';
import { Trainer, evaluateRetrieval, type EpochLog, type TrainResult, type ValidationMetrics } from './trainer.js';

export interface RunOptions {
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  /** Replaces the config's data file (the CLI's --data). */
  data?: string;
  epochs?: number;
  seed?: number;
  /** Label column of the data (overrides the config's); default: "label" if present, else the last column. */
  label?: string | number | null;
  /** Called with a note when the config had to be adapted (e.g. its folds file belongs to the replaced data). */
  onWarning?: (message: string) => void;
  progress?: boolean | 'auto';
  verbose?: boolean;
  onEpoch?: (log: EpochLog) => void;
}

export interface RunResult {
  head: DeepHead;
  training: TrainResult;
  /** Validation metrics of the untrained head (same seed, before the first step). */
  untrained: ValidationMetrics;
  nTrain: number;
  nValidation: number;
  classes: LabelValue[];
  encoder: { path: string; sha256: string; cacheHit: boolean } | null;
}

/** Class codes 0..C−1 in sorted label order (numbers numerically, strings lexically). */
export function encodeClassLabels(y: LabelValue[] | null, source: string): { codes: Int32Array; classes: LabelValue[] } {
  if (!y) throw new Error(`${source}: the data has no label column; training a similarity head needs class labels (CSV: a "label" column, last by default)`);
  const classes = [...new Set(y)].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  return { codes: Int32Array.from(y, (v) => index.get(v)!), classes };
}

/** Text that a numeric label column would have read as this number (no hex, no blanks). */
function numericText(s: string): number | null {
  const t = s.trim();
  if (t === '' || /^[-+]?0[xbo]/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/**
 * The training labels followed by the validation labels, with one label type. A label column
 * reads as text as soon as one entry is not a number, so the training file can give 1 where
 * the validation file gives "1": that is one class, not two. When numbers and text meet,
 * text that is a number becomes that number; other text stays a class of its own.
 */
export function joinLabels(train: LabelValue[], validation: LabelValue[], onMixed?: (message: string) => void): LabelValue[] {
  const all = [...train, ...validation];
  const kinds = (y: LabelValue[]): string => [...new Set(y.map((v) => (typeof v === 'number' ? 'numbers' : 'text')))].sort().join(' and ');
  const kt = kinds(train);
  const kv = kinds(validation);
  if (kt === kv && !kt.includes(' and ')) return all;
  const text = new Set(all.filter((v): v is string => typeof v === 'string' && numericText(v) === null));
  onMixed?.(`the training labels are ${kt} but the validation labels are ${kv}; matched them by value ("1" = 1)${text.size ? `; the non-numeric label${text.size > 1 ? 's' : ''} ${[...text].slice(0, 5).map((v) => JSON.stringify(v)).join(', ')}${text.size > 5 ? ', ...' : ''} stay${text.size > 1 ? '' : 's'} ${text.size > 1 ? 'classes' : 'a class'} of ${text.size > 1 ? 'their' : 'its'} own` : ''}`);
  return all.map((v) => (typeof v === 'string' ? numericText(v) ?? v : v));
}

async function loadLabeled(path: string, label: string | number | null | undefined): Promise<{ X: Matrix<Float64Array>; y: LabelValue[] }> {
  // undefined = the CLI-wide default: a column named "label" if there is one, else the last.
  const ds = await readDatasetAsync(path, { label });
  if (!ds.y) throw new Error(`${path}: the data has no label column; training a similarity head needs class labels`);
  return { X: ds.X, y: ds.y };
}

/**
 * Builds a training part from its config entry. Whatever the factory rejects (an unknown
 * name or option, a value out of range or beyond what the data allows) is the config's
 * fault, so it becomes a ConfigError naming the entry.
 */
function fromConfig<T>(key: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
    throw new ConfigError(e.message.startsWith(key) ? e.message : `${key}: ${e.message}`);
  }
}

export async function runTraining(config: TrainConfig, options: RunOptions): Promise<RunResult> {
  const seed = options.seed ?? config.seed;
  const epochs = options.epochs ?? config.epochs;
  const dataSpec = typeof config.data === 'string' ? { path: config.data, label: undefined } : config.data;
  const dataPath = options.data ?? resolvePath(options.baseDir, dataSpec.path);
  const label = options.label !== undefined ? options.label : dataSpec.label;
  const data = await loadLabeled(dataPath, label);
  // The config's folds and validation files describe the config's own data: with other data
  // (--data) they cannot apply, so a stratified random split of that data replaces them.
  const replaced = options.data !== undefined && options.data !== resolvePath(options.baseDir, dataSpec.path);
  if (replaced && config.validation) options.onWarning?.(`ignoring the config's validation file ${config.validation}: it belongs to the config's data, not ${dataPath}; splitting ${dataPath} instead (test ${config.split.test})`);
  if (replaced && !config.validation && config.split.folds !== undefined) options.onWarning?.(`ignoring the config's folds file ${config.split.folds}: it belongs to the config's data, not ${dataPath}; using a stratified random split (test ${config.split.test})`);
  let valData: { X: Matrix<Float64Array>; y: LabelValue[] } | null = null;
  if (config.validation && !replaced) valData = await loadLabeled(resolvePath(options.baseDir, config.validation), dataSpec.label);

  // Encode (once, cached) before anything else: the head trains on the encoder's outputs.
  let encoderInfo: RunResult['encoder'] = null;
  let X: Matrix<FloatArray> = data.X;
  let Xval: Matrix<FloatArray> | null = valData ? valData.X : null;
  if (config.encoder) {
    const encPath = resolvePath(options.baseDir, config.encoder.path);
    const enc = await OnnxEncoder.load(encPath, { inputName: config.encoder.inputName, outputName: config.encoder.outputName, batchSize: config.encoder.batchSize });
    try {
      const cacheDir = resolvePath(options.baseDir, config.encoder.cacheDir ?? '.simlearn-cache');
      const r = await encodeCached(enc, X, cacheDir);
      X = r.embeddings;
      let hit = r.hit;
      if (Xval) {
        const rv = await encodeCached(enc, Xval, cacheDir);
        Xval = rv.embeddings;
        hit = hit && rv.hit;
      }
      encoderInfo = { path: encPath, sha256: enc.fileHash, cacheHit: hit };
    } finally {
      await enc.close();
    }
  }

  const allLabels = valData ? joinLabels(data.y, valData.y, (m) => options.onWarning?.(`${dataPath} and ${config.validation}: ${m}`)) : data.y;
  const { codes, classes } = encodeClassLabels(allLabels, dataPath);
  if (classes.length < 2) throw new Error(`${dataPath}: the data has ${classes.length} class; similarity learning needs at least 2 classes`);
  let Xtr: Matrix<FloatArray>, ytr: Int32Array, Xte: Matrix<FloatArray>, yte: Int32Array;
  if (valData && Xval) {
    Xtr = X; ytr = codes.subarray(0, data.y.length);
    Xte = Xval; yte = codes.subarray(data.y.length);
    if (Xte.cols !== Xtr.cols) throw new Error(`validation data has ${Xte.cols} features but the training data has ${Xtr.cols}`);
  } else {
    let split;
    if (config.split.folds !== undefined && !replaced) {
      const folds = readFolds(resolvePath(options.baseDir, config.split.folds), codes.length);
      split = fromConfig('split.testFold', () => foldSplit(folds, config.split.testFold!, config.split.folds));
    } else {
      split = fromConfig('split', () => trainTestSplit(codes, { testSize: config.split.test, seed: config.split.seed ?? seed, stratify: config.split.stratify }));
    }
    Xtr = X.takeRows(split.train); ytr = Int32Array.from(split.train, (i) => codes[i]);
    Xte = X.takeRows(split.test); yte = Int32Array.from(split.test, (i) => codes[i]);
  }
  const standardization = config.standardize ? fitStandardization(Xtr) : null;
  const train = { X: standardization ? applyStandardization(Xtr, standardization) : Xtr.toFloat32(), y: ytr };
  const validation = { X: standardization ? applyStandardization(Xte, standardization) : Xte.toFloat32(), y: yte };

  const h = config.head;
  const model = new MLP({ inputDim: train.X.cols, hidden: h.hidden, outputDim: h.output, activation: h.activation, dropout: h.dropout, norm: h.norm, normalize: h.normalize, seed });
  const loss = fromConfig('loss', () => buildLoss(config.loss, { numClasses: classes.length, embeddingSize: h.output, seed }));
  const miner = fromConfig('miner', () => buildMiner(config.miner));
  const sampler = fromConfig('sampler', () => buildSampler(config.sampler, train.y, seed));
  for (const w of sampler.warnings ?? []) options.onWarning?.(`sampler ${config.sampler.name}: ${w}`);
  const optimizer = fromConfig('optimizer', () => {
    const make = buildOptimizer(config.optimizer);
    make([]); // checks the options now rather than once training has started
    return make;
  });
  const stepsPerEpoch = sampler.epoch(0).length;
  const sched = config.schedule;
  const schedule = sched ? {
    name: sched.name,
    stepSize: sched.stepEpochs !== undefined ? sched.stepEpochs * stepsPerEpoch : undefined,
    gamma: sched.gamma,
    minFactor: sched.minFactor,
    warmupSteps: Math.round((sched.warmupEpochs ?? 0) * stepsPerEpoch),
  } : undefined;
  const untrained = evaluateRetrieval(model, validation);
  const checkpoint = config.checkpoint ? resolvePath(options.baseDir, config.checkpoint) : null;
  const onBest = checkpoint ? (epoch: number, metrics: ValidationMetrics) => new DeepHead(model, { standardization, info: { checkpoint: true, epoch, metrics } }).save(checkpoint) : undefined;
  const trainer = new Trainer({ model, loss, miner, sampler, optimizer }, {
    epochs, seed, validateEvery: config.validateEvery, monitor: config.monitor, earlyStopping: config.earlyStopping, restoreBest: config.restoreBest,
    clipGradNorm: config.clipGradNorm, schedule, progress: options.progress ?? false, verbose: options.verbose, onEpoch: options.onEpoch, onBest,
  });
  const training = trainer.fit(train, validation);
  const head = new DeepHead(model, {
    standardization,
    info: {
      loss: config.loss, miner: config.miner ?? null, sampler: config.sampler, optimizer: config.optimizer, epochs, seed,
      classes, bestEpoch: training.best?.epoch ?? null, metrics: training.final,
      encoder: encoderInfo ? { path: encoderInfo.path, sha256: encoderInfo.sha256 } : null, backend: getBackend().name,
    },
  });
  return { head, training, untrained, nTrain: train.X.rows, nValidation: validation.X.rows, classes, encoder: encoderInfo };
}
