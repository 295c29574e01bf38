/**
 * A whole training run from a validated config: read the data, (optionally) encode it with a
 * frozen ONNX encoder through the embedding cache, split, z-score with the training part's
 * statistics, build the head and the parts, train, and return the head as a model.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Matrix, type FloatArray } from '../matrix.js';
import { readDatasetAsync, readFolds } from '../io/index.js';
import { dataFileFormat, type LabelValue } from '../io/dataset.js';
import { getBackend } from '../backend/index.js';
import { ConfigError, npyLabelsMessage, resolvePath, type TrainConfig } from './config.js';
import { buildLoss, buildMiner, buildOptimizer, buildSampler } from './build.js';
import { OnnxEncoder } from './encoders/onnx-encoder.js';
import { encodeCached } from './encoders/cache.js';
import { applyStandardization, DeepHead, fitStandardization } from './head.js';
import { MLP } from './layers/mlp.js';
import { foldSplit } from './split.js';
import { trainTestSplit } from '../preprocessing/split.js';
import { Trainer, evaluateRetrieval, hasRepeatedLabel, type EpochLog, type TrainResult, type ValidationMetrics } from './trainer.js';

export interface RunOptions {
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  /** Replaces the config's data file (the CLI's --data). */
  data?: string;
  epochs?: number;
  seed?: number;
  /** Label column of the data (overrides the config's); default: "label" if present, else the last column. */
  label?: string | number | null;
  /**
   * Called with a note when the config had to be adapted (e.g. its folds file belongs to the
   * replaced data), and after training when the run looks like it learned nothing (validation
   * not above the untrained head's, or epochs in which no loss term was active).
   */
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
  if (!y) throw new Error(noLabelsMessage(source));
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

/** Why a data file gave no labels, naming the formats and settings that carry them. */
function noLabelsMessage(path: string, label?: string | number | null): string {
  const format = dataFileFormat(path);
  if (format === 'npy') return npyLabelsMessage(path);
  if (format === 'jsonl') return `${path}: the JSON Lines records have no "label" field; training a similarity head needs a class label in every record`;
  return `${path}: the data has no label column${label === null ? ' (data.label is null)' : ''}; training a similarity head needs class labels: name the label column with data.label (default "label", else the last column)`;
}

async function loadLabeled(path: string, label: string | number | null | undefined): Promise<{ X: Matrix<Float64Array>; y: LabelValue[] }> {
  // A .npy file has no labels to read: said before its features are read.
  if (dataFileFormat(path) === 'npy') throw new Error(npyLabelsMessage(path));
  // undefined = the CLI-wide default: a column named "label" if there is one, else the last.
  const ds = await readDatasetAsync(path, { label });
  if (!ds.y) throw new Error(noLabelsMessage(path, label));
  return { X: ds.X, y: ds.y };
}

/**
 * Fails now, before any training, when `path` cannot be written: its folder is missing, is a
 * file, or is read-only, or `path` is a folder. (The write itself is atomic and names its own
 * failures; this only moves the common ones ahead of a long run.) `who` names the setting.
 */
