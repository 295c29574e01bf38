/**
 * Parts of a training run from a config's names: the loss and miner through the similarity
 * library's own factories (lossByName, minerByName), the sampler and the optimiser here.
 * Options that only the data can supply (number of classes, embedding size, seed) are filled
 * in for the losses that take them, unless the config sets them.
 */
import { lossByName } from './losses/by-name.js';
import { minerByName } from './miners/by-name.js';
import { MPerClassSampler } from './samplers/m-per-class.js';
import { PxKSampler } from './samplers/pxk.js';
import { Adam, AdamW } from './optim/adam.js';
import { SGD } from './optim/sgd.js';
import type { Optimizer } from './optim/optimizer.js';
import type { BatchSampler, Loss, Miner, Parameter } from './types.js';

export interface BuildContext {
  numClasses: number;
  embeddingSize: number;
  seed: number;
}

type Named = { name: string } & Record<string, unknown>;

/** Losses that learn class proxies or weights and so need the class count and embedding width. */
const NEEDS_SHAPE = new Set(['arcface', 'cosface', 'proxy-anchor']);
const TAKES_SEED = new Set(['arcface', 'cosface', 'proxy-anchor']);

export function buildLoss(spec: Named, ctx: BuildContext): Loss {
  const { name, ...options } = spec;
  if (NEEDS_SHAPE.has(name)) {
    options.numClasses ??= ctx.numClasses;
    options.embeddingSize ??= ctx.embeddingSize;
  }
  if (name === 'margin' && options.learnBeta === true) options.numClasses ??= ctx.numClasses;
  if (TAKES_SEED.has(name)) options.seed ??= ctx.seed;
  return lossByName(name, options);
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

/** Batches over the training labels; the sampler's seed is the run's seed. */
export function buildSampler(spec: Named, labels: Int32Array, seed: number): BatchSampler {
  const { name, ...options } = spec;
  const allowed = SAMPLER_OPTIONS[name];
  if (!allowed) throw new RangeError(`sampler: unknown name "${name}"; use one of ${SAMPLER_NAMES.join(', ')}`);
  for (const k of Object.keys(options)) if (!allowed.includes(k)) throw new RangeError(`sampler ${name}: unknown option "${k}"; it takes ${allowed.join(', ')}`);
  if (name === 'm-per-class') {
    return new MPerClassSampler(labels, { m: (options.m as number) ?? 8, batchSize: (options.batchSize as number) ?? 128, epochSize: options.epochSize as number | undefined, seed });
  }
  return new PxKSampler(labels, { ...(options as { p: number; k: number }), seed });
}

export interface OptimizerSpec {
  name: 'adam' | 'adamw' | 'sgd';
  lr: number;
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
