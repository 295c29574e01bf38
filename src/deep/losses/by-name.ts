/**
 * Losses by the names configs use. Options are each loss's own (camelCase, see its file);
 * `distance` takes a distance name, `reducer` a reducer name or { name, low, high }.
 * 'cross-batch-memory' takes { loss: name | { name, options }, memorySize, miner?: name | { name, options } }.
 * Unknown option names are refused (a typo must not silently fall back to a default).
 * A triplet-margin margin ≤ 0 with the hinge is refused here too (see tripletMarginProblem).
 */
import type { Loss } from '../types.js';
import { minerByName } from '../miners/by-name.js';
import { ArcFaceLoss } from './arcface.js';
import { CircleLoss } from './circle.js';
import { ContrastiveLoss } from './contrastive.js';
import { CosFaceLoss } from './cosface.js';
import { CrossBatchMemory } from './cross-batch-memory.js';
import { MarginLoss } from './margin.js';
import { MultiSimilarityLoss } from './multi-similarity.js';
import { NTXentLoss } from './ntxent.js';
import { ProxyAnchorLoss } from './proxy-anchor.js';
import { ScoreRegressionLoss } from './score-regression.js';
import { SupConLoss } from './supcon.js';
import { TripletMarginLoss } from './triplet-margin.js';

const OPTIONS: Record<string, string[]> = {
  contrastive: ['posMargin', 'negMargin', 'squared', 'distance', 'reducer'],
  'triplet-margin': ['margin', 'swap', 'smooth', 'distance', 'reducer'],
  'multi-similarity': ['alpha', 'beta', 'base', 'distance', 'reducer'],
  ntxent: ['temperature', 'distance', 'reducer'],
  supcon: ['temperature', 'distance', 'reducer'],
  circle: ['m', 'gamma', 'detachAlpha', 'distance', 'reducer'],
  arcface: ['numClasses', 'embeddingSize', 'scale', 'margin', 'seed', 'reducer'],
  cosface: ['numClasses', 'embeddingSize', 'scale', 'margin', 'seed', 'reducer'],
  'proxy-anchor': ['numClasses', 'embeddingSize', 'alpha', 'margin', 'distance', 'seed'],
  margin: ['margin', 'beta', 'nu', 'learnBeta', 'numClasses', 'distance', 'reducer'],
  'score-regression': ['scores', 'distance', 'reducer'],
  'cross-batch-memory': ['loss', 'memorySize', 'miner'],
};

const ALIASES: Record<string, string> = { infonce: 'ntxent', triplet: 'triplet-margin', xbm: 'cross-batch-memory', 'cosine-similarity': 'score-regression' };

export const LOSS_NAMES = Object.keys(OPTIONS);

/** The name a loss is known by (aliases resolved); unknown names come back unchanged. */
export function canonicalLossName(name: string): string {
  return ALIASES[name] ?? name;
}

type Spec = string | { name: string; options?: Record<string, unknown> };

function unpack(spec: unknown, what: string): { name: string; options: Record<string, unknown> } {
  if (typeof spec === 'string') return { name: spec, options: {} };
  if (spec && typeof spec === 'object' && typeof (spec as { name?: unknown }).name === 'string') {
    const s = spec as { name: string; options?: Record<string, unknown> };
    return { name: s.name, options: s.options ?? {} };
  }
  throw new TypeError(`cross-batch-memory: option ${what} must be a name or { name, options }`);
}

export function lossByName(name: string, options: Record<string, unknown> = {}): Loss {
  const key = ALIASES[name] ?? name;
  const allowed = OPTIONS[key];
  if (!allowed) throw new RangeError(`loss: unknown name "${name}"; use one of ${LOSS_NAMES.join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`);
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new RangeError(`loss ${key}: unknown option "${k}"; it takes ${allowed.join(', ')}`);
  }
  const o = options as never;
  switch (key) {
    case 'contrastive': return new ContrastiveLoss(o);
    case 'triplet-margin': {
      const problem = tripletMarginProblem(options);
      if (problem) throw new RangeError(`triplet-margin: ${problem}`);
      return new TripletMarginLoss(o);
    }
    case 'multi-similarity': return new MultiSimilarityLoss(o);
    case 'ntxent': return new NTXentLoss(o);
    case 'supcon': return new SupConLoss(o);
    case 'circle': return new CircleLoss(o);
    case 'arcface': return new ArcFaceLoss(o);
    case 'cosface': return new CosFaceLoss(o);
    case 'proxy-anchor': return new ProxyAnchorLoss(o);
    case 'margin': return new MarginLoss(o);
    case 'score-regression': return new ScoreRegressionLoss(o);
    default: {
      if (options.loss === undefined) throw new RangeError('cross-batch-memory: option loss (the wrapped loss) is required');
      const inner = unpack(options.loss as Spec, 'loss');
      const miner = options.miner === undefined ? undefined : unpack(options.miner as Spec, 'miner');
      return new CrossBatchMemory({
        loss: lossByName(inner.name, inner.options),
        memorySize: options.memorySize as number | undefined,
        miner: miner ? minerByName(miner.name, miner.options) : undefined,
      });
    }
  }
}

/**
 * The hinge [d_ap − d_an + margin]₊ asks the negative to be `margin` farther than the positive:
 * with margin 0 a triplet stops costing anything as soon as the two are merely in order, and with
 * a negative margin even misordered triplets cost nothing (margin −1 on unit embeddings leaves
 * almost every triplet inactive), so the head learns little or nothing. The soft-margin form
 * (smooth: softplus) has a gradient everywhere and takes any margin (Hermans et al. use 0).
 */
export function tripletMarginProblem(options: Record<string, unknown>): string | null {
  const margin = options.margin;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin > 0 || options.smooth === true) return null;
  return `option margin must be positive, got ${margin}: the hinge [d(a, p) − d(a, n) + margin]₊ asks each negative to be margin farther than its positive, so with margin ≤ 0 ${margin < 0 ? 'even misordered triplets cost nothing and the head learns little or nothing' : 'a triplet costs nothing once it is merely in order'}; use e.g. 0.05 (the default) to 0.2, or smooth: true for the soft margin`;
}