export function checkOutputPath(path: string, who: string): void {
  const dir = dirname(path);
  const fail = (why: string): never => {
    throw new Error(`${who}: cannot write ${path}: ${why} (checked before training; nothing was trained or written)`);
  };
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') fail(`a parent of ${path} is not a directory; choose an output path inside a directory`);
    throw e;
  }
  if (st?.isDirectory()) fail(`${path} is a directory; give a file name`);
  const parent = statSync(dir, { throwIfNoEntry: false });
  if (!parent) fail(`no directory ${dir} (does the directory exist?); create it or write elsewhere`);
  if (!parent!.isDirectory()) fail(`${dir} is not a directory; choose an output path inside a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(code === 'EROFS' ? `${dir} is on a read-only file system; write elsewhere` : `no write permission in ${dir}; write elsewhere or fix the permissions`);
  }
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
  const checkpoint = config.checkpoint ? resolvePath(options.baseDir, config.checkpoint) : null;
  if (checkpoint) checkOutputPath(checkpoint, 'checkpoint');
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
  const useFolds = !valData && config.split.folds !== undefined && !replaced;
  if (valData && Xval) {
    Xtr = X; ytr = codes.subarray(0, data.y.length);
    Xte = Xval; yte = codes.subarray(data.y.length);
    if (Xte.cols !== Xtr.cols) throw new Error(`validation data has ${Xte.cols} features but the training data has ${Xtr.cols}`);
  } else {
    let split;
    if (useFolds) {
      const folds = readFolds(resolvePath(options.baseDir, config.split.folds!), codes.length);
      split = fromConfig('split.testFold', () => foldSplit(folds, config.split.testFold!, config.split.folds));
    } else {
      // The user's labels, not their codes, so messages name the classes as the data does; the
      // codes follow the labels' sorted order, so the split is the same either way.
      split = fromConfig('split', () => trainTestSplit(allLabels, {
        testSize: config.split.test, seed: config.split.seed ?? seed, stratify: config.split.stratify,
        names: { owner: 'split', testSize: 'split.test', stratify: 'split.stratify', test: 'validation', train: 'training' },
      }));
    }
    Xtr = X.takeRows(split.train); ytr = Int32Array.from(split.train, (i) => codes[i]);
    Xte = X.takeRows(split.test); yte = Int32Array.from(split.test, (i) => codes[i]);
  }
  // Retrieval metrics need a query with a relevant reference: some class twice in the validation part.
  if (!hasRepeatedLabel(yte)) {
    const why = `has no class with 2 or more rows, so no validation query has a relevant reference and the retrieval metrics are undefined; it needs at least 2 rows of some class (better, of every class)`;
    if (valData) throw new Error(`${config.validation}: the validation file (${yte.length} rows) ${why}`);
    if (useFolds) throw new ConfigError(`split.testFold: the validation part (the ${yte.length} rows of fold ${config.split.testFold} in ${config.split.folds}) ${why}: choose another fold or folds file`);
    throw new ConfigError(`split.test: the validation part (${yte.length} of ${codes.length} rows with split.test ${config.split.test}) ${why}: raise split.test, give more rows per class, or give a separate validation file`);
  }
  const standardization = config.standardize ? fitStandardization(Xtr) : null;
  const train = { X: standardization ? applyStandardization(Xtr, standardization) : Xtr.toFloat32(), y: ytr };
  const validation = { X: standardization ? applyStandardization(Xte, standardization) : Xte.toFloat32(), y: yte };

  const h = config.head;
  const model = new MLP({ inputDim: train.X.cols, hidden: h.hidden, outputDim: h.output, activation: h.activation, dropout: h.dropout, norm: h.norm, normalize: h.normalize, seed });
  const loss = fromConfig('loss', () => buildLoss(config.loss, { numClasses: classes.length, embeddingSize: h.output, seed, normalized: h.normalize }));
  const miner = fromConfig('miner', () => buildMiner(config.miner));
  const sampler = fromConfig('sampler', () => buildSampler(config.sampler, train.y, seed, { classNames: classes, part: 'the training part' }));
  for (const w of sampler.warnings ?? []) options.onWarning?.(`sampler ${config.sampler.name}: ${w}`);
  const lossLr = config.optimizer.lossLr;
  if (lossLr !== undefined) {
    const own = loss.parameters();
    if (own.length === 0) throw new ConfigError(`optimizer.lossLr: the ${config.loss.name} loss has no parameters of its own (arcface, cosface, proxy-anchor and the margin loss with learnBeta have, also inside cross-batch-memory); remove lossLr`);
    for (const p of own) p.lrScale = lossLr / config.optimizer.lr;
  }
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
  const onBest = checkpoint ? (epoch: number, metrics: ValidationMetrics) => new DeepHead(model, { standardization, info: { checkpoint: true, epoch, metrics } }).save(checkpoint) : undefined;
  const trainer = new Trainer({ model, loss, miner, sampler, optimizer }, {
    epochs, seed, validateEvery: config.validateEvery, monitor: config.monitor, earlyStopping: config.earlyStopping, restoreBest: config.restoreBest,
    clipGradNorm: config.clipGradNorm, schedule, progress: options.progress ?? false, verbose: options.verbose, onEpoch: options.onEpoch, onBest,
  });
  const training = trainer.fit(train, validation);
  for (const w of trainingWarnings(training, untrained, config)) options.onWarning?.(w);
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

/** Epoch numbers as ranges: 1, 3–5, 8. */
function epochRanges(epochs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < epochs.length; i++) {
    let j = i;
    while (j + 1 < epochs.length && epochs[j + 1] === epochs[j] + 1) j++;
    parts.push(j > i ? `${epochs[i]}–${epochs[j]}` : `${epochs[i]}`);
    i = j;
  }
  return parts.join(', ');
}

/**
 * Signs that a run learned nothing, as warnings (the run itself succeeded): epochs in which no
 * loss term was active (the loss was zero in every batch, so the weights did not move), and a
 * final validation score that is not above the untrained head's on the monitored metric.
 */
export function trainingWarnings(training: TrainResult, untrained: ValidationMetrics, config: Pick<TrainConfig, 'monitor' | 'miner' | 'loss'>): string[] {
  const out: string[] = [];
  const idle = training.history.filter((h) => h.activeTerms === 0).map((h) => h.epoch);
  if (idle.length > 0) {
    const all = idle.length === training.history.length;
    const miner = config.miner ? `; the ${config.miner.name} miner may pick only tuples the loss already satisfies (a triplet-margin miner of type "easy" does), so try another miner or type` : '';
    out.push(`no loss term was active in ${all ? `any epoch (${epochRanges(idle)})` : `epoch${idle.length > 1 ? 's' : ''} ${epochRanges(idle)}`}: the ${config.loss.name} loss was 0 in every batch, so ${all ? 'the head was not trained at all' : 'those epochs trained nothing'}${miner}; check the loss's margins against its distance`);
  }
  const m = config.monitor;
  const final = training.final;
  if (final && !(final[m] > untrained[m])) {
    out.push(`validation ${m} ${final[m].toFixed(4)} after training is not above the untrained head's ${untrained[m].toFixed(4)}: the training did not improve retrieval; check the loss settings (margins, miner), the learning rate (optimizer.lr) and the number of epochs`);
  }
  return out;
}
