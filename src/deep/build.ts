/**
 * Parts of a training run from a config's names: the loss and miner through the similarity
 * library's own factories (lossByName, minerByName), the sampler and the optimiser here.
 * Options that only the data can supply (number of classes, embedding size, seed) are filled
 * in for the losses that take them, unless the config sets them.
 */
import { canonicalLossName, lossByName } from './losses/by-name.js';
import { minerByName } from './miners/by-name.js';
import { ContrastiveLoss, contrastiveMarginProblem } from './losses/contrastive.js';
import { CrossBatchMemory } from './losses/cross-batch-memory.js';
import { MarginLoss, marginLossProblem } from './losses/margin.js';
import { MPerClassSampler } from './samplers/m-per-class.js';
import { PxKSampler } from './samplers/pxk.js';
import type { SamplerNaming } from './samplers/common.js';
import { Adam, AdamW } from './optim/adam.js';
import { SGD } from './optim/sgd.js';
import type { Optimizer } from './optim/optimizer.js';
import type { BatchSampler, Loss, Miner, Parameter } from './types.js';

export interface BuildContext {
  numClasses: number;
  embeddingSize: number;
  seed: number;
  /** The head L2-normalises its output (a dot product of embeddings is then their cosine). */
  normalized?: boolean;
}

type Named = { name: string } & Record<string, unknown>;

/** Losses that learn class proxies or weights and so need the class count and embedding width. */
const NEEDS_SHAPE = new Set(['arcface', 'cosface', 'proxy-anchor']);
const TAKES_SEED = new Set(['arcface', 'cosface', 'proxy-anchor']);

/** Fills in (a copy of) the options only the data can supply, unless they are set. */
function withDataOptions(name: string, given: Record<string, unknown>, ctx: BuildContext): Record<string, unknown> {
  const options = { ...given };
  const key = canonicalLossName(name);
  if (NEEDS_SHAPE.has(key)) {
    options.numClasses ??= ctx.numClasses;
    options.embeddingSize ??= ctx.embeddingSize;
  }
  if (key === 'margin' && options.learnBeta === true) options.numClasses ??= ctx.numClasses;
  if (TAKES_SEED.has(key)) options.seed ??= ctx.seed;
  return options;
}

/**
 * The loss a config names. The options only the data can supply are filled in for the loss and,
 * for cross-batch memory, for the loss it wraps (`loss: name` or `loss: { name, options }`).
 */
export function buildLoss(spec: Named, ctx: BuildContext): Loss {
  const { name, ...given } = spec;
  const options = withDataOptions(name, given, ctx);
  let innerOptions: Record<string, unknown> = options;
  if (canonicalLossName(name) === 'cross-batch-memory') {
    const inner = options.loss;
    if (typeof inner === 'string') {
      innerOptions = withDataOptions(inner, {}, ctx);
      options.loss = { name: inner, options: innerOptions };
    } else if (inner && typeof inner === 'object' && typeof (inner as { name?: unknown }).name === 'string') {
      const s = inner as { name: string; options?: Record<string, unknown> };
      innerOptions = withDataOptions(s.name, s.options ?? {}, ctx);
      options.loss = { ...s, options: innerOptions };
    }
  }
  const loss = lossByName(name, options);
  if (ctx.normalized) {
    const problem = unitEmbeddingProblem(loss instanceof CrossBatchMemory ? loss.loss : loss, innerOptions);
    if (problem) throw new RangeError(problem);
  }
  return loss;
}

/**
 * On L2-normalised embeddings a dot product is a cosine, between −1 and 1: margins that no pair
 * can reach on one side leave that side of the loss inert (the loss constructors check cosine
 * themselves, but cannot know that a dot product's embeddings are normalised).
 */
function unitEmbeddingProblem(loss: Loss, options: Record<string, unknown>): string | null {
  const unitReason = 'since head.normalize is true, which makes the dot product a cosine';
  if (loss instanceof ContrastiveLoss && loss.distance.name === 'dot') {
    const p = contrastiveMarginProblem(loss, { unit: true, unitReason, defaults: { posMargin: options.posMargin === undefined, negMargin: options.negMargin === undefined } });
    return p ? `${loss.name}: ${p}` : null;
  }
  if (loss instanceof MarginLoss && loss.distance.name === 'dot') {
    const p = marginLossProblem({ margin: loss.margin, beta: loss.initialBeta, learnBeta: loss.learnBeta, distance: loss.distance }, { unit: true, unitReason, defaults: { margin: options.margin === undefined, beta: options.beta === undefined } });
    return p ? `${loss.name}: ${p}` : null;
  }
  return null;
}

export function buildMiner(spec: Named | null | undefined): Miner | null {
  if (!spec) return null;
  const { name, ...options } = spec;
  return minerByName(name, options);
}

export const SAMPLER_NAMES = ['m-per-class', 'pxk'] as const;

const SAMPLER_OPTIONS: Record<string, string[]> = {
  'm-per-class': ['m', 'batchSize', 'epochSize'],
  pxk: ['p', 'k', 'epoch', 'smallClasses'],
};

/**
 * Batches over the training labels; the sampler's seed is the run's seed. `naming` lets messages
 * show the user's labels for the class codes and say which part of the data they count.
 */
export function buildSampler(spec: Named, labels: Int32Array, seed: number, naming?: SamplerNaming): BatchSampler {
  const { name, ...options } = spec;
  const allowed = SAMPLER_OPTIONS[name];
  if (!allowed) throw new RangeError(`sampler: unknown name "${name}"; use one of ${SAMPLER_NAMES.join(', ')}`);
  for (const k of Object.keys(options)) if (!allowed.includes(k)) throw new RangeError(`sampler ${name}: unknown option "${k}"; it takes ${allowed.join(', ')}`);
  if (name === 'm-per-class') {
    return new MPerClassSampler(labels, { m: (options.m as number) ?? 8, batchSize: (options.batchSize as number) ?? 128, epochSize: options.epochSize as number | undefined, seed, naming });
  }
  return new PxKSampler(labels, { ...(options as { p: number; k: number }), seed, naming });
}

export interface OptimizerSpec {
  name: 'adam' | 'adamw' | 'sgd';
  lr: number;
  /** The loss's own parameters' learning rate (applied by the pipeline through Parameter.lrScale). */
  lossLr?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  momentum?: number;
  nesterov?: boolean;
}

/** A factory, so the trainer can hand it the head's and the loss's parameters together. */
export function buildOptimizer(spec: OptimizerSpec): (params: Parameter[]) => Optimizer {
  const adamOnly = ['beta1', 'beta2', 'eps'] as const;
  const sgdOnly = ['momentum', 'nesterov'] as const;
  const wrong = spec.name === 'sgd' ? adamOnly.filter((k) => spec[k] !== undefined) : sgdOnly.filter((k) => spec[k] !== undefined);
  if (wrong.length) throw new RangeError(`optimizer ${spec.name}: option ${wrong.join(', ')} belongs to ${spec.name === 'sgd' ? 'adam/adamw' : 'sgd'}`);
  switch (spec.name) {
    case 'sgd': return (p) => new SGD(p, { lr: spec.lr, momentum: spec.momentum, nesterov: spec.nesterov, weightDecay: spec.weightDecay });
    case 'adam': return (p) => new Adam(p, { lr: spec.lr, beta1: spec.beta1, beta2: spec.beta2, eps: spec.eps, weightDecay: spec.weightDecay });
    case 'adamw': return (p) => new AdamW(p, { lr: spec.lr, beta1: spec.beta1, beta2: spec.beta2, eps: spec.eps, weightDecay: spec.weightDecay });
  }
}
