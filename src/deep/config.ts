/**
 * The `simlearn train` configuration: one JSON file that names the data, the split, the head,
 * the loss, miner, sampler and optimiser, the epochs and the seed. Validated with zod so a bad
 * field is reported by its path ("loss.margin: expected number, received string") rather than
 * failing deep inside training; unknown keys are errors (a typo must not silently become a
 * default). Loss, miner and sampler options are checked by their own factories, which also
 * reject unknown options.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { z } from 'zod';
import { ACTIVATIONS } from './layers/activation.js';
import { MONITORED } from './trainer.js';
import { MAX_SEED } from '../random.js';
import { dataFileFormat } from '../io/dataset.js';

const posInt = z.number().int().positive();
const seedField = z.number().int().min(0).max(MAX_SEED);
const named = z.looseObject({ name: z.string().min(1) });

export const TrainConfigSchema = z.strictObject({
  /** A labelled dataset file (CSV/TSV with a label column, JSON Lines with a "label" field), relative to the config file. */
  data: z.union([z.string().min(1), z.strictObject({ path: z.string().min(1), label: z.union([z.string(), z.number().int(), z.null()]).optional() })]),
  /** A separate validation file; without it the data is split (so `split` is refused with it). */
  validation: z.string().min(1).optional(),
  split: z.strictObject({
    test: z.number().gt(0).lt(1).default(0.3),
    stratify: z.boolean().default(true),
    /** Seed of the split (default: the config's seed). */
    seed: seedField.optional(),
    /** A `row,fold` file (as data/*.folds.csv): the rows of fold `testFold` validate, the rest train. */
    folds: z.string().min(1).optional(),
    testFold: z.number().int().min(0).optional(),
  }).refine((s) => (s.folds === undefined) === (s.testFold === undefined), { message: 'folds and testFold go together: give both or neither' })
    .default({ test: 0.3, stratify: true }),
  /** z-score the inputs with the training part's statistics (stored in the head). */
  standardize: z.boolean().default(true),
  /** A frozen ONNX encoder run once over the inputs, its embeddings cached on disk. */
  encoder: z.strictObject({
    path: z.string().min(1),
    cacheDir: z.string().min(1).optional(),
    inputName: z.string().optional(),
    outputName: z.string().optional(),
    batchSize: posInt.optional(),
  }).optional(),
  head: z.strictObject({
    hidden: z.array(posInt).default([128]),
    output: posInt.default(32),
    activation: z.enum(ACTIVATIONS).default('relu'),
    dropout: z.number().min(0).lt(1).default(0),
    norm: z.enum(['none', 'batch', 'layer']).default('none'),
    normalize: z.boolean().default(true),
  }).default({ hidden: [128], output: 32, activation: 'relu', dropout: 0, norm: 'none', normalize: true }),
  loss: named,
  miner: named.nullable().optional(),
  sampler: named.default({ name: 'm-per-class' }),
  optimizer: z.strictObject({
    name: z.enum(['adam', 'adamw', 'sgd']),
    lr: z.number().positive(),
    /** Learning rate of the loss's own parameters (class weights, proxies); default lr. */
    lossLr: z.number().positive().optional(),
    weightDecay: z.number().min(0).optional(),
    beta1: z.number().min(0).lt(1).optional(),
    beta2: z.number().min(0).lt(1).optional(),
    eps: z.number().positive().optional(),
    momentum: z.number().min(0).lt(1).optional(),
    nesterov: z.boolean().optional(),
  }).refine((o) => o.name !== 'sgd' || o.nesterov !== true || (o.momentum ?? 0) > 0, { path: ['nesterov'], message: 'nesterov needs momentum > 0' }),
  schedule: z.strictObject({
    name: z.enum(['constant', 'step', 'cosine']),
    /** step: decay every this many epochs. */
    stepEpochs: posInt.optional(),
    gamma: z.number().gt(0).max(1).optional(),
    minFactor: z.number().min(0).max(1).optional(),
    warmupEpochs: z.number().min(0).optional(),
  })
    .superRefine((s, ctx) => {
      // Checked here so the messages name the config's keys, not makeSchedule's step-based ones.
      if (s.name === 'step' && s.stepEpochs === undefined) ctx.addIssue({ code: 'custom', path: ['stepEpochs'], message: 'the step schedule needs stepEpochs (decay the rate every this many epochs)' });
      // A key the chosen schedule does not read would be silently ignored.
      const only: Record<string, string> = { stepEpochs: 'step', gamma: 'step', minFactor: 'cosine' };
      for (const [key, owner] of Object.entries(only)) {
        if (s[key as keyof typeof s] !== undefined && s.name !== owner) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to the ${owner} schedule only, not "${s.name}"` });
      }
    })
    .optional(),
  clipGradNorm: z.number().positive().optional(),
  epochs: posInt,
  seed: seedField.default(0),
  validateEvery: posInt.default(1),
  monitor: z.enum(MONITORED).default('mapAtR'),
  /** Keep the best validated weights (default true); false keeps the last epoch's (the protocol of record). */
  restoreBest: z.boolean().default(true),
  earlyStopping: z.strictObject({ patience: posInt, minDelta: z.number().min(0).optional() }).optional(),
  /** Where to save the trained head (relative to the config file); the CLI's --out overrides. */
  output: z.string().min(1).optional(),
  /** Where to write the best head so far, each time validation improves (relative to the config file). */
  checkpoint: z.string().min(1).optional(),
}).superRefine((c, ctx) => {
  const problem = dataLabelProblem(c.data, c.validation);
  if (problem) ctx.addIssue({ code: 'custom', path: ['data', 'label'], message: problem });
  const dataPath = typeof c.data === 'string' ? c.data : c.data.path;
  for (const [key, file] of [['data', dataPath], ['validation', c.validation]] as const) {
    if (file !== undefined && dataFileFormat(file) === 'npy' && !problem) ctx.addIssue({ code: 'custom', path: typeof c.data === 'string' || key === 'validation' ? [key] : [key, 'path'], message: npyLabelsMessage(file) });
  }
  // An embedding of one number, L2-normalised, is +1 or −1: every row lands on one of two points.
  if (c.head.output === 1 && c.head.normalize) ctx.addIssue({ code: 'custom', path: ['head', 'output'], message: 'with head.normalize true an embedding of size 1 is always +1 or −1, so every row maps to one of two points and nothing can be ranked; set head.output to 2 or more (e.g. 32), or head.normalize to false' });
  const lossProblem = scoredPairsLossProblem(c.loss);
  if (lossProblem) ctx.addIssue({ code: 'custom', path: lossProblem.path, message: lossProblem.message });
});

/** Why a .npy file cannot be the data of a training run (the wording is shared with --data). */
export function npyLabelsMessage(file: string): string {
  return `${file} is .npy, which holds features only, so it gives no class labels and training a similarity head needs them; give labelled data as a CSV/TSV file with a label column (named by data.label; default "label", else the last column) or as JSON Lines with a "label" field in every record`;
}

/**
 * score-regression regresses (a, b, score) pairs, which the library builds with fromScoredPairs
 * and batches with PairBatchSampler; train reads one class label per row and batches by class,
 * so the loss would read class codes as pair ids. Refused by name, also wrapped in cross-batch memory.
 */
function scoredPairsLossProblem(loss: { name: string } & Record<string, unknown>): { path: (string | number)[]; message: string } | null {
  const scored = (name: unknown): boolean => name === 'score-regression' || name === 'cosine-similarity';
  const why = (name: string) => `the ${name} loss learns from scored pairs (a, b, score), but train reads one class label per row; train it through the library API (simlearn's fromScoredPairs, PairBatchSampler and ScoreRegressionLoss with a Trainer), or choose a loss for class labels (contrastive, triplet-margin, multi-similarity, ntxent, supcon, circle, arcface, cosface, proxy-anchor, margin)`;
  if (scored(loss.name)) return { path: ['loss', 'name'], message: why(loss.name) };
  const inner = loss.loss;
  const innerName = typeof inner === 'string' ? inner : inner && typeof inner === 'object' ? (inner as { name?: unknown }).name : undefined;
  if (scored(innerName)) return { path: ['loss', 'loss'], message: why(innerName as string) };
  return null;
}

/**
 * `data.label` names a column of a delimited text file (.csv, .tsv, .txt), as the CLI's --label
 * does (see checkLabelFlag in src/cli/command.ts, whose wording this follows). JSON Lines records
 * carry their labels in the field "label" and .npy holds features only, so a data.label those
 * formats cannot honour would be ignored without a word; it is refused, naming the format's own
 * way to give labels. Accepted: any data.label when the data or the validation file (both read
 * with it) is a text file; "label" for JSON Lines (the field it names); null (no label column).
 */
export function dataLabelProblem(data: TrainConfigInput['data'], validation?: string): string | null {
  if (typeof data === 'string' || data.label === undefined || data.label === null) return null;
  const label = data.label;
  const files = [data.path, validation].filter((f): f is string => f !== undefined);
  if (files.some((f) => dataFileFormat(f) === 'text' || dataFileFormat(f) === 'other')) return null;
  for (const f of files) {
    if (dataFileFormat(f) === 'jsonl') {
      if (label === 'label') continue;
      return `${JSON.stringify(label)} names a column of a CSV/TSV file, but ${f} is JSON Lines, whose records carry their labels in the field "label" only: name that field "label" in every record and leave out data.label`;
    }
    return `${JSON.stringify(label)} names a column of a CSV/TSV file, but ${f} is .npy, which holds features only; give labelled data as a CSV file with a label column (named by data.label) or as JSON Lines with a "label" field`;
  }
  return null;
}

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed JSON value; errors list every bad field by its path. */
export function parseTrainConfig(value: unknown, source = 'config'): TrainConfig {
  const r = TrainConfigSchema.safeParse(value);
  const issues: { path: PropertyKey[]; message: string }[] = r.success ? [] : [...r.error.issues];
  // `split` has a default, so whether the file gave it is seen on the raw value only.
  if (value !== null && typeof value === 'object' && 'validation' in value && 'split' in value) {
    issues.push({ path: ['split'], message: 'split is ignored when a validation file is given (that file is the validation part); remove split, or remove validation to split the data' });
  }
  if (issues.length > 0) {
    const lines = issues.map((i) => {
      const path = i.path.length ? i.path.map(String).join('.') : '(top level)';
      return `  ${path}: ${i.message}`;
    });
    throw new ConfigError(`${source}: invalid training configuration:\n${lines.join('\n')}`);
  }
  return r.data!;
}

/** Reads and validates a config file; relative paths inside it are resolved against its folder. */
export function readTrainConfig(path: string): { config: TrainConfig; baseDir: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse rejects.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return { config: parseTrainConfig(json, path), baseDir: dirname(resolve(path)) };
}

export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
